DROP TABLE notice_templates;
DROP TABLE notices;
DROP TABLE notice_registers;
