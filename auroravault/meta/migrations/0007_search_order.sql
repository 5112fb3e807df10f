-- Search: one index per equality filter, each in the timeline's order.
--
-- A search with ``country``, ``city`` or ``camera`` reads the owner's photos with that value
-- newest first, ``(sort_at, id)`` descending, and stops at the page's end: without these it
-- walked the whole timeline (``photos_timeline``) and tested every row until a page was full,
-- which at 100k photos and a 1 % filter is thousands of rows. ``COLLATE NOCASE`` because the
-- filters are case-insensitive (``lower(a) = lower(b)``, ASCII folding, as NOCASE folds).
-- Partial: a photo without the value is never found by that filter.
CREATE INDEX photos_by_country_code ON photos(owner_id, country_code COLLATE NOCASE, sort_at, id)
    WHERE country_code IS NOT NULL;
CREATE INDEX photos_by_country ON photos(owner_id, country COLLATE NOCASE, sort_at, id) WHERE country IS NOT NULL;
CREATE INDEX photos_by_city ON photos(owner_id, city COLLATE NOCASE, sort_at, id) WHERE city IS NOT NULL;
CREATE INDEX photos_by_model ON photos(owner_id, camera_model COLLATE NOCASE, sort_at, id)
    WHERE camera_model IS NOT NULL;
CREATE INDEX photos_by_make ON photos(owner_id, camera_make COLLATE NOCASE, sort_at, id)
    WHERE camera_make IS NOT NULL;

-- The timeline's index also holds what makes a row listed (``status``, ``trashed_at``): a page
-- that walks it testing each row (a common word, ``has_location``, a later page) skips
-- the rows that are not listed, or not matched by a word's FTS5 set, without reading them.
DROP INDEX photos_timeline;
CREATE INDEX photos_timeline ON photos(owner_id, sort_at, id, status, trashed_at);
