//! Personal data: erasure leaves no trace of a canary anywhere (database,
//! text index, vectors, exports) and tombstones the person against re-import;
//! export of a user's data; claiming a profile; password reset and email
//! verification through the mail file.

use reqwest::Method;
use scout_tests::{Backend, PASSWORD, TestApp};
use serde_json::{Value, json};

const CANARY: &str = "zqxcanaryvu";

fn canary_profile() -> Value {
    json!({
        "platform": "instagram", "external_id": "canary-1", "handle": "Canary_Person",
        "display_name": "Canary Person", "followers": 48000, "country": "DE", "city": "Berlin",
        "bio": format!("Plant-based recipes and {CANARY} secrets from Berlin"),
        "categories": ["vegan food"], "contact_email": "canary@example.com"
    })
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_holding(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

async fn rows_with_canary(app: &TestApp) -> i64 {
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM profiles WHERE CAST(doc AS TEXT) LIKE '%{CANARY}%')
              + (SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%{CANARY}%')
              + (SELECT COUNT(*) FROM shortlist_entries WHERE note LIKE '%{CANARY}%')"
    );
    if let Some(pg) = app.state.store().postgres_pool() {
        sqlx::query_scalar(&sql).fetch_one(pg).await.expect("pg count")
    } else {
        let path = app.state.settings().data_dir.join("scout.db");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.expect("sqlite");
        let n = sqlx::query_scalar(&sql).fetch_one(&pool).await.expect("sqlite count");
        pool.close().await;
        n
    }
}

async fn erasure_leaves_no_trace(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    app.import_fixtures(40, 11).await;
    let line = format!("{}\n", canary_profile());
    let report = app.import_raw(line.clone().into_bytes()).await;
    assert_eq!(report["inserted"], 1);
    app.wait_indexed().await;
    let hits = app.search(json!({"query": CANARY})).await;
    let id = hits["results"][0]["profile"]["id"].as_i64().expect("the canary is found before erasure");
    // A brand shortlisted the person with a note that names them.
    let brand = app.login_as("brand", "b@brand.test").await;
    let res = app.post_as(&brand, "/v1/shortlists", &json!({"name": "Berlin"})).await;
    let list = res.json::<Value>().await.expect("list")["id"].as_i64().expect("id");
    let note = json!({"note": format!("ask {CANARY} about rates")});
    let res = app.call(Method::PUT, &brand, &format!("/v1/shortlists/{list}/entries/{id}"), Some(&note), None).await;
    assert_eq!(res.status(), 200);
    // Controls: the canary is really in each place checked below.
    assert!(rows_with_canary(&app).await >= 2);
    assert!(app.state.index().holds_word(CANARY).expect("term lookup"));
    assert!(app.state.index().features(id).is_some());

    let erasure = json!({"platform": "instagram", "handle": "@canary_person", "reason": "subject request #17"});
    let res = app.post_as(&app.operator, "/v1/admin/erasure", &erasure).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("report");
    assert_eq!(report["profiles_erased"], 1);

    // Database: no row holds it (the shortlist entry went with the profile).
    assert_eq!(rows_with_canary(&app).await, 0);
    if backend == Backend::Sqlite {
        let db = app.state.settings().data_dir.join("scout.db");
        let mut files = files_holding(db.parent().expect("dir"), CANARY.as_bytes());
        files.retain(|f| f.contains("scout.db"));
        assert!(files.is_empty(), "database files still hold the canary: {files:?}");
    }
    // Text index: no segment's terms hold it, no file holds its bytes.
    assert!(!app.state.index().holds_word(CANARY).expect("term lookup"), "the text index still holds the canary");
    let index_dir = app.state.settings().index_dir();
    assert!(files_holding(&index_dir, CANARY.as_bytes()).is_empty());
    // Vectors and features: gone.
    assert!(app.state.index().features(id).is_none());
    let similar = app.get_as(&brand, &format!("/v1/profiles/{id}/similar")).await;
    assert_eq!(similar.status(), 404, "no vector left to find lookalikes from");
    // Search, read and export: nothing.
    let after = app.search(json!({"query": CANARY, "limit": 100})).await;
    assert!(after["results"].as_array().expect("results").iter().all(|r| r["profile"]["id"] != id));
    assert!(!after["results"].to_string().contains(CANARY), "the query echoes the canary; results must not");
    assert_eq!(app.get_as(&brand, &format!("/v1/profiles/{id}")).await.status(), 404);
    let export = app.get_as(&app.operator, "/v1/profiles/export").await.text().await.expect("export");
    assert!(!export.contains(CANARY) && export.lines().count() == 40);
    // The tombstone refuses the same record again, by file and by API, even with another external id.
    let report = app.import_raw(line.into_bytes()).await;
    assert_eq!((report["inserted"].as_u64(), report["rejected"].as_u64()), (Some(0), Some(1)));
    assert!(report["rejects"][0]["reason"].as_str().expect("reason").contains("erased"));
    let mut again = canary_profile();
    again["external_id"] = json!("canary-2");
    let res = app.call(Method::PUT, &app.operator, "/v1/profiles", Some(&again), None).await;
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.expect("problem")["code"], "profile_erased");
    assert_eq!(rows_with_canary(&app).await, 0);
    // The erasure itself is audited without the person's identifiers.
    let audit = app.get_as(&app.operator, "/v1/auth/audit").await.text().await.expect("audit");
    assert!(audit.contains("erasure") && !audit.contains("canary_person") && !audit.contains(CANARY));
    app.cleanup().await;
}

#[tokio::test]
async fn erasure_leaves_no_trace_on_sqlite() {
    erasure_leaves_no_trace(Backend::Sqlite).await;
}

#[tokio::test]
async fn erasure_leaves_no_trace_on_postgres() {
    erasure_leaves_no_trace(Backend::Postgres).await;
}

/// The last mail sent to `to`, and the token in it.
fn last_token(app: &TestApp, to: &str) -> String {
    let mail = std::fs::read_to_string(app.state.settings().data_dir.join("mail.jsonl")).expect("mail file");
    let last =
        mail.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).rfind(|m| m["to"] == to).expect("a mail");
    let body = last["body"].as_str().expect("body").to_string();
    body.split_whitespace().find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit())).expect("token").into()
}

async fn a_creator_owns_their_data(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let report = app.import_raw(format!("{}\n", canary_profile()).into_bytes()).await;
    assert_eq!(report["inserted"], 1);
    app.wait_indexed().await;
    let id = app.search(json!({"query": CANARY})).await["results"][0]["profile"]["id"].as_i64().expect("id");
    let creator = app.login_as("influencer", "me@creator.test").await;
    let thief = app.login_as("influencer", "other@creator.test").await;

    // Email verification through the mailed token (single use).
    let token = last_token(&app, "me@creator.test");
    assert_eq!(app.post_json("/v1/auth/verify-email", &json!({"token": token})).await.status(), 204);
    assert_eq!(app.post_json("/v1/auth/verify-email", &json!({"token": token})).await.status(), 400);

    // Claim: a creator names their profile by platform and handle (as typed,
    // any case, with the @) and gets a code to show in the bio; verified only
    // when the stored bio shows it.
    let by_handle = |handle: &str| json!({"platform": "instagram", "handle": handle});
    let res = app.post_as(&creator, "/v1/me/claims", &by_handle("@nobody_here")).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.expect("problem")["code"], "profile_not_found");
    let res = app.post_as(&creator, "/v1/me/claims", &json!({"platform": "myspace", "handle": "x"})).await;
    assert_eq!(res.status(), 400);
    let brand = app.login_as("brand", "brand@claims.test").await;
    assert_eq!(app.post_as(&brand, "/v1/me/claims", &by_handle("canary_person")).await.status(), 403);
    let res = app.post_as(&creator, "/v1/me/claims", &by_handle("@canary_PERSON")).await;
    assert_eq!(res.status(), 201);
    let claim = res.json::<Value>().await.expect("claim");
    assert_eq!(claim["profile_id"], id);
    assert_eq!(claim["verified"], false);
    let code = claim["code"].as_str().expect("code").to_string();
    let mine = app.get_as(&creator, "/v1/me/claims").await.json::<Value>().await.expect("claims");
    assert_eq!(mine["claims"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["claims"][0]["code"], code.as_str());
    let res = app.post_as(&thief, &format!("/v1/profiles/{id}/claim"), &json!({})).await;
    assert_eq!(res.status(), 409);
    let verify = format!("/v1/profiles/{id}/claim/verify");
    assert_eq!(app.post_as(&creator, &verify, &json!({})).await.status(), 409);
    let edit = format!("/v1/profiles/{id}/public");
    let res = app.call(Method::PUT, &creator, &edit, Some(&json!({"bio": "hi"})), None).await;
    assert_eq!(res.status(), 403, "unverified claims edit nothing");
    let mut refreshed = canary_profile();
    refreshed["bio"] = json!(format!("Plant-based recipes {code}"));
    assert_eq!(app.call(Method::PUT, &app.operator, "/v1/profiles", Some(&refreshed), None).await.status(), 200);
    assert_eq!(
        app.post_as(&creator, &verify, &json!({})).await.json::<Value>().await.expect("claim")["verified"],
        true
    );
    // The creator reads and edits their public fields; searchable at once; identity stays.
    assert_eq!(app.get_as(&creator, &format!("/v1/profiles/{id}")).await.status(), 200);
    let body = json!({"bio": "Vegan baking in Kreuzberg", "external_id": "hijack"});
    assert_eq!(app.call(Method::PUT, &creator, &edit, Some(&body), None).await.status(), 400);
    let res = app.call(Method::PUT, &creator, &edit, Some(&json!({"bio": "Vegan baking in Kreuzberg"})), None).await;
    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.expect("profile");
    assert_eq!(
        (profile["external_id"].as_str(), profile["source"].as_str()),
        (Some("canary-1"), Some("self-reported"))
    );
    app.wait_indexed().await;
    assert_eq!(app.search(json!({"query": "kreuzberg baking"})).await["results"][0]["profile"]["id"], id);
    let res = app.call(Method::PUT, &thief, &edit, Some(&json!({"bio": "mine"})), None).await;
    assert_eq!(res.status(), 404);
    let consent = format!("/v1/profiles/{id}/consent");
    // Withdrawn consent unlists the profile: out of search and lookalikes, hidden
    // from brands, still the creator's own to read; granted again, it is back.
    let brand = app.login_as("brand", "looking@brand.test").await;
    let set_consent = |value: &'static str| {
        let (app, creator, consent) = (&app, &creator, &consent);
        async move {
            let res = app.call(Method::PUT, creator, consent, Some(&json!({"consent": value})), None).await;
            assert_eq!(res.json::<Value>().await.expect("claim")["consent"], value);
            app.wait_indexed().await;
        }
    };
    set_consent("withdrawn").await;
    assert_eq!(app.search(json!({"query": "kreuzberg baking"})).await["total"], 0);
    assert_eq!(app.get_as(&brand, &format!("/v1/profiles/{id}")).await.status(), 404);
    assert_eq!(app.get_as(&creator, &format!("/v1/profiles/{id}")).await.status(), 200);
    assert_eq!(app.get_as(&app.operator, &format!("/v1/profiles/{id}")).await.status(), 200);
    set_consent("granted").await;
    assert_eq!(app.search(json!({"query": "kreuzberg baking"})).await["results"][0]["profile"]["id"], id);
    assert_eq!(app.get_as(&brand, &format!("/v1/profiles/{id}")).await.status(), 200);

    // Export of everything about the account.
    let archive: Value = app.get_as(&creator, "/v1/me/export").await.json().await.expect("archive");
    assert_eq!(archive["user"]["email"], "me@creator.test");
    assert_eq!(archive["user"]["email_verified"], true);
    assert_eq!(archive["claims"][0]["profile_id"], id);
    assert_eq!(archive["claimed_profiles"][0]["bio"], "Vegan baking in Kreuzberg");
    assert!(archive["security_events"].as_array().expect("events").iter().any(|e| e["kind"] == "profile_claimed"));
    assert!(!archive.to_string().contains("password_hash") && !archive.to_string().contains("$argon2"));

    // Erasure of the account takes the claimed profile with it.
    let res = app.call(Method::DELETE, &creator, "/v1/me", Some(&json!({"password": "wrong password!"})), None).await;
    assert_eq!(res.status(), 401);
    let res = app.call(Method::DELETE, &creator, "/v1/me", Some(&json!({"password": PASSWORD})), None).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("report");
    assert_eq!((report["accounts_erased"].as_u64(), report["profiles_erased"].as_u64()), (Some(1), Some(1)));
    assert_eq!(app.get_as(&creator, "/v1/auth/me").await.status(), 401);
    assert_eq!(app.search(json!({"query": "kreuzberg baking"})).await["total"], 0);
    assert_eq!(rows_with_canary(&app).await, 0);
    let login = app.post_json("/v1/auth/login", &json!({"email": "me@creator.test", "password": PASSWORD})).await;
    assert_eq!(login.status(), 401);
    app.cleanup().await;
}

#[tokio::test]
async fn a_creator_owns_their_data_on_sqlite() {
    a_creator_owns_their_data(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_creator_owns_their_data_on_postgres() {
    a_creator_owns_their_data(Backend::Postgres).await;
}

#[tokio::test]
async fn password_reset_by_mailed_token() {
    let app = TestApp::spawn().await;
    let old = app.login_as("brand", "forgetful@brand.test").await;
    // Known and unknown emails get the same answer.
    for email in ["forgetful@brand.test", "nobody@brand.test"] {
        let res = app.post_json("/v1/auth/password/forgot", &json!({"email": email})).await;
        assert_eq!(res.status(), 202);
    }
    // The mail goes out after the answer: wait for it.
    let mail = app.wait_for_mail("forgetful@brand.test", "Reset your Scout password").await;
    assert!(!app.mails().iter().any(|m| m["to"] == "nobody@brand.test"), "no mail for unknown accounts");
    let token = last_token(&app, "forgetful@brand.test");
    // It links to the web app's reset page with the token.
    let body = mail["body"].as_str().expect("body");
    assert!(body.contains(&format!("/reset-password?token={token}")), "{body}");
    let wrong = "0".repeat(64);
    for (t, pw, want) in [
        (wrong.as_str(), "a brand new passphrase", 400),
        (token.as_str(), "a brand new passphrase", 204),
        (token.as_str(), "yet another passphrase", 400),
    ] {
        let res = app.post_json("/v1/auth/password/reset", &json!({"token": t, "new_password": pw})).await;
        assert_eq!(res.status(), want, "reset with {t}: single use, right token only");
    }
    // Old sessions ended; the old password no longer works; the new one does.
    assert_eq!(app.get_as(&old, "/v1/auth/me").await.status(), 401);
    let res = app.post_json("/v1/auth/login", &json!({"email": "forgetful@brand.test", "password": PASSWORD})).await;
    assert_eq!(res.status(), 401);
    let res = app
        .post_json("/v1/auth/login", &json!({"email": "forgetful@brand.test", "password": "a brand new passphrase"}))
        .await;
    assert_eq!(res.status(), 200);
    app.cleanup().await;
}
