-- One row per DLP event the core produced, with the latest status the gateway published on dlp.status.
CREATE TABLE dlp_checks (
    event_id   UUID        PRIMARY KEY,
    kind       TEXT        NOT NULL CHECK (kind IN ('message', 'file')),
    mid        BIGINT,
    hash       TEXT,
    status     TEXT,
    reason     TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at TIMESTAMPTZ
);
CREATE INDEX dlp_checks_by_mid ON dlp_checks (mid, created_at DESC) WHERE mid IS NOT NULL;
CREATE INDEX dlp_checks_by_hash ON dlp_checks (hash) WHERE hash IS NOT NULL;
