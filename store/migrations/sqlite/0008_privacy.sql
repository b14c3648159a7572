-- One-time tokens sent by mail (password reset, email verification), hashed.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

ALTER TABLE users ADD COLUMN email_verified_at TEXT;

-- A creator who claimed an imported profile, and whether they consent to it
-- being listed. The claim is verified when the code shows in the profile's bio.
CREATE TABLE profile_claims (
    profile_id INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    verified_at TEXT,
    consent TEXT NOT NULL DEFAULT 'unknown' CHECK (consent IN ('unknown', 'granted', 'withdrawn')),
    created_at TEXT NOT NULL
);

CREATE INDEX profile_claims_user ON profile_claims (user_id);

-- What was erased: the hash of (platform, lower(handle or external id)), so a
-- re-import of the person is refused without keeping who they were.
CREATE TABLE tombstones (
    key_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
