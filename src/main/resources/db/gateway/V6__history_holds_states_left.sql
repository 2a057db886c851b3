-- A request's timeline is the states it has left, here, and its current state, the row itself. Until V5 the history
-- also held the current state, a copy of the row: for an event decided at once — nearly every message — a second heap
-- row and two index entries per write, about a sixth of the database's time on the gateway's writes. Now an insert
-- adds no history, and an update that changes status, attempts or error records the state it replaces. Entries
-- written before this hold the current state as their last one; the console shows that state once (RequestSearch).
DROP TRIGGER requests_history_insert ON requests;
DROP FUNCTION record_inserted_requests();

CREATE OR REPLACE FUNCTION record_updated_requests() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO request_history (event_id, status, attempts, error, reason, at)
    SELECT o.event_id, o.status, o.attempts, o.last_error, o.reason, o.updated_at
    FROM requests_before o JOIN updated_requests n USING (event_id)
    WHERE n.status IS DISTINCT FROM o.status OR n.attempts IS DISTINCT FROM o.attempts
        OR n.last_error IS DISTINCT FROM o.last_error;
    RETURN NULL;
END $$;
