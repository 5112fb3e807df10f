-- Accounts (issue 14): disabled accounts, the two sharing-notification switches, and where
-- each session was opened (shown in the user's session list).

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN notify_album_shared INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_album_photos INTEGER NOT NULL DEFAULT 1;

ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
