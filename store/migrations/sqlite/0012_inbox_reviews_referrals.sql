-- Notifications (the bell), reviews after contracts, referral codes and referrals.

-- One row per recipient: what happened on a deal, read or not.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    campaign_id INTEGER,
    negotiation_id INTEGER,
    contract_id INTEGER,
    actor_id INTEGER,
    read_at TEXT,
    at TEXT NOT NULL
);

CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Each side reviews the other once per contract.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    -- The side that wrote it; it reviews the other side.
    side TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Whom it is about: the brand organisation, or the creator's profile.
    org_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body TEXT NOT NULL,
    -- Whether the reviewed side kept its dates, from the milestones.
    on_time INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (contract_id, side)
);

CREATE INDEX reviews_profile ON reviews (profile_id, side, id);
CREATE INDEX reviews_org ON reviews (org_id, side, id);

-- Every account's own code, made on first use.
CREATE TABLE referral_codes (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Who referred whom; the reward is earned with the referred account's first
-- completed contract (the ledger pays it).
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referrer_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    referred_id INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    contract_id INTEGER REFERENCES contracts (id) ON DELETE SET NULL,
    reward_minor INTEGER,
    reward_currency TEXT,
    created_at TEXT NOT NULL,
    earned_at TEXT
);

CREATE INDEX referrals_referrer ON referrals (referrer_id, id);
