// The kiosk.
