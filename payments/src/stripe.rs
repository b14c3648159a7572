//! Stripe as a [`Provider`]: funding with PaymentIntents, payouts as Connect
//! transfers to the creator's connected account, refunds, balance
//! transactions for reconciliation, and webhooks verified as Stripe
//! specifies ([`crate::signature`]). Requests are form-encoded, with nested
//! keys in brackets (`metadata[reference]=…`), `Authorization: Bearer
//! sk_…`, a pinned `Stripe-Version`, and the `Idempotency-Key` of the
//! caller on every request that moves money.
//!
//! Stripe cannot be reached from Scout's test machines: the tests check the
//! requests' shape against Stripe's documented parameters on a local HTTP
//! server standing in for `api.stripe.com`, and the signature scheme
//! against independently computed values.

use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::provider::{
    Event, FundingMethod, FundingRequest, PayoutDestination, PayoutRequest, Progress, Provider, Receipt, Settlement,
    Subject,
};
use crate::signature;

const NAME: &str = "stripe";
/// The API version Scout's requests and event parsing follow.
pub const STRIPE_VERSION: &str = "2024-06-20";

pub struct StripeProvider {
    base_url: String,
    secret_key: String,
    webhook_secrets: Vec<String>,
    http: reqwest::Client,
}

impl StripeProvider {
    /// `base_url` is `https://api.stripe.com` in production.
    pub fn new(base_url: &str, secret_key: &str, webhook_secrets: Vec<String>) -> StripeProvider {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap_or_default();
        StripeProvider {
            base_url: base_url.trim_end_matches('/').to_string(),
            secret_key: secret_key.to_string(),
            webhook_secrets,
            http,
        }
    }

    async fn post(&self, path: &str, key: &str, form: &[(String, String)]) -> Result<serde_json::Value> {
        let body = serde_urlencoded::to_string(form)
            .map_err(|e| Error::Protocol { provider: NAME, message: e.to_string() })?;
        let req = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("idempotency-key", key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<serde_json::Value> {
        let unavailable = |e: reqwest::Error| Error::Unavailable { provider: NAME, message: e.to_string() };
        let res = req
            .bearer_auth(&self.secret_key)
            .header("stripe-version", STRIPE_VERSION)
            .send()
            .await
            .map_err(unavailable)?;
        let status = res.status();
        let body: serde_json::Value =
            res.json().await.map_err(|e| Error::Protocol { provider: NAME, message: e.to_string() })?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Error::Unavailable { provider: NAME, message: format!("status {status}") });
        }
        if !status.is_success() {
            let e = &body["error"];
            let code = e["decline_code"].as_str().or(e["code"].as_str()).unwrap_or("stripe_error").to_string();
            return Err(Error::Refused {
                provider: NAME,
                code,
                message: e["message"].as_str().unwrap_or("").to_string(),
            });
        }
        Ok(body)
    }
}

/// The form of a PaymentIntent confirmed at once with a saved payment method.
pub fn payment_intent_form(r: &FundingRequest) -> Result<Vec<(String, String)>> {
    let FundingMethod::PaymentMethod { token } = &r.method else {
        return Err(Error::Refused {
            provider: NAME,
            code: "payment_method_required".into(),
            message: "Stripe takes a payment method token from Stripe.js, never card numbers".into(),
        });
    };
    Ok(vec![
        ("amount".into(), r.amount.amount_minor.to_string()),
        ("currency".into(), r.amount.currency.as_str().to_ascii_lowercase()),
        ("payment_method".into(), token.clone()),
        ("confirm".into(), "true".into()),
        ("automatic_payment_methods[enabled]".into(), "true".into()),
        ("automatic_payment_methods[allow_redirects]".into(), "never".into()),
        ("metadata[reference]".into(), r.reference.clone()),
    ])
}

/// The form of a Connect transfer to the creator's connected account.
pub fn transfer_form(r: &PayoutRequest) -> Result<Vec<(String, String)>> {
    let PayoutDestination::StripeAccount { account } = &r.destination else {
        return Err(Error::Refused {
            provider: NAME,
            code: "destination_unsupported".into(),
            message: "Stripe pays creators through their connected account".into(),
        });
    };
    Ok(vec![
        ("amount".into(), r.amount.amount_minor.to_string()),
        ("currency".into(), r.amount.currency.as_str().to_ascii_lowercase()),
        ("destination".into(), account.clone()),
        ("transfer_group".into(), r.reference.clone()),
        ("metadata[reference]".into(), r.reference.clone()),
    ])
}

fn progress_of_intent(v: &serde_json::Value) -> Progress {
    match v["status"].as_str() {
        Some("succeeded") => Progress::Succeeded,
        Some("canceled" | "requires_payment_method") => {
            let e = &v["last_payment_error"];
            Progress::Failed {
                code: e["decline_code"].as_str().or(e["code"].as_str()).unwrap_or("payment_failed").into(),
                message: e["message"].as_str().unwrap_or("the payment failed").into(),
            }
        }
        _ => Progress::Processing,
    }
}

fn receipt(v: &serde_json::Value, progress: Progress) -> Result<Receipt> {
    let id = v["id"].as_str().ok_or(Error::Protocol { provider: NAME, message: "an object without an id".into() })?;
    Ok(Receipt { provider_ref: id.to_string(), progress })
}

#[async_trait::async_trait]
impl Provider for StripeProvider {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn fund(&self, r: &FundingRequest) -> Result<Receipt> {
        let v = self.post("/v1/payment_intents", &r.idempotency_key, &payment_intent_form(r)?).await?;
        receipt(&v, progress_of_intent(&v))
    }

    async fn refund(&self, idempotency_key: &str, provider_ref: &str) -> Result<Receipt> {
        let form = vec![("payment_intent".to_string(), provider_ref.to_string())];
        let v = self.post("/v1/refunds", idempotency_key, &form).await?;
        let progress = if v["status"] == "succeeded" { Progress::Succeeded } else { Progress::Processing };
        receipt(&v, progress)
    }

    async fn payout(&self, r: &PayoutRequest) -> Result<Receipt> {
        // A transfer lands in the connected account's balance at once; Stripe
        // pays it out to the creator's bank on that account's own schedule.
        let v = self.post("/v1/transfers", &r.idempotency_key, &transfer_form(r)?).await?;
        receipt(&v, Progress::Succeeded)
    }

    async fn payout_status(&self, provider_ref: &str) -> Result<Receipt> {
        let v = self.send(self.http.get(format!("{}/v1/transfers/{provider_ref}", self.base_url))).await?;
        let progress = if v["reversed"] == true {
            Progress::Failed { code: "transfer_reversed".into(), message: "the transfer was reversed".into() }
        } else {
            Progress::Succeeded
        };
        receipt(&v, progress)
    }

    async fn settlements(&self) -> Result<Vec<Settlement>> {
        let v = self.send(self.http.get(format!("{}/v1/balance_transactions?limit=100", self.base_url))).await?;
        let items = v["data"].as_array().cloned().unwrap_or_default();
        Ok(items
            .iter()
            .filter_map(|t| {
                let subject = match t["type"].as_str()? {
                    "charge" | "payment" | "refund" => Subject::Funding,
                    "transfer" => Subject::Payout,
                    _ => return None,
                };
                Some(Settlement {
                    provider_ref: t["source"].as_str()?.to_string(),
                    reference: String::new(),
                    subject,
                    amount_minor: t["amount"].as_i64()?,
                    currency: t["currency"].as_str()?.to_ascii_uppercase(),
                })
            })
            .collect())
    }

    async fn register_webhook(&self, _url: &str) -> Result<()> {
        // Set once in Stripe's dashboard (or its API) with the endpoint's secret.
        Ok(())
    }

    fn parse_webhook(&self, signature_header: &str, body: &[u8], now: i64) -> Result<Event> {
        let secrets: Vec<&str> = self.webhook_secrets.iter().map(String::as_str).collect();
        signature::verify(signature_header, body, &secrets, now, signature::DEFAULT_TOLERANCE_SECS)?;
        read_event(body)
    }
}

/// Reads the Stripe events Scout listens to.
pub fn read_event(body: &[u8]) -> Result<Event> {
    #[derive(Deserialize)]
    struct Envelope {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        object: serde_json::Value,
    }
    let e: Envelope = serde_json::from_slice(body).map_err(|e| Error::Event { message: e.to_string() })?;
    let object = &e.data.object;
    let (subject, progress) = match e.kind.as_str() {
        "payment_intent.succeeded" => (Subject::Funding, Progress::Succeeded),
        "payment_intent.payment_failed" | "payment_intent.canceled" => (Subject::Funding, progress_of_intent(object)),
        "transfer.created" => (Subject::Payout, Progress::Succeeded),
        "transfer.reversed" => (
            Subject::Payout,
            Progress::Failed { code: "transfer_reversed".into(), message: "the transfer was reversed".into() },
        ),
        other => return Err(Error::Event { message: format!("an event Scout does not read: `{other}`") }),
    };
    let provider_ref = object["id"].as_str().ok_or(Error::Event { message: "the object has no id".into() })?;
    let reference = object["metadata"]["reference"].as_str().unwrap_or_default();
    Ok(Event { id: e.id, provider_ref: provider_ref.into(), reference: reference.into(), subject, progress })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use parking_lot::Mutex;
    use scout_domain::money::{Currency, Money};

    use super::*;

    fn funding() -> FundingRequest {
        FundingRequest {
            idempotency_key: "scout-funding-7".into(),
            amount: Money::new(50_000, Currency::EUR),
            method: FundingMethod::PaymentMethod { token: "pm_card_visa".into() },
            reference: "funding:7".into(),
        }
    }

    #[test]
    fn requests_are_form_encoded_as_stripe_documents_them() {
        let form = serde_urlencoded::to_string(payment_intent_form(&funding()).expect("form")).expect("encode");
        assert_eq!(
            form,
            "amount=50000&currency=eur&payment_method=pm_card_visa&confirm=true\
             &automatic_payment_methods%5Benabled%5D=true&automatic_payment_methods%5Ballow_redirects%5D=never\
             &metadata%5Breference%5D=funding%3A7"
        );
        let card = FundingRequest {
            method: FundingMethod::Card {
                number: "4242424242424242".into(),
                exp_month: 1,
                exp_year: 2030,
                cvc: "1".into(),
            },
            ..funding()
        };
        assert!(payment_intent_form(&card).is_err(), "raw card numbers never go to Stripe from Scout");
        let payout = PayoutRequest {
            idempotency_key: "scout-payout-3".into(),
            amount: Money::new(1_500, Currency::parse("JPY").expect("JPY")),
            destination: PayoutDestination::StripeAccount { account: "acct_1Nv0FGQ9RKHgCVdK".into() },
            reference: "payout:3".into(),
        };
        let form = serde_urlencoded::to_string(transfer_form(&payout).expect("form")).expect("encode");
        assert_eq!(
            form,
            "amount=1500&currency=jpy&destination=acct_1Nv0FGQ9RKHgCVdK&transfer_group=payout%3A3&metadata%5Breference%5D=payout%3A3",
            "zero-decimal currencies go as whole units, as Stripe expects"
        );
    }

    #[test]
    fn stripe_events_are_read_after_their_signature() {
        let body = br#"{"id":"evt_3MtwBwLkdIwHu7ix28a3tqPa","object":"event","api_version":"2024-06-20","type":"payment_intent.succeeded",
            "data":{"object":{"id":"pi_3MtwBwLkdIwHu7ix28a3tqPc","object":"payment_intent","amount":2000,"currency":"usd",
            "status":"succeeded","metadata":{"reference":"funding:9"}}}}"#;
        let stripe = StripeProvider::new("http://127.0.0.1:9", "sk_test", vec!["whsec_new".into(), "whsec_old".into()]);
        let header = signature::header(&["whsec_old"], 1_700_000_000, body);
        let e = stripe.parse_webhook(&header, body, 1_700_000_100).expect("event");
        assert_eq!(
            (e.provider_ref.as_str(), e.reference.as_str(), e.progress),
            ("pi_3MtwBwLkdIwHu7ix28a3tqPc", "funding:9", Progress::Succeeded)
        );
        assert!(stripe.parse_webhook(&header, body, 1_700_000_400).is_err(), "past the 300 s tolerance");
        let failed = br#"{"id":"evt_2","type":"payment_intent.payment_failed","data":{"object":{"id":"pi_2","status":"requires_payment_method",
            "last_payment_error":{"code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}}}"#;
        let e = read_event(failed).expect("event");
        assert!(matches!(e.progress, Progress::Failed { ref code, .. } if code == "insufficient_funds"));
        assert!(read_event(br#"{"id":"evt_3","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#).is_err());
    }

    /// A local stand-in for api.stripe.com records what Scout sends.
    #[tokio::test]
    async fn every_request_carries_the_key_the_version_and_the_idempotency_key() {
        let seen = Arc::new(Mutex::new(Vec::<(String, String, String, String, String)>::new()));
        let log = seen.clone();
        let api = axum::Router::new().route(
            "/v1/payment_intents",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                log.lock().push((
                    h("authorization"),
                    h("stripe-version"),
                    h("idempotency-key"),
                    h("content-type"),
                    String::from_utf8_lossy(&body).into(),
                ));
                axum::Json(serde_json::json!({"id": "pi_123", "object": "payment_intent", "status": "processing"}))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, api).await });
        let stripe = StripeProvider::new(&url, "sk_test_123", vec![]);
        let receipt = stripe.fund(&funding()).await.expect("fund");
        assert_eq!((receipt.provider_ref.as_str(), receipt.progress), ("pi_123", Progress::Processing));
        let (auth, version, key, content_type, body) = seen.lock()[0].clone();
        assert_eq!(auth, "Bearer sk_test_123");
        assert_eq!(version, STRIPE_VERSION);
        assert_eq!(key, "scout-funding-7");
        assert_eq!(content_type, "application/x-www-form-urlencoded");
        assert!(body.starts_with("amount=50000&currency=eur"), "{body}");
    }
}
