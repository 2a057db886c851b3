-- One row per consumed event (SPEC §5), keyed by the event id: a re-delivered event never makes a second row.
CREATE TABLE requests (
    event_id       TEXT PRIMARY KEY,
    type           TEXT        NOT NULL,
    status         TEXT        NOT NULL,
    mid            BIGINT,
    chat           TEXT,
    sender         TEXT,
    file_hash      TEXT,
    file_name      TEXT,
    reason         TEXT,
    dlp_system     TEXT,
    dlp_address    TEXT,
    dlp_reference  TEXT,
    attempts       INTEGER     NOT NULL DEFAULT 0,
    last_error     TEXT,
    next_attempt_at TIMESTAMPTZ,
    kafka_topic    TEXT        NOT NULL,
    kafka_partition INTEGER    NOT NULL,
    kafka_offset   BIGINT      NOT NULL,
    event_ts       TIMESTAMPTZ,
    received_at    TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    completed_at   TIMESTAMPTZ
);

CREATE INDEX requests_received_idx ON requests (received_at DESC, event_id);
CREATE INDEX requests_status_idx ON requests (status, received_at DESC);
CREATE INDEX requests_file_hash_idx ON requests (file_hash) WHERE file_hash IS NOT NULL;
CREATE INDEX requests_chat_idx ON requests (chat, received_at DESC);
CREATE INDEX requests_sender_idx ON requests (sender, received_at DESC);

-- Console accounts (auditors and admins); users of the messenger never get in.
CREATE TABLE console_accounts (
    email         TEXT PRIMARY KEY,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('auditor', 'admin')),
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
