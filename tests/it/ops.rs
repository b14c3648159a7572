use scout_tests::TestApp;

#[tokio::test]
async fn health_readiness_metrics_openapi_and_request_ids() {
    let app = TestApp::spawn().await;
    app.import_fixtures(100, 31).await;
    assert_eq!(app.get("/healthz").await.text().await.expect("body"), "ok");
    let ready = app.get_json("/readyz").await;
    assert_eq!(ready["database"], true);
    assert_eq!(ready["indexed_profiles"], 100);
    assert_eq!(ready["index_lag"], 0);
    let res = app.get_as(&app.operator, "/v1/search?q=food").await;
    assert!(res.headers().get("x-request-id").is_some());
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(metrics.contains("scout_http_requests_total"), "{metrics}");
    assert!(metrics.contains("scout_indexed_profiles"), "{metrics}");
    // The service keeps the static vectors in memory for exact filtered search, and says how much.
    let gauge = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
    };
    assert!(gauge("scout_exact_vectors_bytes ") >= 100.0 * 256.0, "{metrics}");
    assert!(gauge("scout_exact_vectors_state ") >= 1.0, "{metrics}");
    let doc = app.get_json("/openapi.json").await;
    for path in [
        "/v1/search",
        "/v1/profiles/{id}",
        "/v1/profiles/{id}/similar",
        "/v1/profiles/import",
        "/v1/profiles/export",
        "/healthz",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi lacks {path}");
    }
    assert!(doc["components"]["schemas"]["SearchRequest"].is_object());
    // Every endpoint but the ones that hand out credentials names its security scheme.
    let open = [
        "/v1/auth/register",
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/auth/password/forgot",
        "/v1/auth/password/reset",
        "/v1/auth/verify-email",
        "/v1/oauth/token",
        // The landing page's sample search: headline figures of five creators, limited per address.
        "/v1/preview",
    ];
    let mut unsecured = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/v1/") || open.contains(&path.as_str()) {
            continue;
        }
        for (method, op) in ops.as_object().expect("ops") {
            if op["security"].as_array().is_none_or(|s| s.is_empty()) {
                unsecured.push(format!("{method} {path}"));
            }
        }
    }
    assert!(unsecured.is_empty(), "endpoints without a security scheme: {unsecured:?}");
    assert!(doc["paths"].as_object().expect("paths").len() >= 40);
    app.cleanup().await;
}
