-- Money in and out through payment providers: an organisation's plan (its
-- fee), each contract's fee as signed, wallet fundings, webhook events seen,
-- creators' payout settings and payouts.

-- 'starter', 'growth' or 'enterprise' (scout-ledger's Plan gives the fee).
ALTER TABLE organisations ADD COLUMN plan TEXT NOT NULL DEFAULT 'starter';
-- The platform's fee on each released milestone, in basis points, fixed when
-- the contract is made (shown before signing; a later plan change keeps it).
ALTER TABLE contracts ADD COLUMN fee_bps BIGINT NOT NULL DEFAULT 1000;
-- What a resolved dispute gave the creator (minor units of the milestone's currency).
ALTER TABLE milestones ADD COLUMN creator_share_minor BIGINT;

CREATE TABLE fundings (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    requested_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    provider TEXT NOT NULL,
    -- 'card', 'payment_method' or 'bank_transfer', and words for people ("card ending 4242").
    method TEXT NOT NULL,
    method_summary TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('created', 'processing', 'succeeded', 'failed')),
    failure_code TEXT,
    failure_message TEXT,
    provider_ref TEXT UNIQUE,
    -- The caller's Idempotency-Key, per organisation, and BLAKE3 of its request.
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    transfer_id BIGINT REFERENCES ledger_transfers (id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, idempotency_key)
);

CREATE INDEX fundings_org ON fundings (org_id, id);

-- Provider events already applied: a redelivered event changes nothing.
CREATE TABLE webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE payout_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- scout-payments' PayoutDestination as JSON, and words for people ("IBAN DE89 …3000").
    destination TEXT NOT NULL,
    destination_summary TEXT NOT NULL,
    currency TEXT NOT NULL,
    schedule TEXT NOT NULL CHECK (schedule IN ('manual', 'weekly', 'monthly', 'threshold')),
    threshold_minor BIGINT NOT NULL DEFAULT 0 CHECK (threshold_minor >= 0),
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE payouts (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- created → in_transit (ledger moved) → submitted (provider has it) → paid | failed
    status TEXT NOT NULL CHECK (status IN ('created', 'in_transit', 'submitted', 'paid', 'failed')),
    -- What left the creator's balance, and what the provider pays.
    source_currency TEXT NOT NULL,
    source_minor BIGINT NOT NULL CHECK (source_minor > 0),
    currency TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    rate_numerator BIGINT NOT NULL CHECK (rate_numerator > 0),
    rate_denominator BIGINT NOT NULL CHECK (rate_denominator > 0),
    rate_source TEXT NOT NULL,
    spread_bps BIGINT NOT NULL,
    destination TEXT NOT NULL,
    destination_summary TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_ref TEXT UNIQUE,
    failure_code TEXT,
    failure_message TEXT,
    -- One payout per creator, currency and run: a run started again finds it.
    run_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    paid_at TIMESTAMPTZ
);

CREATE INDEX payouts_user ON payouts (user_id, id);
CREATE INDEX payouts_open ON payouts (status) WHERE status IN ('created', 'in_transit', 'submitted');

-- What an organisation's invoices name it as (all optional).
ALTER TABLE organisations ADD COLUMN billing_name TEXT;
ALTER TABLE organisations ADD COLUMN billing_address TEXT;
ALTER TABLE organisations ADD COLUMN vat_id TEXT;
-- VAT included in its invoices' amounts, in basis points (1900: 19%).
ALTER TABLE organisations ADD COLUMN vat_rate_bps BIGINT;

-- Invoices and receipts: one per funding (a receipt) and per released
-- milestone (an invoice), numbered per organisation from 1 without gaps.
CREATE TABLE invoices (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    number BIGINT NOT NULL CHECK (number > 0),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'invoice')),
    -- What it documents ('funding:7', 'contract:12:release:0'): one document each.
    source TEXT NOT NULL UNIQUE,
    contract_id BIGINT,
    creator_id BIGINT,
    currency TEXT NOT NULL,
    -- JSON: [{"description": …, "amount_minor": …}]
    lines TEXT NOT NULL,
    total_minor BIGINT NOT NULL,
    vat_rate_bps BIGINT,
    vat_minor BIGINT NOT NULL DEFAULT 0,
    -- JSON: the buyer as invoiced (name, address, VAT id) at the time.
    buyer TEXT NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, number)
);

CREATE INDEX invoices_creator ON invoices (creator_id, id);
