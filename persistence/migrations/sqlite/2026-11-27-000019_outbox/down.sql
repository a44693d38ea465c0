DROP TABLE webhook_deliveries;
DROP TABLE outbox_messages;
DROP TABLE webhooks;
