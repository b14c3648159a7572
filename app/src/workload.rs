//! Bounded expensive work: searches, lookalikes, matches and model scoring
//! run on a fixed number of workers, each with a deadline, and one account
//! may hold only a few of them at once.
//!
//! Three answers keep a server that is asked for more than it can do useful
//! to everybody (the shape of Envoy's and Google's "load shedding" advice):
//! - an account already running [`ServerLimits::max_work_per_account`]
//!   requests gets `429 too_many_in_flight` at once, so one client cannot
//!   take every worker however many connections it opens;
//! - a request that finds every worker busy waits at most
//!   [`ServerLimits::work_queue_ms`], then gets `503 overloaded` with
//!   `Retry-After`, instead of queueing without bound;
//! - a request that runs past [`ServerLimits::work_deadline_ms`] gets
//!   `503 deadline_exceeded`. The work itself cannot be interrupted (it is
//!   CPU-bound code on a blocking thread), so it keeps its worker and its
//!   account slot until it ends: abandoned work still counts against the
//!   account that asked for it.

use std::sync::Arc;
use std::time::Duration;

use scout_domain::ErrorCode;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};
use crate::settings::ServerLimits;

/// The workers for expensive requests and who holds them.
#[derive(Debug, Clone)]
pub struct Workload {
    workers: Arc<Semaphore>,
    size: usize,
    running: crate::held::PerAccount,
    per_account: usize,
    queue: Duration,
    deadline: Duration,
}

impl Workload {
    pub fn new(limits: &ServerLimits) -> Workload {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let size = if limits.max_concurrent_work == 0 { 2 * cores } else { limits.max_concurrent_work };
        Workload {
            workers: Arc::new(Semaphore::new(size)),
            size,
            running: crate::held::PerAccount::default(),
            // Never more than half the workers, so one account always leaves
            // room for the others (on 2 cores: 4 workers, 2 per account).
            per_account: limits.max_work_per_account.min(size / 2).max(1),
            queue: Duration::from_millis(limits.work_queue_ms),
            deadline: Duration::from_millis(limits.work_deadline_ms.max(1)),
        }
    }

    /// How many requests may run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Workers busy now.
    pub fn busy(&self) -> usize {
        self.size - self.workers.available_permits()
    }

    /// Runs `work` on a worker for `account` (none: the service's own work,
    /// which only the worker count bounds), within the deadline.
    pub async fn run<T, F>(&self, account: Option<i64>, work: F) -> Result<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = match account {
            Some(id) => Some(self.enter(id)?),
            None => None,
        };
        let worker = match tokio::time::timeout(self.queue, self.workers.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                metrics::counter!("scout_work_shed_total", "reason" => "overloaded").increment(1);
                return Err(Error::retry_after(
                    ErrorCode::Overloaded,
                    "every worker is busy; retry shortly",
                    Duration::from_secs(1),
                ));
            }
        };
        let task = tokio::task::spawn_blocking(move || {
            let _held = (worker, slot);
            work()
        });
        match tokio::time::timeout(self.deadline, task).await {
            Ok(done) => Ok(done?),
            Err(_) => {
                metrics::counter!("scout_work_shed_total", "reason" => "deadline").increment(1);
                Err(Error::retry_after(
                    ErrorCode::DeadlineExceeded,
                    format!("the request ran past its {} ms deadline", self.deadline.as_millis()),
                    Duration::from_secs(2),
                ))
            }
        }
    }

    fn enter(&self, account: i64) -> Result<crate::held::Held> {
        self.running.take(account, self.per_account).ok_or_else(|| {
            metrics::counter!("scout_work_shed_total", "reason" => "account").increment(1);
            Error::retry_after(
                ErrorCode::TooManyInFlight,
                format!("this account already has {} expensive requests running", self.per_account),
                Duration::from_secs(1),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use parking_lot::Mutex;

    use super::*;

    fn workload(workers: usize, per_account: usize, queue_ms: u64, deadline_ms: u64) -> Workload {
        Workload::new(&ServerLimits {
            max_concurrent_work: workers,
            max_work_per_account: per_account,
            work_queue_ms: queue_ms,
            work_deadline_ms: deadline_ms,
            ..ServerLimits::default()
        })
    }

    /// The receiving end of a gate, taken once by the work it holds.
    type Gate = Arc<Mutex<Option<mpsc::Receiver<()>>>>;

    /// Work that holds its worker until the test lets it go.
    fn held(gate: &Gate) -> impl FnOnce() + Send + 'static {
        let rx = gate.lock().take().expect("one receiver per gate");
        move || {
            let _ = rx.recv();
        }
    }

    fn gate() -> (mpsc::Sender<()>, Gate) {
        let (tx, rx) = mpsc::channel();
        (tx, Arc::new(Mutex::new(Some(rx))))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_account_cannot_take_every_worker() {
        let w = workload(4, 2, 200, 60_000);
        let (tx1, g1) = gate();
        let (tx2, g2) = gate();
        let a = tokio::spawn({
            let w = w.clone();
            let f = held(&g1);
            async move { w.run(Some(1), f).await }
        });
        let b = tokio::spawn({
            let w = w.clone();
            let f = held(&g2);
            async move { w.run(Some(1), f).await }
        });
        while w.busy() < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let third = w.run(Some(1), || ()).await.expect_err("a third request of the same account");
        assert_eq!(third.code(), ErrorCode::TooManyInFlight);
        assert!(third.retry_after_secs().is_some());
        // Another account still gets a worker.
        assert_eq!(w.run(Some(2), || 7).await.expect("another account"), 7);
        tx1.send(()).expect("release");
        tx2.send(()).expect("release");
        a.await.expect("join").expect("first");
        b.await.expect("join").expect("second");
        // Its slots came back.
        assert_eq!(w.run(Some(1), || 8).await.expect("after"), 8);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_server_sheds_with_retry_after_and_work_past_its_deadline_is_cut_off() {
        let w = workload(1, 4, 50, 60_000);
        let (tx, g) = gate();
        let busy = tokio::spawn({
            let w = w.clone();
            let f = held(&g);
            async move { w.run(None, f).await }
        });
        while w.busy() < 1 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let shed = w.run(Some(3), || ()).await.expect_err("no worker free");
        assert_eq!(shed.code(), ErrorCode::Overloaded);
        assert_eq!(shed.retry_after_secs(), Some(1));
        tx.send(()).expect("release");
        busy.await.expect("join").expect("work");

        let w = workload(2, 4, 50, 30);
        let (tx, g) = gate();
        let late = w.run(Some(4), held(&g)).await.expect_err("past the deadline");
        assert_eq!(late.code(), ErrorCode::DeadlineExceeded);
        // The abandoned work keeps its worker until it ends.
        assert_eq!(w.busy(), 1);
        tx.send(()).expect("release");
        while w.busy() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
