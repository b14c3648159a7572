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
        crate::routes::search::search_get,
        crate::routes::search::search_post,
        crate::routes::search::suggest_regions,
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
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// The `bearer` security scheme: a JWT access token from `/v1/auth/login` or
/// `/v1/oauth/token`, or a personal API key (`sk_…`) from `/v1/keys`.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The OpenAPI document as pretty JSON (what `/openapi.json` serves; `scout
/// openapi` prints it, and the web app's API types are generated from it).
pub fn document_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { axum::Json(ApiDoc::openapi()) }))
}
