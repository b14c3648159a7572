//! The OpenAPI document, generated from the handlers and types.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Scout API", description = "Influencer search and recommendation engine", version = "0.1.0"),
    paths(
        crate::routes::auth::register,
        crate::routes::auth::login,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::auth::me,
        crate::routes::auth::audit_log,
        crate::routes::auth::change_password,
        crate::routes::auth::two_factor_setup,
        crate::routes::auth::two_factor_enable,
        crate::routes::auth::two_factor_disable,
        crate::routes::auth::renew_recovery_codes,
        crate::routes::auth::forgot_password,
        crate::routes::auth::reset_password,
        crate::routes::auth::verify_email,
        crate::routes::orgs::my_orgs,
        crate::routes::orgs::current,
        crate::routes::orgs::members,
        crate::routes::orgs::add_member,
        crate::routes::orgs::change_member,
        crate::routes::orgs::remove_member,
        crate::routes::orgs::clients,
        crate::routes::orgs::create_client,
        crate::routes::orgs::agencies,
        crate::routes::orgs::grant_agency,
        crate::routes::orgs::revoke_agency,
        crate::routes::orgs::org_audit,
        crate::routes::shortlists::list_shortlists,
        crate::routes::shortlists::create_shortlist,
        crate::routes::shortlists::get_shortlist,
        crate::routes::shortlists::rename_shortlist,
        crate::routes::shortlists::delete_shortlist,
        crate::routes::shortlists::put_entry,
        crate::routes::shortlists::remove_entry,
        crate::routes::shortlists::export_csv,
        crate::routes::shortlists::list_saved,
        crate::routes::shortlists::save_search,
        crate::routes::shortlists::get_saved,
        crate::routes::shortlists::delete_saved,
        crate::routes::shortlists::run_saved,
        crate::routes::keys::create_key,
        crate::routes::keys::list_keys,
        crate::routes::keys::revoke_key,
        crate::routes::keys::create_client,
        crate::routes::keys::token,
        crate::routes::privacy::claim,
        crate::routes::privacy::claim_by_handle,
        crate::routes::privacy::my_claims,
        crate::routes::privacy::claim_status,
        crate::routes::privacy::verify_claim,
        crate::routes::privacy::edit_public,
        crate::routes::privacy::set_consent,
        crate::routes::privacy::export_me,
        crate::routes::privacy::erase_me,
        crate::routes::privacy::admin_erase,
        crate::routes::privacy::admin_export,
        crate::routes::events::events,
        crate::routes::models::list_models,
        crate::routes::models::reload_models,
        crate::routes::models::profile_quality,
        crate::routes::models::profile_price,
        crate::routes::models::profile_sentiment,
        crate::routes::campaigns::match_campaign,
        crate::routes::campaigns::list_campaigns,
        crate::routes::campaigns::create_campaign,
        crate::routes::campaigns::get_campaign,
        crate::routes::campaigns::edit_campaign,
        crate::routes::campaigns::move_campaign,
        crate::routes::campaigns::plan_campaign,
        crate::routes::campaigns::campaign_matches,
        crate::routes::negotiations::apply,
        crate::routes::negotiations::invite,
        crate::routes::negotiations::list_negotiations,
        crate::routes::negotiations::get_negotiation,
        crate::routes::negotiations::thread,
        crate::routes::negotiations::counter,
        crate::routes::negotiations::accept,
        crate::routes::negotiations::reject,
        crate::routes::negotiations::withdraw,
        crate::routes::negotiations::message,
        crate::routes::negotiations::socket,
        crate::routes::contracts::list_contracts,
        crate::routes::contracts::get_contract,
        crate::routes::contracts::terms_text,
        crate::routes::contracts::contract_pdf,
        crate::routes::contracts::steps,
        crate::routes::contracts::sign,
        crate::routes::contracts::cancel,
        crate::routes::contracts::submit,
        crate::routes::contracts::approve,
        crate::routes::contracts::request_revision,
        crate::routes::contracts::dispute,
        crate::routes::contracts::resolve,
        crate::routes::marketplace::marketplace,
        crate::routes::marketplace::listing,
        crate::routes::reviews::write_review,
        crate::routes::reviews::contract_reviews,
        crate::routes::reviews::edit_review,
        crate::routes::reviews::remove_review,
        crate::routes::reviews::profile_reviews,
        crate::routes::reviews::brand_reviews,
        crate::routes::inbox::list,
        crate::routes::inbox::mark_read,
        crate::routes::referrals::referrals,
        crate::routes::wallet::wallet,
        crate::routes::wallet::fund,
        crate::routes::wallet::list_fundings,
        crate::routes::wallet::get_funding,
        crate::routes::wallet::webhook,
        crate::routes::wallet::list_invoices,
        crate::routes::wallet::get_invoice,
        crate::routes::wallet::invoice_pdf,
        crate::routes::wallet::get_billing,
        crate::routes::wallet::put_billing,
        crate::routes::wallet::spend,
        crate::routes::wallet::books,
        crate::routes::wallet::import_rates,
        crate::routes::wallet::set_plan,
        crate::routes::payouts::earnings,
        crate::routes::payouts::balances,
        crate::routes::payouts::get_settings,
        crate::routes::payouts::put_settings,
        crate::routes::payouts::list_payouts,
        crate::routes::payouts::request_payout,
        crate::routes::payouts::get_payout,
        crate::routes::payouts::run,
        crate::routes::search::search_get,
        crate::routes::search::search_post,
        crate::routes::search::suggest_regions,
        crate::routes::search::preview,
        crate::routes::profiles::get_profile,
        crate::routes::profiles::similar_profiles,
        crate::routes::profiles::upsert_profile,
        crate::routes::profiles::delete_profile,
        crate::routes::profiles::import_profiles,
        crate::routes::profiles::export_profiles,
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::routes::health::metrics_text,
    ),
    components(schemas(
        crate::error::Problem,
        scout_ranker::SearchRequest,
        scout_domain::SearchFilters,
        scout_domain::query::PriceRange,
        scout_domain::Profile
    )),
    modifiers(&BearerScheme, &Contract)
)]
pub struct ApiDoc;

/// The `bearer` security scheme: a JWT access token from `/v1/auth/login` or
/// `/v1/oauth/token`, or a personal API key (`sk_…`) from `/v1/keys`.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        // Providers' webhooks carry no token: their body is signed
        // (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 with the endpoint's secret).
        components.add_security_scheme(
            "webhook_signature",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "Stripe-Signature",
                    "t=<unix time>,v1=<hex HMAC-SHA256 of \"t.body\">",
                ),
            )),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// What every operation can answer besides its own responses, written once
/// instead of on each handler, so that no client generator meets a status
/// the document does not list: 400 (any parameter or body), 401 and 403
/// (anything behind a token), 404 (anything with an id in its path), 409
/// (writes), 413 (a body), 429 (rate limits: every authenticated call and
/// the credential endpoints), 503 (the bounded expensive work). Path ids are
/// integers from 1, as the server reads them.
struct Contract;

/// Operations that run on the bounded workers (`503 overloaded`,
/// `deadline_exceeded`) besides their own.
const EXPENSIVE: [&str; 10] = [
    "/v1/search",
    "/v1/profiles/{id}/similar",
    "/v1/campaigns/match",
    "/v1/profiles/{id}/quality",
    "/v1/profiles/{id}/price",
    "/v1/saved-searches/{id}/run",
    "/v1/campaigns/{id}/plan",
    "/v1/campaigns/{id}/matches",
    "/v1/marketplace",
    "/v1/marketplace/{id}",
];

impl utoipa::Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{Schema, SchemaType, Type};
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let problem = |why: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(why)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("Problem"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in ops {
                let Some(op) = op.as_mut() else { continue };
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let body = op.request_body.is_some();
                let credentials = path.starts_with("/v1/auth/") || path.starts_with("/v1/oauth/");
                let mut add = |status: &str, why: &str| {
                    op.responses.responses.entry(status.to_string()).or_insert_with(|| problem(why));
                };
                if params || body {
                    add("400", "the request is malformed or a parameter is invalid");
                }
                if secured {
                    add("401", "no valid access token or API key");
                    add("403", "the caller may not do this");
                }
                if secured || credentials {
                    add("429", "too many requests: retry after `Retry-After` seconds");
                }
                if path.contains('{') {
                    add("404", "no such resource, or not the caller's");
                }
                // Sign-up answers the same for a taken address (no 409 to tell).
                if method != "get" && path.starts_with("/v1/") && path != "/v1/auth/register" {
                    add("409", "the change conflicts with the current state");
                }
                if body {
                    add("413", "the body is larger than the endpoint accepts");
                }
                // Query parameters can make the request line longer than the server reads.
                if params && op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query) {
                    add("414", "the request line is longer than the server accepts");
                }
                if path == "/v1/oauth/token" {
                    add("415", "the body is not `application/x-www-form-urlencoded`");
                }
                if EXPENSIVE.contains(&path.as_str()) {
                    add("503", "every worker is busy or the request ran past its deadline: retry after `Retry-After`");
                }
                for p in op.parameters.iter_mut().flatten() {
                    let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() else { continue };
                    // A parameter is absent or has a value: never `null` (utoipa
                    // writes `Option<T>` as "T or null").
                    if let SchemaType::Array(types) = &o.schema_type
                        && let [t] = types.iter().filter(|t| **t != Type::Null).collect::<Vec<_>>()[..]
                    {
                        o.schema_type = SchemaType::Type(t.clone());
                    }
                    let integer = matches!(o.schema_type, SchemaType::Type(Type::Integer));
                    // Ids in paths, and the organisation header, are integers from 1.
                    if integer && (p.parameter_in == ParameterIn::Path || p.name.eq_ignore_ascii_case("x-scout-org")) {
                        o.minimum = Some(1.into());
                    }
                    if p.name == "price_currency" {
                        o.enum_values = Some(currencies());
                    }
                }
            }
        }
    }
}

fn currencies() -> Vec<serde_json::Value> {
    scout_domain::money::REFERENCE_CURRENCIES.iter().map(|c| serde_json::Value::from(*c)).collect()
}

/// The OpenAPI document: utoipa's, with the server's input rules written
/// into its schemas ([`super::openapi_rules`]). Built once.
pub fn document() -> &'static serde_json::Value {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc =
            serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|e| serde_json::json!({"error": e.to_string()}));
        super::openapi_rules::tighten(&mut doc);
        doc
    })
}

/// The OpenAPI document as pretty JSON (what `/openapi.json` serves; `scout
/// openapi` prints it, and the web app's API types are generated from it).
pub fn document_json() -> String {
    serde_json::to_string_pretty(document()).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { axum::Json(document()) }))
}
