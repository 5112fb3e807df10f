-- Share links (issue 14): one row per link, the record as JSON beside the columns it is found by.
CREATE TABLE share_links (
    id         TEXT PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,  -- the secret of the URL; looked up on every public request
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data       TEXT NOT NULL  -- the whole ShareLink record as JSON
);
-- The owner's links, newest first, keyset by (created_at, id).
CREATE INDEX share_links_owner ON share_links(owner_id, created_at, id);
