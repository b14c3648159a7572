//! `scout-store`: persistence of Scout's records through sqlx, on SQLite (the
//! embedded default, one file under the data folder) and PostgreSQL, with one
//! set of migrations per backend and the same behaviour on both.
//!
//! Every profile write appends an outbox row in the same transaction; the
//! indexer tails the outbox. Writing a profile whose content did not change
//! writes nothing and appends nothing, so re-imports never re-index.
//!
//! Only this crate writes SQL. It must never know about indexes or HTTP.
//!
//! ```no_run
//! # async fn demo() -> scout_store::Result<()> {
//! let store = scout_store::Store::connect("sqlite:data/scout.db").await?;
//! println!("{} profiles", store.profiles().count_profiles().await?);
//! # Ok(()) }
//! ```

/// Runs `$body` with `$pool` bound to the store's pool, whichever backend it
/// is. The SQL inside uses `$N` placeholders, which both PostgreSQL and
/// sqlx's SQLite driver bind by number, so one statement serves both.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($pool) => $body,
            Backend::Postgres($pool) => $body,
        }
    };
}

/// Appends an outbox entry (`'upsert'` or `'delete'` of profile `$id`) inside the
/// transaction `$tx`, on either backend: the one statement by which every profile
/// write tells the indexer, in the same transaction as the write.
macro_rules! append_outbox {
    ($tx:expr, $id:expr, $op:literal, $now:expr) => {
        sqlx::query(concat!("INSERT INTO outbox (profile_id, op, created_at) VALUES ($1, '", $op, "', $2)"))
            .bind($id)
            .bind($now)
            .execute(&mut *$tx)
            .await
            .doing("appending to the outbox")
    };
}

mod accounts;
mod error;
mod inbox;
mod invoices;
mod keys;
mod ledger;
mod ledger_batch;
mod lists;
mod market;
mod orgs;
mod payments;
mod payouts;
mod privacy;
mod profiles;
mod referrals;

pub use accounts::{AuditEvent, RefreshSpend, User, UserId};
pub use error::{Error, Record, Result};
pub use inbox::{NewNotification, StoredNotification};
pub use invoices::{Billing, Invoice, NewInvoice};
pub use keys::{ApiKey, KeyKind, NewKey};
pub use ledger::{Maturing, OwnedAccount, Owner, Posted, ReportPosting, StoredRate};
pub use ledger_batch::LedgerWriter;
pub use lists::{SavedSearch, Shortlist, ShortlistEntry, ShortlistFeedback, Tenant};
pub use market::{
    CampaignOrder, CampaignQuery, ContractStep, ContractStepRecord, NewContract, NewNegotiation, OfferMade, Signature,
    StoredCampaign, StoredContract, StoredNegotiation, Submission, ThreadEntry, ThreadStep, Viewer,
};
pub use market::{NewReview, RatingSummary, StoredReview};
pub use orgs::{AgencyClient, Member, Membership, Organisation};
pub use payments::{Funding, NewFunding};
pub use payouts::{NewPayout, Payout, PayoutSettings};
pub use privacy::{Claim, Consent, TokenPurpose, UserArchive, tombstone_keys};
pub use profiles::{OutboxEntry, OutboxOp, ProfilePages, StoredProfile, StoredSentiment, UpsertOutcome, UpsertSummary};
pub use referrals::{Referral, ReferralStatus};

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::error::Doing;

/// A connection pool to one of the supported databases.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The store's records by area: each handle holds the statements of one
/// part of Scout (new parts — campaigns, the ledger, events — get a handle
/// of their own). Tenant records go through [`Store::tenant`], whose every
/// statement carries the organisation.
macro_rules! handles {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            store: &'a Store,
        }
    )*};
}

handles! {
    /// See [`Store::identity`].
    Identity,
    /// See [`Store::profiles`].
    Profiles,
    /// See [`Store::orgs`].
    Orgs,
    /// See [`Store::privacy`].
    Privacy,
    /// See [`Store::market`].
    Market,
    /// See [`Store::inbox`].
    Inbox,
    /// See [`Store::referrals`].
    Referrals,
    /// See [`Store::ledger`].
    Ledger,
    /// See [`Store::payments`].
    Payments,
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl Store {
    /// Connects to `sqlite:PATH` (created if missing) or `postgres://…` and
    /// applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .doing("parsing the sqlite url")?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                // Freed pages are zeroed, so erased personal data does not linger in the file.
                .pragma("secure_delete", "ON")
                .pragma("cache_size", "-65536");
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .doing("opening the sqlite database")?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).doing("parsing the postgres url")?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .doing("connecting to postgres")?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Backend::Postgres(pool)
        } else {
            return Err(Error::UnsupportedUrl { url: url.to_string() });
        };
        Ok(Store { backend })
    }

    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, |p| sqlx::query("SELECT 1").execute(p).await.map(|_| ())).doing("pinging the database")
    }

    /// The PostgreSQL pool, for benchmarks that compare against its full-text search.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    /// The SQLite pool, for tests that must change a record behind the
    /// store's back (to show that a check finds it).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.backend {
            Backend::Sqlite(p) => Some(p),
            Backend::Postgres(_) => None,
        }
    }

    /// Accounts, sessions, second factors, API keys and OAuth clients, mailed
    /// one-time tokens, the audit log.
    pub fn identity(&self) -> Identity<'_> {
        Identity { store: self }
    }

    /// Profiles and the outbox that feeds the indexer.
    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { store: self }
    }

    /// Organisations, members and roles, agencies and their clients.
    pub fn orgs(&self) -> Orgs<'_> {
        Orgs { store: self }
    }

    /// Claims, consent, tombstones, erasure and data archives.
    pub fn privacy(&self) -> Privacy<'_> {
        Privacy { store: self }
    }

    /// Notifications: what happened on a deal, per recipient, read or not.
    pub fn inbox(&self) -> Inbox<'_> {
        Inbox { store: self }
    }

    /// Referral codes, who referred whom, and the rewards earned.
    pub fn referrals(&self) -> Referrals<'_> {
        Referrals { store: self }
    }

    /// The double-entry ledger: accounts, transfers, verification.
    pub fn ledger(&self) -> Ledger<'_> {
        Ledger { store: self }
    }

    pub async fn close(&self) {
        with_pool!(self, |p| p.close().await)
    }
}
