use scout_tests::TestApp;
use serde_json::{Value, json};

async fn expect_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status);
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    body
}

#[tokio::test]
async fn bad_input_gets_problem_json_with_stable_codes() {
    let app = TestApp::spawn().await;
    app.import_fixtures(50, 1).await;
    let url = format!("{}/v1/search", app.url);
    let raw = |body: &'static str| {
        app.client.post(&url).bearer_auth(&app.operator).header("content-type", "application/json").body(body).send()
    };
    expect_problem(raw("{\"query\":").await.expect("send"), 400, "invalid_json").await;
    expect_problem(raw("{\"query\": 5}").await.expect("send"), 400, "invalid_body").await;
    expect_problem(raw("{\"filters\": {\"colour\": [\"red\"]}}").await.expect("send"), 400, "invalid_body").await;
    expect_problem(raw("{\"limit\": -3}").await.expect("send"), 400, "invalid_body").await;
    expect_problem(app.post_as(&app.operator, "/v1/search", &json!({"limit": 100000})).await, 400, "bad_parameter")
        .await;
    expect_problem(app.post_as(&app.operator, "/v1/search", &json!({"offset": 10000000})).await, 400, "bad_parameter")
        .await;
    expect_problem(
        app.post_as(&app.operator, "/v1/search", &json!({"query": "a".repeat(5000)})).await,
        400,
        "bad_parameter",
    )
    .await;
    expect_problem(
        app.post_as(&app.operator, "/v1/search", &json!({"filters": {"countries": ["Germany"]}})).await,
        400,
        "bad_parameter",
    )
    .await;
    expect_problem(
        app.post_as(&app.operator, "/v1/search", &json!({"filters": {"engagement_min": 1e300}})).await,
        400,
        "bad_parameter",
    )
    .await;
    expect_problem(
        app.post_as(&app.operator, "/v1/search", &json!({"filters": {"niches": ["basket-weaving-underwater"]}})).await,
        400,
        "bad_parameter",
    )
    .await;
    for filters in [json!({"price": {"currency": "XYZ", "max": 100}}), json!({"audience_quality_min": 7})] {
        expect_problem(
            app.post_as(&app.operator, "/v1/search", &json!({ "filters": filters })).await,
            400,
            "bad_parameter",
        )
        .await;
    }
    // A price range without bounds asks for a stated rate; an inverted one is empty: both valid.
    for filters in
        [json!({"price": {"currency": "EUR"}}), json!({"price": {"currency": "EUR", "min": 500, "max": 100}})]
    {
        let res = app.post_as(&app.operator, "/v1/search", &json!({ "filters": filters })).await;
        assert_eq!(res.status(), 200, "{filters}");
    }
    expect_problem(
        app.post_as(&app.operator, "/v1/search", &json!({"filters": {"price": {"currency": "EUR", "max": -1}}})).await,
        400,
        "invalid_body",
    )
    .await;
    let no_ct = app.client.post(&url).bearer_auth(&app.operator).body("{}").send().await.expect("send");
    expect_problem(no_ct, 400, "unsupported_media_type").await;
    expect_problem(app.get_as(&app.operator, "/v1/profiles/abc").await, 400, "bad_parameter").await;
    expect_problem(app.get_as(&app.operator, "/v1/profiles/987654").await, 404, "profile_not_found").await;
    expect_problem(app.get("/v1/nothing-here").await, 404, "not_found").await;
    let huge = app
        .client
        .post(&url)
        .bearer_auth(&app.operator)
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .expect("send");
    expect_problem(huge, 413, "payload_too_large").await;
    // Nothing stored was touched by any of it.
    assert_eq!(app.state.store().profiles().count_profiles().await.expect("count"), 50);
    app.cleanup().await;
}

#[tokio::test]
async fn invalid_profile_upsert_is_rejected_with_violations() {
    let app = TestApp::spawn().await;
    let res = app.client.put(format!("{}/v1/profiles", app.url)).bearer_auth(&app.operator).json(&json!({"platform": "instagram", "external_id": "1", "handle": "a", "followers": 10, "country": "germany", "audience": {"gender": {"female": 0.9, "male": 0.9}}})).send().await.expect("send");
    let body = expect_problem(res, 400, "invalid_profile").await;
    let fields: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&"country"), "{body}");
    assert!(fields.contains(&"audience.gender"), "{body}");
    let res = app
        .client
        .put(format!("{}/v1/profiles", app.url))
        .bearer_auth(&app.operator)
        .json(&json!({"platform": "myspace", "external_id": "1", "handle": "a", "followers": 10}))
        .send()
        .await
        .expect("send");
    expect_problem(res, 400, "invalid_profile").await;
    assert_eq!(app.state.store().profiles().count_profiles().await.expect("count"), 0);
    app.cleanup().await;
}
