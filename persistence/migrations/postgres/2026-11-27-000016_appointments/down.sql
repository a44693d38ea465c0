DROP TABLE appointment_events;
DROP TABLE appointments;
DROP TABLE appointment_slots;
