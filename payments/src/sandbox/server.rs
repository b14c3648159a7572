//! The sandbox bank: a real HTTP service that takes charges and payouts,
//! settles them a moment later, and tells the merchant with webhooks signed
//! as Stripe signs them. State lives in memory for as long as the process
//! runs; `scout serve` starts one beside itself, `scout sandbox-bank` runs one
//! alone (so a Scout process can be killed and restarted against it).
//!
//! Test numbers (Stripe's where Stripe has one):
//!
//! | input | outcome |
//! |---|---|
//! | card `4242 4242 4242 4242` | succeeds, settles after `settle_ms` |
//! | card `4000 0000 0000 0259` | succeeds, settles after `delayed_ms` (delayed settlement) |
//! | card `4000 0000 0000 0002` | declined at once: `card_declined` |
//! | card `4000 0000 0000 9995` | declined at once: `insufficient_funds` |
//! | card `4000 0000 0000 0341` | accepted, then fails: `card_declined` |
//! | card with a past expiry | declined at once: `expired_card` |
//! | card failing the Luhn check | refused: `invalid_number` |
//! | bank transfer | settles after `delayed_ms` |
//! | payout to US account `000111111116`, an IBAN ending `3001`, or PayPal `fail…@…` | fails: `account_closed` |
//! | any other payout | paid after `settle_ms` |

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, Utc};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::provider::{FundingMethod, PayoutDestination, Progress, Receipt, Settlement, Subject};
use crate::signature;

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// What merchants authenticate with (`Authorization: Bearer …`).
    pub api_key: String,
    /// What webhooks are signed with; the merchant verifies with the same.
    pub webhook_secret: String,
    /// Milliseconds before an ordinary charge or payout settles.
    pub settle_ms: u64,
    /// Milliseconds before a delayed charge (or a bank transfer) settles.
    pub delayed_ms: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            api_key: "sk_sandbox".into(),
            webhook_secret: "whsec_sandbox".into(),
            settle_ms: 150,
            delayed_ms: 3_000,
        }
    }
}

/// A request body, as the sandbox's API takes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChargeBody {
    pub amount_minor: i64,
    pub currency: String,
    pub method: FundingMethod,
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PayoutBody {
    pub amount_minor: i64,
    pub currency: String,
    pub destination: PayoutDestination,
    pub reference: String,
}

#[derive(Debug, Clone)]
struct Movement {
    subject: Subject,
    reference: String,
    amount_minor: i64,
    currency: String,
    progress: Progress,
}

#[derive(Default)]
struct Book {
    webhook_url: Option<String>,
    /// Idempotency key → (the request's body, the answer given).
    answered: HashMap<String, (String, Value)>,
    movements: HashMap<String, Movement>,
    settlements: Vec<Settlement>,
}

struct Bank {
    config: SandboxConfig,
    book: Mutex<Book>,
    http: reqwest::Client,
}

/// Serves the sandbox bank on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, config: SandboxConfig) -> std::io::Result<()> {
    let bank = Arc::new(Bank { config, book: Mutex::new(Book::default()), http: reqwest::Client::new() });
    axum::serve(listener, router(bank)).await
}

/// Binds `addr` (port 0: any free port) and serves the sandbox in the
/// background; its base URL.
pub async fn start(addr: &str, config: SandboxConfig) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = serve(listener, config).await {
            tracing::error!(error = %e, "the sandbox bank stopped");
        }
    });
    Ok(url)
}

fn router(bank: Arc<Bank>) -> Router {
    Router::new()
        .route("/v1/charges", post(create_charge))
        .route("/v1/charges/{id}/refunds", post(refund_charge))
        .route("/v1/payouts", post(create_payout))
        .route("/v1/payouts/{id}", get(show_payout))
        .route("/v1/settlements", get(list_settlements))
        .route("/v1/webhook_endpoints", post(register_endpoint))
        .with_state(bank)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

/// Checks the API key and the idempotency key; `Err` is the answer to give
/// (a replay's stored answer, or a refusal).
fn admit(bank: &Bank, headers: &HeaderMap, body: &str) -> Result<String, Box<Response>> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(bank.config.api_key.as_str()) {
        return Err(Box::new(error(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "send `Authorization: Bearer <api key>`",
        )));
    }
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty()) else {
        return Err(Box::new(error(StatusCode::BAD_REQUEST, "idempotency_key_missing", "send an `Idempotency-Key`")));
    };
    if let Some((seen, answer)) = bank.book.lock().answered.get(key) {
        if seen != body {
            return Err(Box::new(error(
                StatusCode::CONFLICT,
                "idempotency_key_in_use",
                "this key was used with another request",
            )));
        }
        return Err(Box::new(
            (StatusCode::OK, [("idempotent-replayed", "true")], Json(answer.clone())).into_response(),
        ));
    }
    Ok(key.to_string())
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", &uuid::Uuid::new_v4().simple().to_string()[..24])
}

/// Passes the Luhn check.
fn luhn(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 12 || digits.len() != number.len() {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}

/// What the sandbox does with a charge: settle after a while (`Ok(delay)`,
/// then succeed or fail) or refuse at once.
fn charge_plan(config: &SandboxConfig, method: &FundingMethod) -> Result<(u64, Progress), Progress> {
    let failed = |code: &str, message: &str| Progress::Failed { code: code.into(), message: message.into() };
    match method {
        FundingMethod::BankTransfer => Ok((config.delayed_ms, Progress::Succeeded)),
        FundingMethod::PaymentMethod { .. } => Ok((config.settle_ms, Progress::Succeeded)),
        FundingMethod::Card { number, exp_month, exp_year, .. } => {
            let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
            if !luhn(&number) {
                return Err(failed("invalid_number", "the card number is not valid"));
            }
            let today = Utc::now().date_naive();
            if (*exp_year as i32, *exp_month) < (today.year(), today.month()) || *exp_month == 0 || *exp_month > 12 {
                return Err(failed("expired_card", "the card has expired"));
            }
            match number.as_str() {
                "4000000000000002" => Err(failed("card_declined", "the card was declined")),
                "4000000000009995" => Err(failed("insufficient_funds", "the card has insufficient funds")),
                "4000000000000259" => Ok((config.delayed_ms, Progress::Succeeded)),
                "4000000000000341" => Ok((config.settle_ms, failed("card_declined", "the card was declined"))),
                _ => Ok((config.settle_ms, Progress::Succeeded)),
            }
        }
    }
}

fn payout_plan(config: &SandboxConfig, destination: &PayoutDestination) -> (u64, Progress) {
    let closed = match destination {
        PayoutDestination::UsBank { account, .. } => account == "000111111116",
        PayoutDestination::Iban { iban, .. } => iban.ends_with("3001"),
        PayoutDestination::Paypal { email } => email.starts_with("fail"),
        PayoutDestination::StripeAccount { account } => account.ends_with("closed"),
    };
    let progress = if closed {
        Progress::Failed { code: "account_closed".into(), message: "the destination account is closed".into() }
    } else {
        Progress::Succeeded
    };
    (config.settle_ms, progress)
}

async fn create_charge(State(bank): State<Arc<Bank>>, headers: HeaderMap, body: String) -> Response {
    let key = match admit(&bank, &headers, &body) {
        Ok(k) => k,
        Err(answer) => return *answer,
    };
    let Ok(charge) = serde_json::from_str::<ChargeBody>(&body) else {
        return error(StatusCode::BAD_REQUEST, "parameter_invalid", "the body is not a charge");
    };
    if charge.amount_minor <= 0 {
        return error(StatusCode::BAD_REQUEST, "amount_invalid", "amounts are positive minor units");
    }
    let id = new_id("ch");
    let (progress, later) = match charge_plan(&bank.config, &charge.method) {
        Ok((delay, outcome)) => (Progress::Processing, Some((delay, outcome))),
        Err(refused) => (refused, None),
    };
    let movement = Movement {
        subject: Subject::Funding,
        reference: charge.reference,
        amount_minor: charge.amount_minor,
        currency: charge.currency,
        progress: progress.clone(),
    };
    let answer = serde_json::to_value(Receipt { provider_ref: id.clone(), progress }).unwrap_or(Value::Null);
    {
        let mut book = bank.book.lock();
        book.movements.insert(id.clone(), movement);
        book.answered.insert(key, (body, answer.clone()));
    }
    if let Some((delay, outcome)) = later {
        settle_later(bank.clone(), id, delay, outcome);
    }
    Json(answer).into_response()
}

async fn refund_charge(State(bank): State<Arc<Bank>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let key = match admit(&bank, &headers, &id) {
        Ok(k) => k,
        Err(answer) => return *answer,
    };
    let mut book = bank.book.lock();
    let Some(m) = book.movements.get(&id).cloned() else {
        return error(StatusCode::NOT_FOUND, "resource_missing", "no such charge");
    };
    if m.progress != Progress::Succeeded || m.subject != Subject::Funding {
        return error(StatusCode::BAD_REQUEST, "charge_not_refundable", "only a settled charge can be refunded");
    }
    let refund = new_id("re");
    book.settlements.push(Settlement {
        provider_ref: refund.clone(),
        reference: m.reference,
        subject: Subject::Funding,
        amount_minor: -m.amount_minor,
        currency: m.currency,
    });
    let answer =
        serde_json::to_value(Receipt { provider_ref: refund, progress: Progress::Succeeded }).unwrap_or(Value::Null);
    book.answered.insert(key, (id, answer.clone()));
    Json(answer).into_response()
}

async fn create_payout(State(bank): State<Arc<Bank>>, headers: HeaderMap, body: String) -> Response {
    let key = match admit(&bank, &headers, &body) {
        Ok(k) => k,
        Err(answer) => return *answer,
    };
    let Ok(payout) = serde_json::from_str::<PayoutBody>(&body) else {
        return error(StatusCode::BAD_REQUEST, "parameter_invalid", "the body is not a payout");
    };
    if payout.amount_minor <= 0 {
        return error(StatusCode::BAD_REQUEST, "amount_invalid", "amounts are positive minor units");
    }
    let id = new_id("po");
    let (delay, outcome) = payout_plan(&bank.config, &payout.destination);
    let movement = Movement {
        subject: Subject::Payout,
        reference: payout.reference,
        amount_minor: payout.amount_minor,
        currency: payout.currency,
        progress: Progress::Processing,
    };
    let answer = serde_json::to_value(Receipt { provider_ref: id.clone(), progress: Progress::Processing })
        .unwrap_or(Value::Null);
    {
        let mut book = bank.book.lock();
        book.movements.insert(id.clone(), movement);
        book.answered.insert(key, (body, answer.clone()));
    }
    settle_later(bank.clone(), id, delay, outcome);
    Json(answer).into_response()
}

async fn show_payout(State(bank): State<Arc<Bank>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(bank.config.api_key.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "invalid_api_key", "send `Authorization: Bearer <api key>`");
    }
    match bank.book.lock().movements.get(&id) {
        Some(m) if m.subject == Subject::Payout => {
            Json(Receipt { provider_ref: id.clone(), progress: m.progress.clone() }).into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "resource_missing", "no such payout"),
    }
}

async fn list_settlements(State(bank): State<Arc<Bank>>, headers: HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(bank.config.api_key.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "invalid_api_key", "send `Authorization: Bearer <api key>`");
    }
    Json(bank.book.lock().settlements.clone()).into_response()
}

#[derive(Deserialize)]
struct Endpoint {
    url: String,
}

async fn register_endpoint(State(bank): State<Arc<Bank>>, headers: HeaderMap, Json(e): Json<Endpoint>) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(bank.config.api_key.as_str()) {
        return error(StatusCode::UNAUTHORIZED, "invalid_api_key", "send `Authorization: Bearer <api key>`");
    }
    if !(e.url.starts_with("http://") || e.url.starts_with("https://")) {
        return error(StatusCode::BAD_REQUEST, "url_invalid", "an http(s) address");
    }
    bank.book.lock().webhook_url = Some(e.url.clone());
    Json(json!({"url": e.url})).into_response()
}

/// After `delay_ms`, the movement ends with `outcome`, its settlement is
/// booked, and the merchant gets a signed event (retried with backoff until
/// it answers 2xx, for about a minute).
fn settle_later(bank: Arc<Bank>, id: String, delay_ms: u64, outcome: Progress) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        let (event, url) = {
            let mut book = bank.book.lock();
            let Some(m) = book.movements.get_mut(&id) else { return };
            m.progress = outcome.clone();
            let m = m.clone();
            if outcome == Progress::Succeeded {
                let sign = if m.subject == Subject::Funding { 1 } else { -1 };
                book.settlements.push(Settlement {
                    provider_ref: id.clone(),
                    reference: m.reference.clone(),
                    subject: m.subject,
                    amount_minor: sign * m.amount_minor,
                    currency: m.currency.clone(),
                });
            }
            let kind = match (m.subject, &outcome) {
                (Subject::Funding, Progress::Failed { .. }) => "charge.failed",
                (Subject::Funding, _) => "charge.succeeded",
                (Subject::Payout, Progress::Failed { .. }) => "payout.failed",
                (Subject::Payout, _) => "payout.paid",
            };
            let (code, message) = match &outcome {
                Progress::Failed { code, message } => (Some(code.clone()), Some(message.clone())),
                _ => (None, None),
            };
            let event = json!({
                "id": new_id("evt"),
                "object": "event",
                "type": kind,
                "created": Utc::now().timestamp(),
                "data": {"object": {
                    "id": id, "reference": m.reference, "amount_minor": m.amount_minor, "currency": m.currency,
                    "failure_code": code, "failure_message": message,
                }},
            });
            (event, book.webhook_url.clone())
        };
        deliver(&bank, url, event).await;
    });
}

async fn deliver(bank: &Bank, mut url: Option<String>, event: Value) {
    let body = event.to_string();
    let mut wait = Duration::from_millis(100);
    for _ in 0..12 {
        if url.is_none() {
            url = bank.book.lock().webhook_url.clone();
        }
        if let Some(u) = &url {
            let now = Utc::now().timestamp();
            let header = signature::header(&[bank.config.webhook_secret.as_str()], now, body.as_bytes());
            let sent = bank
                .http
                .post(u)
                .header("content-type", "application/json")
                .header(signature::HEADER, header)
                .body(body.clone())
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::warn!(status = %r.status(), "the merchant refused a sandbox event; retrying"),
                Err(e) => tracing::warn!(error = %e, "a sandbox event was not delivered; retrying"),
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    }
    tracing::error!(event = %event["id"], "a sandbox event was given up after 12 attempts");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_follow_the_table() {
        let c = SandboxConfig::default();
        let card = |n: &str| FundingMethod::Card { number: n.into(), exp_month: 12, exp_year: 2099, cvc: "123".into() };
        assert_eq!(charge_plan(&c, &card("4242 4242 4242 4242")), Ok((c.settle_ms, Progress::Succeeded)));
        assert_eq!(charge_plan(&c, &card("4000000000000259")), Ok((c.delayed_ms, Progress::Succeeded)));
        let code = |n: &str| match charge_plan(&c, &card(n)) {
            Err(Progress::Failed { code, .. }) => code,
            Ok((_, Progress::Failed { code, .. })) => format!("later: {code}"),
            other => format!("{other:?}"),
        };
        assert_eq!(code("4000000000000002"), "card_declined");
        assert_eq!(code("4000000000009995"), "insufficient_funds");
        assert_eq!(code("4000000000000341"), "later: card_declined");
        assert_eq!(code("4242424242424241"), "invalid_number");
        let expired =
            FundingMethod::Card { number: "4242424242424242".into(), exp_month: 1, exp_year: 2020, cvc: "1".into() };
        assert!(matches!(charge_plan(&c, &expired), Err(Progress::Failed { code, .. }) if code == "expired_card"));
    }
}
