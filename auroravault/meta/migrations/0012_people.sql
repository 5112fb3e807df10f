-- People (issue 18): faces found in photos, and the people they are clustered into.
CREATE TABLE people (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data       TEXT NOT NULL  -- the whole Person record as JSON
);
CREATE INDEX people_owner ON people(owner_id, created_at, id);
CREATE TABLE faces (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    photo_id   TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,  -- the box's place among the photo's faces
    data       TEXT NOT NULL  -- the whole Face record as JSON (embedding included)
);
CREATE INDEX faces_photo ON faces(photo_id, seq);
CREATE INDEX faces_owner ON faces(owner_id);
