CREATE TABLE shortlists (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX shortlists_org ON shortlists (org_id, id);

CREATE TABLE shortlist_entries (
    shortlist_id BIGINT NOT NULL REFERENCES shortlists (id) ON DELETE CASCADE,
    profile_id BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    tags TEXT NOT NULL,
    added_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shortlist_id, profile_id)
);

CREATE INDEX shortlist_entries_profile ON shortlist_entries (profile_id);

CREATE TABLE saved_searches (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    request TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX saved_searches_org ON saved_searches (org_id, id);
