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
use scout_ledger::AccountKind;
use scout_store::Owner;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
enum Card {
    Good,
    Declined,
    Insufficient,
    Delayed,
    FailsLater,
}

impl Card {
    fn number(&self) -> &'static str {
        match self {
            Card::Good => "4242424242424242",
            Card::Declined => "4000000000000002",
            Card::Insufficient => "4000000000009995",
            Card::Delayed => "4000000000000259",
            Card::FailsLater => "4000000000000341",
        }
    }
}

#[derive(Debug, Clone)]
enum Replay {
    No,
    SameBody,
    OtherBody,
}

#[derive(Debug, Clone)]
enum Settle {
    /// Submitted, then approved (`twice`: the approval is sent again).
    Approve {
        twice: bool,
    },
    /// Submitted and left for the review window to approve.
    SubmitOnly,
    Refund,
    Release,
    /// The creator gets `percent` of the milestone.
    Split {
        percent: i64,
    },
}

#[derive(Debug, Clone)]
enum Op {
    Fund {
        euros: i64,
        card: Card,
        replay: Replay,
    },
    /// A contract with one milestone per fee (in euros), signed by both.
    Contract {
        fees: Vec<i64>,
    },
    Settle {
        contract: usize,
        milestone: usize,
        how: Settle,
    },
    Cancel {
        contract: usize,
    },
    /// Eight days pass: review windows (7 days) approve what was handed
    /// in, and the hold period (7 days) ends.
    Mature,
    Payout {
        to_closed_account: bool,
    },
    /// A settled funding's event arrives again, under a new event id.
    Redeliver {
        funding: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let card = prop_oneof![
        6 => Just(Card::Good),
        1 => Just(Card::Declined),
        1 => Just(Card::Insufficient),
        1 => Just(Card::Delayed),
        1 => Just(Card::FailsLater),
    ];
    let replay = prop_oneof![3 => Just(Replay::No), 1 => Just(Replay::SameBody), 1 => Just(Replay::OtherBody)];
    let settle = prop_oneof![
        4 => any::<bool>().prop_map(|twice| Settle::Approve { twice }),
        1 => Just(Settle::SubmitOnly),
        1 => Just(Settle::Refund),
        1 => Just(Settle::Release),
        1 => (1i64..100).prop_map(|percent| Settle::Split { percent }),
    ];
    prop_oneof![
        3 => (1i64..3_000, card, replay).prop_map(|(euros, card, replay)| Op::Fund { euros, card, replay }),
        2 => prop::collection::vec(10i64..800, 1..4).prop_map(|fees| Op::Contract { fees }),
        6 => (0usize..8, 0usize..3, settle).prop_map(|(contract, milestone, how)| Op::Settle { contract, milestone, how }),
        1 => (0usize..8).prop_map(|contract| Op::Cancel { contract }),
        2 => Just(Op::Mature),
        3 => any::<bool>().prop_map(|to_closed_account| Op::Payout { to_closed_account }),
        1 => (0usize..8).prop_map(|funding| Op::Redeliver { funding }),
    ]
}

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

    async fn step(&mut self, op: &Op) -> Check {
        match op {
            Op::Fund { euros, card, replay } => {
                let body = json!({"amount_minor": euros * 100, "currency": "EUR",
                    "method": {"type": "card", "number": card.number(), "exp_month": 12, "exp_year": 2099, "cvc": "123"}});
                let key = uuid::Uuid::new_v4().to_string();
                let (s, first) = self.fund(&key, &body).await;
                match card {
                    Card::Declined | Card::Insufficient => {
                        ensure!(s == 402 && first["code"] == "payment_declined", "{card:?}: {s} {first}")
                    }
                    _ => ensure!(s == 202, "{card:?}: {s} {first}"),
                }
                self.quiesce().await?;
                if s == 202 {
                    let id = first["id"].as_i64().expect("funding");
                    let (_, f) = self.call(&self.brand, Method::GET, &format!("/v1/wallet/fundings/{id}"), None).await;
                    let expected = if matches!(card, Card::FailsLater) { "failed" } else { "succeeded" };
                    ensure!(f["status"] == expected, "{card:?} ended {f}");
                    self.saw(if expected == "failed" { "funding failed after acceptance" } else { "funding settled" });
                    if f["status"] == "succeeded" {
                        let charge = self.app.state.store().payments().funding(id).await.expect("funding");
                        self.charges.push(charge.provider_ref.expect("charge id"));
                    }
                }
                let before = self.snapshot().await?;
                match replay {
                    Replay::No => return Ok(()),
                    Replay::SameBody => {
                        // The answer is the same funding as it stands now: a card that
                        // failed after acceptance answers 402 naming it.
                        let (s2, again) = self.fund(&key, &body).await;
                        let same = if s == 202 && matches!(card, Card::FailsLater) {
                            let id = first["id"].as_i64().unwrap_or(0);
                            s2 == 402
                                && again["detail"].as_str().is_some_and(|d| d.starts_with(&format!("funding {id} ")))
                        } else {
                            s2 == s && (s == 402 || again["id"] == first["id"])
                        };
                        ensure!(same, "replayed: {s} {first} then {s2} {again}");
                        self.saw("funding replayed with the same body");
                    }
                    Replay::OtherBody => {
                        let mut other = body.clone();
                        other["amount_minor"] = json!(euros * 100 + 1);
                        let (s2, again) = self.fund(&key, &other).await;
                        ensure!(
                            s2 == 409 && again["code"] == "idempotency_key_reused",
                            "the key with another body: {s2} {again}"
                        );
                        self.saw("funding key reused with another body");
                    }
                }
                self.quiesce().await?;
                let after = self.snapshot().await?;
                ensure!(before == after, "a replayed funding moved money: {before} then {after}");
            }
            Op::Contract { fees } => {
                let n = self.contracts.len();
                let spec = json!({"name": format!("Campaign {n}"), "objective": "engagement", "brief": "Soups",
                    "niches": ["food"], "deliverables": [{"kind": "reel", "count": 3}],
                    "budget": {"amount_minor": 10_000_000, "currency": "EUR"},
                    "starts_on": "2099-01-01", "ends_on": "2099-02-28", "visibility": "listed"});
                let (s, campaign) = self.call(&self.brand, Method::POST, "/v1/campaigns", Some(spec)).await;
                ensure!(s == 201, "campaign: {s} {campaign}");
                let cid = campaign["id"].as_i64().expect("campaign");
                self.call(&self.brand, Method::POST, &format!("/v1/campaigns/{cid}/publish"), None).await;
                let lines: Vec<Value> = fees
                    .iter()
                    .map(|f| json!({"kind": "reel", "count": 1, "fee": {"amount_minor": f * 100, "currency": "EUR"}, "due_on": "2099-01-20"}))
                    .collect();
                let terms = json!({"lines": lines, "usage": {"organic": true, "months": 3}, "exclusivity_days": 0});
                let apply = json!({"profile_id": self.profile, "terms": terms, "pitch": "Soups every week"});
                let (s, thread) = self
                    .call(&self.creator, Method::POST, &format!("/v1/campaigns/{cid}/applications"), Some(apply))
                    .await;
                ensure!(s == 201, "application: {s} {thread}");
                let nid = thread["id"].as_i64().expect("thread");
                let accept = json!({"version": 1});
                let (_, thread) =
                    self.call(&self.brand, Method::POST, &format!("/v1/negotiations/{nid}/accept"), Some(accept)).await;
                let kid = thread["contract_id"].as_i64().expect("contract");
                self.call(&self.brand, Method::POST, &format!("/v1/contracts/{kid}/sign"), None).await;
                let (s, k) = self.call(&self.creator, Method::POST, &format!("/v1/contracts/{kid}/sign"), None).await;
                ensure!(s == 200 && (k["status"] == "active" || k["status"] == "awaiting_funding"), "signed: {s} {k}");
                self.org = k["brand_org_id"].as_i64();
                self.saw(if k["status"] == "active" {
                    "contract funded at signature"
                } else {
                    "contract awaiting funding"
                });
                self.contracts.push(kid);
            }
            Op::Settle { contract, milestone, how } => {
                let Some(&kid) = self.contracts.get(contract % self.contracts.len().max(1)) else { return Ok(()) };
                let (_, k) = self.call(&self.brand, Method::GET, &format!("/v1/contracts/{kid}"), None).await;
                let count = k["milestones"].as_array().map_or(1, Vec::len);
                let i = milestone % count;
                let amount = k["milestones"][i]["amount"]["amount_minor"].as_i64().expect("amount");
                let base = format!("/v1/contracts/{kid}/milestones/{i}");
                match how {
                    Settle::Approve { twice } => {
                        let submit = json!({"links": ["https://instagram.com/p/1"]});
                        self.call(&self.creator, Method::POST, &format!("{base}/submit"), Some(submit)).await;
                        let (s, _) = self.call(&self.brand, Method::POST, &format!("{base}/approve"), None).await;
                        if *twice && s == 200 {
                            let before = self.snapshot().await?;
                            let (s2, again) =
                                self.call(&self.brand, Method::POST, &format!("{base}/approve"), None).await;
                            ensure!(s2 == 409, "approved twice: {s2} {again}");
                            self.saw("approval sent twice");
                            let after = self.snapshot().await?;
                            ensure!(before == after, "a second approval moved money: {before} then {after}");
                        }
                    }
                    Settle::SubmitOnly => {
                        let submit = json!({"links": ["https://instagram.com/p/2"]});
                        self.call(&self.creator, Method::POST, &format!("{base}/submit"), Some(submit)).await;
                    }
                    _ => {
                        let dispute = json!({"reason": "Not what was agreed"});
                        let (s, _) =
                            self.call(&self.creator, Method::POST, &format!("{base}/dispute"), Some(dispute)).await;
                        if s == 200 {
                            let body = match how {
                                Settle::Refund => json!({"resolution": "refund"}),
                                Settle::Release => json!({"resolution": "release"}),
                                Settle::Split { percent } => {
                                    let share = (amount * percent / 100).clamp(1, amount - 1);
                                    json!({"resolution": "split", "to_creator_minor": share})
                                }
                                Settle::Approve { .. } | Settle::SubmitOnly => unreachable!(),
                            };
                            let (s, r) = self
                                .call(&self.app.operator, Method::POST, &format!("{base}/resolve"), Some(body))
                                .await;
                            ensure!(s == 200, "resolve: {s} {r}");
                            self.saw(match how {
                                Settle::Refund => "dispute refunded",
                                Settle::Release => "dispute released",
                                _ => "dispute split",
                            });
                        }
                    }
                }
            }
            Op::Cancel { contract } => {
                let Some(&kid) = self.contracts.get(contract % self.contracts.len().max(1)) else { return Ok(()) };
                let path = format!("/v1/contracts/{kid}/cancel");
                let (s, _) = self.call(&self.brand, Method::POST, &path, Some(json!({}))).await;
                if s == 409 {
                    // Work was handed in: only an administrator cancels now.
                    self.call(&self.app.operator, Method::POST, &path, Some(json!({}))).await;
                }
            }
            Op::Mature => {
                self.app.state.clock().advance(chrono::Duration::days(8));
                let fail = |e: scout_app::Error| TestCaseError::fail(format!("mature: {e}"));
                if self.app.state.auto_approve_due().await.map_err(fail)? > 0 {
                    self.saw("approved by the review window");
                }
                if self.app.state.mature_due().await.map_err(fail)? > 0 {
                    self.saw("earnings matured");
                }
            }
            Op::Payout { to_closed_account } => {
                let account = if *to_closed_account { "000111111116" } else { "000123456789" };
                let settings = json!({"destination": {"type": "us_bank", "routing": "110000000", "account": account, "holder": "Cook"},
                    "currency": "EUR", "schedule": "manual"});
                let (s, saved) = self.call(&self.creator, Method::PUT, "/v1/me/payout-settings", Some(settings)).await;
                ensure!(s == 200, "payout settings: {s} {saved}");
                let (_, mine) = self.call(&self.creator, Method::GET, "/v1/me/balances", None).await;
                let available = balance(&mine, "creator_available");
                let (s, made) = self.call(&self.creator, Method::POST, "/v1/me/payouts", None).await;
                if available > 0 {
                    ensure!(s == 202, "payout of {available}: {s} {made}");
                    self.quiesce().await?;
                    let id = made["payouts"][0]["id"].as_i64().expect("payout");
                    let (_, p) = self.call(&self.creator, Method::GET, &format!("/v1/me/payouts/{id}"), None).await;
                    let expected = if *to_closed_account { "failed" } else { "paid" };
                    ensure!(p["status"] == expected && p["source"]["amount_minor"] == available, "payout ended {p}");
                    self.saw(if *to_closed_account { "payout failed and returned" } else { "payout paid" });
                } else {
                    ensure!(s == 409 && made["code"] == "insufficient_funds", "a payout of nothing: {s} {made}");
                }
            }
            Op::Redeliver { funding } => {
                let Some(charge) = self.charges.get(funding % self.charges.len().max(1)) else { return Ok(()) };
                let before = self.snapshot().await?;
                let body = json!({"id": format!("evt_again_{}", uuid::Uuid::new_v4().simple()), "object": "event",
                    "type": "charge.succeeded", "created": 1,
                    "data": {"object": {"id": charge, "reference": "x", "amount_minor": 1, "currency": "EUR"}}})
                .to_string();
                let header = scout_payments::signature::header(
                    &["whsec_sandbox"],
                    chrono::Utc::now().timestamp(),
                    body.as_bytes(),
                );
                let res = self
                    .app
                    .client
                    .post(format!("{}/v1/webhooks/sandbox", self.app.url))
                    .header("stripe-signature", header)
                    .body(body)
                    .send()
                    .await
                    .expect("request");
                let (s, r) = answer(res).await;
                ensure!(s == 200, "a signed event for a settled charge: {s} {r}");
                let after = self.snapshot().await?;
                ensure!(before == after, "a funding's event delivered again moved money: {before} then {after}");
                self.saw("funding event delivered again");
            }
        }
        Ok(())
    }

    /// The invariants in the module documentation.
    async fn check(&self, history: &[Op]) -> Check {
        let store = self.app.state.store();
        let problems = store.ledger().verify().await.expect("verify");
        ensure!(problems.is_empty(), "after {history:?}: {problems:?}");
        let mut owners = vec![Owner::User(self.creator_id), Owner::Platform];
        owners.extend(self.org.map(Owner::Org));
        owners.extend(self.contracts.iter().map(|&k| Owner::Contract(k)));
        for owner in owners {
            for a in store.ledger().accounts_of(owner).await.expect("accounts") {
                ensure!(a.within_limit(), "after {history:?}: {owner:?}'s {a:?} is past its limit");
            }
        }
        // What the contracts say, with the ledger's fee rule.
        let (mut taken, mut earned, mut fees) = (0i64, 0i64, 0i64);
        let mut contracts = Vec::new();
        for id in &self.contracts {
            let k = self.read(&self.brand, &format!("/v1/contracts/{id}")).await?;
            contracts.push((
                id,
                k["status"].clone(),
                k["funded"].clone(),
                k["money"]["in_escrow"]["amount_minor"].clone(),
            ));
            let bps = k["money"]["fee_bps"].as_u64().expect("fee") as u32;
            let fee = |x: i64| scout_ledger::fee_of(x, bps).expect("fee");
            let total = k["total"]["amount_minor"].as_i64().expect("total");
            let (mut released, mut refunded, mut settled) = (0i64, 0i64, 0i64);
            for m in k["milestones"].as_array().expect("milestones") {
                let amount = m["amount"]["amount_minor"].as_i64().expect("amount");
                let Some(to_creator) = settled_to_creator(m) else { continue };
                settled += amount;
                released += to_creator;
                refunded += amount - to_creator;
                earned += to_creator - fee(to_creator);
                fees += fee(to_creator);
            }
            let escrow = k["money"]["in_escrow"]["amount_minor"].as_i64().unwrap_or(0);
            let (expect_taken, expect_escrow) = match (k["status"].as_str(), k["funded"].as_bool()) {
                (Some("cancelled"), _) | (_, Some(false)) => (released, 0),
                _ => (total - refunded, total - settled),
            };
            ensure!(
                escrow == expect_escrow,
                "after {history:?}: contract {id} holds {escrow}, expected {expect_escrow}: {k}"
            );
            taken += expect_taken;
        }
        let fundings = self.read(&self.brand, "/v1/wallet/fundings?limit=100").await?;
        let funded: i64 = fundings["fundings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["status"] == "succeeded")
            .map(|f| f["amount"]["amount_minor"].as_i64().expect("amount"))
            .sum();
        let wallet = self.read(&self.brand, "/v1/wallet").await?;
        let in_wallet = balance(&wallet, "brand_wallet");
        ensure!(
            in_wallet == funded - taken,
            "after {history:?}: the wallet holds {in_wallet}, funded {funded} less {taken} taken by contracts: {wallet} {contracts:?}"
        );
        let mine = self.read(&self.creator, "/v1/me/balances").await?;
        let payouts = self.read(&self.creator, "/v1/me/payouts?limit=100").await?;
        let paid: i64 = payouts["payouts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["status"] == "paid")
            .map(|p| p["source"]["amount_minor"].as_i64().expect("source"))
            .sum();
        let held = balance(&mine, "creator_pending") + balance(&mine, "creator_available");
        let moving = balance(&mine, "payouts_in_transit");
        ensure!(
            held + moving + paid == earned,
            "after {history:?}: the creator holds {held}, has {moving} in transit and was paid {paid}; earned {earned}: {mine}"
        );
        let earlier: Vec<i64> = self.earlier.lock().expect("earlier").clone();
        for id in earlier {
            let k = self.read(&self.app.operator, &format!("/v1/contracts/{id}")).await?;
            let bps = k["money"]["fee_bps"].as_u64().expect("fee") as u32;
            for m in k["milestones"].as_array().expect("milestones") {
                let to_creator = settled_to_creator(m).unwrap_or(0);
                fees += scout_ledger::fee_of(to_creator, bps).expect("fee");
            }
        }
        let revenue = fee_revenue(self.app).await;
        ensure!(
            revenue == fees,
            "after {history:?}: fee revenue is {revenue}, the fees of every contract so far {fees}"
        );
        Ok(())
    }
}

/// What a settled milestone gave the creator before the fee (`None`: not settled).
fn settled_to_creator(m: &Value) -> Option<i64> {
    let amount = m["amount"]["amount_minor"].as_i64().expect("amount");
    match (m["status"].as_str(), m["resolution"].as_str()) {
        (Some("approved"), _) | (Some("resolved"), Some("release")) => Some(amount),
        (Some("resolved"), Some("refund")) => Some(0),
        (Some("resolved"), Some("split")) => m["creator_share_minor"].as_i64(),
        _ => None,
    }
}

async fn fee_revenue(app: &TestApp) -> i64 {
    let accounts = app.state.store().ledger().accounts_of(Owner::Platform).await.expect("accounts");
    accounts
        .iter()
        .filter(|a| a.kind == AccountKind::FeeRevenue && a.currency == scout_domain::money::Currency::EUR)
        .map(|a| i64::try_from(a.balance()).expect("i64"))
        .sum()
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
