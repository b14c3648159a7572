//! The ledger's records: accounts with their running sums, transfers and
//! their postings, idempotency keys. The rules are `scout-ledger`'s; this
//! module writes a transfer atomically and never lets two writers decide on
//! the same balance at once:
//!
//! - PostgreSQL: the accounts a transfer touches are locked in id order
//!   (`SELECT … FOR UPDATE`), so concurrent transfers on one wallet queue
//!   behind each other and each sees the balance the previous one left;
//!   transfers on other accounts go on in parallel.
//! - SQLite: the transaction starts with `BEGIN IMMEDIATE`, taking the
//!   database's single write lock before reading the balances.
//!
//! A key that comes back returns the first transfer (or `KeyReused` when the
//! request differs); two requests racing with one key make one transfer (the
//! loser meets the unique key, rolls back and replays the winner's).

use chrono::Utc;
use scout_domain::money::Currency;
use scout_ledger::{AccountKind, AccountRef, Direction, Fingerprint, Limit, Replay, Transfer, check_limits, replay};

use crate::error::{Doing, Error, Result};
use crate::{Backend, Ledger};

/// Whose an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Org(i64),
    User(i64),
    Contract(i64),
    Provider(i64),
    Platform,
}

impl Owner {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Owner::Org(id) => ("org", id),
            Owner::User(id) => ("user", id),
            Owner::Contract(id) => ("contract", id),
            Owner::Provider(id) => ("provider", id),
            Owner::Platform => ("platform", 0),
        }
    }
}

/// A transfer as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub transfer_id: i64,
    /// The key had been used with this request before: nothing moved now.
    pub replayed: bool,
}

pub(crate) type AccountRow = (i64, String, String, i64, i64);

pub(crate) fn account_of(row: AccountRow) -> Result<AccountRef> {
    let (id, kind, currency, debits, credits) = row;
    let corrupt = |message: String| Error::CorruptRecord { table: "ledger_accounts", message };
    Ok(AccountRef {
        id,
        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt(format!("kind `{kind}`")))?,
        currency: Currency::parse(&currency).map_err(|e| corrupt(e.to_string()))?,
        debits_minor: i128::from(debits),
        credits_minor: i128::from(credits),
    })
}

/// Writes a transfer in the open transaction `$tx`, whose accounts are read
/// with `$lock` appended (` FOR UPDATE` on PostgreSQL). Evaluates to
/// `Result<std::result::Result<Posted, Error>>`: the outer error is the
/// database's, the inner a refusal or a lost race on the key.
macro_rules! post_in {
    ($tx:ident, $lock:literal, $key:expr, $fingerprint:expr, $transfer:expr, $memo:expr, $reverses:expr, $at:expr) => {{
        let seen: Option<(i64, String)> =
            sqlx::query_as("SELECT id, fingerprint FROM ledger_transfers WHERE idempotency_key = $1")
                .bind($key)
                .fetch_optional(&mut *$tx)
                .await
                .doing("reading an idempotency key")?;
        match replay(seen.map(|(id, f)| (f, id)), $fingerprint) {
            Ok(Replay::Answer(id)) => Ok(Ok(Posted { transfer_id: id, replayed: true })),
            Err(e) => Ok(Err(Error::Ledger(e))),
            Ok(Replay::Fresh) => {
                let ids: Vec<String> = $transfer.accounts().iter().map(i64::to_string).collect();
                // Ids are integers formatted here, never text from a caller.
                let sql = format!(
                    "SELECT id, kind, currency, debits_minor, credits_minor FROM ledger_accounts
                     WHERE id IN ({}) ORDER BY id{}",
                    ids.join(", "),
                    $lock
                );
                let rows: Vec<AccountRow> =
                    sqlx::query_as(&sql).fetch_all(&mut *$tx).await.doing("locking ledger accounts")?;
                let accounts = rows.into_iter().map(account_of).collect::<Result<Vec<_>>>()?;
                match check_limits($transfer, &accounts) {
                    Err(e) => Ok(Err(Error::Ledger(e))),
                    Ok(after) => {
                        let now = $at;
                        let inserted: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
                            "INSERT INTO ledger_transfers
                               (idempotency_key, fingerprint, kind, currency, amount_minor, reverses, memo, created_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        )
                        .bind($key)
                        .bind($fingerprint.as_str())
                        .bind($transfer.kind.as_str())
                        .bind($transfer.currency.as_str())
                        .bind($transfer.total_minor())
                        .bind($reverses)
                        .bind($memo)
                        .bind(now)
                        .fetch_one(&mut *$tx)
                        .await;
                        match inserted {
                            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Err(Error::Stale {
                                what: crate::Record::Transfer,
                                id: 0,
                            })),
                            Err(e) => Err(Error::Database { doing: "writing a transfer", source: e }),
                            Ok(id) => {
                                for p in &$transfer.postings {
                                    let direction = match p.direction {
                                        Direction::Debit => "debit",
                                        Direction::Credit => "credit",
                                    };
                                    sqlx::query(
                                        "INSERT INTO ledger_postings (transfer_id, account_id, direction, amount_minor)
                                         VALUES ($1, $2, $3, $4)",
                                    )
                                    .bind(id)
                                    .bind(p.account)
                                    .bind(direction)
                                    .bind(p.amount_minor)
                                    .execute(&mut *$tx)
                                    .await
                                    .doing("writing a posting")?;
                                }
                                for a in &after {
                                    let (d, c) = (i64::try_from(a.debits_minor), i64::try_from(a.credits_minor));
                                    let (Ok(d), Ok(c)) = (d, c) else {
                                        return Err(Error::Ledger(scout_ledger::Error::Overflow));
                                    };
                                    sqlx::query(
                                        "UPDATE ledger_accounts SET debits_minor = $2, credits_minor = $3 WHERE id = $1",
                                    )
                                    .bind(a.id)
                                    .bind(d)
                                    .bind(c)
                                    .execute(&mut *$tx)
                                    .await
                                    .doing("updating an account's sums")?;
                                }
                                Ok(Ok(Posted { transfer_id: id, replayed: false }))
                            }
                        }
                    }
                }
            }
        }
    }};
}

impl Ledger<'_> {
    /// The account of `owner`, `kind` and `currency`, made on first use.
    pub async fn account(&self, owner: Owner, kind: AccountKind, currency: Currency) -> Result<i64> {
        let (owner_kind, owner_id) = owner.parts();
        with_pool!(self.store, |p| {
            sqlx::query(
                "INSERT INTO ledger_accounts (owner_kind, owner_id, kind, currency, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (owner_kind, owner_id, kind, currency) DO NOTHING",
            )
            .bind(owner_kind)
            .bind(owner_id)
            .bind(kind.as_str())
            .bind(currency.as_str())
            .bind(Utc::now())
            .execute(p)
            .await
            .doing("opening a ledger account")?;
            sqlx::query_scalar(
                "SELECT id FROM ledger_accounts WHERE owner_kind = $1 AND owner_id = $2 AND kind = $3 AND currency = $4",
            )
            .bind(owner_kind)
            .bind(owner_id)
            .bind(kind.as_str())
            .bind(currency.as_str())
            .fetch_one(p)
            .await
            .doing("reading a ledger account")
        })
    }

    /// An account with its sums as stored.
    pub async fn account_state(&self, id: i64) -> Result<AccountRef> {
        let row: Option<AccountRow> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, kind, currency, debits_minor, credits_minor FROM ledger_accounts WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await)
        .doing("reading a ledger account")?;
        account_of(row.ok_or(Error::Missing { what: crate::Record::LedgerAccount, id })?)
    }

    /// Writes `transfer` under `key` (see the module documentation);
    /// `reverses` names the transfer it undoes.
    pub async fn post(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        transfer: &Transfer,
        memo: &str,
        reverses: Option<i64>,
    ) -> Result<Posted> {
        self.post_at(key, fingerprint, transfer, memo, reverses, Utc::now()).await
    }

    /// [`Ledger::post`] with the time the transfer is booked at (the
    /// marketplace's clock, which tests move forward).
    pub async fn post_at(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        transfer: &Transfer,
        memo: &str,
        reverses: Option<i64>,
        at: chrono::DateTime<Utc>,
    ) -> Result<Posted> {
        // A lost race on the key is read again once: the winner is committed by then.
        for _ in 0..2 {
            let outcome = match &self.store.backend {
                Backend::Sqlite(pool) => {
                    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.doing("starting a transfer")?;
                    let outcome = post_in!(tx, "", key, fingerprint, transfer, memo, reverses, at)?;
                    finish(tx, &outcome).await?;
                    outcome
                }
                Backend::Postgres(pool) => {
                    let mut tx = pool.begin().await.doing("starting a transfer")?;
                    let outcome = post_in!(tx, " FOR UPDATE", key, fingerprint, transfer, memo, reverses, at)?;
                    finish(tx, &outcome).await?;
                    outcome
                }
            };
            match outcome {
                Err(Error::Stale { .. }) => continue,
                other => return other,
            }
        }
        Err(Error::Stale { what: crate::Record::Transfer, id: 0 })
    }

    /// Checks the whole ledger: every transfer's postings balance and match
    /// its amount, every account's stored sums equal the sums of its
    /// postings, and no account is past its kind's limit (money owed never
    /// negative). Returns each problem found (none: the ledger is sound).
    pub async fn verify(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let transfers: Vec<(i64, i64, i64, i64)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT t.id, t.amount_minor,
                    CAST(COALESCE(SUM(CASE WHEN p.direction = 'debit' THEN p.amount_minor ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN p.direction = 'credit' THEN p.amount_minor ELSE 0 END), 0) AS BIGINT)
             FROM ledger_transfers t LEFT JOIN ledger_postings p ON p.transfer_id = t.id
             GROUP BY t.id, t.amount_minor ORDER BY t.id"
        )
        .fetch_all(p)
        .await)
        .doing("summing transfers")?;
        for (id, amount, debits, credits) in transfers {
            if debits != credits || debits != amount {
                problems.push(format!("transfer {id}: amount {amount}, debits {debits}, credits {credits}"));
            }
        }
        let accounts: Vec<(i64, String, i64, i64, i64, i64)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT a.id, a.kind, a.debits_minor, a.credits_minor,
                    CAST(COALESCE(SUM(CASE WHEN p.direction = 'debit' THEN p.amount_minor ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN p.direction = 'credit' THEN p.amount_minor ELSE 0 END), 0) AS BIGINT)
             FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
             GROUP BY a.id, a.kind, a.debits_minor, a.credits_minor ORDER BY a.id"
        )
        .fetch_all(p)
        .await)
        .doing("summing accounts")?;
        for (id, kind, debits, credits, posted_debits, posted_credits) in accounts {
            if (debits, credits) != (posted_debits, posted_credits) {
                problems.push(format!(
                    "account {id}: stored debits {debits} credits {credits}, postings debits {posted_debits} credits {posted_credits}"
                ));
            }
            let past_limit = match AccountKind::parse(&kind).map(AccountKind::limit) {
                Some(Limit::DebitsWithinCredits) => posted_debits > posted_credits,
                Some(Limit::CreditsWithinDebits) => posted_credits > posted_debits,
                Some(Limit::None) => false,
                None => {
                    problems.push(format!("account {id}: unknown kind `{kind}`"));
                    false
                }
            };
            if past_limit {
                problems.push(format!(
                    "account {id} ({kind}): debits {posted_debits}, credits {posted_credits}: past what its kind allows"
                ));
            }
        }
        let currencies: Vec<(i64, String, String)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT p.id, t.currency, a.currency FROM ledger_postings p
             JOIN ledger_transfers t ON t.id = p.transfer_id JOIN ledger_accounts a ON a.id = p.account_id
             WHERE t.currency <> a.currency"
        )
        .fetch_all(p)
        .await)
        .doing("checking posting currencies")?;
        for (id, transfer, account) in currencies {
            problems.push(format!("posting {id}: a {transfer} transfer on a {account} account"));
        }
        Ok(problems)
    }
}

/// An account with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedAccount {
    pub owner_kind: String,
    pub owner_id: i64,
    pub account: AccountRef,
}

/// Earnings credited to a creator's pending balance (by a release or a
/// referral reward) whose hold period is over and that have not matured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maturing {
    /// The transfer that credited them.
    pub transfer_id: i64,
    pub user_id: i64,
    pub pending_account: i64,
    pub currency: Currency,
    pub amount_minor: i64,
}

impl Ledger<'_> {
    /// Every account of `owner`, with its sums.
    pub async fn accounts_of(&self, owner: Owner) -> Result<Vec<AccountRef>> {
        let (owner_kind, owner_id) = owner.parts();
        let rows: Vec<AccountRow> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, kind, currency, debits_minor, credits_minor FROM ledger_accounts
             WHERE owner_kind = $1 AND owner_id = $2 ORDER BY kind, currency"
        )
        .bind(owner_kind)
        .bind(owner_id)
        .fetch_all(p)
        .await)
        .doing("reading an owner's accounts")?;
        rows.into_iter().map(account_of).collect()
    }

    /// Every account of `kind`, with whose it is (for liabilities and reports).
    pub async fn accounts_of_kind(&self, kind: AccountKind) -> Result<Vec<OwnedAccount>> {
        let rows: Vec<(String, i64, i64, String, String, i64, i64)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT owner_kind, owner_id, id, kind, currency, debits_minor, credits_minor FROM ledger_accounts
             WHERE kind = $1 ORDER BY id"
        )
        .bind(kind.as_str())
        .fetch_all(p)
        .await)
        .doing("reading accounts of a kind")?;
        rows.into_iter()
            .map(|(owner_kind, owner_id, id, k, c, d, cr)| {
                Ok(OwnedAccount { owner_kind, owner_id, account: account_of((id, k, c, d, cr))? })
            })
            .collect()
    }

    /// Pending earnings booked at or before `cutoff` that have not matured
    /// (no transfer with the key `mature:<transfer id>` yet), oldest first.
    pub async fn maturing(&self, cutoff: chrono::DateTime<Utc>, limit: i64) -> Result<Vec<Maturing>> {
        let rows: Vec<(i64, i64, i64, String, i64)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT t.id, a.owner_id, a.id, a.currency, p.amount_minor
             FROM ledger_postings p
             JOIN ledger_accounts a ON a.id = p.account_id
             JOIN ledger_transfers t ON t.id = p.transfer_id
             WHERE a.kind = 'creator_pending' AND a.owner_kind = 'user' AND p.direction = 'credit'
               AND t.created_at <= $1
               AND NOT EXISTS (SELECT 1 FROM ledger_transfers m WHERE m.idempotency_key = 'mature:' || t.id)
             ORDER BY t.id LIMIT $2"
        )
        .bind(cutoff)
        .bind(limit)
        .fetch_all(p)
        .await)
        .doing("finding earnings to mature")?;
        rows.into_iter()
            .map(|(transfer_id, user_id, pending_account, currency, amount_minor)| {
                let currency = Currency::parse(&currency)
                    .map_err(|e| Error::CorruptRecord { table: "ledger_accounts", message: e.to_string() })?;
                Ok(Maturing { transfer_id, user_id, pending_account, currency, amount_minor })
            })
            .collect()
    }

    /// The transfer written under `key`, if any: its id and when.
    pub async fn transfer_by_key(&self, key: &str) -> Result<Option<(i64, chrono::DateTime<Utc>)>> {
        with_pool!(self.store, |p| sqlx::query_as(
            "SELECT id, created_at FROM ledger_transfers WHERE idempotency_key = $1"
        )
        .bind(key)
        .fetch_optional(p)
        .await)
        .doing("reading a transfer by key")
    }
}

/// Commits a transfer that was written, rolls back one that was refused.
async fn finish<DB: sqlx::Database>(tx: sqlx::Transaction<'_, DB>, outcome: &Result<Posted>) -> Result<()> {
    match outcome {
        Ok(Posted { replayed: false, .. }) => tx.commit().await.doing("committing a transfer"),
        _ => tx.rollback().await.doing("rolling back a transfer"),
    }
}

/// A currency's newest rate against the euro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    pub per_eur_micros: i64,
    pub quoted: String,
    pub source: String,
}

impl Ledger<'_> {
    /// Stores one day of rates (each currency's units per euro), in one transaction.
    pub async fn import_rates(&self, quoted: &str, source: &str, rates: &[(Currency, i64)]) -> Result<usize> {
        let now = Utc::now();
        with_pool!(self.store, |p| {
            let mut tx = p.begin().await.doing("starting a rate import")?;
            for (currency, micros) in rates {
                sqlx::query(
                    "INSERT INTO fx_rates (currency, per_eur_micros, quoted, source, imported_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(currency.as_str())
                .bind(*micros)
                .bind(quoted)
                .bind(source)
                .bind(now)
                .execute(&mut *tx)
                .await
                .doing("storing a rate")?;
            }
            tx.commit().await.doing("committing a rate import")
        })?;
        Ok(rates.len())
    }

    /// The newest rate of `currency` against the euro (the euro itself is 1).
    pub async fn rate_per_eur(&self, currency: Currency) -> Result<Option<StoredRate>> {
        if currency == Currency::EUR {
            return Ok(Some(StoredRate { per_eur_micros: 1_000_000, quoted: String::new(), source: "par".into() }));
        }
        let row: Option<(i64, String, String)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT per_eur_micros, quoted, source FROM fx_rates WHERE currency = $1 ORDER BY seq DESC LIMIT 1"
        )
        .bind(currency.as_str())
        .fetch_optional(p)
        .await)
        .doing("reading a rate")?;
        Ok(row.map(|(per_eur_micros, quoted, source)| StoredRate { per_eur_micros, quoted, source }))
    }

    /// The rate from one currency to another, crossed through the euro from
    /// each one's newest rate; `None` when either has none.
    pub async fn rate(&self, from: Currency, to: Currency) -> Result<Option<scout_ledger::Rate>> {
        let (Some(f), Some(t)) = (self.rate_per_eur(from).await?, self.rate_per_eur(to).await?) else {
            return Ok(None);
        };
        let quoted = if t.quoted.is_empty() { &f.quoted } else { &t.quoted };
        let source = if t.source == "par" { &f.source } else { &t.source };
        let source = format!("{source}, {quoted}");
        Ok(Some(scout_ledger::Rate::cross(from, f.per_eur_micros, to, t.per_eur_micros, &source)))
    }
}

/// One posting with its transfer and account, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPosting {
    pub transfer_id: i64,
    pub transfer_kind: String,
    pub at: chrono::DateTime<Utc>,
    pub currency: Currency,
    pub credit: bool,
    pub amount_minor: i64,
    pub account_id: i64,
    pub account_kind: AccountKind,
    pub owner_kind: String,
    pub owner_id: i64,
}

impl Ledger<'_> {
    /// Every posting of every transfer that touched one of `accounts`
    /// (the other side included), oldest first.
    pub async fn report_postings(&self, accounts: &[i64]) -> Result<Vec<ReportPosting>> {
        if accounts.is_empty() {
            return Ok(vec![]);
        }
        // Ids are integers formatted here, never text from a caller.
        let ids: Vec<String> = accounts.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT t.id, t.kind, t.created_at, t.currency, p.direction, p.amount_minor, a.id, a.kind, a.owner_kind, a.owner_id
             FROM ledger_postings p
             JOIN ledger_transfers t ON t.id = p.transfer_id
             JOIN ledger_accounts a ON a.id = p.account_id
             WHERE p.transfer_id IN (SELECT transfer_id FROM ledger_postings WHERE account_id IN ({}))
             ORDER BY t.id, p.id",
            ids.join(", ")
        );
        type Row = (i64, String, chrono::DateTime<Utc>, String, String, i64, i64, String, String, i64);
        let rows: Vec<Row> = with_pool!(self.store, |p| sqlx::query_as(&sql).fetch_all(p).await)
            .doing("reading postings for a report")?;
        let corrupt = |message: String| Error::CorruptRecord { table: "ledger_postings", message };
        rows.into_iter()
            .map(
                |(
                    transfer_id,
                    transfer_kind,
                    at,
                    currency,
                    direction,
                    amount_minor,
                    account_id,
                    kind,
                    owner_kind,
                    owner_id,
                )| {
                    Ok(ReportPosting {
                        transfer_id,
                        transfer_kind,
                        at,
                        currency: Currency::parse(&currency).map_err(|e| corrupt(e.to_string()))?,
                        credit: direction == "credit",
                        amount_minor,
                        account_id,
                        account_kind: AccountKind::parse(&kind).ok_or_else(|| corrupt(format!("kind `{kind}`")))?,
                        owner_kind,
                        owner_id,
                    })
                },
            )
            .collect()
    }
}

impl Ledger<'_> {
    /// The escrow accounts of `org`'s contracts, with the contract each holds.
    pub async fn escrows_of_org(&self, org: i64) -> Result<Vec<OwnedAccount>> {
        let rows: Vec<(String, i64, i64, String, String, i64, i64)> = with_pool!(self.store, |p| sqlx::query_as(
            "SELECT a.owner_kind, a.owner_id, a.id, a.kind, a.currency, a.debits_minor, a.credits_minor
             FROM ledger_accounts a JOIN contracts k ON k.id = a.owner_id
             WHERE a.owner_kind = 'contract' AND k.org_id = $1 ORDER BY a.id"
        )
        .bind(org)
        .fetch_all(p)
        .await)
        .doing("reading an organisation's escrow accounts")?;
        rows.into_iter()
            .map(|(owner_kind, owner_id, id, k, c, d, cr)| {
                Ok(OwnedAccount { owner_kind, owner_id, account: account_of((id, k, c, d, cr))? })
            })
            .collect()
    }
}
