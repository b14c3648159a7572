//! Campaigns over HTTP: a brand writes one, publishes it, edits what its state
//! allows, lists and pages them, and meets a clear 409 for a step or an edit
//! the state does not allow (naming the state or the field), and an edit
//! conflict instead of a lost change.

use reqwest::Method;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

fn spec(name: &str, budget: i64, niche: &str, ends_on: &str) -> Value {
    json!({
        "name": name, "objective": "engagement",
        "brief": format!("{name}: plant-based recipes for weeknights"),
        "niches": [niche], "platforms": ["instagram"],
        "target": {"countries": ["FR"], "age_bands": ["25-34"]},
        "deliverables": [{"kind": "reel", "count": 2, "due_on": "2099-01-10"}, {"kind": "story", "count": 3}],
        "budget": {"amount_minor": budget, "currency": "EUR"},
        "starts_on": "2099-01-01", "ends_on": ends_on, "visibility": "listed"
    })
}

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_campaign_from_draft_to_cancelled(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let brand = app.login_as("brand", "owner@brand.test").await;
    let call = |method: Method, path: String, body: Option<Value>| {
        let (app, brand) = (&app, &brand);
        async move { answer(app.call(method, brand, &path, body.as_ref(), None).await).await }
    };

    // A spec with a mistake is refused, naming the field; nothing is stored.
    let mut bad = spec("Soups", 400_000, "food", "2099-03-01");
    bad["deliverables"][0]["due_on"] = json!("2100-01-01");
    let (s, body) = call(Method::POST, "/v1/campaigns".into(), Some(bad)).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{body}");
    assert!(body["detail"].as_str().unwrap_or("").contains("deliverables[0].due_on"), "{body}");
    let (s, body) = call(Method::POST, "/v1/campaigns".into(), Some(json!({"name": "x", "budget": 1}))).await;
    assert_eq!(s, 400, "{body}");
    let (_, list) = call(Method::GET, "/v1/campaigns".into(), None).await;
    assert_eq!(list["total"], 0);

    // Three campaigns; the first goes through its life.
    let (s, soups) =
        call(Method::POST, "/v1/campaigns".into(), Some(spec("Soups", 400_000, "food", "2099-03-01"))).await;
    assert_eq!(s, 201, "{soups}");
    assert_eq!((soups["status"].as_str(), soups["revision"].as_i64()), (Some("draft"), Some(1)));
    assert_eq!(soups["spec"]["deliverables"][1]["kind"], "story");
    let id = soups["id"].as_i64().expect("id");
    call(Method::POST, "/v1/campaigns".into(), Some(spec("Salads", 900_000, "food", "2099-01-15"))).await;
    call(Method::POST, "/v1/campaigns".into(), Some(spec("Stretching", 100_000, "yoga", "2099-02-15"))).await;

    let (s, open) = call(Method::POST, format!("/v1/campaigns/{id}/publish"), None).await;
    assert_eq!((s, open["status"].as_str()), (200, Some("open")), "{open}");
    // Open: the budget may change, the currency may not.
    let more = spec("Soups", 450_000, "food", "2099-03-01");
    let from = open["revision"].as_i64().expect("revision");
    let (s, edited) = call(Method::PUT, format!("/v1/campaigns/{id}?revision={from}"), Some(more.clone())).await;
    assert_eq!((s, edited["spec"]["budget"]["amount_minor"].as_i64()), (200, Some(450_000)), "{edited}");
    // The same edit again, from the revision it no longer has: a conflict, not a silent overwrite.
    let (s, body) = call(Method::PUT, format!("/v1/campaigns/{id}?revision={from}"), Some(more)).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("edit_conflict")), "{body}");
    let mut dollars = spec("Soups", 450_000, "food", "2099-03-01");
    dollars["budget"]["currency"] = json!("USD");
    let (s, body) = call(Method::PUT, format!("/v1/campaigns/{id}"), Some(dollars)).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("invalid_transition")), "{body}");
    assert!(body["detail"].as_str().unwrap_or("").contains("budget.currency"), "{body}");
    // Nobody negotiates yet, so there is no contract to start with.
    let (s, body) = call(Method::POST, format!("/v1/campaigns/{id}/start"), None).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("invalid_transition")), "{body}");

    // Lists: filters, sorting, paging, the total.
    let (_, food) = call(Method::GET, "/v1/campaigns?niche=food&sort=largest_budget&limit=1".into(), None).await;
    assert_eq!(
        (food["total"].as_i64(), food["campaigns"][0]["spec"]["name"].as_str()),
        (Some(2), Some("Salads")),
        "{food}"
    );
    let (_, second) =
        call(Method::GET, "/v1/campaigns?niche=food&sort=largest_budget&limit=1&offset=1".into(), None).await;
    assert_eq!(second["campaigns"][0]["spec"]["name"], "Soups");
    let (_, open_only) = call(Method::GET, "/v1/campaigns?status=open".into(), None).await;
    assert_eq!(open_only["total"], 1);
    let (_, soon) = call(Method::GET, "/v1/campaigns?sort=ends_soonest".into(), None).await;
    let names: Vec<&str> =
        soon["campaigns"].as_array().expect("list").iter().filter_map(|c| c["spec"]["name"].as_str()).collect();
    assert_eq!(names, vec!["Salads", "Stretching", "Soups"]);
    let (_, text) = call(Method::GET, "/v1/campaigns?q=weeknights%20STRETCHING".into(), None).await;
    assert_eq!(text["total"], 1);
    for bad in ["status=running", "sort=cheapest", "limit=0", "limit=101", "offset=10001"] {
        let (s, body) = call(Method::GET, format!("/v1/campaigns?{bad}"), None).await;
        assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{bad}: {body}");
    }

    // Cancelled is final: a second cancel names the state.
    let (s, gone) = call(Method::POST, format!("/v1/campaigns/{id}/cancel"), None).await;
    assert_eq!((s, gone["status"].as_str()), (200, Some("cancelled")));
    let (s, body) = call(Method::POST, format!("/v1/campaigns/{id}/cancel"), None).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("invalid_transition")));
    assert!(body["detail"].as_str().unwrap_or("").contains("cancelled"), "{body}");
    let (s, _) = call(Method::POST, format!("/v1/campaigns/{id}/archive"), None).await;
    assert_eq!(s, 400, "an unknown step");

    // A creator account has no campaigns of its own to run.
    let creator = app.login_as("influencer", "cook@creator.test").await;
    let (s, _) = answer(
        app.call(Method::POST, &creator, "/v1/campaigns", Some(&spec("Mine", 1, "food", "2099-03-01")), None).await,
    )
    .await;
    assert!(s == 403 || s == 404, "a creator creating a campaign: {s}");
    app.cleanup().await;
}

/// The plan within budget over HTTP: within the budget and the creator
/// count, every pick a matched creator with a reason, and a bigger budget
/// never plans less.
#[tokio::test]
async fn a_campaign_plans_its_creators_within_budget() {
    let app = TestApp::spawn().await;
    app.import_fixtures(400, 11).await;
    app.wait_indexed().await;
    let brand = app.login_as("brand", "planner@brand.test").await;
    let mut body = spec("Fitness push", 300_000, "fitness", "2099-03-01");
    body["target"] = json!({"countries": ["DE", "FR", "US", "GB"]});
    body["deliverables"] = json!([{"kind": "post", "count": 1}]);
    let (s, created) = answer(app.call(Method::POST, &brand, "/v1/campaigns", Some(&body), None).await).await;
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    let plan = |req: Value| {
        let (app, brand) = (&app, &brand);
        async move {
            answer(app.call(Method::POST, brand, &format!("/v1/campaigns/{id}/plan"), Some(&req), None).await).await
        }
    };
    let mut last = 0.0;
    for (budget, goal) in [(50_000, "engagements"), (300_000, "engagements"), (300_000, "reach")] {
        body["budget"]["amount_minor"] = json!(budget);
        let (s, _) =
            answer(app.call(Method::PUT, &brand, &format!("/v1/campaigns/{id}"), Some(&body), None).await).await;
        assert_eq!(s, 200);
        let (s, p) = plan(json!({"goal": goal, "max_creators": 5})).await;
        assert_eq!(s, 200, "{p}");
        let creators = p["creators"].as_array().expect("creators");
        assert!(!creators.is_empty() && creators.len() <= 5, "{p}");
        assert!(p["spent"]["amount_minor"].as_i64().expect("spent") <= budget, "{p}");
        let sum: i64 = creators.iter().map(|c| c["fee"]["amount_minor"].as_i64().expect("fee")).sum();
        assert_eq!(sum, p["spent"]["amount_minor"].as_i64().expect("spent"));
        assert!(creators.iter().all(|c| c["reason"].as_str().is_some_and(|r| !r.is_empty())), "{p}");
        assert!(p["candidates"].as_u64().expect("candidates") >= creators.len() as u64);
        let value = p["value"].as_f64().expect("value");
        if goal == "engagements" {
            assert!(value >= last, "a bigger budget planned less: {value} < {last}");
            last = value;
        }
    }
    let (s, body) = plan(json!({"max_creators": 0})).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")));
    let (s, _) = plan(json!({"goal": "followers"})).await;
    assert_eq!(s, 400);

    // The stored campaign's matches: its brief through the matching engine,
    // the same creators `POST /v1/campaigns/match` ranks for that brief.
    let matches = |q: &str| {
        let (app, brand) = (&app, &brand);
        let path = format!("/v1/campaigns/{id}/matches{q}");
        async move { answer(app.call(Method::GET, brand, &path, None, None).await).await }
    };
    let (s, m) = matches("?limit=7").await;
    assert_eq!(s, 200, "{m}");
    let ids: Vec<i64> =
        m["matches"].as_array().expect("matches").iter().map(|x| x["profile"]["id"].as_i64().expect("id")).collect();
    assert!(!ids.is_empty() && ids.len() <= 7, "{m}");
    let (s, _) = matches("?limit=0").await;
    assert_eq!(s, 400);
    let rival = app.login_as("brand", "rival@brand.test").await;
    let (s, body) =
        answer(app.call(Method::GET, &rival, &format!("/v1/campaigns/{id}/matches"), None, None).await).await;
    assert_eq!((s, body["code"].as_str()), (404, Some("campaign_not_found")), "{body}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_campaign_from_draft_to_cancelled_on_sqlite() {
    a_campaign_from_draft_to_cancelled(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_campaign_from_draft_to_cancelled_on_postgres() {
    a_campaign_from_draft_to_cancelled(Backend::Postgres).await;
}
