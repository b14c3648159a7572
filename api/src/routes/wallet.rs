//! A brand's money (`scout_app::money`): its wallet balances and fundings
//! through the payment provider, and the provider's webhooks.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use scout_app::money::{
    Balances, BillingDetails, BrandSpend, Buyer, FundingInput, InvoiceLineOut, PlatformBooks, WebhookOutcome,
    invoice_number,
};
use scout_domain::money::{Currency, Money};
use scout_payments::FundingMethod;
use scout_store::{Funding, Invoice};
use serde::{Deserialize, Serialize};

use crate::auth::{OrgContext, PartyContext};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query, parse_id};
use crate::routes::negotiations::page;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/wallet", get(wallet))
        .route("/v1/wallet/fundings", get(list_fundings).post(fund))
        .route("/v1/wallet/fundings/{id}", get(get_funding))
        .route("/v1/webhooks/{provider}", post(webhook))
        .route("/v1/invoices", get(list_invoices))
        .route("/v1/invoices/{id}", get(get_invoice))
        .route("/v1/invoices/{id}/invoice.pdf", get(invoice_pdf))
        .route("/v1/orgs/current/billing", get(get_billing).put(put_billing))
        .route("/v1/wallet/spend", get(spend))
        .route("/v1/admin/books", get(books))
        .route("/v1/admin/fx-rates", post(import_rates))
        .route("/v1/admin/orgs/{id}/plan", axum::routing::put(set_plan))
}

/// What an import of rates stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatesImported {
    /// The day the source quoted ("26 September 2024").
    pub date: String,
    pub currencies: usize,
}

/// Imports a day of ECB reference rates (platform admins): the body is the
/// ECB's `eurofxref.csv` (`Date, USD, JPY, …` then one row of rates per euro).
#[utoipa::path(post, path = "/v1/admin/fx-rates", tag = "payments", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = RatesImported)))]
pub async fn import_rates(
    State(state): State<AppState>,
    user: crate::auth::AuthUser,
    body: String,
) -> ApiResult<axum::Json<RatesImported>> {
    let (date, currencies) = state.app.import_rates(&user, &body, "ECB reference rates").await?;
    Ok(axum::Json(RatesImported { date, currencies }))
}

/// An organisation's plan.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// `starter` (10% fee), `growth` (8%) or `enterprise` (5%).
    pub plan: scout_ledger::Plan,
}

/// Sets an organisation's plan (platform admins); contracts made from then on carry its fee.
#[utoipa::path(put, path = "/v1/admin/orgs/{id}/plan", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "organisation id")), request_body = PlanBody,
    responses((status = 200, body = PlanBody)))]
pub async fn set_plan(
    State(state): State<AppState>,
    user: crate::auth::AuthUser,
    Path(id): Path<String>,
    Json(body): Json<PlanBody>,
) -> ApiResult<axum::Json<PlanBody>> {
    let plan = state.app.set_plan(&user, parse_id(&id, "id")?, body.plan.as_str()).await?;
    Ok(axum::Json(PlanBody { plan }))
}

/// The acting organisation's spend: funded, in escrow, released, refunded;
/// by campaign, currency and month.
#[utoipa::path(get, path = "/v1/wallet/spend", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = BrandSpend)))]
pub async fn spend(State(state): State<AppState>, org: OrgContext) -> ApiResult<axum::Json<BrandSpend>> {
    Ok(axum::Json(state.app.brand_spend(&org).await?))
}

/// The platform's books (platform admins): fee revenue, what Scout owes
/// against the cash it holds at providers, per currency, and the
/// reconciliation of the ledger against the provider's settlements.
#[utoipa::path(get, path = "/v1/admin/books", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = PlatformBooks)))]
pub async fn books(State(state): State<AppState>, user: crate::auth::AuthUser) -> ApiResult<axum::Json<PlatformBooks>> {
    Ok(axum::Json(state.app.platform_books(&user).await?))
}

/// An invoice (a released milestone) or a receipt (a funding).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceOut {
    pub id: i64,
    /// `INV-0042-000007` / `RCT-…`: the organisation's sequence, without gaps.
    pub number: String,
    pub sequence: i64,
    /// `invoice` or `receipt`.
    pub kind: String,
    pub brand_org_id: i64,
    pub contract_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub lines: Vec<InvoiceLineOut>,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub total: Money,
    /// VAT included in the total, at the organisation's rate (basis points), when it set one.
    pub vat_rate_bps: Option<u32>,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub vat: Money,
    pub buyer: Buyer,
    pub issued_at: DateTime<Utc>,
}

impl TryFrom<Invoice> for InvoiceOut {
    type Error = ApiError;
    fn try_from(i: Invoice) -> Result<Self, ApiError> {
        let corrupt = |_| ApiError::new(scout_domain::ErrorCode::Internal, "an invoice could not be read");
        Ok(InvoiceOut {
            number: invoice_number(&i),
            id: i.id,
            sequence: i.number,
            kind: i.kind,
            brand_org_id: i.org_id,
            contract_id: i.contract_id,
            creator_id: i.creator_id,
            lines: serde_json::from_str(&i.lines).map_err(corrupt)?,
            total: Money::new(i.total_minor, i.currency),
            vat_rate_bps: i.vat_rate_bps,
            vat: Money::new(i.vat_minor, i.currency),
            buyer: serde_json::from_str(&i.buyer).map_err(corrupt)?,
            issued_at: i.issued_at,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceList {
    pub invoices: Vec<InvoiceOut>,
}

/// The caller's invoices and receipts: a brand's, in its sequence; a creator's, about their work.
#[utoipa::path(get, path = "/v1/invoices", tag = "payments", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = InvoiceList)))]
pub async fn list_invoices(
    State(state): State<AppState>,
    party: PartyContext,
    Query(params): Query<PageParams>,
) -> ApiResult<axum::Json<InvoiceList>> {
    let (limit, offset) = page(params.limit, params.offset)?;
    let found = state.app.invoices(&party, offset, limit).await?;
    Ok(axum::Json(InvoiceList { invoices: found.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()? }))
}

/// One invoice or receipt as JSON.
#[utoipa::path(get, path = "/v1/invoices/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "invoice id")),
    responses((status = 200, body = InvoiceOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_invoice(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<InvoiceOut>> {
    Ok(axum::Json(state.app.invoice(&party, parse_id(&id, "id")?).await?.try_into()?))
}

/// One invoice or receipt as a PDF.
#[utoipa::path(get, path = "/v1/invoices/{id}/invoice.pdf", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "invoice id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (pdf, name) = state.app.invoice_pdf(&party, parse_id(&id, "id")?).await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)], pdf)
        .into_response())
}

/// The acting organisation's billing details (what its invoices name it as).
#[utoipa::path(get, path = "/v1/orgs/current/billing", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = BillingDetails)))]
pub async fn get_billing(State(state): State<AppState>, org: OrgContext) -> ApiResult<axum::Json<BillingDetails>> {
    Ok(axum::Json(state.app.billing(&org).await?))
}

/// Sets the billing details (owners and admins); documents issued later use them.
#[utoipa::path(put, path = "/v1/orgs/current/billing", tag = "payments", security(("bearer" = [])),
    request_body = BillingDetails, responses((status = 200, body = BillingDetails)))]
pub async fn put_billing(
    State(state): State<AppState>,
    org: OrgContext,
    Json(body): Json<BillingDetails>,
) -> ApiResult<axum::Json<BillingDetails>> {
    Ok(axum::Json(state.app.set_billing(&org, body).await?))
}

/// How the brand pays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FundingMethodIn {
    /// A card (the sandbox's test cards: `4242 4242 4242 4242` succeeds,
    /// `4000 0000 0000 0002` is declined, `4000 0000 0000 9995` has insufficient funds).
    Card {
        #[schema(min_length = 12, max_length = 23, pattern = "^[0-9 ]{12,23}$", example = "4242 4242 4242 4242")]
        number: String,
        #[schema(minimum = 1, maximum = 12)]
        exp_month: u32,
        #[schema(minimum = 2000, maximum = 2100)]
        exp_year: u32,
        #[schema(min_length = 3, max_length = 4, pattern = "^[0-9]{3,4}$")]
        cvc: String,
    },
    /// A payment method the provider's own form collected (Stripe's `pm_…`).
    PaymentMethod {
        #[schema(min_length = 1, max_length = 255)]
        token: String,
    },
    /// A bank transfer: settles after a while.
    BankTransfer,
}

/// Money to pay into the wallet. Send an `Idempotency-Key` header: the same
/// key and body answer the first funding, with another body `409`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingBody {
    /// Minor units (cents): 1 to 1,000,000,000.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub amount_minor: i64,
    /// ISO 4217 code.
    #[schema(min_length = 3, max_length = 3, example = "EUR")]
    pub currency: String,
    pub method: FundingMethodIn,
}

/// A funding of the wallet and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FundingOut {
    pub id: i64,
    #[schema(value_type = scout_domain::money::MoneyAmount)]
    pub amount: Money,
    /// `created`, `processing` (the provider settles it), `succeeded` or `failed`.
    pub status: String,
    /// `card`, `payment_method` or `bank_transfer`, and words for it.
    pub method: String,
    pub method_summary: String,
    pub provider: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Funding> for FundingOut {
    fn from(f: Funding) -> Self {
        FundingOut {
            id: f.id,
            amount: f.amount,
            status: f.status,
            method: f.method,
            method_summary: f.method_summary,
            provider: f.provider,
            failure_code: f.failure_code,
            failure_message: f.failure_message,
            requested_by: f.requested_by,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FundingList {
    pub fundings: Vec<FundingOut>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

/// The caller's `Idempotency-Key` header ('' when absent: the use case refuses it).
pub(crate) fn idempotency_key(headers: &HeaderMap) -> String {
    headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().trim().to_string()
}

/// The acting organisation's balances: its wallet in each currency.
#[utoipa::path(get, path = "/v1/wallet", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Balances)))]
pub async fn wallet(State(state): State<AppState>, org: OrgContext) -> ApiResult<axum::Json<Balances>> {
    Ok(axum::Json(state.app.org_balances(&org).await?))
}

/// Pays money into the wallet through the payment provider. Answers `202`
/// with the funding `processing` (the provider's signed webhook settles it
/// and contracts waiting for the money start), or `402 payment_declined`.
#[utoipa::path(post, path = "/v1/wallet/fundings", tag = "payments", security(("bearer" = [])), request_body = FundingBody,
    params(("Idempotency-Key" = String, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$",
        description = "a unique key per funding (visible ASCII, up to 255 characters); a retry sends the same")),
    responses((status = 202, body = FundingOut),
        (status = 402, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn fund(
    State(state): State<AppState>,
    org: OrgContext,
    headers: HeaderMap,
    Json(body): Json<FundingBody>,
) -> ApiResult<(StatusCode, axum::Json<FundingOut>)> {
    let currency: Currency = body
        .currency
        .parse()
        .map_err(|_| ApiError::new(scout_domain::ErrorCode::BadParameter, "currency: an ISO 4217 code"))?;
    let method = match body.method {
        FundingMethodIn::Card { number, exp_month, exp_year, cvc } => {
            FundingMethod::Card { number, exp_month, exp_year, cvc }
        }
        FundingMethodIn::PaymentMethod { token } => FundingMethod::PaymentMethod { token },
        FundingMethodIn::BankTransfer => FundingMethod::BankTransfer,
    };
    let input = FundingInput {
        amount: Money::new(body.amount_minor, currency),
        method,
        idempotency_key: idempotency_key(&headers),
    };
    let funding = state.app.fund_wallet(&org, input).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(funding.into())))
}

/// The acting organisation's fundings, newest first.
#[utoipa::path(get, path = "/v1/wallet/fundings", tag = "payments", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = FundingList)))]
pub async fn list_fundings(
    State(state): State<AppState>,
    org: OrgContext,
    Query(params): Query<PageParams>,
) -> ApiResult<axum::Json<FundingList>> {
    let (limit, offset) = page(params.limit, params.offset)?;
    let found = state.app.fundings(&org, offset, limit).await?;
    Ok(axum::Json(FundingList { fundings: found.into_iter().map(Into::into).collect() }))
}

/// One funding.
#[utoipa::path(get, path = "/v1/wallet/fundings/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "funding id")),
    responses((status = 200, body = FundingOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_funding(
    State(state): State<AppState>,
    org: OrgContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<FundingOut>> {
    Ok(axum::Json(state.app.funding(&org, parse_id(&id, "id")?).await?.into()))
}

/// What Scout answers a provider.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookAck {
    /// `applied`, or `duplicate` for an event applied before.
    pub outcome: String,
}

/// A payment provider's event, signed as Stripe signs (`Stripe-Signature:
/// t=…,v1=…`, HMAC-SHA256 over `t.body`, 300 s tolerance). A signature that
/// does not hold answers `401 webhook_signature_invalid`, a signed body that
/// is not an event `400 webhook_invalid`; an event seen before changes nothing.
#[utoipa::path(post, path = "/v1/webhooks/{provider}", tag = "payments", security(("webhook_signature" = [])),
    params(("provider" = String, Path, description = "`sandbox`")),
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = WebhookAck)))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<WebhookAck>> {
    let signature =
        headers.get(scout_payments::signature::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let outcome = state.app.apply_webhook(&provider, &signature, &body).await?;
    let outcome = match outcome {
        WebhookOutcome::Applied => "applied",
        WebhookOutcome::Duplicate => "duplicate",
    };
    Ok(axum::Json(WebhookAck { outcome: outcome.into() }))
}
