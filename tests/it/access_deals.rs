//! The access matrix of the marketplace: campaigns, their matches, listings,
//! threads, messages, contracts, signatures, reviews, notifications and
//! referrals × the brand's people, agencies with a write grant, a read
//! grant and none, another brand (also naming the first, and with the first
//! one's ids), the creator of the deal, another creator, and nobody.

use reqwest::Method;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn org_of(app: &TestApp, token: &str) -> i64 {
    let res = app.get_as(token, "/v1/orgs/current").await;
    answer(res).await.1["id"].as_i64().expect("org id")
}

fn spec(name: &str) -> Value {
    json!({"name": name, "objective": "engagement", "brief": "Weeknight dinners in twenty minutes",
           "niches": ["food"], "deliverables": [{"kind": "reel", "count": 2}],
           "budget": {"amount_minor": 500_000, "currency": "EUR"},
           "starts_on": "2099-01-01", "ends_on": "2099-03-01", "visibility": "listed"})
}

fn creator_profile(handle: &str) -> Value {
    json!({"platform": "instagram", "external_id": handle, "handle": handle, "followers": 41_000,
           "bio": "Quick dinners", "country": "FR", "categories": ["food"]})
}

async fn the_marketplace_access_matrix(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let owner = app.login_as("brand", "owner@a.test").await;
    let org_a = org_of(&app, &owner).await;
    app.fund_wallet(&owner, None, 1_000_000, "EUR").await;
    let viewer = app.login_as("brand", "viewer@a.test").await;
    let res =
        app.post_as(&owner, "/v1/orgs/current/members", &json!({"email": "viewer@a.test", "role": "viewer"})).await;
    assert_eq!(res.status(), 204);
    let (writer, reader, stranger) = (
        app.login_as("agency", "boss@writer.test").await,
        app.login_as("agency", "boss@reader.test").await,
        app.login_as("agency", "boss@stranger.test").await,
    );
    for (agency, access) in [(&writer, "write"), (&reader, "read")] {
        let agency_org = org_of(&app, agency).await;
        let path = format!("/v1/orgs/current/agencies/{agency_org}");
        let res = app.call(Method::PUT, &owner, &path, Some(&json!({"access": access})), None).await;
        assert_eq!(res.status(), 200, "grant {access}");
    }
    let other = app.login_as("brand", "owner@b.test").await;
    let (creator, profile) = app.creator_with("cook@c.test", &creator_profile("weeknight_cook")).await;
    let (other_creator, _) = app.creator_with("baker@c.test", &creator_profile("sunday_baker")).await;

    // Brand A: a listed campaign with the creator's application accepted
    // (a thread and a contract), and a draft. Brand B: a listed campaign.
    let call = |token: &str, method: Method, path: String, body: Option<Value>, org: Option<i64>| {
        let (app, token) = (&app, token.to_string());
        async move { answer(app.call(method, &token, &path, body.as_ref(), org).await).await }
    };
    let create = |token: &str, name: &str| {
        let token = token.to_string();
        let body = spec(name);
        let call = &call;
        async move {
            let (s, c) = call(&token, Method::POST, "/v1/campaigns".into(), Some(body), None).await;
            assert_eq!(s, 201, "{c}");
            c["id"].as_i64().expect("id")
        }
    };
    let campaign = create(&owner, "Dinners").await;
    let draft = create(&owner, "Draft dinners").await;
    let campaign_b = create(&other, "B dinners").await;
    for (token, id) in [(&owner, campaign), (&other, campaign_b)] {
        assert_eq!(call(token, Method::POST, format!("/v1/campaigns/{id}/publish"), None, None).await.0, 200);
    }
    let terms = json!({"lines": [{"kind": "reel", "count": 2, "fee": {"amount_minor": 40_000, "currency": "EUR"},
                                  "due_on": "2099-02-01"}]});
    let apply = json!({"profile_id": profile, "terms": terms, "pitch": "I cook dinners every night"});
    let (s, thread) =
        call(&creator, Method::POST, format!("/v1/campaigns/{campaign}/applications"), Some(apply), None).await;
    assert_eq!(s, 201, "{thread}");
    let n = thread["id"].as_i64().expect("thread");
    let (s, accepted) =
        call(&owner, Method::POST, format!("/v1/negotiations/{n}/accept"), Some(json!({"version": 1})), None).await;
    assert_eq!(s, 200, "{accepted}");
    let k = accepted["contract_id"].as_i64().expect("contract");

    let a = Some(org_a);
    let callers: [(&str, Option<&str>, Option<i64>); 10] = [
        ("owner", Some(&owner), a),
        ("viewer", Some(&viewer), a),
        ("agency with write grant", Some(&writer), a),
        ("agency with read grant", Some(&reader), a),
        ("agency without grant", Some(&stranger), a),
        ("other brand", Some(&other), None),
        ("other brand naming A", Some(&other), a),
        ("creator of the deal", Some(&creator), None),
        ("other creator", Some(&other_creator), None),
        ("anonymous", None, None),
    ];
    let party = [200, 200, 200, 200, 404, 404, 404, 200, 404, 401];
    // Creator accounts hold no campaign scope: refused alike for every id.
    let brand_side = [200, 200, 200, 200, 404, 404, 404, 403, 403, 401];
    let anyone = [200, 200, 200, 200, 200, 200, 200, 200, 200, 401];
    type Row = (Method, String, Option<Value>, [u16; 10]);
    let rows: Vec<Row> = vec![
        (Method::GET, "/v1/campaigns".into(), None, [200, 200, 200, 200, 404, 200, 404, 403, 403, 401]),
        (Method::GET, format!("/v1/campaigns/{campaign}"), None, brand_side),
        (Method::GET, format!("/v1/campaigns/{draft}"), None, brand_side),
        (Method::GET, format!("/v1/campaigns/{campaign}/matches"), None, brand_side),
        (Method::GET, format!("/v1/campaigns/{campaign_b}"), None, [404, 404, 404, 404, 404, 200, 404, 403, 403, 401]),
        (
            Method::PUT,
            format!("/v1/campaigns/{draft}"),
            Some(spec("Draft dinners, renamed")),
            [200, 403, 200, 403, 404, 404, 404, 403, 403, 401],
        ),
        (Method::GET, "/v1/marketplace".into(), None, anyone),
        (Method::GET, format!("/v1/marketplace/{campaign}"), None, anyone),
        // A draft is listed nowhere (its brand reads it as a campaign), also not by guessing its id.
        (Method::GET, format!("/v1/marketplace/{draft}"), None, [404, 404, 404, 404, 404, 404, 404, 404, 404, 401]),
        (Method::GET, "/v1/negotiations".into(), None, [200, 200, 200, 200, 404, 200, 404, 200, 200, 401]),
        (Method::GET, format!("/v1/negotiations/{n}"), None, party),
        (Method::GET, format!("/v1/negotiations/{n}/thread"), None, party),
        (
            Method::POST,
            format!("/v1/negotiations/{n}/messages"),
            Some(json!({"body": "Looking forward to it"})),
            [201, 403, 201, 403, 404, 404, 404, 201, 404, 401],
        ),
        (Method::GET, "/v1/contracts".into(), None, [200, 200, 200, 200, 404, 200, 404, 200, 200, 401]),
        (Method::GET, format!("/v1/contracts/{k}"), None, party),
        (Method::GET, format!("/v1/contracts/{k}/steps"), None, party),
        (Method::GET, format!("/v1/contracts/{k}/terms.txt"), None, party),
        (Method::GET, format!("/v1/contracts/{k}/reviews"), None, party),
        // The brand signs once: its agency with a write grant then finds it signed.
        (Method::POST, format!("/v1/contracts/{k}/sign"), None, [200, 403, 409, 403, 404, 404, 404, 200, 404, 401]),
        (Method::GET, "/v1/notifications".into(), None, anyone),
        (Method::GET, "/v1/me/referrals".into(), None, anyone),
    ];
    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        for ((name, token, org), want) in callers.iter().zip(expected) {
            let got = match token {
                Some(t) => app.call(method.clone(), t, path, body.as_ref(), *org).await.status().as_u16(),
                None => {
                    let mut req = app.client.request(method.clone(), format!("{}{path}", app.url));
                    if let Some(b) = body {
                        req = req.json(b);
                    }
                    req.send().await.expect("request").status().as_u16()
                }
            };
            if got != *want {
                failures.push(format!("{method} {path} as {name}: expected {want}, got {got}"));
            }
        }
    }
    assert!(failures.is_empty(), "marketplace access matrix:\n{}", failures.join("\n"));

    // Lists hold only what each caller is party to; the contract has both signatures.
    let count = |v: &Value, key: &str| v[key].as_array().map_or(usize::MAX, Vec::len);
    for (token, org, want) in [(&owner, None, 1), (&writer, a, 1), (&other, None, 0), (&other_creator, None, 0)] {
        let (_, list) = call(token, Method::GET, "/v1/negotiations".into(), None, org).await;
        assert_eq!(count(&list, "negotiations"), want, "{list}");
        let (_, list) = call(token, Method::GET, "/v1/contracts".into(), None, org).await;
        assert_eq!(count(&list, "contracts"), want, "{list}");
    }
    let (_, contract) = call(&creator, Method::GET, format!("/v1/contracts/{k}"), None, None).await;
    assert_eq!((contract["status"].as_str(), count(&contract, "signatures")), (Some("active"), 2), "{contract}");
    // The agency without a grant heard nothing of the deal; the brand's people did.
    let (_, inbox) = call(&stranger, Method::GET, "/v1/notifications".into(), None, None).await;
    assert_eq!(count(&inbox, "notifications"), 0, "{inbox}");
    let (_, inbox) = call(&owner, Method::GET, "/v1/notifications".into(), None, None).await;
    assert!(count(&inbox, "notifications") >= 1, "{inbox}");
    app.cleanup().await;
}

#[tokio::test]
async fn the_marketplace_access_matrix_on_sqlite() {
    the_marketplace_access_matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_marketplace_access_matrix_on_postgres() {
    the_marketplace_access_matrix(Backend::Postgres).await;
}
