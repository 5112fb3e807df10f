-- Photos get real columns for what people filter and sort on, filled from the JSON record,
-- which keeps only the other fields from now on (the columns are the truth; data never
-- repeats them). SQLite's table rebuild: new table, copy, drop, rename, indexes again; the
-- runner turns foreign keys off around it (photo_flags refers to photos) and checks them
-- before the commit.

CREATE TABLE photos_new (
    id             TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    sha256         TEXT NOT NULL,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,            -- bytes of the original
    media_type     TEXT NOT NULL DEFAULT 'image',
    sort_at        TEXT NOT NULL,               -- timeline key: taken_at (or upload time) as UTC
    taken_at       TEXT,                        -- capture time (owner's correction if any), ISO 8601
    exif_taken_at  TEXT,                        -- the capture time the file holds
    camera_make    TEXT,
    camera_model   TEXT,
    lens           TEXT,
    lat            REAL,
    lon            REAL,
    width          INTEGER,
    height         INTEGER,
    description    TEXT,
    variants_bytes INTEGER NOT NULL DEFAULT 0,  -- thumbnails and previews
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    trashed_at     TEXT,                        -- owner's trash; NULL when not trashed
    deleting_at    TEXT,                        -- permanent deletion started
    data           TEXT NOT NULL                -- JSON of the Photo's other fields
);

INSERT INTO photos_new (
    id, owner_id, status, sha256, filename, content_type, size, media_type, sort_at, taken_at,
    exif_taken_at, camera_make, camera_model, lens, lat, lon, width, height, description,
    variants_bytes, created_at, updated_at, trashed_at, deleting_at, data
)
SELECT
    id, owner_id, status, sha256,
    json_extract(data, '$.filename'),
    json_extract(data, '$.content_type'),
    json_extract(data, '$.size'),
    media_type, sort_at,
    json_extract(data, '$.taken_at'),
    json_extract(data, '$.exif_taken_at'),
    json_extract(data, '$.camera_make'),
    json_extract(data, '$.camera_model'),
    json_extract(data, '$.lens'),
    json_extract(data, '$.lat'),
    json_extract(data, '$.lon'),
    json_extract(data, '$.width'),
    json_extract(data, '$.height'),
    json_extract(data, '$.description'),
    COALESCE(json_extract(data, '$.variants_bytes'), 0),
    created_at, updated_at, trashed_at, deleting_at,
    json_remove(
        data, '$.id', '$.owner_id', '$.status', '$.sha256', '$.filename', '$.content_type', '$.size',
        '$.media_type', '$.sort_at', '$.taken_at', '$.exif_taken_at', '$.camera_make', '$.camera_model',
        '$.lens', '$.lat', '$.lon', '$.width', '$.height', '$.description', '$.variants_bytes',
        '$.created_at', '$.updated_at', '$.trashed_at', '$.deleting_at'
    )
FROM photos;

DROP TABLE photos;
ALTER TABLE photos_new RENAME TO photos;

-- One photo per owner and content: the heart of de-duplication.
CREATE UNIQUE INDEX photos_owner_sha ON photos(owner_id, sha256);
-- The keyset timeline: (sort_at, id) per owner.
CREATE INDEX photos_timeline ON photos(owner_id, sort_at, id);
CREATE INDEX photos_trash ON photos(owner_id, trashed_at, id) WHERE trashed_at IS NOT NULL;
-- "Photos by camera" and "photos of a time", for the app and for anyone with sqlite3 or Datasette.
CREATE INDEX photos_camera ON photos(owner_id, camera_make, camera_model);
CREATE INDEX photos_taken ON photos(taken_at);
-- The pipeline's sweep of photos stuck in processing.
CREATE INDEX photos_processing ON photos(updated_at) WHERE status = 'processing';

-- A viewer's favorites in timeline order, straight from an index: the flag row carries a copy
-- of its photo's sort_at (kept in step by every photo write).
ALTER TABLE photo_flags ADD COLUMN sort_at TEXT NOT NULL DEFAULT '';
UPDATE photo_flags SET sort_at = COALESCE((SELECT p.sort_at FROM photos p WHERE p.id = photo_flags.photo_id), '');
CREATE INDEX photo_flags_favorites ON photo_flags(user_id, sort_at, photo_id) WHERE favorite = 1;
