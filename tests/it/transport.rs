//! Transport and shared limits: HTTPS with rustls and HSTS, limits and
//! lockouts shared between API nodes through Redis, the per-account request
//! budget, and the event stream with its origin check.

use std::time::Duration;

use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

async fn code_of(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn https_with_hsts_when_a_certificate_is_configured() {
    let app = TestApp::spawn_tls(Backend::Sqlite).await;
    assert!(app.url.starts_with("https://localhost:"), "{}", app.url);
    // The operator logged in over TLS already; a brand's whole first steps work too.
    let brand = app.login_as("brand", "tls@example.com").await;
    let res = app.get_as(&brand, "/v1/auth/me").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
    assert_eq!(res.version(), reqwest::Version::HTTP_11);
    // The client address reaches the handlers through the TLS listener (audit log).
    let audit: Value = app.get_as(&brand, "/v1/auth/audit").await.json().await.expect("audit");
    assert!(audit["events"].as_array().expect("events").iter().any(|e| e["ip"] == "127.0.0.1"), "{audit}");
    // Plain HTTP to the same port gets no answer.
    let port = app.url.rsplit(':').next().expect("port").to_string();
    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{port}/healthz")).send().await;
    assert!(plain.is_err(), "plain HTTP must not be served: {plain:?}");
    // A client that does not trust the certificate is refused at the handshake.
    let strict = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .resolve("localhost", std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .expect("client");
    assert!(strict.get(format!("{}/healthz", app.url)).send().await.is_err());
    app.cleanup().await;

    // Without a certificate: plain HTTP, and no HSTS (browsers ignore it there).
    let plain_app = TestApp::spawn().await;
    let res = plain_app.get("/healthz").await;
    assert!(res.headers().get("strict-transport-security").is_none());
    plain_app.cleanup().await;
}

fn redis_url() -> String {
    std::env::var("SCOUT_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

#[tokio::test]
async fn login_lockouts_are_shared_between_nodes_through_redis() {
    let prefix = format!("scout-e2e-{}", uuid::Uuid::new_v4().simple());
    let shared = |s: &mut scout_app::settings::Settings| {
        s.redis_url = Some(redis_url());
        s.redis_prefix = prefix.clone();
    };
    let node_a = TestApp::spawn_with(Backend::Sqlite, shared).await;
    let node_b = TestApp::spawn_with(Backend::Sqlite, shared).await;
    let alone = TestApp::spawn().await;
    assert!(node_a.state.limits().shared && !alone.state.limits().shared);
    async fn attempt(app: &TestApp) -> reqwest::Response {
        app.post_json("/v1/auth/login", &json!({"email": "target@example.com", "password": "guess"})).await
    }
    for _ in 0..5 {
        assert_eq!(code_of(attempt(&node_a).await).await, (401, "invalid_credentials".into()));
    }
    // Node B never saw a failure, yet refuses: the lock lives in Redis.
    let res = attempt(&node_b).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(code_of(res).await, (429, "login_locked".into()));
    // A node with in-process counts knows nothing of it.
    assert_eq!(code_of(attempt(&alone).await).await, (401, "invalid_credentials".into()));
    for app in [node_a, node_b, alone] {
        app.cleanup().await;
    }
}

async fn account_budget(configure: impl FnOnce(&mut scout_app::settings::Settings)) {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.account_requests_per_minute = 8;
        configure(s);
    })
    .await;
    let brand = app.login_as("brand", "busy@example.com").await;
    let other = app.login_as("brand", "calm@example.com").await;
    // A burst of a quarter of a minute's budget, then one request every 7.5 s.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.get_as(&brand, "/v1/auth/me").await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429], "burst of 2 (8/min ÷ 4)");
    let res = app.get_as(&brand, "/v1/auth/me").await;
    let retry: u64 = res.headers()["retry-after"].to_str().expect("header").parse().expect("secs");
    assert!((1..=8).contains(&retry), "{retry}");
    assert_eq!(code_of(res).await, (429, "account_rate_limited".into()));
    // The budget is the account's, whatever credential it uses, and only its:
    // another account is untouched, and its key draws on its own budget.
    let res = app.post_as(&other, "/v1/keys", &json!({"name": "k", "scopes": ["search"]})).await;
    assert_eq!(res.status(), 201, "another account is not limited");
    let key: Value = res.json().await.expect("key");
    let key = key["secret"].as_str().expect("secret shown once").to_string();
    assert_eq!(app.get_as(&key, "/v1/auth/me").await.status(), 200, "second of its burst, with the key");
    assert_eq!(code_of(app.get_as(&other, "/v1/auth/me").await).await, (429, "account_rate_limited".into()));
    app.cleanup().await;
}

#[tokio::test]
async fn each_account_has_a_request_budget_in_process() {
    account_budget(|_| {}).await;
}

#[tokio::test]
async fn each_account_has_a_request_budget_in_redis() {
    let prefix = format!("scout-e2e-{}", uuid::Uuid::new_v4().simple());
    account_budget(|s| {
        s.redis_url = Some(redis_url());
        s.redis_prefix = prefix;
    })
    .await;
}

/// Reads server-sent events until one named `name` arrives; its data.
async fn next_event(res: &mut reqwest::Response, buffer: &mut String, name: &str) -> Value {
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                }
            }
            if event == name {
                return serde_json::from_str(&data).expect("event data is JSON");
            }
        }
        let chunk = tokio::time::timeout(Duration::from_secs(10), res.chunk())
            .await
            .expect("an event within 10 s")
            .expect("stream")
            .expect("stream still open");
        buffer.push_str(std::str::from_utf8(&chunk).expect("utf-8"));
    }
}

#[tokio::test]
async fn security_events_stream_to_their_account_with_an_origin_check() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.cors_origins = vec!["https://app.example.com".into()]).await;
    let ann = app.login_as("brand", "ann@example.com").await;
    let bob = app.login_as("brand", "bob@example.com").await;
    let open = |token: &str, origin: Option<&str>| {
        let mut req = app.client.get(format!("{}/v1/events", app.url)).bearer_auth(token);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    // A page on another site may not open the stream.
    assert_eq!(
        code_of(open(&ann, Some("https://evil.example")).await.expect("send")).await,
        (403, "origin_not_allowed".into())
    );
    assert_eq!(code_of(app.client.get(format!("{}/v1/events", app.url)).send().await.expect("send")).await.0, 401);
    let mut ann_stream = open(&ann, Some("https://app.example.com")).await.expect("send");
    assert_eq!(ann_stream.status(), 200);
    assert!(ann_stream.headers()["content-type"].to_str().expect("ct").starts_with("text/event-stream"));
    let mut bob_stream = open(&bob, None).await.expect("send");
    let (mut ann_buf, mut bob_buf) = (String::new(), String::new());
    next_event(&mut ann_stream, &mut ann_buf, "ready").await;
    next_event(&mut bob_stream, &mut bob_buf, "ready").await;
    // Ann creates a key; then Bob fails to change his password.
    let res = app.post_as(&ann, "/v1/keys", &json!({"name": "ci", "scopes": ["search"]})).await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_as(
            &bob,
            "/v1/auth/password",
            &json!({"current_password": "wrong", "new_password": "another long passphrase"}),
        )
        .await;
    assert!(res.status().is_client_error());
    let ann_event = next_event(&mut ann_stream, &mut ann_buf, "security").await;
    assert_eq!(ann_event["kind"], "api_key_created", "{ann_event}");
    // Bob's first event is his own, not Ann's key.
    let bob_event = next_event(&mut bob_stream, &mut bob_buf, "security").await;
    assert_eq!(bob_event["kind"], "password_change_failed", "{bob_event}");
    app.cleanup().await;
}
