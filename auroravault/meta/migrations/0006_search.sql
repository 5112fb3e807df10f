-- Search: place columns, and an FTS5 index over filename, description, place and album names.

-- The place names (Photo.place, set by the reverse geocoder) as columns. Generated from the
-- record itself: every writer of a photo row writes ``data``, so they can never fall out of
-- step, and an existing vault has them at once (no backfill to run or to forget).
ALTER TABLE photos ADD COLUMN city TEXT GENERATED ALWAYS AS (json_extract(data, '$.place.city')) VIRTUAL;
ALTER TABLE photos ADD COLUMN region TEXT GENERATED ALWAYS AS (json_extract(data, '$.place.region')) VIRTUAL;
ALTER TABLE photos ADD COLUMN country TEXT GENERATED ALWAYS AS (json_extract(data, '$.place.country')) VIRTUAL;
ALTER TABLE photos ADD COLUMN country_code TEXT
    GENERATED ALWAYS AS (json_extract(data, '$.place.country_code')) VIRTUAL;
CREATE INDEX photos_place ON photos(owner_id, country_code, region, city) WHERE country_code IS NOT NULL;
-- The map: an owner's located photos by position (the box's latitude range is the index range),
-- covering every column the clustering reads, so it never touches the table's rows.
CREATE INDEX photos_map ON photos(owner_id, lat, lon, status, trashed_at, sort_at, id)
    WHERE lat IS NOT NULL AND lon IS NOT NULL;

-- One search document per photo; the FTS row's rowid is ``docid`` (a photo's own rowid may
-- change with VACUUM, this one may not).
CREATE TABLE search_docs (
    docid    INTEGER PRIMARY KEY,
    photo_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE photo_text USING fts5(
    filename, description, places, albums,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Kept in step by triggers, in the transaction of the write: every path that writes a photo
-- (upload, processing, corrections, trash, deletion) writes its row, and none can forget.
-- Place names live in ``data`` (Photo.place); filename and description are columns (0004).
CREATE TRIGGER photos_search_insert AFTER INSERT ON photos BEGIN
    INSERT INTO search_docs (photo_id) VALUES (NEW.id);
    INSERT INTO photo_text (rowid, filename, description, places, albums) VALUES (
        (SELECT docid FROM search_docs WHERE photo_id = NEW.id),
        NEW.filename,
        NEW.description,
        coalesce(json_extract(NEW.data, '$.place.city'), '') || ' ' || coalesce(json_extract(NEW.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(NEW.data, '$.place.country'), ''),
        ''
    );
END;

CREATE TRIGGER photos_search_update AFTER UPDATE OF filename, description, data ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = (SELECT docid FROM search_docs WHERE photo_id = OLD.id);
    INSERT INTO photo_text (rowid, filename, description, places, albums) VALUES (
        (SELECT docid FROM search_docs WHERE photo_id = NEW.id),
        NEW.filename,
        NEW.description,
        coalesce(json_extract(NEW.data, '$.place.city'), '') || ' ' || coalesce(json_extract(NEW.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(NEW.data, '$.place.country'), ''),
        coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = NEW.id), '')
    );
END;

CREATE TRIGGER photos_search_delete AFTER DELETE ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = (SELECT docid FROM search_docs WHERE photo_id = OLD.id);
    DELETE FROM search_docs WHERE photo_id = OLD.id;
END;

-- The photos already there.
INSERT INTO search_docs (photo_id) SELECT id FROM photos;
INSERT INTO photo_text (rowid, filename, description, places, albums)
SELECT d.docid, p.filename, p.description,
       coalesce(json_extract(p.data, '$.place.city'), '') || ' ' || coalesce(json_extract(p.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(p.data, '$.place.country'), ''),
       coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = p.id), '')
FROM photos p JOIN search_docs d ON d.photo_id = p.id;

-- Album names: a photo's ``albums`` text follows its memberships (0005) and its albums' names.
CREATE TRIGGER album_photos_search_insert AFTER INSERT ON album_photos BEGIN
    UPDATE photo_text SET albums = coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = NEW.photo_id), '')
    WHERE rowid = (SELECT docid FROM search_docs WHERE photo_id = NEW.photo_id);
END;

CREATE TRIGGER album_photos_search_delete AFTER DELETE ON album_photos BEGIN
    UPDATE photo_text SET albums = coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = OLD.photo_id), '')
    WHERE rowid = (SELECT docid FROM search_docs WHERE photo_id = OLD.photo_id);
END;

CREATE TRIGGER albums_search_rename AFTER UPDATE OF data ON albums
WHEN json_extract(NEW.data, '$.name') IS NOT json_extract(OLD.data, '$.name')
BEGIN
    UPDATE photo_text SET albums = coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = (SELECT d.photo_id FROM search_docs d WHERE d.docid = photo_text.rowid)), '')
    WHERE rowid IN (SELECT d.docid FROM album_photos ap JOIN search_docs d ON d.photo_id = ap.photo_id
                    WHERE ap.album_id = NEW.id);
END;
