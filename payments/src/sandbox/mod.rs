//! The sandbox provider: [`server`] is the bank, [`SandboxProvider`] is
//! Scout's client of it over HTTP, exactly as it would talk to a real one.

pub mod server;

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::provider::{Event, FundingRequest, PayoutRequest, Progress, Provider, Receipt, Settlement, Subject};
use crate::signature;
pub use server::SandboxConfig;

const NAME: &str = "sandbox";

/// Scout's client of a sandbox bank at `base_url`.
pub struct SandboxProvider {
    base_url: String,
    api_key: String,
    /// Secrets webhooks may be signed with (more than one during a rotation).
    webhook_secrets: Vec<String>,
    tolerance_secs: i64,
    http: reqwest::Client,
}

impl SandboxProvider {
    pub fn new(base_url: &str, api_key: &str, webhook_secrets: Vec<String>) -> SandboxProvider {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default();
        SandboxProvider {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: api_key.to_string(),
            webhook_secrets,
            tolerance_secs: signature::DEFAULT_TOLERANCE_SECS,
            http,
        }
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T> {
        let unavailable = |e: reqwest::Error| Error::Unavailable { provider: NAME, message: e.to_string() };
        let res = request.bearer_auth(&self.api_key).send().await.map_err(unavailable)?;
        let status = res.status();
        let body = res.bytes().await.map_err(unavailable)?;
        if status.is_server_error() {
            return Err(Error::Unavailable { provider: NAME, message: format!("status {status}") });
        }
        if !status.is_success() {
            #[derive(Deserialize)]
            struct Problem {
                error: Detail,
            }
            #[derive(Deserialize)]
            struct Detail {
                code: String,
                message: String,
            }
            let p: Problem = serde_json::from_slice(&body)
                .map_err(|e| Error::Protocol { provider: NAME, message: format!("status {status}: {e}") })?;
            return Err(Error::Refused { provider: NAME, code: p.error.code, message: p.error.message });
        }
        serde_json::from_slice(&body).map_err(|e| Error::Protocol { provider: NAME, message: e.to_string() })
    }
}

#[async_trait::async_trait]
impl Provider for SandboxProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn fund(&self, r: &FundingRequest) -> Result<Receipt> {
        let body = server::ChargeBody {
            amount_minor: r.amount.amount_minor,
            currency: r.amount.currency.as_str().to_string(),
            method: r.method.clone(),
            reference: r.reference.clone(),
        };
        let req = self.http.post(format!("{}/v1/charges", self.base_url));
        self.send(req.header("idempotency-key", &r.idempotency_key).json(&body)).await
    }

    async fn refund(&self, idempotency_key: &str, provider_ref: &str) -> Result<Receipt> {
        let req = self.http.post(format!("{}/v1/charges/{provider_ref}/refunds", self.base_url));
        self.send(req.header("idempotency-key", idempotency_key)).await
    }

    async fn payout(&self, r: &PayoutRequest) -> Result<Receipt> {
        let body = server::PayoutBody {
            amount_minor: r.amount.amount_minor,
            currency: r.amount.currency.as_str().to_string(),
            destination: r.destination.clone(),
            reference: r.reference.clone(),
        };
        let req = self.http.post(format!("{}/v1/payouts", self.base_url));
        self.send(req.header("idempotency-key", &r.idempotency_key).json(&body)).await
    }

    async fn payout_status(&self, provider_ref: &str) -> Result<Receipt> {
        self.send(self.http.get(format!("{}/v1/payouts/{provider_ref}", self.base_url))).await
    }

    async fn settlements(&self) -> Result<Vec<Settlement>> {
        self.send(self.http.get(format!("{}/v1/settlements", self.base_url))).await
    }

    async fn register_webhook(&self, url: &str) -> Result<()> {
        let req = self.http.post(format!("{}/v1/webhook_endpoints", self.base_url));
        let _: serde_json::Value = self.send(req.json(&serde_json::json!({"url": url}))).await?;
        Ok(())
    }

    fn parse_webhook(&self, signature_header: &str, body: &[u8], now: i64) -> Result<Event> {
        let secrets: Vec<&str> = self.webhook_secrets.iter().map(String::as_str).collect();
        signature::verify(signature_header, body, &secrets, now, self.tolerance_secs)?;
        read_event(body)
    }
}

/// Reads a sandbox event (`charge.succeeded`, `charge.failed`,
/// `payout.paid`, `payout.failed`); its signature was checked.
fn read_event(body: &[u8]) -> Result<Event> {
    #[derive(Deserialize)]
    struct Envelope {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        object: Object,
    }
    #[derive(Deserialize)]
    struct Object {
        id: String,
        reference: String,
        failure_code: Option<String>,
        failure_message: Option<String>,
    }
    let e: Envelope = serde_json::from_slice(body).map_err(|e| Error::Event { message: e.to_string() })?;
    let failed = || Progress::Failed {
        code: e.data.object.failure_code.clone().unwrap_or_else(|| "failed".into()),
        message: e.data.object.failure_message.clone().unwrap_or_default(),
    };
    let (subject, progress) = match e.kind.as_str() {
        "charge.succeeded" => (Subject::Funding, Progress::Succeeded),
        "charge.failed" => (Subject::Funding, failed()),
        "payout.paid" => (Subject::Payout, Progress::Succeeded),
        "payout.failed" => (Subject::Payout, failed()),
        other => return Err(Error::Event { message: format!("unknown event type `{other}`") }),
    };
    Ok(Event { id: e.id, provider_ref: e.data.object.id, reference: e.data.object.reference, subject, progress })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use parking_lot::Mutex;
    use scout_domain::money::{Currency, Money};

    use super::*;
    use crate::provider::{FundingMethod, PayoutDestination};

    /// A sandbox bank on a free port, a merchant endpoint that verifies and
    /// keeps every event, and the client.
    async fn bank() -> (Arc<SandboxProvider>, Arc<Mutex<Vec<Event>>>) {
        let config = SandboxConfig { settle_ms: 20, delayed_ms: 60, ..SandboxConfig::default() };
        let secret = config.webhook_secret.clone();
        let url = server::start("127.0.0.1:0", config).await.expect("sandbox");
        let client = Arc::new(SandboxProvider::new(&url, "sk_sandbox", vec![secret]));
        let events = Arc::new(Mutex::new(Vec::new()));
        let (c, seen) = (client.clone(), events.clone());
        let merchant = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
                let sig = headers.get(signature::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
                match c.parse_webhook(sig, &body, chrono::Utc::now().timestamp()) {
                    Ok(e) => {
                        seen.lock().push(e);
                        axum::http::StatusCode::OK
                    }
                    Err(_) => axum::http::StatusCode::BAD_REQUEST,
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let hook = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, merchant).await });
        client.register_webhook(&hook).await.expect("register");
        (client, events)
    }

    async fn wait_for(events: &Mutex<Vec<Event>>, n: usize) -> Vec<Event> {
        for _ in 0..200 {
            if events.lock().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        events.lock().clone()
    }

    fn card(number: &str) -> FundingMethod {
        FundingMethod::Card { number: number.into(), exp_month: 12, exp_year: 2099, cvc: "123".into() }
    }

    #[tokio::test]
    async fn a_charge_settles_later_with_a_signed_event_and_a_retry_is_the_same_charge() {
        let (bank, events) = bank().await;
        let request = FundingRequest {
            idempotency_key: "funding-1".into(),
            amount: Money::new(50_000, Currency::EUR),
            method: card("4242424242424242"),
            reference: "funding:1".into(),
        };
        let first = bank.fund(&request).await.expect("charge");
        assert_eq!(first.progress, Progress::Processing);
        let again = bank.fund(&request).await.expect("retry");
        assert_eq!(again, first, "the same key answers the same charge");
        let other = FundingRequest { amount: Money::new(1, Currency::EUR), ..request.clone() };
        assert!(
            matches!(bank.fund(&other).await, Err(Error::Refused { code, .. }) if code == "idempotency_key_in_use")
        );
        let seen = wait_for(&events, 1).await;
        assert_eq!(seen.len(), 1, "one charge, one event: {seen:?}");
        assert_eq!((seen[0].subject, &seen[0].progress), (Subject::Funding, &Progress::Succeeded));
        assert_eq!(
            (seen[0].provider_ref.as_str(), seen[0].reference.as_str()),
            (first.provider_ref.as_str(), "funding:1")
        );
        let settled = bank.settlements().await.expect("settlements");
        assert_eq!(settled.iter().map(|s| s.amount_minor).collect::<Vec<_>>(), vec![50_000]);
    }

    #[tokio::test]
    async fn declines_answer_at_once_and_late_failures_come_as_events() {
        let (bank, events) = bank().await;
        let mut request = FundingRequest {
            idempotency_key: "k1".into(),
            amount: Money::new(1_000, Currency::USD),
            method: card("4000000000009995"),
            reference: "funding:2".into(),
        };
        let declined = bank.fund(&request).await.expect("answer");
        assert!(matches!(declined.progress, Progress::Failed { ref code, .. } if code == "insufficient_funds"));
        request.idempotency_key = "k2".into();
        request.method = card("4000000000000341");
        assert_eq!(bank.fund(&request).await.expect("answer").progress, Progress::Processing);
        let payout = PayoutRequest {
            idempotency_key: "p1".into(),
            amount: Money::new(700, Currency::USD),
            destination: PayoutDestination::UsBank {
                routing: "110000000".into(),
                account: "000111111116".into(),
                holder: "A".into(),
            },
            reference: "payout:1".into(),
        };
        let sent = bank.payout(&payout).await.expect("payout");
        let seen = wait_for(&events, 2).await;
        let failures: Vec<(Subject, String)> = seen
            .iter()
            .filter_map(|e| match &e.progress {
                Progress::Failed { code, .. } => Some((e.subject, code.clone())),
                _ => None,
            })
            .collect();
        assert!(failures.contains(&(Subject::Funding, "card_declined".into())), "{seen:?}");
        assert!(failures.contains(&(Subject::Payout, "account_closed".into())), "{seen:?}");
        assert!(matches!(
            bank.payout_status(&sent.provider_ref).await.expect("status").progress,
            Progress::Failed { .. }
        ));
        assert!(bank.settlements().await.expect("settlements").is_empty(), "nothing failed settles");
    }
}
