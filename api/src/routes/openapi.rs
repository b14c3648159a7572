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
        crate::routes::search::search_get,
        crate::routes::search::search_post,
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
        scout_domain::Profile
    )),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// The `bearer` security scheme: a JWT access token from `/v1/auth/login`.
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

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { axum::Json(ApiDoc::openapi()) }))
}
