-- The double-entry ledger (scout-ledger's rules): accounts with their running
-- sums, immutable transfers, their postings, and the idempotency keys that
-- make a retried request move nothing twice.

CREATE TABLE ledger_accounts (
    id BIGSERIAL PRIMARY KEY,
    -- Whose: 'org', 'user', 'contract', 'provider' or 'platform', and its id (0 for the platform).
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- Running sums of the postings, in minor units; a balance is read from them.
    debits_minor BIGINT NOT NULL DEFAULT 0 CHECK (debits_minor >= 0),
    credits_minor BIGINT NOT NULL DEFAULT 0 CHECK (credits_minor >= 0),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (owner_kind, owner_id, kind, currency)
);

CREATE TABLE ledger_transfers (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    -- BLAKE3 of the request the key came with.
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    -- The transfer this one reverses.
    reverses BIGINT UNIQUE REFERENCES ledger_transfers (id),
    memo TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ledger_postings (
    id BIGSERIAL PRIMARY KEY,
    transfer_id BIGINT NOT NULL REFERENCES ledger_transfers (id),
    account_id BIGINT NOT NULL REFERENCES ledger_accounts (id),
    direction TEXT NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0)
);

CREATE INDEX ledger_postings_account ON ledger_postings (account_id, id);
CREATE INDEX ledger_postings_transfer ON ledger_postings (transfer_id);
