CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('brand', 'agency')),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE INDEX memberships_user ON memberships (user_id);

-- An agency organisation working for a client brand organisation.
CREATE TABLE agency_clients (
    agency_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    client_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    access TEXT NOT NULL CHECK (access IN ('read', 'write')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (agency_id, client_id)
);

CREATE INDEX agency_clients_client ON agency_clients (client_id);

ALTER TABLE audit_events ADD COLUMN org_id INTEGER;
CREATE INDEX audit_events_org ON audit_events (org_id, id);
