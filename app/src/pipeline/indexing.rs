//! The indexer: tails the store's outbox and applies changes to both indexes,
//! recording the last applied sequence with each commit, so that after a crash
//! it resumes where it stopped. Re-applying an entry is harmless.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use scout_indexer::ProfileIndex;
use scout_store::{OutboxOp, Store};
use tokio::sync::Notify;

/// Outbox entries applied per step.
const STEP: i64 = 5_000;
/// While a long backlog is applied (a bulk import), commit after this many
/// entries rather than after every step: each commit writes a text segment that
/// the merger must fold in again and flushes the vector segments, so a commit per
/// 5,000 profiles spent most of a million-profile build re-merging. A step that
/// reaches the head of the outbox always commits, so single updates stay
/// searchable at once; a crash redoes at most this many entries.
const COMMIT_EVERY: u64 = 100_000;

/// Applies every outbox entry after the index's recorded sequence; returns how
/// many entries were applied. `progress` gets (applied so far, head).
pub async fn catch_up(
    store: &Store,
    index: &Arc<ProfileIndex>,
    mut progress: impl FnMut(u64, i64),
) -> crate::Result<u64> {
    let mut seq = index.applied_seq()?;
    let head = store.profiles().outbox_head().await?;
    let mut applied = 0u64;
    let mut uncommitted = 0u64;
    loop {
        let entries = store.profiles().outbox_after(seq, STEP).await?;
        let Some(last) = entries.last() else { break };
        let last_seq = last.seq;
        uncommitted += entries.len() as u64;
        let commit = (entries.len() as i64) < STEP || uncommitted >= COMMIT_EVERY;
        // The newest entry per profile decides.
        let mut latest: HashMap<i64, OutboxOp> = HashMap::new();
        for e in &entries {
            latest.insert(e.profile_id, e.op);
        }
        let upsert_ids: Vec<i64> =
            latest.iter().filter(|(_, op)| **op == OutboxOp::Upsert).map(|(id, _)| *id).collect();
        let mut deletes: Vec<i64> =
            latest.iter().filter(|(_, op)| **op == OutboxOp::Delete).map(|(id, _)| *id).collect();
        let mut stored = store.profiles().get_profiles(&upsert_ids).await?;
        // A profile deleted after its upsert entry was written is gone from the store.
        let found: std::collections::HashSet<i64> = stored.iter().map(|s| s.id).collect();
        deletes.extend(upsert_ids.iter().filter(|id| !found.contains(id)));
        // A creator who withdrew consent is not listed: out of both indexes.
        let unlisted = store.privacy().unlisted(&upsert_ids).await?;
        stored.retain(|s| !unlisted.contains(&s.id));
        deletes.extend(unlisted);
        let index2 = index.clone();
        tokio::task::spawn_blocking(move || -> crate::Result<()> {
            let pairs: Vec<(i64, &scout_domain::Profile)> = stored.iter().map(|s| (s.id, &s.profile)).collect();
            index2.stage(&pairs, &deletes)?;
            if commit {
                index2.commit(last_seq)?;
            }
            Ok(())
        })
        .await??;
        if commit {
            uncommitted = 0;
        }
        applied += entries.len() as u64;
        seq = last_seq;
        progress(applied, head);
    }
    if uncommitted > 0 {
        // The backlog ended exactly on a full step.
        let index2 = index.clone();
        tokio::task::spawn_blocking(move || index2.commit(seq)).await??;
    }
    Ok(applied)
}

/// Rebuilds both indexes from the store.
pub async fn rebuild(store: &Store, index: &Arc<ProfileIndex>, mut progress: impl FnMut(u64)) -> crate::Result<u64> {
    let index2 = index.clone();
    tokio::task::spawn_blocking(move || index2.clear()).await??;
    let head = store.profiles().outbox_head().await?;
    let mut count = 0;
    let profiles = store.profiles();
    let mut pages = profiles.pages(STEP);
    while let Some(mut page) = pages.next_page().await? {
        let n = page.len() as u64;
        let ids: Vec<i64> = page.iter().map(|s| s.id).collect();
        let unlisted = store.privacy().unlisted(&ids).await?;
        page.retain(|s| !unlisted.contains(&s.id));
        let index2 = index.clone();
        tokio::task::spawn_blocking(move || -> crate::Result<()> {
            let pairs: Vec<(i64, &scout_domain::Profile)> = page.iter().map(|s| (s.id, &s.profile)).collect();
            index2.stage(&pairs, &[])?;
            Ok(())
        })
        .await??;
        count += n;
        progress(n);
    }
    let index2 = index.clone();
    tokio::task::spawn_blocking(move || index2.commit(head)).await??;
    Ok(count)
}

/// A running indexer worker.
#[derive(Debug)]
pub struct IndexerHandle {
    stop: Arc<AtomicBool>,
    notify: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl IndexerHandle {
    /// Lets the current step finish (never cuts a commit in half), then stops.
    pub async fn stop(self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify.notify_one();
        let _ = self.task.await;
    }
}

/// What a searching service runs in the background over its index: the
/// exact-search table (filled from the vector index) and the indexer. `scout
/// serve` and the test harness both start this way, so tests search the
/// way the service does.
pub fn spawn_search_workers(
    store: Store,
    index: Arc<ProfileIndex>,
    notify: Arc<Notify>,
) -> scout_indexer::Result<IndexerHandle> {
    index.enable_exact_search()?;
    Ok(spawn_indexer(store, index, notify))
}

/// Runs the indexer until stopped: wakes on `notify` (a write through the
/// API) or every 200 ms, and catches up.
pub fn spawn_indexer(store: Store, index: Arc<ProfileIndex>, notify: Arc<Notify>) -> IndexerHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let (stop2, notify2) = (stop.clone(), notify.clone());
    let task = tokio::spawn(async move {
        while !stop2.load(Ordering::SeqCst) {
            match catch_up(&store, &index, |_, _| {}).await {
                Ok(n) if n > 0 => {
                    metrics::counter!("scout_indexed_entries_total").increment(n);
                    metrics::gauge!("scout_indexed_profiles").set(index.len() as f64);
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "indexer step failed; retrying"),
            }
            tokio::select! {
                _ = notify2.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    });
    IndexerHandle { stop, notify, task }
}
