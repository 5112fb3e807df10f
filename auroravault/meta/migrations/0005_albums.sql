-- Albums: named selections of photos, and their memberships.

CREATE TABLE albums (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data       TEXT NOT NULL  -- the whole Album record as JSON
);
-- The owner's albums, newest first, keyset by (created_at, id).
CREATE INDEX albums_owner ON albums(owner_id, created_at, id);

-- A photo in an album. ``sort_at`` is the photo's, kept in step by the trigger below, so an
-- album's page walks this index in order instead of sorting the album on every request.
CREATE TABLE album_photos (
    album_id  TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id  TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    sort_at   TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (album_id, photo_id)
);
CREATE INDEX album_photos_order ON album_photos(album_id, sort_at, photo_id);
CREATE INDEX album_photos_photo ON album_photos(photo_id);

-- A corrected or newly read capture time moves the photo within each of its albums.
CREATE TRIGGER album_photos_sort_at AFTER UPDATE OF sort_at ON photos
WHEN NEW.sort_at IS NOT OLD.sort_at
BEGIN
    UPDATE album_photos SET sort_at = NEW.sort_at WHERE photo_id = NEW.id;
END;
