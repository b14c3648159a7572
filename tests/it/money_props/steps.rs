//! The steps a sequence is drawn from, and what each does over HTTP.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Case, Check, answer, balance};

#[derive(Debug, Clone)]
pub(super) enum Card {
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
pub(super) enum Replay {
    No,
    SameBody,
    OtherBody,
}

#[derive(Debug, Clone)]
pub(super) enum Settle {
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
pub(super) enum Op {
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

pub(super) fn op() -> impl Strategy<Value = Op> {
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

impl Case<'_> {
    pub(super) async fn step(&mut self, op: &Op) -> Check {
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
}
