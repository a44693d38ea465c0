DROP TABLE kiosk_attempts;
