-- Campaigns, negotiations and contracts (rules in scout-market). Every row is
-- reached through the brand organisation that owns the campaign, or through
-- the creator account that is a party to it.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    visibility TEXT NOT NULL,
    objective TEXT NOT NULL,
    -- The whole CampaignSpec as JSON; the columns beside it are copies for
    -- filtering and sorting.
    spec TEXT NOT NULL,
    budget_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    niches TEXT NOT NULL,
    platforms TEXT NOT NULL,
    -- Name, brief and niches, lowercased, for text search.
    search_text TEXT NOT NULL,
    -- Bumped by every write: an edit names the revision it was made from.
    revision INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX campaigns_org ON campaigns (org_id, status, id);
CREATE INDEX campaigns_listed ON campaigns (visibility, status, ends_on);

CREATE TABLE negotiations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    creator_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One open negotiation per campaign and creator.
CREATE UNIQUE INDEX negotiations_one_open ON negotiations (campaign_id, profile_id) WHERE status = 'open';
CREATE INDEX negotiations_creator ON negotiations (creator_id, id);
CREATE INDEX negotiations_profile ON negotiations (profile_id);

CREATE TABLE offers (
    negotiation_id INTEGER NOT NULL REFERENCES negotiations (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    side TEXT NOT NULL,
    terms TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    made_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    made_at TEXT NOT NULL,
    PRIMARY KEY (negotiation_id, version)
);

-- Every step of a thread (offers, answers, messages), with who and when.
CREATE TABLE thread_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    negotiation_id INTEGER NOT NULL REFERENCES negotiations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    side TEXT NOT NULL,
    version INTEGER,
    body TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at TEXT NOT NULL
);

CREATE INDEX thread_entries_negotiation ON thread_entries (negotiation_id, id);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- One contract per negotiation: two accepts racing make one. A contract
    -- outlives an erased creator profile (its thread goes, the record of
    -- money and work stays, without the profile).
    negotiation_id INTEGER UNIQUE REFERENCES negotiations (id) ON DELETE SET NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    creator_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    offer_version INTEGER NOT NULL,
    status TEXT NOT NULL,
    terms TEXT NOT NULL,
    terms_text TEXT NOT NULL,
    terms_version TEXT NOT NULL,
    terms_hash TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    review_days INTEGER NOT NULL,
    funded INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX contracts_org ON contracts (org_id, status, id);
CREATE INDEX contracts_creator ON contracts (creator_id, status, id);
CREATE INDEX contracts_campaign ON contracts (campaign_id);

CREATE TABLE contract_signatures (
    contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    side TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    ip TEXT,
    signed_at TEXT NOT NULL,
    PRIMARY KEY (contract_id, side)
);

CREATE TABLE milestones (
    contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    title TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    due_on TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT,
    revisions INTEGER NOT NULL DEFAULT 0,
    resolution TEXT,
    links TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (contract_id, idx)
);

CREATE INDEX milestones_review ON milestones (status, submitted_at);

-- Every step of a contract, with who and when.
CREATE TABLE contract_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    milestone INTEGER,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE INDEX contract_steps_contract ON contract_steps (contract_id, id);
