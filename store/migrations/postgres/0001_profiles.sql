CREATE TABLE profiles (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    doc JSONB NOT NULL,
    content_hash TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    followers BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    profile_id BIGINT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX outbox_profile ON outbox (profile_id);
