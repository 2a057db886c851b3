-- The messenger core: accounts, sessions, chats, messages, files and the DLP event outbox.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT        NOT NULL UNIQUE,
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('admin', 'user', 'auditor')),
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a bearer token is kept: a leaked table does not log anyone in.
CREATE TABLE sessions (
    token_sha256 BYTEA       PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chats (
    id         BIGSERIAL PRIMARY KEY,
    type       TEXT        NOT NULL CHECK (type IN ('personal', 'group')),
    title      TEXT,
    created_by BIGINT      NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE chat_members (
    chat_id BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX chat_members_by_user ON chat_members (user_id);

-- Content-addressed: one row per distinct content; name and mime are the first upload's.
CREATE TABLE files (
    hash       TEXT        PRIMARY KEY,
    name       TEXT        NOT NULL,
    size       BIGINT      NOT NULL,
    mime       TEXT        NOT NULL,
    uploader   BIGINT      NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Everyone who uploaded the same content may download it.
CREATE TABLE file_uploads (
    hash    TEXT   NOT NULL REFERENCES files (hash) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (hash, user_id)
);

CREATE SEQUENCE message_mid;

-- Text is AES-256-GCM ciphertext bound to its mid; the key lives in a file, not in the database.
CREATE TABLE messages (
    mid        BIGINT      PRIMARY KEY,
    chat_id    BIGINT      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    sender_id  BIGINT      NOT NULL REFERENCES users (id),
    text       BYTEA       NOT NULL,
    hash       TEXT        REFERENCES files (hash),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    edited_at  TIMESTAMPTZ
);
CREATE INDEX messages_by_chat ON messages (chat_id, mid DESC);
CREATE INDEX messages_by_hash ON messages (hash) WHERE hash IS NOT NULL;

-- DLP events written in the same transaction as the message or file; the relay sends them in id order.
-- The value is encrypted like message text (it carries the text).
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    topic      TEXT        NOT NULL,
    event_key  TEXT        NOT NULL,
    value      BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
