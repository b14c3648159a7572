//! The web app: served by `scout serve` beside the API, its session cookie,
//! and the whole flow of a brand in headless Chromium (Playwright, `web/e2e/run.mjs`).

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, SET_COOKIE};
use scout_tests::{PASSWORD, TestApp};
use serde_json::{Value, json};

fn web_dist() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist")
}

/// The web app's API types are generated from `web/openapi.json` (`npm run api-types`);
/// the served document must be that file, or the app's types have drifted from what the
/// server sends. Refresh: `scout openapi > web/openapi.json && npm run --prefix web api-types`.
#[tokio::test]
async fn the_web_apps_api_types_come_from_the_served_document() {
    let app = TestApp::spawn().await;
    let served: Value = app.get("/openapi.json").await.json().await.expect("openapi json");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("web/openapi.json")).expect("valid json");
    assert!(
        served == committed,
        "web/openapi.json is not the served document: run `scout openapi > web/openapi.json && npm run --prefix web api-types`"
    );
    // Every operation has its own id, so generated clients get one function each.
    let mut ids: Vec<&str> = served["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|ops| ops.as_object().into_iter().flat_map(|o| o.values()))
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "duplicate operationId");
    app.cleanup().await;
}

#[tokio::test]
async fn pages_get_the_app_and_api_paths_stay_problem_json() {
    let app = TestApp::spawn().await;
    assert!(web_dist().join("index.html").exists(), "build the web app first (scripts/setup.sh does)");
    for path in ["/", "/search?q=vegan+fitness", "/profiles/42", "/shortlists/7?compare=1,2"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()[CONTENT_TYPE].to_str().expect("type").starts_with("text/html"), "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache", "{path}");
        let csp = res.headers()[CONTENT_SECURITY_POLICY].to_str().expect("csp").to_string();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe"), "{csp}");
        let html = res.text().await.expect("html");
        assert!(html.contains("<div id=\"app\">"), "{path}");
    }
    // The hashed assets the page names are served, cached for good.
    let html = app.get("/").await.text().await.expect("html");
    let asset = html.split('"').find(|s| s.starts_with("/assets/") && s.ends_with(".js")).expect("script");
    let res = app.get(asset).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()[CACHE_CONTROL].to_str().expect("cc").contains("immutable"));
    assert!(res.headers()[CONTENT_TYPE].to_str().expect("type").contains("javascript"));
    let plain = res.bytes().await.expect("asset").len();
    // Compressed from the build's copies for a browser that accepts it, smallest first.
    for (accepts, encoding) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let url = format!("{}{asset}", app.url);
        let res = app.client.get(url).header("accept-encoding", accepts).send().await.expect("request");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-encoding"], encoding, "{accepts}");
        assert!(res.headers()[CONTENT_TYPE].to_str().expect("type").contains("javascript"));
        let packed = res.bytes().await.expect("asset").len();
        assert!(packed * 2 < plain, "{encoding}: {packed} bytes of {plain}");
    }
    assert_eq!(app.get("/assets/nope.js").await.status(), 404);
    // The API keeps its own 404s, in problem+json.
    for res in [app.get("/v1/nope").await, app.post_json("/search", &json!({})).await] {
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()[CONTENT_TYPE], "application/problem+json");
    }
    app.cleanup().await;
}

/// The `scout_refresh` cookie a response sets, and its attributes.
fn set_cookie(res: &reqwest::Response) -> String {
    res.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().and_then(|kv| kv.split_once('=')).map(|(_, v)| v.to_string()).unwrap_or_default()
}

#[tokio::test]
async fn the_web_app_keeps_its_refresh_token_in_an_http_only_cookie() {
    let app = TestApp::spawn().await;
    app.login_as("brand", "cookie@brand.test").await;
    let web = |path: &str| app.client.post(format!("{}{path}", app.url)).header("x-scout-client", "web");

    let res = web("/v1/auth/login")
        .json(&json!({"email": "cookie@brand.test", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let cookie = set_cookie(&res);
    for attr in ["scout_refresh=", "HttpOnly", "SameSite=Strict", "Path=/v1/auth", "Max-Age=2592000"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let body: Value = res.json().await.expect("tokens");
    assert!(body.get("refresh_token").is_none(), "script never sees the refresh token: {body}");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    let first = cookie_value(&cookie);

    // The cookie refreshes, only with the web app's header, and rotates.
    let res = web("/v1/auth/refresh")
        .header(COOKIE, format!("scout_refresh={first}"))
        .json(&json!({}))
        .send()
        .await
        .expect("refresh");
    assert_eq!(res.status(), 200);
    let second = cookie_value(&set_cookie(&res));
    assert!(!second.is_empty() && second != first);
    let access = res.json::<Value>().await.expect("tokens")["access_token"].as_str().expect("access").to_string();
    assert_eq!(app.get_as(&access, "/v1/auth/me").await.status(), 200);
    let res = app
        .client
        .post(format!("{}/v1/auth/refresh", app.url))
        .header(COOKIE, format!("scout_refresh={second}"))
        .json(&json!({}))
        .send()
        .await
        .expect("refresh");
    assert_eq!(res.status(), 401, "without the header the cookie is ignored (a cross-site form cannot add it)");
    let res = web("/v1/auth/refresh").json(&json!({})).send().await.expect("refresh");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "no cookie, no session");
    // A spent cookie presented again ends the session, as a spent token does.
    let res = web("/v1/auth/refresh")
        .header(COOKIE, format!("scout_refresh={first}"))
        .json(&json!({}))
        .send()
        .await
        .expect("replay");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().await.expect("problem")["code"], "refresh_token_reused");

    // Logging out clears the cookie.
    let res = web("/v1/auth/login")
        .json(&json!({"email": "cookie@brand.test", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let access = res.json::<Value>().await.expect("tokens")["access_token"].as_str().expect("access").to_string();
    let res = web("/v1/auth/logout").bearer_auth(&access).send().await.expect("logout");
    assert_eq!(res.status(), 204);
    let cleared = set_cookie(&res);
    assert!(cleared.starts_with("scout_refresh=;") && cleared.contains("Max-Age=0"), "{cleared}");
    app.cleanup().await;
}

/// A brand's whole visit in a real browser, on a laptop and on a phone, with an
/// accessibility scan of each main page (the checks are in `web/e2e/run.mjs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_uses_the_web_app_in_a_browser() {
    // Every browser of the test (four people, a dozen tabs) comes from 127.0.0.1: one address
    // standing for many people gets the credential budget of many.
    // No hold period: the creator's approved earnings can be paid out in the same flow.
    let app = TestApp::spawn_with(scout_tests::Backend::Sqlite, |s| {
        s.credential_requests_per_minute = 600;
        s.payments.hold_days = 0;
    })
    .await;
    app.import_fixtures(4000, 11).await;
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    assert!(web.join("node_modules/playwright-core").exists(), "run scripts/setup.sh (npm ci in web/) first");
    let out = tokio::process::Command::new("node")
        .arg("e2e/run.mjs")
        .current_dir(&web)
        .env("SCOUT_URL", &app.url)
        .env("SCOUT_E2E_OPERATOR_TOKEN", &app.operator)
        .output()
        .await
        .expect("node runs (Node.js 20.19+ is needed to build the web app)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser flow failed:\n{stdout}\n{stderr}");
    let passed: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("e2e: ")?.strip_suffix(" checks passed")?.parse().ok())
        .expect("summary line");
    println!("e2e: {passed} browser checks passed");
    assert!(passed >= 99, "{passed} checks:\n{stdout}");
    for step in [
        "desktop: the CSV export has a header and both creators",
        "desktop: the keyboard reaches the first result",
        "phone: a platform filter narrows the results",
        "desktop: price and audience-quality filters narrow the results",
        "desktop: with 2FA on, login asks for the code and lets the owner in",
        "desktop: an owner adds a colleague as a viewer and makes them a member",
        "axe clean: search results",
        "phone: profile fits the screen",
        "creator: claims a profile by handle and gets a bio code",
        "creator: verifies the claim once the bio shows the code, then edits the profile",
        "agency: a client's shortlists belong to the client, not the agency",
        "phone: a multi-line note keeps its lines",
        "phone: the CSV keeps a multi-line note in one cell",
        "desktop: the copy button copies the new key, and it works as a bearer token",
        "phone: the copy button copies the new key, and it works as a bearer token",
        "axe clean: shortlist (phone)",
        "creator: is paid out in dollars at the shown rate, and the bank confirms it",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}");
    }

    // What the browser did is in the database: the creators shortlisted from
    // the results carry the search they were found with (ranking feedback).
    let feedback = app.state.store().shortlist_feedback().await.expect("feedback");
    assert!(feedback.iter().any(|f| f.query == "fitness creators in Germany"), "{feedback:?}");
    app.cleanup().await;
}
