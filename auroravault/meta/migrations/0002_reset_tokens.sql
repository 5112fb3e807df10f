-- Single-use password-reset tokens, stored as hashes.
CREATE TABLE reset_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX reset_tokens_user ON reset_tokens(user_id);
