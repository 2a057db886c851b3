-- Every status write updates every index of the row (a status change is never a HOT update), so indexes that an
-- index of V2 already covers with the same leading columns only cost writes: the console's keyset paging and its
-- filters use the V2 ones.
DROP INDEX requests_received_idx;   -- covered by requests_page_idx (received_at DESC, event_id DESC)
DROP INDEX requests_status_idx;     -- covered by requests_status_page_idx (status, received_at DESC, event_id DESC)
DROP INDEX requests_file_hash_idx;  -- covered by requests_hash_page_idx (file_hash, received_at DESC)

-- The search terms' GIN index takes each write into its tree at once: with its pending list (the default) a write
-- now and then merged the whole list, and every event in flight waited behind that write's transaction.
ALTER INDEX requests_terms_idx SET (fastupdate = off);
