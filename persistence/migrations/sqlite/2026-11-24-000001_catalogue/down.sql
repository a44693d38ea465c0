DROP TABLE calendar_years;
DROP TABLE users;
DROP TABLE window_items;
DROP TABLE windows;
DROP TABLE service_items;
DROP TABLE departments;
DROP TABLE centers;
