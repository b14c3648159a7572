//! Money under random sequences, through the real HTTP API, store and sandbox
//! bank, on SQLite and PostgreSQL. Proptest draws a sequence of fundings (good
//! cards, declined ones, delayed and late-failing ones, requests replayed
//! with the same key and body or with another body), contracts signed by both
//! sides, approvals (some sent twice, some left to the review window), disputes settled by refund, release or
//! a split, cancellations, hold periods passing, payouts (to good and to
//! closed accounts) and funding events delivered again under a new id.
//!
//! After every step, once the bank has answered, it checks that:
//! - the ledger verifies (every transfer balances per currency, every stored
//!   balance is the sum of its postings) and no account that forbids it is
//!   negative;
//! - the money matches what the contracts say, computed here from their
//!   milestones with the ledger's fee rule: the brand's wallet is its settled
//!   fundings less what its contracts took for good; each contract's escrow
//!   is its unsettled milestones; the creator's pending + available + in
//!   transit + paid out is every release less the fee; the platform's fee
//!   revenue grew by exactly those fees;
//! - a replayed request or event changed nothing.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn balance(balances: &Value, kind: &str) -> i64 {
    balances["balances"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["kind"] == kind && b["balance"]["currency"] == "EUR")
        .map(|b| b["balance"]["amount_minor"].as_i64().unwrap_or(0))
        .sum()
}

type Check = Result<(), TestCaseError>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($fmt)+)));
        }
    };
}

mod invariants;
mod steps;

use steps::{Card, Op, Replay, Settle, op};

/// One sequence's brand, creator and what they did.
struct Case<'a> {
    app: &'a TestApp,
    brand: String,
    creator: String,
    creator_id: i64,
    profile: i64,
    org: Option<i64>,
    contracts: Vec<i64>,
    /// Settled fundings' provider charge ids.
    charges: Vec<String>,
    seen: &'static Seen,
    earlier: &'static Earlier,
}

static CASES: AtomicUsize = AtomicUsize::new(0);

/// What the sequences did, over all cases of a run (printed, and checked to
/// cover every kind of step).
type Seen = std::sync::Mutex<std::collections::BTreeMap<&'static str, usize>>;
static SEEN_SQLITE: Seen = std::sync::Mutex::new(std::collections::BTreeMap::new());
static SEEN_POSTGRES: Seen = std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Every contract of earlier sequences on the same app (the platform's fee
/// revenue is one account for all of them, and a later sequence's review
/// windows can approve their milestones).
type Earlier = std::sync::Mutex<Vec<i64>>;
static EARLIER_SQLITE: Earlier = std::sync::Mutex::new(Vec::new());
static EARLIER_POSTGRES: Earlier = std::sync::Mutex::new(Vec::new());

fn earlier_on(backend: Backend) -> &'static Earlier {
    match backend {
        Backend::Sqlite => &EARLIER_SQLITE,
        Backend::Postgres => &EARLIER_POSTGRES,
    }
}

fn seen_on(backend: Backend) -> &'static Seen {
    match backend {
        Backend::Sqlite => &SEEN_SQLITE,
        Backend::Postgres => &SEEN_POSTGRES,
    }
}

impl<'a> Case<'a> {
    fn saw(&self, what: &'static str) {
        *self.seen.lock().expect("seen").entry(what).or_default() += 1;
    }

    async fn new(app: &'a TestApp, seen: &'static Seen, earlier: &'static Earlier) -> Case<'a> {
        let n = CASES.fetch_add(1, Ordering::Relaxed);
        let brand = app.login_as("brand", &format!("owner{n}@brand{n}.test")).await;
        let profile = json!({"platform": "instagram", "external_id": format!("cook{n}"), "handle": format!("cook_{n}"),
            "followers": 52000, "bio": "Home cooking", "country": "FR", "categories": ["food"]});
        let (creator, profile) = app.creator_with(&format!("cook{n}@creator.test"), &profile).await;
        let (_, me) = answer(app.get_as(&creator, "/v1/auth/me").await).await;
        Case {
            app,
            brand,
            creator,
            creator_id: me["id"].as_i64().expect("me"),
            profile,
            org: None,
            contracts: Vec::new(),
            charges: Vec::new(),
            seen,
            earlier,
        }
    }

    async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        answer(self.app.call(method, token, path, body.as_ref(), None).await).await
    }

    /// `GET path`, which must answer 200.
    async fn read(&self, token: &str, path: &str) -> Result<Value, TestCaseError> {
        let (s, v) = self.call(token, Method::GET, path, None).await;
        ensure!(s == 200, "GET {path}: {s} {v}");
        Ok(v)
    }

    async fn fund(&self, key: &str, body: &Value) -> (u16, Value) {
        let req = self
            .app
            .client
            .post(format!("{}/v1/wallet/fundings", self.app.url))
            .bearer_auth(&self.brand)
            .header("idempotency-key", key)
            .json(body);
        answer(req.send().await.expect("request")).await
    }

    /// What a replay must leave alone: the wallet, the creator's balances and every escrow.
    async fn snapshot(&self) -> Result<Value, TestCaseError> {
        let wallet = self.read(&self.brand, "/v1/wallet").await?;
        let mine = self.read(&self.creator, "/v1/me/balances").await?;
        let mut escrows = Vec::new();
        for id in &self.contracts {
            let k = self.read(&self.brand, &format!("/v1/contracts/{id}")).await?;
            escrows.push(k["money"]["in_escrow"].clone());
        }
        Ok(json!({"wallet": wallet["balances"], "creator": mine["balances"], "escrows": escrows}))
    }

    /// Waits until no funding or payout of this case is still with the bank.
    async fn quiesce(&self) -> Check {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let fundings = self.read(&self.brand, "/v1/wallet/fundings?limit=100").await?;
            let payouts = self.read(&self.creator, "/v1/me/payouts?limit=100").await?;
            let busy = fundings["fundings"].as_array().into_iter().flatten().any(|f| f["status"] == "processing")
                || payouts["payouts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["status"] != "paid" && p["status"] != "failed");
            if !busy {
                return Ok(());
            }
            ensure!(Instant::now() < deadline, "the bank never answered: {fundings} {payouts}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn run(app: &TestApp, backend: Backend, ops: &[Op]) -> Check {
    let mut case = Case::new(app, seen_on(backend), earlier_on(backend)).await;
    let mut outcome = Ok(());
    for (n, op) in ops.iter().enumerate() {
        outcome = case.step(op).await;
        if outcome.is_ok() {
            outcome = case.quiesce().await;
        }
        if outcome.is_ok() {
            outcome = case.check(&ops[..=n]).await;
        }
        if outcome.is_err() {
            break;
        }
    }
    case.earlier.lock().expect("earlier").extend(&case.contracts);
    outcome
}

fn sequences(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let app = rt.block_on(TestApp::spawn_with(backend, |s| {
        s.payments.sandbox_settle_ms = 10;
        s.payments.sandbox_delayed_ms = 100;
        s.credential_requests_per_minute = 100_000;
        s.account_requests_per_minute = 0;
    }));
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 32, ..Config::default() };
    let mut runner = TestRunner::new(config);
    // Each sequence starts with money in the wallet and ends by approving its
    // first contract's first milestone, letting the hold pass and paying out,
    // so every run reaches a paid payout whatever was drawn in between.
    let sequence = prop::collection::vec(op(), 12..40).prop_map(|drawn| {
        let mut ops = vec![Op::Fund { euros: 500, card: Card::Good, replay: Replay::No }];
        ops.extend(drawn);
        ops.extend([
            Op::Settle { contract: 0, milestone: 0, how: Settle::Approve { twice: false } },
            Op::Mature,
            Op::Payout { to_closed_account: false },
        ]);
        ops
    });
    let result = runner.run(&sequence, |ops| rt.block_on(run(&app, backend, &ops)));
    rt.block_on(app.cleanup());
    if let Err(e) = result {
        panic!("{e}");
    }
    let seen = std::mem::take(&mut *seen_on(backend).lock().expect("seen"));
    println!("{backend:?}: {cases} sequences; steps seen: {seen:?}");
    // The sequences reached every path whose money they check.
    for what in ["funding settled", "contract awaiting funding", "earnings matured", "payout paid"] {
        assert!(seen.contains_key(what), "no step was `{what}`: {seen:?}");
    }
}

#[test]
fn random_money_sequences_hold_together_sqlite() {
    sequences(Backend::Sqlite, 16);
}

#[test]
fn random_money_sequences_hold_together_postgres() {
    sequences(Backend::Postgres, 12);
}
