-- The auditor console (issue 8): sealed message content, the file's metadata, the status timeline, the core's
-- journals, and the tamper-evident journal of auditors' views.

-- Message text sealed with AES-256-GCM (never plain); content_terms holds keyed hashes of its words, so a full-text
-- search matches words without the words being stored.
ALTER TABLE requests
    ADD COLUMN content       BYTEA,
    ADD COLUMN content_terms TEXT[],
    ADD COLUMN file_size     BIGINT,
    ADD COLUMN file_mime     TEXT;

-- Keyset pagination walks (received_at, event_id) backwards; filters come first where they select few rows.
CREATE INDEX requests_page_idx ON requests (received_at DESC, event_id DESC);
CREATE INDEX requests_status_page_idx ON requests (status, received_at DESC, event_id DESC);
CREATE INDEX requests_type_page_idx ON requests (type, received_at DESC, event_id DESC);
CREATE INDEX requests_hash_page_idx ON requests (file_hash, received_at DESC) WHERE file_hash IS NOT NULL;
CREATE INDEX requests_dlp_page_idx ON requests (dlp_system, received_at DESC);
CREATE INDEX requests_terms_idx ON requests USING GIN (content_terms);

-- Every change of status, attempts or error, written by the database itself so every writer is covered.
CREATE TABLE request_history (
    id         BIGSERIAL PRIMARY KEY,
    event_id   TEXT        NOT NULL,
    status     TEXT        NOT NULL,
    attempts   INTEGER     NOT NULL,
    error      TEXT,
    reason     TEXT,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX request_history_event_idx ON request_history (event_id, id);

-- SET search_path FROM CURRENT: the trigger fires in writers' sessions, whose search path may not hold this schema.
CREATE FUNCTION record_request_history() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.attempts IS DISTINCT FROM OLD.attempts
            OR NEW.last_error IS DISTINCT FROM OLD.last_error THEN
        INSERT INTO request_history (event_id, status, attempts, error, reason, at)
        VALUES (NEW.event_id, NEW.status, NEW.attempts, NEW.last_error, NEW.reason, NEW.updated_at);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER requests_history AFTER INSERT OR UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION record_request_history();

-- The core's journals (admin-events, system-events), one row per entry id.
CREATE TABLE journal (
    id       TEXT PRIMARY KEY,
    journal  TEXT        NOT NULL,
    action   TEXT        NOT NULL,
    actor    TEXT,
    target   TEXT,
    ip       TEXT,
    ts       TIMESTAMPTZ NOT NULL,
    details  TEXT
);
CREATE INDEX journal_ts_idx ON journal (ts DESC, id DESC);
CREATE INDEX journal_actor_idx ON journal (actor, ts DESC);

-- Who viewed which message or file, and when. Append-only (the trigger refuses changes) and hash-chained: each
-- record's hash covers its fields and the previous record's hash, so an edit anywhere breaks the chain after it.
CREATE TABLE view_journal (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT        NOT NULL,
    action    TEXT        NOT NULL,
    target    TEXT        NOT NULL,
    ip        TEXT,
    prev_hash TEXT        NOT NULL,
    hash      TEXT        NOT NULL
);

CREATE FUNCTION refuse_view_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the view journal is append-only';
END $$;

CREATE TRIGGER view_journal_append_only BEFORE UPDATE OR DELETE ON view_journal
    FOR EACH ROW EXECUTE FUNCTION refuse_view_journal_change();
CREATE TRIGGER view_journal_no_truncate BEFORE TRUNCATE ON view_journal
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_view_journal_change();
