-- Exchange rates: units of each currency per euro (millionths), per day and source.
CREATE TABLE fx_rates (
    currency TEXT NOT NULL,
    per_eur_micros BIGINT NOT NULL CHECK (per_eur_micros > 0),
    -- The day the source quoted, as the source wrote it ("26 September 2024").
    quoted TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    -- The newest import of a currency wins.
    seq BIGSERIAL PRIMARY KEY
);

CREATE INDEX fx_rates_currency ON fx_rates (currency, seq);
