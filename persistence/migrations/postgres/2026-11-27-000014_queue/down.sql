DROP TABLE display_events;
DROP TABLE window_session_spans;
DROP TABLE window_sessions;
DROP TABLE ticket_cases;
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP TABLE ticket_sequences;
DROP TABLE queues;
