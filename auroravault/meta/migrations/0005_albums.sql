-- Albums: named selections of photos, and their memberships.

CREATE TABLE albums (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    data       TEXT NOT NULL  -- the whole Album record as JSON
);
-- The owner's albums, newest first, keyset by (created_at, id).
CREATE INDEX albums_owner ON albums(owner_id, created_at, id);

-- A photo in an album. ``sort_at`` and ``listed`` (not pending, trashed or being deleted) are
-- the photo's, kept in step by the triggers below, so an album's page walks this index in
-- order, and its count and dates come from the index alone, whatever the album's size.
CREATE TABLE album_photos (
    album_id  TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id  TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    sort_at   TEXT NOT NULL,
    listed    INTEGER NOT NULL DEFAULT 1,
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (album_id, photo_id)
);
CREATE INDEX album_photos_order ON album_photos(album_id, listed, sort_at, photo_id);
CREATE INDEX album_photos_photo ON album_photos(photo_id);

-- A corrected or newly read capture time moves the photo within each of its albums.
CREATE TRIGGER album_photos_sort_at AFTER UPDATE OF sort_at ON photos
WHEN NEW.sort_at IS NOT OLD.sort_at
BEGIN
    UPDATE album_photos SET sort_at = NEW.sort_at WHERE photo_id = NEW.id;
END;

-- Trashed photos leave their albums, restored ones come back.
CREATE TRIGGER album_photos_listed AFTER UPDATE OF status, trashed_at, deleting_at ON photos
WHEN NEW.status IS NOT OLD.status OR NEW.trashed_at IS NOT OLD.trashed_at OR NEW.deleting_at IS NOT OLD.deleting_at
BEGIN
    UPDATE album_photos
    SET listed = (NEW.status != 'pending' AND NEW.trashed_at IS NULL AND NEW.deleting_at IS NULL)
    WHERE photo_id = NEW.id;
END;
