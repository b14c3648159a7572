//! Accounts and sessions over HTTP, and the ways an attacker would try tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use ring::signature::{Ed25519KeyPair, KeyPair};
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn register(app: &TestApp, email: &str, role: &str) -> reqwest::Response {
    app.register(email, PASSWORD, role, "Ana Lima").await
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json("/v1/auth/login", &json!({"email": email, "password": password})).await
}

async fn tokens(app: &TestApp, email: &str) -> Value {
    let res = login(app, email, PASSWORD).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("tokens")
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.get_as(token, "/v1/auth/me").await
}

async fn code_of(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body: Value = res.json().await.expect("problem json");
    if !status.is_success() {
        assert_eq!(ct, "application/problem+json");
    }
    (status, body["code"].as_str().unwrap_or_default().to_string())
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post_json("/v1/auth/refresh", &json!({"refresh_token": token})).await
}

async fn a_session_lifecycle(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let res = register(&app, " Ana@Example.com ", "brand").await;
    assert_eq!(res.status(), 202);
    let first: Value = res.json().await.expect("accepted");
    assert_eq!(first["email"], "ana@example.com");
    assert!(first.get("id").is_none() && first.get("password_hash").is_none(), "nothing of the account: {first}");

    // The same email again, in other letters, with another role and password:
    // the same answer (sign-up does not tell who has an account), no second
    // account, no change to the first, and a note to its owner.
    let body =
        json!({"email": "ANA@example.com", "password": "another long passphrase", "role": "agency", "name": "M"});
    let again = app.post_json("/v1/auth/register", &body).await;
    assert_eq!(again.status(), 202);
    assert_eq!(again.json::<Value>().await.expect("accepted"), first);
    let note = app.wait_for_mail("ana@example.com", "Someone tried to create a Scout account").await;
    assert!(note["body"].as_str().expect("body").contains("unchanged"), "{note}");
    assert_eq!(code_of(login(&app, "ana@example.com", "another long passphrase").await).await.1, "invalid_credentials");

    // Wrong password and unknown account look the same.
    assert_eq!(code_of(login(&app, "ana@example.com", "wrong password!").await).await.1, "invalid_credentials");
    assert_eq!(code_of(login(&app, "nobody@example.com", PASSWORD).await).await.1, "invalid_credentials");

    let t = tokens(&app, "ana@example.com").await;
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);
    let access = t["access_token"].as_str().expect("access");
    let res = me(&app, access).await;
    assert_eq!(res.status(), 200);
    let user: Value = res.json().await.expect("me");
    assert_eq!(
        (user["email"].as_str(), user["role"].as_str()),
        (Some("ana@example.com"), Some("brand")),
        "first sign-up kept"
    );
    assert_eq!(code_of(app.get("/v1/auth/me").await).await, (StatusCode::UNAUTHORIZED, "missing_token".into()));

    // Refresh rotates: a new pair, and the old refresh token is spent.
    let res = refresh(&app, t["refresh_token"].as_str().expect("refresh")).await;
    assert_eq!(res.status(), 200);
    let t2: Value = res.json().await.expect("tokens");
    assert_ne!(t2["refresh_token"], t["refresh_token"]);
    let access2 = t2["access_token"].as_str().expect("access");
    assert_eq!(me(&app, access2).await.status(), 200);

    // Logout ends this session: its access and refresh tokens stop working.
    let res = app.post_as(access2, "/v1/auth/logout", &json!({})).await;
    assert_eq!(res.status(), 204);
    assert_eq!(code_of(me(&app, access2).await).await.1, "token_revoked");
    assert_eq!(code_of(refresh(&app, t2["refresh_token"].as_str().expect("r")).await).await.1, "invalid_refresh_token");

    // Logout everywhere ends the other sessions too.
    let a = tokens(&app, "ana@example.com").await;
    let b = tokens(&app, "ana@example.com").await;
    let res = app.post_as(a["access_token"].as_str().expect("a"), "/v1/auth/logout?all=true", &json!({})).await;
    assert_eq!(res.status(), 204);
    assert_eq!(code_of(me(&app, b["access_token"].as_str().expect("b")).await).await.1, "token_revoked");
    assert_eq!(code_of(refresh(&app, b["refresh_token"].as_str().expect("b")).await).await.1, "invalid_refresh_token");
    app.cleanup().await;
}

#[tokio::test]
async fn a_session_lifecycle_on_sqlite() {
    a_session_lifecycle(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_session_lifecycle_on_postgres() {
    a_session_lifecycle(Backend::Postgres).await;
}

async fn refresh_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    assert_eq!(register(&app, "bo@example.com", "influencer").await.status(), 202);
    let t = tokens(&app, "bo@example.com").await;
    let other_session = tokens(&app, "bo@example.com").await;
    let stolen = t["refresh_token"].as_str().expect("r").to_string();
    // The legitimate client refreshes...
    let t2: Value = refresh(&app, &stolen).await.json().await.expect("tokens");
    // ...then the thief replays the spent token: refused, and the family ends.
    assert_eq!(code_of(refresh(&app, &stolen).await).await, (StatusCode::UNAUTHORIZED, "refresh_token_reused".into()));
    assert_eq!(code_of(refresh(&app, t2["refresh_token"].as_str().expect("r")).await).await.1, "invalid_refresh_token");
    assert_eq!(code_of(me(&app, t2["access_token"].as_str().expect("a")).await).await.1, "token_revoked");
    // Another session of the same account is untouched.
    assert_eq!(me(&app, other_session["access_token"].as_str().expect("a")).await.status(), 200);
    assert_eq!(refresh(&app, other_session["refresh_token"].as_str().expect("r")).await.status(), 200);
    assert_eq!(code_of(refresh(&app, "made-up-token").await).await.1, "invalid_refresh_token");
    app.cleanup().await;
}

#[tokio::test]
async fn refresh_reuse_revokes_the_family_on_sqlite() {
    refresh_reuse_revokes_the_family(Backend::Sqlite).await;
}

#[tokio::test]
async fn refresh_reuse_revokes_the_family_on_postgres() {
    refresh_reuse_revokes_the_family(Backend::Postgres).await;
}

#[tokio::test]
async fn registration_input_is_checked_and_roles_cannot_be_escalated() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"email": "x", "password": PASSWORD, "role": "brand", "name": "X"}), "bad_parameter"),
        (json!({"email": "c@example.com", "password": "short", "role": "brand", "name": "X"}), "bad_parameter"),
        // Not a role one may sign up for: outside the documented enum.
        (json!({"email": "c@example.com", "password": PASSWORD, "role": "admin", "name": "X"}), "invalid_body"),
        (json!({"email": "c@example.com", "password": PASSWORD, "role": "brand", "name": ""}), "bad_parameter"),
        // Mass assignment: fields the caller may not set are refused, not ignored silently.
        (
            json!({"email": "c@example.com", "password": PASSWORD, "role": "brand", "name": "X", "token_version": 7}),
            "invalid_body",
        ),
        (
            json!({"email": "c@example.com", "password": PASSWORD, "role": "brand", "name": "X", "id": 1}),
            "invalid_body",
        ),
    ];
    for (body, code) in cases {
        let res = app.post_json("/v1/auth/register", &body).await;
        assert_eq!(code_of(res).await, (StatusCode::BAD_REQUEST, code.to_string()), "{body}");
    }
    let res = app
        .client
        .post(format!("{}/v1/auth/register", app.url))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("request");
    assert_eq!(code_of(res).await.1, "invalid_json");
    // Nothing was created by any of it.
    assert_eq!(code_of(login(&app, "c@example.com", PASSWORD).await).await.1, "invalid_credentials");
    app.cleanup().await;
}

/// The server's signing key (PKCS#8) and its key id, read from the data folder
/// the way an attacker who stole it would; used to sign tokens that are
/// correctly signed but wrong in one claim, so each check is tested on its own.
fn server_key(app: &TestApp) -> (Vec<u8>, String) {
    let dir = app.state.settings().data_dir.join("keys");
    let entry = std::fs::read_dir(&dir)
        .expect("keys dir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("jwt-"))
        .expect("a signing key");
    let name = entry.file_name().to_string_lossy().to_string();
    let kid = name.trim_start_matches("jwt-").trim_end_matches(".pk8").to_string();
    (std::fs::read(entry.path()).expect("key"), kid)
}

fn claims(sub: i64, tv: i64, sid: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub.to_string(), "role": "brand", "tv": tv, "sid": sid, "iss": "scout", "aud": "scout-api",
           "iat": now, "nbf": now, "exp": now + 600, "jti": "t"})
}

fn sign(der: &[u8], kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der)).expect("sign")
}

#[tokio::test]
async fn forged_and_altered_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    assert_eq!(register(&app, "eve@example.com", "brand").await.status(), 202);
    let t = tokens(&app, "eve@example.com").await;
    let good = t["access_token"].as_str().expect("a").to_string();
    let parts: Vec<&str> = good.split('.').collect();
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("claims");
    let (sub, sid) =
        (payload["sub"].as_str().expect("sub").parse::<i64>().expect("id"), payload["sid"].as_str().expect("sid"));
    let (der, kid) = server_key(&app);

    // A token we sign the same way is accepted: the forgeries below fail for their one flaw.
    assert_eq!(me(&app, &sign(&der, &kid, &claims(sub, 0, sid))).await.status(), 200);

    let with = |key: &str, value: Value| {
        let mut c = claims(sub, 0, sid);
        c[key] = value;
        c
    };
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, String, &str)> = vec![
        ("expired", sign(&der, &kid, &with("exp", json!(now - 120))), "token_expired"),
        ("not yet valid", sign(&der, &kid, &with("nbf", json!(now + 600))), "invalid_token"),
        ("issued in the future", sign(&der, &kid, &with("iat", json!(now + 600))), "invalid_token"),
        ("wrong issuer", sign(&der, &kid, &with("iss", json!("someone-else"))), "invalid_token"),
        ("wrong audience", sign(&der, &kid, &with("aud", json!("another-api"))), "invalid_token"),
        ("older token version", sign(&der, &kid, &with("tv", json!(-1))), "token_revoked"),
        ("another user", sign(&der, &kid, &with("sub", json!("999999"))), "invalid_token"),
        ("unknown kid", sign(&der, "not-a-key", &claims(sub, 0, sid)), "invalid_token"),
    ];
    for (what, token, code) in cases {
        assert_eq!(code_of(me(&app, &token).await).await, (StatusCode::UNAUTHORIZED, code.to_string()), "{what}");
    }

    // Signed by another key under the server's kid: bad signature.
    let other = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).expect("key");
    assert_eq!(code_of(me(&app, &sign(other.as_ref(), &kid, &claims(sub, 0, sid))).await).await.1, "invalid_token");

    // alg: none, with the real claims and no signature.
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT", "kid": kid})), b64(&claims(sub, 0, sid)));
    assert_eq!(code_of(me(&app, &none).await).await.1, "invalid_token");

    // HS256 "signed" with the server's public key as the HMAC secret (key confusion).
    let public = Ed25519KeyPair::from_pkcs8(&der).expect("pair").public_key().as_ref().to_vec();
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(kid.clone());
    let confused = jsonwebtoken::encode(&hs, &claims(sub, 0, sid), &EncodingKey::from_secret(&public)).expect("hs");
    assert_eq!(code_of(me(&app, &confused).await).await.1, "invalid_token");

    // One flipped character of a good token's signature.
    let mut tampered = good.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(code_of(me(&app, &tampered).await).await.1, "invalid_token");
    // Garbage and the wrong scheme.
    assert_eq!(code_of(me(&app, "not.a.jwt").await).await.1, "invalid_token");
    let res =
        app.client.get(format!("{}/v1/auth/me", app.url)).header("authorization", format!("Basic {good}")).send().await;
    assert_eq!(code_of(res.expect("request")).await.1, "missing_token");
    app.cleanup().await;
}

/// RFC 6238 code for a base32 secret, as an authenticator app computes it.
fn code_for(secret_b32: &str, at: i64) -> String {
    let secret = data_encoding::BASE32_NOPAD.decode(secret_b32.as_bytes()).expect("base32");
    scout_app::security::totp::totp(&secret, at as u64, 6)
}

async fn two_factor(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    assert_eq!(register(&app, "dee@example.com", "agency").await.status(), 202);
    let t = tokens(&app, "dee@example.com").await;
    let access = t["access_token"].as_str().expect("a").to_string();
    let post = |path: &'static str, body: Value| {
        let (app, access) = (&app, access.clone());
        async move { app.post_as(&access, path, &body).await }
    };
    // Enabling needs a set-up first.
    assert_eq!(code_of(post("/v1/auth/2fa/enable", json!({"code": "123456"})).await).await.1, "totp_not_pending");
    let res = post("/v1/auth/2fa/setup", json!({})).await;
    assert_eq!(res.status(), 200);
    let setup: Value = res.json().await.expect("setup");
    let secret = setup["secret"].as_str().expect("secret").to_string();
    assert_eq!(data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).expect("base32").len(), 20);
    assert!(setup["otpauth_uri"].as_str().expect("uri").starts_with("otpauth://totp/Scout:dee@example.com?secret="));
    assert!(setup["qr_svg"].as_str().expect("svg").contains("<svg"));
    // Until confirmed, login needs no code.
    assert_eq!(login(&app, "dee@example.com", PASSWORD).await.status(), 200);
    assert_eq!(code_of(post("/v1/auth/2fa/enable", json!({"code": "000000"})).await).await.1, "invalid_totp");
    let now = chrono::Utc::now().timestamp();
    let res = post("/v1/auth/2fa/enable", json!({"code": code_for(&secret, now)})).await;
    assert_eq!(res.status(), 200);
    let recovery: Vec<String> =
        serde_json::from_value(res.json::<Value>().await.expect("codes")["recovery_codes"].clone()).expect("list");
    assert_eq!(recovery.len(), 10);
    assert_eq!(code_of(post("/v1/auth/2fa/setup", json!({})).await).await.1, "totp_already_enabled");
    // The database holds the secret sealed (its key is in the data folder, not the database).
    let email = scout_domain::account::Email::parse("dee@example.com").expect("email");
    let stored = app.state.store().identity().user_by_email(&email).await.expect("read").expect("user");
    let sealed = stored.totp_secret.expect("2FA on");
    assert!(sealed.starts_with("v1.") && !sealed.contains(&secret), "{sealed}");
    assert_eq!(
        app.state.sealer().open_totp(stored.id, &sealed).expect("opens"),
        data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).expect("b32")
    );

    let with_totp = |code: Option<String>| {
        let app = &app;
        async move {
            app.post_json("/v1/auth/login", &json!({"email": "dee@example.com", "password": PASSWORD, "totp": code}))
                .await
        }
    };
    assert_eq!(code_of(with_totp(None).await).await, (StatusCode::UNAUTHORIZED, "totp_required".into()));
    assert_eq!(code_of(with_totp(Some("000000".into())).await).await.1, "invalid_totp");
    // The code that enabled 2FA was used; the next step's code works once.
    let next = code_for(&secret, now + 30);
    assert_eq!(with_totp(Some(next.clone())).await.status(), 200);
    assert_eq!(code_of(with_totp(Some(next)).await).await.1, "invalid_totp", "a code is never accepted twice");
    // A recovery code works once, in any case and spacing.
    assert_eq!(with_totp(Some(recovery[0].to_uppercase())).await.status(), 200);
    assert_eq!(code_of(with_totp(Some(recovery[0].clone())).await).await.1, "invalid_totp");
    assert_eq!(with_totp(Some(recovery[1].replace('-', ""))).await.status(), 200);
    // A wrong password with a right code is still refused, without saying which was wrong.
    let res = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "dee@example.com", "password": "not the password", "totp": recovery[2]}),
        )
        .await;
    assert_eq!(code_of(res).await.1, "invalid_credentials");
    assert_eq!(with_totp(Some(recovery[2].clone())).await.status(), 200, "the refused attempt did not spend the code");

    // New recovery codes, proved with a current code: every old one stops working.
    let res = post("/v1/auth/2fa/recovery-codes", json!({"code": "000000"})).await;
    assert_eq!(code_of(res).await.1, "invalid_totp");
    let res = post("/v1/auth/2fa/recovery-codes", json!({"code": recovery[3]})).await;
    assert_eq!(res.status(), 200);
    let renewed: Vec<String> =
        serde_json::from_value(res.json::<Value>().await.expect("codes")["recovery_codes"].clone()).expect("list");
    assert_eq!(renewed.len(), 10);
    assert!(renewed.iter().all(|c| !recovery.contains(c)));
    assert_eq!(code_of(with_totp(Some(recovery[4].clone())).await).await.1, "invalid_totp", "old codes are void");
    assert_eq!(with_totp(Some(renewed[0].clone())).await.status(), 200);

    // Turning 2FA off takes the password and a current code; the owner hears of it.
    let off = |password: &str, code: &str| json!({"password": password, "code": code});
    let res = post("/v1/auth/2fa/disable", off("not the password", &renewed[1])).await;
    assert_eq!(code_of(res).await.1, "invalid_credentials");
    assert_eq!(code_of(post("/v1/auth/2fa/disable", off(PASSWORD, "000000")).await).await.1, "invalid_totp");
    assert_eq!(with_totp(Some(renewed[1].clone())).await.status(), 200, "the refused attempt did not spend the code");
    assert_eq!(post("/v1/auth/2fa/disable", off(PASSWORD, &renewed[2])).await.status(), 204);
    assert_eq!(login(&app, "dee@example.com", PASSWORD).await.status(), 200, "the password alone logs in again");
    let res = post("/v1/auth/2fa/disable", off(PASSWORD, &renewed[3])).await;
    assert_eq!(code_of(res).await, (StatusCode::CONFLICT, "totp_not_enabled".into()));
    let res = post("/v1/auth/2fa/recovery-codes", json!({"code": renewed[3]})).await;
    assert_eq!(code_of(res).await.1, "totp_not_enabled");
    app.wait_for_mail("dee@example.com", "Two-factor authentication was turned off").await;
    // And it can be turned on again from scratch.
    assert_eq!(post("/v1/auth/2fa/setup", json!({})).await.status(), 200);
    app.cleanup().await;
}

#[tokio::test]
async fn two_factor_on_sqlite() {
    two_factor(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_factor_on_postgres() {
    two_factor(Backend::Postgres).await;
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account_with_retry_after() {
    let app = TestApp::spawn().await;
    assert_eq!(register(&app, "fay@example.com", "brand").await.status(), 202);
    assert_eq!(register(&app, "gus@example.com", "brand").await.status(), 202);
    for _ in 0..5 {
        assert_eq!(code_of(login(&app, "fay@example.com", "guessing wrong").await).await.1, "invalid_credentials");
    }
    // Locked now, even with the right password.
    let res = login(&app, "fay@example.com", PASSWORD).await;
    let retry: u64 = res.headers()["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(code_of(res).await, (StatusCode::TOO_MANY_REQUESTS, "login_locked".into()));
    // Unknown accounts lock the same way (a lock tells nothing about existence).
    for _ in 0..5 {
        login(&app, "nobody@example.com", "guess").await;
    }
    assert_eq!(code_of(login(&app, "nobody@example.com", "guess").await).await.1, "login_locked");
    // Others are not affected.
    assert_eq!(login(&app, "gus@example.com", PASSWORD).await.status(), 200);
    app.cleanup().await;
}

#[tokio::test]
async fn credential_endpoints_are_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let mut limited = None;
    for i in 0..60 {
        let res = app.post_json("/v1/auth/refresh", &json!({"refresh_token": format!("guess-{i}")})).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, res));
            break;
        }
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (i, res) = limited.expect("a 429 within 60 rapid requests");
    // The burst of 30 is allowed first; the test app's operator login took one of it.
    assert!(i >= 29, "the burst is allowed first (limited at {i})");
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(code_of(res).await.1, "rate_limited");
    // Authenticated endpoints are not counted against it.
    assert_eq!(code_of(app.get("/v1/auth/me").await).await.1, "missing_token");
    app.cleanup().await;
}

#[tokio::test]
async fn responses_carry_secure_headers_and_token_answers_are_not_cached() {
    let app = TestApp::spawn().await;
    assert_eq!(register(&app, "hal@example.com", "brand").await.status(), 202);
    let res = login(&app, "hal@example.com", PASSWORD).await;
    let h = res.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(h["content-security-policy"].to_str().expect("csp").contains("default-src 'none'"));
    assert_eq!(h["cache-control"], "no-store");
    // Errors too.
    let res = app.get("/v1/no-such-route").await;
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    app.cleanup().await;
}

async fn security_events_are_audited(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    assert_eq!(register(&app, "ivy@example.com", "brand").await.status(), 202);
    assert_eq!(register(&app, "jon@example.com", "brand").await.status(), 202);
    assert_eq!(login(&app, "ivy@example.com", "not the password").await.status(), 401);
    let first = tokens(&app, "ivy@example.com").await;
    let res = app.post_as(first["access_token"].as_str().expect("a"), "/v1/auth/logout", &json!({})).await;
    assert_eq!(res.status(), 204);
    let second = tokens(&app, "ivy@example.com").await;
    let stolen = second["refresh_token"].as_str().expect("r").to_string();
    assert_eq!(refresh(&app, &stolen).await.status(), 200);
    assert_eq!(refresh(&app, &stolen).await.status(), 401);
    // The reuse ended that session; log in again to read the log.
    let fresh = tokens(&app, "ivy@example.com").await;
    let res = app
        .client
        .get(format!("{}/v1/auth/audit", app.url))
        .bearer_auth(fresh["access_token"].as_str().expect("a"))
        .send()
        .await
        .expect("audit");
    assert_eq!(res.status(), 200);
    let log: Value = res.json().await.expect("log");
    let kinds: Vec<&str> =
        log["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["login", "refresh_token_reused", "login", "logout", "login", "login_failed", "account_created"]);
    assert!(log["events"].as_array().expect("events").iter().all(|e| e["ip"] == "127.0.0.1"));
    // Another account sees only its own events.
    let jon = tokens(&app, "jon@example.com").await;
    let res = app
        .client
        .get(format!("{}/v1/auth/audit", app.url))
        .bearer_auth(jon["access_token"].as_str().expect("a"))
        .send()
        .await
        .expect("audit");
    let log: Value = res.json().await.expect("log");
    let kinds: Vec<&str> =
        log["events"].as_array().expect("events").iter().map(|e| e["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["login", "account_created"]);
    app.cleanup().await;
}

#[tokio::test]
async fn security_events_are_audited_on_sqlite() {
    security_events_are_audited(Backend::Sqlite).await;
}

#[tokio::test]
async fn security_events_are_audited_on_postgres() {
    security_events_are_audited(Backend::Postgres).await;
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = TestApp::spawn().await;
    assert_eq!(register(&app, "kim@example.com", "influencer").await.status(), 202);
    let a = tokens(&app, "kim@example.com").await;
    let b = tokens(&app, "kim@example.com").await;
    let access = a["access_token"].as_str().expect("a");
    let new = "a different long passphrase";
    let wrong = app
        .post_as(access, "/v1/auth/password", &json!({"current_password": "not it at all", "new_password": new}))
        .await;
    assert_eq!(code_of(wrong).await, (StatusCode::UNAUTHORIZED, "invalid_credentials".into()));
    let weak =
        app.post_as(access, "/v1/auth/password", &json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_eq!(code_of(weak).await.1, "bad_parameter");
    assert_eq!(me(&app, access).await.status(), 200, "failed attempts change nothing");
    let res =
        app.post_as(access, "/v1/auth/password", &json!({"current_password": PASSWORD, "new_password": new})).await;
    assert_eq!(res.status(), 204);
    for t in [&a, &b] {
        assert_eq!(code_of(me(&app, t["access_token"].as_str().expect("a")).await).await.1, "token_revoked");
        assert_eq!(
            code_of(refresh(&app, t["refresh_token"].as_str().expect("r")).await).await.1,
            "invalid_refresh_token"
        );
    }
    assert_eq!(code_of(login(&app, "kim@example.com", PASSWORD).await).await.1, "invalid_credentials");
    assert_eq!(login(&app, "kim@example.com", new).await.status(), 200);
    app.cleanup().await;
}
