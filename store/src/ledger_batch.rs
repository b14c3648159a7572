//! Group commit for the ledger: concurrent transfers queue for one writer
//! task, which writes as many as are waiting (up to a batch) in one
//! database transaction, each under the same rules as [`Ledger::post`]
//! (idempotency key, locked accounts, limits checked on the balances the
//! batch's earlier transfers left), and answers each caller once the batch
//! commits. A commit's cost (the WAL sync on SQLite, the round trips and
//! flush on PostgreSQL) is shared by the whole batch, as TigerBeetle
//! batches its transfers.
//!
//! A refused transfer (insufficient funds, a key reused with another
//! request) writes nothing and the batch goes on. A database error rolls
//! the batch back and each of its transfers is written alone, so one
//! failure never fails the others.

use chrono::{DateTime, Utc};
use scout_ledger::{Direction, Fingerprint, Replay, Transfer, check_limits, replay};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Doing, Error, Result};
use crate::ledger::{AccountRow, Posted, account_of};
use crate::{Backend, Store};

struct Job {
    key: String,
    fingerprint: Fingerprint,
    transfer: Transfer,
    memo: String,
    at: DateTime<Utc>,
    reply: oneshot::Sender<Result<Posted>>,
}

/// The handle callers post through; cheap to clone.
#[derive(Clone, Debug)]
pub struct LedgerWriter {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("key", &self.key).finish_non_exhaustive()
    }
}

impl LedgerWriter {
    /// Starts the writer task on `store`; batches hold at most `max_batch` transfers.
    pub fn start(store: Store, max_batch: usize) -> LedgerWriter {
        let (jobs, mut rx) = mpsc::channel::<Job>(max_batch.max(1) * 8);
        let max_batch = max_batch.max(1);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < max_batch {
                    match rx.try_recv() {
                        Ok(j) => batch.push(j),
                        Err(_) => break,
                    }
                }
                write_batch(&store, batch).await;
            }
        });
        LedgerWriter { jobs }
    }

    /// Writes `transfer` under `key` with the others waiting; as [`crate::Ledger::post_at`].
    pub async fn post(
        &self,
        key: &str,
        fingerprint: &Fingerprint,
        transfer: &Transfer,
        memo: &str,
        at: DateTime<Utc>,
    ) -> Result<Posted> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            key: key.to_string(),
            fingerprint: fingerprint.clone(),
            transfer: transfer.clone(),
            memo: memo.to_string(),
            at,
            reply,
        };
        let closed = || Error::Unavailable { what: "the ledger writer" };
        self.jobs.send(job).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

/// One transfer in the open transaction: `Ok(Ok(..))` written or replayed,
/// `Ok(Err(..))` refused before any write, `Err` the database's.
macro_rules! write_one {
    ($tx:ident, $lock:literal, $job:expr) => {{
        let job = $job;
        let seen: Option<(i64, String)> =
            sqlx::query_as("SELECT id, fingerprint FROM ledger_transfers WHERE idempotency_key = $1")
                .bind(&job.key)
                .fetch_optional(&mut *$tx)
                .await
                .doing("reading an idempotency key")?;
        match replay(seen.map(|(id, f)| (f, id)), &job.fingerprint) {
            Ok(Replay::Answer(id)) => Ok(Ok(Posted { transfer_id: id, replayed: true })),
            Err(e) => Ok(Err(Error::Ledger(e))),
            Ok(Replay::Fresh) => {
                let ids: Vec<String> = job.transfer.accounts().iter().map(i64::to_string).collect();
                let sql = format!(
                    "SELECT id, kind, currency, debits_minor, credits_minor FROM ledger_accounts
                     WHERE id IN ({}) ORDER BY id{}",
                    ids.join(", "),
                    $lock
                );
                let rows: Vec<AccountRow> =
                    sqlx::query_as(&sql).fetch_all(&mut *$tx).await.doing("locking ledger accounts")?;
                let accounts = rows.into_iter().map(account_of).collect::<Result<Vec<_>>>()?;
                match check_limits(&job.transfer, &accounts) {
                    Err(e) => Ok(Err(Error::Ledger(e))),
                    Ok(after) => {
                        // ON CONFLICT: a writer outside the batch taking the key
                        // leaves no error to abort the batch's transaction.
                        let id: Option<i64> = sqlx::query_scalar(
                            "INSERT INTO ledger_transfers
                               (idempotency_key, fingerprint, kind, currency, amount_minor, memo, created_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7)
                             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                        )
                        .bind(&job.key)
                        .bind(job.fingerprint.as_str())
                        .bind(job.transfer.kind.as_str())
                        .bind(job.transfer.currency.as_str())
                        .bind(job.transfer.total_minor())
                        .bind(&job.memo)
                        .bind(job.at)
                        .fetch_optional(&mut *$tx)
                        .await
                        .doing("writing a transfer")?;
                        match id {
                            None => Ok(Err(Error::Stale { what: crate::Record::Transfer, id: 0 })),
                            Some(id) => {
                                for p in &job.transfer.postings {
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
                                    let (Ok(d), Ok(c)) = (i64::try_from(a.debits_minor), i64::try_from(a.credits_minor))
                                    else {
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

/// Writes `jobs` in one transaction; the outcome of each, or the database's error.
async fn try_batch(store: &Store, jobs: &[Job]) -> Result<Vec<Result<Posted>>> {
    let mut outcomes = Vec::with_capacity(jobs.len());
    match &store.backend {
        Backend::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.doing("starting a batch of transfers")?;
            for job in jobs {
                let outcome: Result<Result<Posted>> = write_one!(tx, "", job);
                outcomes.push(outcome?);
            }
            tx.commit().await.doing("committing a batch of transfers")?;
        }
        Backend::Postgres(pool) => {
            let mut tx = pool.begin().await.doing("starting a batch of transfers")?;
            for job in jobs {
                let outcome: Result<Result<Posted>> = write_one!(tx, " FOR UPDATE", job);
                outcomes.push(outcome?);
            }
            tx.commit().await.doing("committing a batch of transfers")?;
        }
    }
    Ok(outcomes)
}

async fn write_batch(store: &Store, jobs: Vec<Job>) {
    match try_batch(store, &jobs).await {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let outcome = match outcome {
                    // A writer outside the batch took the key first: its transfer answers.
                    Err(Error::Stale { .. }) => {
                        store.ledger().post_at(&job.key, &job.fingerprint, &job.transfer, &job.memo, None, job.at).await
                    }
                    other => other,
                };
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, transfers = jobs.len(), "a batch of transfers failed; writing each alone");
            for job in jobs {
                let outcome =
                    store.ledger().post_at(&job.key, &job.fingerprint, &job.transfer, &job.memo, None, job.at).await;
                let _ = job.reply.send(outcome);
            }
        }
    }
}
