-- Name and type per upload: the same content uploaded by two people keeps each one's own name, and neither learns
-- the other's. Uploads before this migration take the first upload's, which was all that was kept.
ALTER TABLE file_uploads ADD COLUMN name TEXT, ADD COLUMN mime TEXT;
UPDATE file_uploads u SET name = f.name, mime = f.mime FROM files f WHERE f.hash = u.hash;
ALTER TABLE file_uploads ALTER COLUMN name SET NOT NULL, ALTER COLUMN mime SET NOT NULL;
