// The hall display.
