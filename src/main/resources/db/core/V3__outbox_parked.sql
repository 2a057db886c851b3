-- Outbox rows Kafka refused for good (too large, invalid topic...): moved here with the reason, so the rows behind
-- them go on. Kept for an operator to inspect; the value stays encrypted as in the outbox.
CREATE TABLE outbox_parked (
    id         BIGINT      PRIMARY KEY,
    topic      TEXT        NOT NULL,
    event_key  TEXT        NOT NULL,
    value      BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    parked_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    reason     TEXT        NOT NULL
);
