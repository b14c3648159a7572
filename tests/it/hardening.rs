//! What an attack probe found (issue 20), each class shown fixed over real HTTP.

use scout_tests::TestApp;

/// Made-up methods and paths cannot grow `/metrics`: every label comes from a
/// closed set, so thousands of them add one `other` series, not thousands.
#[tokio::test]
async fn made_up_methods_and_paths_do_not_grow_the_metrics() {
    let app = TestApp::spawn().await;
    let before = app.get("/metrics").await.text().await.expect("metrics");
    for i in 0..2000 {
        let method = reqwest::Method::from_bytes(format!("M{i}X{}", "Y".repeat(200)).as_bytes()).expect("method");
        let res = app.client.request(method, format!("{}/nowhere/{i}", app.url)).send().await.expect("request");
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let after = app.get("/metrics").await.text().await.expect("metrics");
    assert!(after.contains(r#"method="other""#), "no other label in {after}");
    assert!(!after.contains("M1999X"), "a made-up method became a label");
    assert!(!after.contains("/nowhere/"), "a made-up path became a label");
    // A handful of new series (the `other` method, the unmatched route's statuses), not 2,000.
    let series = |text: &str| text.lines().filter(|l| l.starts_with("scout_http_")).count();
    assert!(series(&after) <= series(&before) + 40, "{} series before, {} after", series(&before), series(&after));
    assert!(after.len() < before.len() + 16 * 1024, "{} bytes before, {} after", before.len(), after.len());
    app.cleanup().await;
}

/// Filter lists longer than a person could mean are refused before any work,
/// naming the limit (the probe sent 16,000 audience constraints).
#[tokio::test]
async fn oversized_filter_lists_are_a_400_naming_the_limit() {
    let app = TestApp::spawn().await;
    let brand = app.login_as("brand", "lists@brand.test").await;
    let constraint = serde_json::json!({"dimension": "gender", "value": "female", "min_share": 0.5});
    let body = serde_json::json!({"query": "food", "filters": {"audience": vec![constraint; 16_000]}});
    let res = app.post_as(&brand, "/v1/search", &body).await;
    assert_eq!(res.status(), 400);
    let problem: serde_json::Value = res.json().await.expect("problem");
    assert_eq!(problem["code"], "bad_parameter");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("at most 20"), "{problem}");
    let body = serde_json::json!({"filters": {"countries": vec!["DE"; 51]}});
    let problem: serde_json::Value = app.post_as(&brand, "/v1/search", &body).await.json().await.expect("problem");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("filters.countries"), "{problem}");
    // An inverted range is valid and empty, as the document allows it.
    app.import_fixtures(50, 3).await;
    let all = app.post_as(&brand, "/v1/search", &serde_json::json!({"filters": {"followers_min": 1}})).await;
    assert!(all.json::<serde_json::Value>().await.expect("json")["total"].as_u64() > Some(0));
    let body = serde_json::json!({"filters": {"followers_min": 100_000, "followers_max": 10}});
    let res = app.post_as(&brand, "/v1/search", &body).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.expect("json")["total"], 0);
    app.cleanup().await;
}

/// A client that never finishes its headers, or sits idle on a kept-alive
/// connection, is disconnected after the header timeout.
#[tokio::test]
async fn slow_and_idle_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(scout_tests::Backend::Sqlite, |s| s.limits.header_timeout_secs = 1).await;
    let addr = app.url.trim_start_matches("http://").to_string();
    // Closed by the server: reading ends (0 bytes or a reset) well before the test's own limit.
    async fn closed_within(stream: &mut tokio::net::TcpStream, secs: u64) -> bool {
        let mut buf = vec![0u8; 4096];
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
                Err(_) => return false,
                Ok(Ok(0)) | Ok(Err(_)) => return true,
                Ok(Ok(_)) => continue,
            }
        }
    }
    let mut silent = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    assert!(closed_within(&mut silent, 10).await, "a connection that sends nothing is closed");
    let mut partial = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("write");
    assert!(closed_within(&mut partial, 10).await, "unfinished headers are cut off");
    let mut idle = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
    let mut buf = vec![0u8; 1024];
    let n = idle.read(&mut buf).await.expect("answer");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "answered first");
    assert!(closed_within(&mut idle, 10).await, "an idle kept-alive connection is closed");
    // Meanwhile the server answers everybody else.
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.cleanup().await;
}

/// Every error answer is problem+json, those no handler writes included.
#[tokio::test]
async fn every_error_status_is_problem_json() {
    let app = TestApp::spawn().await;
    let brand = app.login_as("brand", "errors@brand.test").await;
    let url = |p: &str| format!("{}{p}", app.url);
    let cases: Vec<(u16, &str, reqwest::RequestBuilder)> = vec![
        (405, "method_not_allowed", app.client.delete(url("/v1/search"))),
        (404, "not_found", app.client.get(url("/assets/no-such-file.js"))),
        (414, "uri_too_long", app.client.get(url(&format!("/v1/search?q={}", "a".repeat(9000))))),
        (431, "headers_too_large", {
            let mut r = app.client.get(url("/healthz"));
            for i in 0..70 {
                r = r.header(format!("x-h{i}"), "v");
            }
            r
        }),
        (
            400,
            "invalid_body",
            app.client
                .post(url("/v1/search"))
                .bearer_auth(&brand)
                .header("content-type", "application/json")
                .body(r#"["vegan", null, null, 5]"#),
        ),
        (
            400,
            "invalid_body",
            app.client
                .post(url("/v1/search"))
                .bearer_auth(&brand)
                .header("content-type", "application/json")
                .body("[]"),
        ),
        (400, "invalid_query_string", app.client.get(url("/v1/search?q=caf%E9")).bearer_auth(&brand)),
        (401, "missing_token", app.client.get(url("/v1/search?q=food"))),
    ];
    for (status, code, req) in cases {
        let res = req.send().await.expect("send");
        assert_eq!(res.status().as_u16(), status, "{code}");
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert_eq!(ct, "application/problem+json", "{code}");
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!((body["status"].as_u64(), body["code"].as_str()), (Some(status as u64), Some(code)), "{body}");
    }
    app.cleanup().await;
}

/// Someone who knows an email cannot lock its owner out: their failures hold
/// back their own address (and, past many, addresses the account never used),
/// never the owner's; the owner is told by mail.
#[tokio::test]
async fn an_attacked_account_still_logs_in_from_its_owners_address() {
    let app = TestApp::spawn().await;
    let email = "target@brand.test";
    app.login_as("brand", email).await;
    let (owner, attacker) = (Some("198.51.100.7"), Some("203.0.113.66"));
    app.state.login(email, scout_tests::PASSWORD.into(), None, owner).await.expect("the owner logs in once");
    // One address guessing: it is held back, after five tries.
    for _ in 0..10 {
        let _ = app.state.login(email, "not the password".into(), None, attacker).await;
    }
    let locked = app.state.login(email, scout_tests::PASSWORD.into(), None, attacker).await.expect_err("locked");
    assert_eq!(locked.code(), scout_domain::ErrorCode::LoginLocked);
    app.state.login(email, scout_tests::PASSWORD.into(), None, owner).await.expect("the owner is not locked out");
    // Many addresses guessing once each: addresses the account never used wait; the owner's does not.
    for i in 0..40 {
        let from = format!("192.0.2.{i}");
        let _ = app.state.login(email, "not the password".into(), None, Some(from.as_str())).await;
    }
    let unknown = app.state.login(email, scout_tests::PASSWORD.into(), None, Some("192.0.2.200")).await;
    assert_eq!(unknown.expect_err("throttled").code(), scout_domain::ErrorCode::LoginLocked);
    app.state.login(email, scout_tests::PASSWORD.into(), None, owner).await.expect("still not the owner");
    // Over HTTP the attacker's lock is a 429 with Retry-After (the tests' address is 127.0.0.1).
    for _ in 0..6 {
        app.post_json("/v1/auth/login", &serde_json::json!({"email": email, "password": "wrong guess!"})).await;
    }
    let res = app.post_json("/v1/auth/login", &serde_json::json!({"email": email, "password": "wrong guess!"})).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    // The owner is told (wait_for_mail fails the test when no such mail comes).
    app.wait_for_mail(email, "Repeated failed logins").await;
    app.cleanup().await;
}

/// One account holds a bounded number of event streams.
#[tokio::test]
async fn event_streams_per_account_are_capped() {
    let app = TestApp::spawn_with(scout_tests::Backend::Sqlite, |s| s.limits.max_streams_per_account = 2).await;
    let brand = app.login_as("brand", "streams@brand.test").await;
    let open = || app.client.get(format!("{}/v1/events", app.url)).bearer_auth(&brand).send();
    let first = open().await.expect("first");
    let second = open().await.expect("second");
    assert_eq!((first.status().as_u16(), second.status().as_u16()), (200, 200));
    let third = open().await.expect("third");
    assert_eq!(third.status(), 429);
    let problem: serde_json::Value = third.json().await.expect("problem");
    assert_eq!(problem["code"], "too_many_streams");
    drop(first);
    // The closed stream's slot comes back once the server notices.
    let mut reopened = false;
    for _ in 0..100 {
        if open().await.expect("again").status() == 200 {
            reopened = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reopened, "a closed stream gives its slot back");
    drop(second);
    app.cleanup().await;
}

/// `/metrics` asks for its token when one is configured.
#[tokio::test]
async fn metrics_can_require_a_token() {
    let app =
        TestApp::spawn_with(scout_tests::Backend::Sqlite, |s| s.metrics_token = Some("scrape-secret".into())).await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let res = app.client.get(format!("{}/metrics", app.url)).bearer_auth("scrape-secret").send().await.expect("get");
    assert_eq!(res.status(), 200);
    assert!(res.text().await.expect("text").contains("scout_http_requests_total"));
    app.cleanup().await;
}

/// An event stream's "own origin" is the service's, never the `Host` a client sends.
#[tokio::test]
async fn a_forged_host_does_not_make_an_origin_own() {
    let app = TestApp::spawn().await;
    let brand = app.login_as("brand", "origin@brand.test").await;
    let res = app
        .client
        .get(format!("{}/v1/events", app.url))
        .bearer_auth(&brand)
        .header("host", "evil.example")
        .header("origin", "http://evil.example")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 403);
    let own = app.url.clone();
    let res = app
        .client
        .get(format!("{}/v1/events", app.url))
        .bearer_auth(&brand)
        .header("origin", own)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    app.cleanup().await;
}
