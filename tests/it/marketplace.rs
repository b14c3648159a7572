//! The creators' side of the market over HTTP: listed campaigns ranked for
//! a creator's verified profile with "why you match", free text and filters;
//! a thread's messages live over a WebSocket; referral codes at sign-up.

use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn campaign(name: &str, brief: &str, extra: Value) -> Value {
    let mut spec = json!({"name": name, "objective": "awareness", "brief": brief,
        "deliverables": [{"kind": "reel", "count": 1, "due_on": "2099-03-20"}],
        "budget": {"amount_minor": 500_000, "currency": "EUR"},
        "starts_on": "2099-03-01", "ends_on": "2099-04-30", "visibility": "listed"});
    if let (Some(o), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    spec
}

async fn creators_find_campaigns_that_fit_them(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let brand = app.login_as("brand", "owner@bars.test").await;
    let profile = json!({"platform": "instagram", "external_id": "lift_with_lena", "handle": "lift_with_lena",
        "followers": 48_000, "bio": "Strength training and high-protein recipes", "country": "DE",
        "languages": ["de", "en"], "categories": ["fitness"],
        "audience": {"countries": {"DE": 0.62, "AT": 0.12, "US": 0.05}, "age": {"18-24": 0.4, "25-34": 0.35}},
        "rates": {"currency": "EUR", "reel": 120_000}});
    let (creator, profile_id) = app.creator_with("lena@creator.test", &profile).await;
    let as_ = |token: &str, method: Method, path: String, body: Option<Value>| {
        let (app, token) = (&app, token.to_string());
        async move { answer(app.call(method, &token, &path, body.as_ref(), None).await).await }
    };

    let fits = campaign(
        "Protein bar launch",
        "A plant-based protein bar for people who lift",
        json!({"niches": ["fitness"], "platforms": ["instagram"], "target": {"countries": ["DE"], "languages": ["de"]}}),
    );
    let misses = campaign(
        "Lipstick autumn shades",
        "Five new lipstick shades for autumn evenings",
        json!({"niches": ["beauty"], "platforms": ["youtube"], "target": {"countries": ["US"], "languages": ["en"]},
               "budget": {"amount_minor": 80_000, "currency": "USD"}}),
    );
    let private = campaign("Secret drop", "Not for the market", json!({"visibility": "private"}));
    let mut ids = Vec::new();
    for spec in [fits, misses, private] {
        let (s, c) = as_(&brand, Method::POST, "/v1/campaigns".into(), Some(spec)).await;
        assert_eq!(s, 201, "{c}");
        let id = c["id"].as_i64().expect("id");
        let (s, c) = as_(&brand, Method::POST, format!("/v1/campaigns/{id}/publish"), None).await;
        assert_eq!(s, 200, "{c}");
        ids.push(id);
    }
    let draft = campaign("Still a draft", "Protein pancakes", json!({"niches": ["fitness"]}));
    let (_, d) = as_(&brand, Method::POST, "/v1/campaigns".into(), Some(draft)).await;
    let draft_id = d["id"].as_i64().expect("id");
    let (fits, misses, private) = (ids[0], ids[1], ids[2]);

    // Ranked for the creator: the campaign that fits first, with reasons.
    let (s, page) = as_(&creator, Method::GET, "/v1/marketplace".into(), None).await;
    assert_eq!(s, 200, "{page}");
    let listed: Vec<i64> =
        page["campaigns"].as_array().expect("list").iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(listed, vec![fits, misses], "only listed, published campaigns, best fit first: {page}");
    assert_eq!(page["ranked_for"], json!([profile_id]));
    let top = &page["campaigns"][0];
    assert_eq!(top["brand"], "brand owner@bars.test");
    let score = top["fit"]["score"].as_u64().expect("score");
    let low = page["campaigns"][1]["fit"]["score"].as_u64().expect("score");
    assert!(score >= 75 && low <= 40, "fit {score} vs miss {low}: {page}");
    let why: Vec<&str> = top["fit"]["why"].as_array().expect("why").iter().filter_map(|r| r["text"].as_str()).collect();
    assert!(why.contains(&"62 % of your audience lives in DE"), "{why:?}");
    assert!(why.iter().any(|t| t.contains("5,000.00 EUR") && t.contains("1,200.00 EUR")), "{why:?}");
    let gaps: Vec<&str> = page["campaigns"][1]["fit"]["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .filter_map(|r| r["factor"].as_str())
        .collect();
    for factor in ["niche", "platform", "audience"] {
        assert!(gaps.contains(&factor), "{factor} missing from {gaps:?}");
    }

    // Free text: niches, words in other forms, places and budgets are understood.
    let ids_for = |page: &Value| -> Vec<i64> {
        page["campaigns"].as_array().map(|l| l.iter().filter_map(|c| c["id"].as_i64()).collect()).unwrap_or_default()
    };
    let (_, page) = as_(&creator, Method::GET, "/v1/marketplace?q=beauty".into(), None).await;
    assert_eq!(ids_for(&page), vec![misses], "{page}");
    let (_, page) = as_(&creator, Method::GET, "/v1/marketplace?q=protein%20snacks".into(), None).await;
    assert_eq!(ids_for(&page), vec![fits], "{page}");
    let (_, page) =
        as_(&creator, Method::GET, "/v1/marketplace?q=campaigns%20in%20Germany%20over%201000%20euros".into(), None)
            .await;
    assert_eq!(ids_for(&page), vec![fits], "{page}");
    assert!(page["parsed_query"]["recognised"].as_array().is_some_and(|r| !r.is_empty()), "{page}");

    // Filters.
    let cases = [
        ("niche=beauty", vec![misses]),
        ("platform=youtube", vec![misses]),
        ("budget_min=100000&currency=EUR", vec![fits]),
        ("budget_max=100000&currency=EUR", vec![misses]),
        ("due_before=2099-03-19", vec![]),
        ("due_after=2099-03-20&sort=largest_budget", vec![fits, misses]),
    ];
    for (query, expected) in cases {
        let (s, page) = as_(&creator, Method::GET, format!("/v1/marketplace?{query}"), None).await;
        assert_eq!((s, ids_for(&page)), (200, expected), "{query}: {page}");
    }
    for bad in [
        "limit=0",
        "limit=101",
        "offset=1001",
        "budget_min=5",
        "currency=EURO",
        "niche=knitting-nope",
        "platform=myspace",
        "budget_min=9&budget_max=1&currency=EUR",
        "due_after=2099-03-20&due_before=2099-03-01",
    ] {
        let (s, body) = as_(&creator, Method::GET, format!("/v1/marketplace?{bad}"), None).await;
        assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{bad}: {body}");
    }

    // One campaign; drafts and private campaigns do not exist for creators.
    let (s, one) = as_(&creator, Method::GET, format!("/v1/marketplace/{fits}"), None).await;
    assert_eq!((s, one["fit"]["score"].as_u64()), (200, Some(score)), "{one}");
    for hidden in [private, draft_id, 999_999] {
        let (s, body) = as_(&creator, Method::GET, format!("/v1/marketplace/{hidden}"), None).await;
        assert_eq!((s, body["code"].as_str()), (404, Some("campaign_not_found")), "{hidden}: {body}");
    }

    // After applying, the listing points at the creator's thread.
    let apply = json!({"profile_id": profile_id, "pitch": "I lift and cook",
        "terms": {"lines": [{"kind": "reel", "count": 1, "fee": {"amount_minor": 120_000, "currency": "EUR"},
                  "due_on": "2099-03-20"}]}});
    let (s, thread) = as_(&creator, Method::POST, format!("/v1/campaigns/{fits}/applications"), Some(apply)).await;
    assert_eq!(s, 201, "{thread}");
    let (_, one) = as_(&creator, Method::GET, format!("/v1/marketplace/{fits}"), None).await;
    assert_eq!(one["thread"]["negotiation_id"], thread["id"], "{one}");
    assert_eq!(one["thread"]["status"], "open");

    // A brand sees the market newest first, without a fit.
    let (_, page) = as_(&brand, Method::GET, "/v1/marketplace".into(), None).await;
    assert_eq!(ids_for(&page), vec![misses, fits], "{page}");
    assert!(page["campaigns"][0]["fit"].is_null());
    app.cleanup().await;
}

#[tokio::test]
async fn creators_find_campaigns_that_fit_them_on_sqlite() {
    creators_find_campaigns_that_fit_them(Backend::Sqlite).await;
}

#[tokio::test]
async fn creators_find_campaigns_that_fit_them_on_postgres() {
    creators_find_campaigns_that_fit_them(Backend::Postgres).await;
}

/// A thread's messages arrive over its WebSocket as they are written (by
/// HTTP or by the other side's socket); outsiders and foreign pages are refused.
#[tokio::test]
async fn thread_messages_arrive_live_over_a_websocket() {
    let app = TestApp::spawn().await;
    let brand = app.login_as("brand", "owner@socks.test").await;
    let rival = app.login_as("brand", "owner@rival.test").await;
    let profile = json!({"platform": "tiktok", "external_id": "sockpuppet", "handle": "sockpuppet",
        "followers": 20_000, "bio": "Knitting socks", "categories": ["fashion"]});
    let (creator, profile_id) = app.creator_with("knit@creator.test", &profile).await;
    let spec = campaign("Warm feet", "Wool socks for winter", json!({}));
    let (_, c) = answer(app.post_as(&brand, "/v1/campaigns", &spec).await).await;
    let cid = c["id"].as_i64().expect("id");
    app.post_as(&brand, &format!("/v1/campaigns/{cid}/publish"), &json!({})).await;
    let apply = json!({"profile_id": profile_id, "pitch": "Socks are my thing",
        "terms": {"lines": [{"kind": "reel", "count": 1, "fee": {"amount_minor": 30_000, "currency": "EUR"}, "due_on": "2099-02-01"}]}});
    let (s, thread) = answer(app.post_as(&creator, &format!("/v1/campaigns/{cid}/applications"), &apply).await).await;
    assert_eq!(s, 201, "{thread}");
    let nid = thread["id"].as_i64().expect("id");

    let ws_url = app.url.replacen("http", "ws", 1);
    let connect = |token: &str, origin: Option<&str>| {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = format!("{ws_url}/v1/negotiations/{nid}/socket").into_client_request().expect("request");
        req.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
        if let Some(o) = origin {
            req.headers_mut().insert("origin", o.parse().expect("header"));
        }
        tokio_tungstenite::connect_async(req)
    };
    // Refused before any upgrade: a stranger, a foreign page, a plain GET.
    let refused = connect(&rival, None).await.expect_err("rival");
    assert!(refused.to_string().contains("404"), "{refused}");
    let refused = connect(&brand, Some("https://evil.example")).await.expect_err("origin");
    assert!(refused.to_string().contains("403"), "{refused}");
    let (s, body) = answer(app.get_as(&brand, &format!("/v1/negotiations/{nid}/socket")).await).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{body}");

    let (mut brand_ws, _) = connect(&brand, None).await.expect("brand socket");
    let (mut creator_ws, _) = connect(&creator, None).await.expect("creator socket");
    // A browser cannot set headers on a WebSocket: it offers its token as a
    // subprotocol beside the app's own, which the server names back.
    let browser = |protocols: String| {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = format!("{ws_url}/v1/negotiations/{nid}/socket").into_client_request().expect("request");
        req.headers_mut().insert("sec-websocket-protocol", protocols.parse().expect("header"));
        tokio_tungstenite::connect_async(req)
    };
    let (mut browser_ws, response) = browser(format!("scout.v1, bearer.{creator}")).await.expect("browser socket");
    assert_eq!(response.headers().get("sec-websocket-protocol").map(|v| v.as_bytes()), Some(&b"scout.v1"[..]));
    let first = next_entry(&mut browser_ws).await.expect("history");
    assert_eq!(first["entry"]["kind"], "offer", "{first}");
    drop(browser_ws);
    let refused = browser(format!("bearer.{creator}")).await.expect_err("token without the app's protocol");
    assert!(refused.to_string().contains("401"), "{refused}");

    // The history first: the opening offer.
    let first = next_entry(&mut brand_ws).await.expect("history");
    assert_eq!((first["type"].as_str(), first["entry"]["kind"].as_str()), (Some("entry"), Some("offer")), "{first}");
    next_entry(&mut creator_ws).await.expect("history");

    // A message over HTTP reaches both sockets.
    let (s, _) =
        answer(app.post_as(&brand, &format!("/v1/negotiations/{nid}/messages"), &json!({"body": "Hi!"})).await).await;
    assert_eq!(s, 201);
    for ws in [&mut brand_ws, &mut creator_ws] {
        let got = next_entry(ws).await.expect("live message");
        assert_eq!((got["entry"]["kind"].as_str(), got["entry"]["body"].as_str()), (Some("message"), Some("Hi!")));
    }
    // A message sent on the creator's socket reaches the brand's.
    let text = json!({"body": "Hello from my socket"}).to_string();
    creator_ws.send(tokio_tungstenite::tungstenite::Message::Text(text.into())).await.expect("send");
    let got = next_entry(&mut brand_ws).await.expect("socket message");
    assert_eq!(
        (got["entry"]["side"].as_str(), got["entry"]["body"].as_str()),
        (Some("creator"), Some("Hello from my socket"))
    );
    // A bad frame is answered, the socket stays open.
    creator_ws.send(tokio_tungstenite::tungstenite::Message::Text("{\"bdy\": 1}".into())).await.expect("send");
    loop {
        let got = next_entry(&mut creator_ws).await.expect("an answer");
        if got["type"] == "error" {
            assert_eq!(got["code"], "invalid_json", "{got}");
            break;
        }
    }
    app.cleanup().await;
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame on a socket as JSON, or `Err` after ten seconds.
async fn next_entry(ws: &mut Socket) -> Result<Value, tokio::time::error::Elapsed> {
    let read = async {
        loop {
            let msg = ws.next().await.expect("open").expect("frame");
            if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
                return serde_json::from_str::<Value>(t.as_str()).expect("json");
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read).await
}

/// Every account has a code; a sign-up with it is recorded for the
/// referrer; unknown codes and one's own in another guise are refused.
#[tokio::test]
async fn referral_codes_record_who_brought_whom() {
    let app = TestApp::spawn().await;
    let referrer = app.login_as("brand", "ana@bars.example").await;
    let (s, mine) = answer(app.get_as(&referrer, "/v1/me/referrals").await).await;
    assert_eq!(s, 200, "{mine}");
    let code = mine["code"].as_str().expect("code").to_string();
    assert_eq!(code.len(), 8);
    assert!(mine["link"].as_str().is_some_and(|l| l.ends_with(&format!("/signup?ref={code}"))), "{mine}");
    let (_, again) = answer(app.get_as(&referrer, "/v1/me/referrals").await).await;
    assert_eq!(again["code"], code.as_str(), "one code per account");

    let sign_up = |email: &str, code: &str| {
        json!({"email": email, "password": "a long enough passphrase 42", "role": "creator", "name": email,
               "referral_code": code})
    };
    // A colleague at the same company domain is the same party.
    let (s, body) = answer(app.post_json("/v1/auth/register", &sign_up("bob@bars.example", &code)).await).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("self_referral")), "{body}");
    let (s, body) = answer(app.post_json("/v1/auth/register", &sign_up("eve@gmail.com", "ZZZZ2222")).await).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("referral_code_unknown")), "{body}");
    let (s, body) = answer(app.post_json("/v1/auth/register", &sign_up("eve@gmail.com", "short")).await).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{body}");
    // Someone else, typing the code in lower case.
    let (s, _) =
        answer(app.post_json("/v1/auth/register", &sign_up("cara@gmail.com", &code.to_lowercase())).await).await;
    assert_eq!(s, 202);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let listed = loop {
        let (_, mine) = answer(app.get_as(&referrer, "/v1/me/referrals").await).await;
        if mine["referrals"].as_array().is_some_and(|r| !r.is_empty()) {
            break mine;
        }
        assert!(std::time::Instant::now() < deadline, "the referral was never recorded: {mine}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(listed["referrals"][0]["name"], "cara@gmail.com");
    assert_eq!(listed["referrals"][0]["status"], "signed_up");
    assert_eq!(listed["earned"], json!([]));
    app.cleanup().await;
}
