-- Sharing (issue 14): album members, partner sharing, and uploads straight into an album.

-- The album a batch's photos join once they are listed (``POST /uploads {album_id}``).
ALTER TABLE batches ADD COLUMN album_id TEXT;
