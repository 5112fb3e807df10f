-- Search: the owner inside the FTS5 index, so one library's words never count another's.
--
-- Until now ``photo_text`` was one index for the vault: a word common in one family member's
-- library made the probe count it as common in everyone's (and a word that drives a page read
-- every library's matches before keeping the owner's). Each row now also holds its owner as one
-- token in the column ``owner``: ``o`` and the hex of the owner's id (a single run of letters
-- and digits, which ``unicode61`` keeps whole, case-folded: hex folds to itself). A search asks
-- ``owner : o<hex> AND {filename description places albums} : (...)``, so FTS5 gives the
-- owner's matches only. Words never match ``owner`` (they are searched in the other columns).
--
-- FTS5 cannot add a column: the table is built again from ``photos`` (and album names), with
-- the same rowids (``search_docs.docid``), and the two triggers that insert rows write the
-- owner too. The album triggers update ``albums`` only and stay as they are.
DROP TABLE photo_text;
CREATE VIRTUAL TABLE photo_text USING fts5(
    filename, description, places, albums, owner,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO photo_text (rowid, filename, description, places, albums, owner)
SELECT d.docid, p.filename, p.description,
       coalesce(json_extract(p.data, '$.place.city'), '') || ' ' || coalesce(json_extract(p.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(p.data, '$.place.country'), ''),
       coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = p.id), ''),
       'o' || hex(p.owner_id)
FROM photos p JOIN search_docs d ON d.photo_id = p.id;

DROP TRIGGER photos_search_insert;
CREATE TRIGGER photos_search_insert AFTER INSERT ON photos BEGIN
    INSERT INTO search_docs (photo_id) VALUES (NEW.id);
    INSERT INTO photo_text (rowid, filename, description, places, albums, owner) VALUES (
        (SELECT docid FROM search_docs WHERE photo_id = NEW.id),
        NEW.filename,
        NEW.description,
        coalesce(json_extract(NEW.data, '$.place.city'), '') || ' ' || coalesce(json_extract(NEW.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(NEW.data, '$.place.country'), ''),
        '',
        'o' || hex(NEW.owner_id)
    );
END;

DROP TRIGGER photos_search_update;
CREATE TRIGGER photos_search_update AFTER UPDATE OF filename, description, data, owner_id ON photos BEGIN
    DELETE FROM photo_text WHERE rowid = (SELECT docid FROM search_docs WHERE photo_id = OLD.id);
    INSERT INTO photo_text (rowid, filename, description, places, albums, owner) VALUES (
        (SELECT docid FROM search_docs WHERE photo_id = NEW.id),
        NEW.filename,
        NEW.description,
        coalesce(json_extract(NEW.data, '$.place.city'), '') || ' ' || coalesce(json_extract(NEW.data, '$.place.region'), '')
        || ' ' || coalesce(json_extract(NEW.data, '$.place.country'), ''),
        coalesce((SELECT group_concat(json_extract(a.data, '$.name'), ' ') FROM album_photos ap
                  JOIN albums a ON a.id = ap.album_id WHERE ap.photo_id = NEW.id), ''),
        'o' || hex(NEW.owner_id)
    );
END;
