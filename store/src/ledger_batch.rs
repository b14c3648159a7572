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
//! request) writes nothing and the batch goes on. A database error (or a
//! key another writer took in the meantime) rolls the batch back and each
//! of its transfers is written alone, so one failure never fails the others.

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use scout_ledger::{AccountRef, Direction, Fingerprint, Replay, Transfer, check_limits, replay};
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
    /// Starts the writer tasks on `store` (one on SQLite, whose writes take
    /// one lock anyway; four on PostgreSQL, which locks per account);
    /// batches hold at most `max_batch` transfers.
    pub fn start(store: Store, max_batch: usize) -> LedgerWriter {
        let max_batch = max_batch.max(1);
        let (jobs, rx) = mpsc::channel::<Job>(max_batch * 8);
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        let writers = match store.backend {
            Backend::Sqlite(_) => 1,
            Backend::Postgres(_) => 4,
        };
        for _ in 0..writers {
            let (store, rx) = (store.clone(), rx.clone());
            tokio::spawn(async move {
                loop {
                    // One writer at a time gathers a batch: what waits now, up to the most.
                    let batch = {
                        let mut rx = rx.lock().await;
                        let Some(first) = rx.recv().await else { return };
                        let mut batch = vec![first];
                        while batch.len() < max_batch {
                            match rx.try_recv() {
                                Ok(j) => batch.push(j),
                                Err(_) => break,
                            }
                        }
                        batch
                    };
                    write_batch(&store, batch).await;
                }
            });
        }
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

/// What the batch decided for one job before anything is written.
enum Decision {
    /// Written as the `n`th new transfer of the batch.
    New(usize),
    /// The key's transfer already exists (in the store, or earlier in this batch).
    Replay(i64),
    /// The key's transfer is the `n`th new one of this batch.
    ReplayNew(usize),
    Refused(scout_ledger::Error),
}

/// Writes a batch in the open transaction `$tx` (`$lock` is ` FOR UPDATE` on
/// PostgreSQL) with a handful of statements whatever its size: every account
/// locked at once in id order (so concurrent writers cannot deadlock), every
/// key read at once, the limits checked in memory transfer by
/// transfer, then the transfers, their postings and the accounts' new sums
/// written in one statement each. Evaluates to `Result<Vec<Result<Posted>>>`.
macro_rules! batch_in {
    ($tx:ident, $lock:literal, $jobs:expr) => {{
        let jobs: &[Job] = $jobs;
        // 1. Every account of the batch, locked in id order.
        let mut ids: Vec<i64> = jobs.iter().flat_map(|j| j.transfer.accounts()).collect();
        ids.sort_unstable();
        ids.dedup();
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        // Ids are integers formatted here, never text from a caller.
        let sql = format!(
            "SELECT id, kind, currency, debits_minor, credits_minor FROM ledger_accounts WHERE id IN ({}) ORDER BY id{}",
            list.join(", "),
            $lock
        );
        let rows: Vec<AccountRow> = sqlx::query_as(&sql).fetch_all(&mut *$tx).await.doing("locking ledger accounts")?;
        // 2. The keys already stored, read once the accounts are locked: a
        // batch of another writer holding the same key (it moves the same
        // accounts) has committed by then, so its key is seen here and the
        // repeat is a replay, not a second debit refused for lack of funds.
        let marks: Vec<String> = (1..=jobs.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT idempotency_key, id, fingerprint FROM ledger_transfers WHERE idempotency_key IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
        for j in jobs {
            q = q.bind(&j.key);
        }
        let stored: HashMap<String, (i64, String)> =
            q.fetch_all(&mut *$tx).await.doing("reading idempotency keys")?.into_iter().map(|(k, id, f)| (k, (id, f))).collect();
        let mut accounts: HashMap<i64, AccountRef> = HashMap::new();
        for row in rows {
            let a = account_of(row)?;
            accounts.insert(a.id, a);
        }
        // 3. Each transfer against the balances the earlier ones left.
        let mut fresh: HashMap<&str, (usize, &str)> = HashMap::new();
        let mut new_jobs: Vec<&Job> = Vec::new();
        let mut decisions = Vec::with_capacity(jobs.len());
        let mut changed: Vec<i64> = Vec::new();
        for j in jobs {
            let decision = if let Some((id, f)) = stored.get(&j.key) {
                match replay(Some((f.clone(), *id)), &j.fingerprint) {
                    Ok(Replay::Answer(id)) => Decision::Replay(id),
                    Ok(Replay::Fresh) => Decision::Replay(*id),
                    Err(e) => Decision::Refused(e),
                }
            } else if let Some((n, f)) = fresh.get(j.key.as_str()) {
                if *f == j.fingerprint.as_str() { Decision::ReplayNew(*n) } else { Decision::Refused(scout_ledger::Error::KeyReused) }
            } else {
                let mine: Vec<AccountRef> =
                    j.transfer.accounts().iter().filter_map(|id| accounts.get(id).copied()).collect();
                match check_limits(&j.transfer, &mine) {
                    Err(e) => Decision::Refused(e),
                    Ok(after) => {
                        for a in after {
                            changed.push(a.id);
                            accounts.insert(a.id, a);
                        }
                        fresh.insert(&j.key, (new_jobs.len(), j.fingerprint.as_str()));
                        new_jobs.push(j);
                        Decision::New(new_jobs.len() - 1)
                    }
                }
            };
            decisions.push(decision);
        }
        // 4. The new transfers, their postings and the new sums.
        let mut new_ids: Vec<i64> = Vec::new();
        if !new_jobs.is_empty() {
            let values: Vec<String> = (0..new_jobs.len())
                .map(|i| {
                    let b = i * 7;
                    format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7)
                })
                .collect();
            let sql = format!(
                "INSERT INTO ledger_transfers (idempotency_key, fingerprint, kind, currency, amount_minor, memo, created_at)
                 VALUES {} RETURNING id, idempotency_key",
                values.join(", ")
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for j in &new_jobs {
                q = q
                    .bind(&j.key)
                    .bind(j.fingerprint.as_str())
                    .bind(j.transfer.kind.as_str())
                    .bind(j.transfer.currency.as_str())
                    .bind(j.transfer.total_minor())
                    .bind(&j.memo)
                    .bind(j.at);
            }
            let by_key: HashMap<String, i64> =
                q.fetch_all(&mut *$tx).await.doing("writing transfers")?.into_iter().map(|(id, k)| (k, id)).collect();
            for j in &new_jobs {
                new_ids.push(*by_key.get(&j.key).ok_or(Error::Stale { what: crate::Record::Transfer, id: 0 })?);
            }
            let postings: Vec<(i64, i64, &str, i64)> = new_jobs
                .iter()
                .zip(&new_ids)
                .flat_map(|(j, id)| {
                    j.transfer.postings.iter().map(move |p| {
                        let direction = match p.direction {
                            Direction::Debit => "debit",
                            Direction::Credit => "credit",
                        };
                        (*id, p.account, direction, p.amount_minor)
                    })
                })
                .collect();
            for chunk in postings.chunks(1_000) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, ${}, ${}, ${})", i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 4))
                    .collect();
                let sql = format!(
                    "INSERT INTO ledger_postings (transfer_id, account_id, direction, amount_minor) VALUES {}",
                    values.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for (t, a, d, m) in chunk {
                    q = q.bind(*t).bind(*a).bind(*d).bind(*m);
                }
                q.execute(&mut *$tx).await.doing("writing postings")?;
            }
            changed.sort_unstable();
            changed.dedup();
            for chunk in changed.chunks(1_000) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        format!("(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS BIGINT))", i * 3 + 1, i * 3 + 2, i * 3 + 3)
                    })
                    .collect();
                let sql = format!(
                    "WITH v(id, d, c) AS (VALUES {})
                     UPDATE ledger_accounts SET debits_minor = (SELECT d FROM v WHERE v.id = ledger_accounts.id),
                                                credits_minor = (SELECT c FROM v WHERE v.id = ledger_accounts.id)
                     WHERE id IN (SELECT id FROM v)",
                    values.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for id in chunk {
                    let a = accounts.get(id).ok_or(Error::Ledger(scout_ledger::Error::UnknownAccount { account: *id }))?;
                    let (Ok(d), Ok(c)) = (i64::try_from(a.debits_minor), i64::try_from(a.credits_minor)) else {
                        return Err(Error::Ledger(scout_ledger::Error::Overflow));
                    };
                    q = q.bind(*id).bind(d).bind(c);
                }
                q.execute(&mut *$tx).await.doing("updating accounts' sums")?;
            }
        }
        let outcomes: Vec<Result<Posted>> = decisions
            .into_iter()
            .map(|d| match d {
                Decision::New(n) => Ok(Posted { transfer_id: new_ids[n], replayed: false }),
                Decision::ReplayNew(n) => Ok(Posted { transfer_id: new_ids[n], replayed: true }),
                Decision::Replay(id) => Ok(Posted { transfer_id: id, replayed: true }),
                Decision::Refused(e) => Err(Error::Ledger(e)),
            })
            .collect();
        Ok::<_, Error>(outcomes)
    }};
}

/// Writes `jobs` in one transaction; the outcome of each, or the database's error.
async fn try_batch(store: &Store, jobs: &[Job]) -> Result<Vec<Result<Posted>>> {
    match &store.backend {
        Backend::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.doing("starting a batch of transfers")?;
            let outcomes = batch_in!(tx, "", jobs)?;
            tx.commit().await.doing("committing a batch of transfers")?;
            Ok(outcomes)
        }
        Backend::Postgres(pool) => {
            let mut tx = pool.begin().await.doing("starting a batch of transfers")?;
            let outcomes = batch_in!(tx, " FOR UPDATE", jobs)?;
            tx.commit().await.doing("committing a batch of transfers")?;
            Ok(outcomes)
        }
    }
}

async fn write_batch(store: &Store, jobs: Vec<Job>) {
    match try_batch(store, &jobs).await {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
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
