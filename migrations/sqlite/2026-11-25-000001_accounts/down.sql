DROP TABLE server_settings;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
