CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER,
    kind TEXT NOT NULL,
    ip TEXT,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE INDEX audit_events_user ON audit_events (user_id, id);
