-- Most requests end as the DLP's usual answer — ALLOWED (SearchInform) or ACCEPTED (InfoWatch) — and most are
-- messages. The status and type filters' indexes held an entry for every row, so every write paid for them, while a
-- filter for a usual value reads nearly every row anyway: the newest-first index with the filter applied finds a page
-- as fast. They now hold only the rows a filter picks out of the many — the other statuses, and files and malformed
-- events — and the console names the status and type in its query, so that the planner can use them.
DROP INDEX requests_status_page_idx;
CREATE INDEX requests_status_page_idx ON requests (status, received_at DESC, event_id DESC)
    WHERE status NOT IN ('ALLOWED', 'ACCEPTED');

DROP INDEX requests_type_page_idx;
CREATE INDEX requests_type_page_idx ON requests (type, received_at DESC, event_id DESC)
    WHERE type <> 'message';
