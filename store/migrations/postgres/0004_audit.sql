CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT,
    kind TEXT NOT NULL,
    ip TEXT,
    detail TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);

CREATE INDEX audit_events_user ON audit_events (user_id, id);
