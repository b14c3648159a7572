//! Contracts: made from an accepted offer; both sides sign; the creator hands
//! in milestones, the brand approves them or asks for a revision (or Scout
//! approves them once the review window has passed); either side disputes a
//! milestone and an administrator settles it (`scout_app::deals`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use scout_app::money::ContractMoney;
use scout_domain::ErrorCode;
use scout_domain::money::Money;
use scout_market::{ContractStatus, MilestoneStatus, Resolution, Side, Terms};
use scout_store::{ContractStepRecord, StoredContract};
use serde::{Deserialize, Serialize};

use crate::auth::PartyContext;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json, Query, parse_id};
use crate::routes::negotiations::{ListParams, ReasonBody, page};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/contracts", get(list_contracts))
        .route("/v1/contracts/{id}", get(get_contract))
        .route("/v1/contracts/{id}/terms.txt", get(terms_text))
        .route("/v1/contracts/{id}/contract.pdf", get(contract_pdf))
        .route("/v1/contracts/{id}/steps", get(steps))
        .route("/v1/contracts/{id}/sign", post(sign))
        .route("/v1/contracts/{id}/cancel", post(cancel))
        .route("/v1/contracts/{id}/milestones/{index}/submit", post(submit))
        .route("/v1/contracts/{id}/milestones/{index}/approve", post(approve))
        .route("/v1/contracts/{id}/milestones/{index}/request-revision", post(request_revision))
        .route("/v1/contracts/{id}/milestones/{index}/dispute", post(dispute))
        .route("/v1/contracts/{id}/milestones/{index}/resolve", post(resolve))
}

/// A signature on a contract.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignatureOut {
    pub side: Side,
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: Option<String>,
    pub signed_at: DateTime<Utc>,
}

/// One milestone: a piece of work and its price.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneOut {
    /// Its place in the contract, from 0 (the path of its steps uses it).
    pub index: usize,
    pub title: String,
    pub amount: Money,
    pub due_on: NaiveDate,
    pub status: MilestoneStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    /// When Scout approves it if the brand has not answered.
    pub auto_approves_at: Option<DateTime<Utc>>,
    /// Past its due date and not handed in.
    pub overdue: bool,
    pub revisions: u32,
    pub resolution: Option<Resolution>,
    /// What a resolution gave the creator (minor units, before the fee).
    pub creator_share_minor: Option<i64>,
    /// Links to the content, as last handed in.
    pub links: Vec<String>,
    pub note: String,
}

/// A contract between a brand and a creator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContractOut {
    pub id: i64,
    pub negotiation_id: Option<i64>,
    pub campaign_id: i64,
    pub brand_org_id: i64,
    pub profile_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub status: ContractStatus,
    pub offer_version: u32,
    pub revision: i64,
    pub total: Money,
    /// Money still held in escrow for it, in minor units.
    pub unreleased_minor: i64,
    pub funded: bool,
    pub review_days: u32,
    pub terms: Terms,
    /// The template version of the contract's text and the BLAKE3 hash of the text both sides signed.
    pub terms_version: String,
    pub terms_hash: String,
    pub signatures: Vec<SignatureOut>,
    pub milestones: Vec<MilestoneOut>,
    /// The money: Scout's fee as signed, what the creator receives, escrow,
    /// released and refunded amounts, and what funding still lacks.
    pub money: ContractMoney,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contract as the API answers it, with its money.
async fn contract_response(state: &AppState, k: StoredContract) -> ApiResult<ContractOut> {
    let money = state.app.contract_money(&k).await?;
    Ok(contract_out(k, state.app.clock().today(), money))
}

fn contract_out(k: StoredContract, today: NaiveDate, money: ContractMoney) -> ContractOut {
    let overdue = k.contract.overdue(today);
    let window = chrono::Duration::days(i64::from(k.contract.review_days));
    let milestones = k
        .contract
        .milestones
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let submission = k.submissions.get(index).cloned().unwrap_or_default();
            MilestoneOut {
                index,
                title: m.title.clone(),
                amount: m.amount,
                due_on: m.due_on,
                status: m.status,
                submitted_at: m.submitted_at,
                auto_approves_at: (m.status == MilestoneStatus::Submitted)
                    .then(|| m.submitted_at.map(|at| at + window))
                    .flatten(),
                overdue: overdue.contains(&index),
                revisions: m.revisions,
                resolution: m.resolution,
                creator_share_minor: m.creator_share_minor,
                links: submission.links,
                note: submission.note,
            }
        })
        .collect();
    ContractOut {
        id: k.id,
        negotiation_id: k.negotiation_id,
        campaign_id: k.campaign_id,
        brand_org_id: k.org_id,
        profile_id: k.profile_id,
        creator_id: k.creator_id,
        status: k.contract.status,
        offer_version: k.offer_version,
        revision: k.revision,
        total: k.contract.total(),
        unreleased_minor: if k.contract.funded && !k.contract.status.is_final() { k.contract.unreleased() } else { 0 },
        funded: k.contract.funded,
        review_days: k.contract.review_days,
        terms: k.terms,
        terms_version: k.terms_version,
        terms_hash: k.terms_hash,
        signatures: k
            .signatures
            .into_iter()
            .map(|s| SignatureOut { side: s.side, user_id: s.user_id, name: s.name, ip: s.ip, signed_at: s.signed_at })
            .collect(),
        milestones,
        money,
        created_at: k.created_at,
        updated_at: k.updated_at,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContractList {
    pub contracts: Vec<ContractOut>,
}

/// A recorded step of a contract.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepOut {
    pub milestone: Option<usize>,
    /// `sign`, `fund`, `cancel`, `submit`, `approve`, `request_revision`, `dispute`, `resolve`, `auto_approve`.
    pub kind: String,
    /// `brand`, `creator`, `admin` or `system`.
    pub actor: String,
    pub user_id: Option<i64>,
    pub detail: String,
    pub at: DateTime<Utc>,
}

impl From<ContractStepRecord> for StepOut {
    fn from(s: ContractStepRecord) -> Self {
        StepOut { milestone: s.milestone, kind: s.kind, actor: s.actor, user_id: s.user_id, detail: s.detail, at: s.at }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepList {
    pub steps: Vec<StepOut>,
}

/// The content of a milestone, handed in.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// Links to the content: 1–20 http(s) addresses.
    #[schema(min_items = 1, max_items = 20)]
    pub links: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// A note for the other side.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// What is wrong with a milestone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
}

/// How an administrator settles a dispute.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `release` (pay the creator), `refund` (return the money to the brand)
    /// or `split` (`to_creator_minor` to the creator, the rest to the brand).
    pub resolution: Resolution,
    /// For a split: what the creator gets, in minor units (more than 0, less than the milestone).
    #[serde(default)]
    #[schema(minimum = 1)]
    pub to_creator_minor: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// The caller's contracts.
#[utoipa::path(get, path = "/v1/contracts", tag = "contracts", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = ContractList)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    party: PartyContext,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<ContractList>> {
    let (limit, offset) = page(params.limit, params.offset)?;
    let campaign = params.campaign.map(|c| parse_id(&c.to_string(), "campaign")).transpose()?;
    let found = state.app.contracts(&party, campaign, offset, limit).await?;
    let mut contracts = Vec::with_capacity(found.len());
    for k in found {
        contracts.push(contract_response(&state, k).await?);
    }
    Ok(axum::Json(ContractList { contracts }))
}

/// One contract with its milestones and signatures.
#[utoipa::path(get, path = "/v1/contracts/{id}", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, body = ContractOut), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_contract(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ContractOut>> {
    let k = state.app.contract(&party, parse_id(&id, "id")?).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// The contract's text, as both sides sign it (its BLAKE3 hash is `terms_hash`).
#[utoipa::path(get, path = "/v1/contracts/{id}/terms.txt", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn terms_text(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let k = state.app.contract(&party, parse_id(&id, "id")?).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], k.terms_text).into_response())
}

/// The contract as a PDF: its text as signed, both signatures (name, time,
/// address) or who has yet to sign, and the terms' version and hash on
/// every page.
#[utoipa::path(get, path = "/v1/contracts/{id}/contract.pdf", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn contract_pdf(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let (pdf, name) = state.app.contract_pdf(&party, parse_id(&id, "id")?).await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)], pdf)
        .into_response())
}

/// Every step taken on the contract, with who and when.
#[utoipa::path(get, path = "/v1/contracts/{id}/steps", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, body = StepList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn steps(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<StepList>> {
    let id = parse_id(&id, "id")?;
    let found = state.app.contract_steps(&party, id).await?;
    Ok(axum::Json(StepList { steps: found.into_iter().map(Into::into).collect() }))
}

/// Signs for the caller's side, with their name, the time and their address.
#[utoipa::path(post, path = "/v1/contracts/{id}/sign", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")),
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn sign(
    State(state): State<AppState>,
    party: PartyContext,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ContractOut>> {
    let k = state.app.sign_contract(&party, parse_id(&id, "id")?, ip.as_deref()).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// Cancels the contract (either side before work is handed in; administrators later).
#[utoipa::path(post, path = "/v1/contracts/{id}/cancel", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id")), request_body = ReasonBody,
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    party: PartyContext,
    Path(id): Path<String>,
    Json(body): Json<ReasonBody>,
) -> ApiResult<axum::Json<ContractOut>> {
    let k = state.app.cancel_contract(&party, parse_id(&id, "id")?, &body.reason).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

fn milestone_index(raw: &str) -> ApiResult<usize> {
    raw.parse()
        .ok()
        .filter(|i| *i < scout_market::campaign::MAX_DELIVERABLES)
        .ok_or_else(|| ApiError::new(ErrorCode::BadParameter, format!("index: `{raw}` is not a milestone index")))
}

/// The creator hands in a milestone (again, after a revision request).
#[utoipa::path(post, path = "/v1/contracts/{id}/milestones/{index}/submit", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id"), ("index" = usize, Path, maximum = 19, description = "milestone index")),
    request_body = SubmitBody,
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    party: PartyContext,
    Path((id, index)): Path<(String, String)>,
    Json(body): Json<SubmitBody>,
) -> ApiResult<axum::Json<ContractOut>> {
    let (id, index) = (parse_id(&id, "id")?, milestone_index(&index)?);
    let k = state.app.submit_milestone(&party, id, index, body.links, &body.note).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// The brand approves a submitted milestone: its amount is released to the creator.
#[utoipa::path(post, path = "/v1/contracts/{id}/milestones/{index}/approve", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id"), ("index" = usize, Path, maximum = 19, description = "milestone index")),
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    party: PartyContext,
    Path((id, index)): Path<(String, String)>,
) -> ApiResult<axum::Json<ContractOut>> {
    let (id, index) = (parse_id(&id, "id")?, milestone_index(&index)?);
    let k = state.app.approve_milestone(&party, id, index).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// The brand asks for changes to a submitted milestone.
#[utoipa::path(post, path = "/v1/contracts/{id}/milestones/{index}/request-revision", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id"), ("index" = usize, Path, maximum = 19, description = "milestone index")),
    request_body = NoteBody,
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn request_revision(
    State(state): State<AppState>,
    party: PartyContext,
    Path((id, index)): Path<(String, String)>,
    Json(body): Json<NoteBody>,
) -> ApiResult<axum::Json<ContractOut>> {
    let (id, index) = (parse_id(&id, "id")?, milestone_index(&index)?);
    let k = state.app.request_revision(&party, id, index, &body.note).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// Either side disputes an unsettled milestone; its money waits for an administrator.
#[utoipa::path(post, path = "/v1/contracts/{id}/milestones/{index}/dispute", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id"), ("index" = usize, Path, maximum = 19, description = "milestone index")),
    request_body = DisputeBody,
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn dispute(
    State(state): State<AppState>,
    party: PartyContext,
    Path((id, index)): Path<(String, String)>,
    Json(body): Json<DisputeBody>,
) -> ApiResult<axum::Json<ContractOut>> {
    let (id, index) = (parse_id(&id, "id")?, milestone_index(&index)?);
    let k = state.app.dispute_milestone(&party, id, index, &body.reason).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}

/// A platform administrator settles a disputed milestone.
#[utoipa::path(post, path = "/v1/contracts/{id}/milestones/{index}/resolve", tag = "contracts", security(("bearer" = [])),
    params(("id" = i64, Path, minimum = 1, description = "contract id"), ("index" = usize, Path, maximum = 19, description = "milestone index")),
    request_body = ResolveBody,
    responses((status = 200, body = ContractOut), (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resolve(
    State(state): State<AppState>,
    party: PartyContext,
    Path((id, index)): Path<(String, String)>,
    Json(body): Json<ResolveBody>,
) -> ApiResult<axum::Json<ContractOut>> {
    let (id, index) = (parse_id(&id, "id")?, milestone_index(&index)?);
    let k = state.app.resolve_dispute(&party, id, index, body.resolution, body.to_creator_minor, &body.note).await?;
    Ok(axum::Json(contract_response(&state, k).await?))
}
