-- Audience and caption sentiment scored once per profile version and scorer,
-- so a profile page reads it instead of running the encoder over every
-- comment. A newer profile version or another scorer makes a row stale.
CREATE TABLE profile_sentiment (
    profile_id BIGINT PRIMARY KEY,
    profile_version BIGINT NOT NULL,
    scorer TEXT NOT NULL,
    summary TEXT NOT NULL,
    scored_at TIMESTAMPTZ NOT NULL
);

-- The scoring worker takes the most-followed unscored profiles first.
CREATE INDEX profiles_followers ON profiles (followers DESC, id);
