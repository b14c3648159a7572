//! Who may do what: every tenant-owned endpoint × every kind of caller ×
//! own/other organisation, API keys and OAuth2 clients with scopes, agencies
//! acting for clients, and admins held back until they turn on 2FA.

use reqwest::Method;
use scout_tests::{Backend, PASSWORD, TestApp};
use serde_json::{Value, json};

async fn status_and_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_string())
}

async fn org_of(app: &TestApp, token: &str) -> i64 {
    let res = app.get_as(token, "/v1/orgs/current").await;
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.expect("org")["id"].as_i64().expect("id")
}

async fn created_id(res: reqwest::Response) -> i64 {
    assert_eq!(res.status(), 201, "create");
    res.json::<Value>().await.expect("json")["id"].as_i64().expect("id")
}

/// One caller of the matrix: a token (or none) and the organisation it names.
#[derive(Clone, Copy)]
struct Caller<'a> {
    name: &'a str,
    token: Option<&'a str>,
    org: Option<i64>,
}

async fn call(app: &TestApp, c: Caller<'_>, method: &Method, path: &str, body: Option<&Value>) -> (u16, String) {
    let res = match c.token {
        Some(t) => app.call(method.clone(), t, path, body, c.org).await,
        None => {
            let mut req = app.client.request(method.clone(), format!("{}{path}", app.url));
            if let Some(b) = body {
                req = req.json(b);
            }
            req.send().await.expect("request")
        }
    };
    status_and_code(res).await
}

async fn the_access_matrix(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    app.import_fixtures(30, 7).await;
    let owner = app.login_as("brand", "owner@a.test").await;
    let org_a = org_of(&app, &owner).await;
    let member = app.login_as("brand", "member@a.test").await;
    let viewer = app.login_as("brand", "viewer@a.test").await;
    let admin_a = app.login_as("brand", "admin@a.test").await;
    for (email, role) in [("member@a.test", "member"), ("viewer@a.test", "viewer"), ("admin@a.test", "admin")] {
        let res = app.post_as(&owner, "/v1/orgs/current/members", &json!({"email": email, "role": role})).await;
        assert_eq!(res.status(), 204, "add {email}");
    }
    let other = app.login_as("brand", "owner@b.test").await;
    let org_b = org_of(&app, &other).await;
    let creator = app.login_as("influencer", "creator@c.test").await;
    let agency = app.login_as("agency", "boss@agency.test").await;
    let operator = app.operator.clone();

    // Tenant A's records, made by its owner.
    let list =
        created_id(app.call(Method::POST, &owner, "/v1/shortlists", Some(&json!({"name": "Summer"})), None).await)
            .await;
    let saved = created_id(
        app.call(
            Method::POST,
            &owner,
            "/v1/saved-searches",
            Some(&json!({"name": "Vegan", "request": {"query": "vegan food"}})),
            None,
        )
        .await,
    )
    .await;
    // Tenant B has its own list, so a B-scoped id guess has a real target too.
    let list_b =
        created_id(app.call(Method::POST, &other, "/v1/shortlists", Some(&json!({"name": "B"})), None).await).await;

    let campaign_spec = |name: &str| {
        json!({"name": name, "objective": "awareness", "brief": "A protein bar for people who lift",
               "niches": ["fitness"], "deliverables": [{"kind": "reel", "count": 2}],
               "budget": {"amount_minor": 500000, "currency": "EUR"},
               "starts_on": "2099-01-01", "ends_on": "2099-03-01", "visibility": "listed"})
    };
    let campaign =
        created_id(app.call(Method::POST, &owner, "/v1/campaigns", Some(&campaign_spec("Launch")), None).await).await;
    let campaign_b =
        created_id(app.call(Method::POST, &other, "/v1/campaigns", Some(&campaign_spec("B launch")), None).await).await;

    let a = Some(org_a);
    let callers = [
        Caller { name: "owner", token: Some(&owner), org: a },
        Caller { name: "admin", token: Some(&admin_a), org: a },
        Caller { name: "member", token: Some(&member), org: a },
        Caller { name: "viewer", token: Some(&viewer), org: a },
        // Other tenant, naming A, and acting in its own organisation with A's ids.
        Caller { name: "other tenant naming A", token: Some(&other), org: a },
        Caller { name: "other tenant", token: Some(&other), org: None },
        Caller { name: "influencer naming A", token: Some(&creator), org: a },
        Caller { name: "agency naming A", token: Some(&agency), org: a },
        Caller { name: "platform admin naming A", token: Some(&operator), org: a },
        Caller { name: "anonymous", token: None, org: None },
    ];
    // Expected status per caller, in the order above.
    type Row = (Method, String, Option<Value>, [u16; 10]);
    let rows: Vec<Row> = vec![
        (Method::GET, "/v1/orgs/current".into(), None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 401]),
        (Method::GET, "/v1/orgs/current/members".into(), None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 401]),
        (Method::GET, "/v1/orgs/current/audit".into(), None, [200, 200, 403, 403, 404, 200, 404, 404, 404, 401]),
        (Method::GET, "/v1/shortlists".into(), None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 401]),
        (
            Method::POST,
            "/v1/shortlists".into(),
            Some(json!({"name": "new"})),
            [201, 201, 201, 403, 404, 201, 404, 404, 404, 401],
        ),
        (Method::GET, format!("/v1/shortlists/{list}"), None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 401]),
        (
            Method::PATCH,
            format!("/v1/shortlists/{list}"),
            Some(json!({"name": "Summer 2027"})),
            [200, 200, 200, 403, 404, 404, 404, 404, 404, 401],
        ),
        (
            Method::PUT,
            format!("/v1/shortlists/{list}/entries/3"),
            Some(json!({"note": "great fit", "tags": ["vegan"]})),
            [200, 200, 200, 403, 404, 404, 404, 404, 404, 401],
        ),
        (
            Method::GET,
            format!("/v1/shortlists/{list}/export.csv"),
            None,
            [200, 200, 200, 200, 404, 404, 404, 404, 404, 401],
        ),
        (Method::GET, format!("/v1/shortlists/{list_b}"), None, [404, 404, 404, 404, 404, 200, 404, 404, 404, 401]),
        (Method::GET, "/v1/campaigns".into(), None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 401]),
        (
            Method::POST,
            "/v1/campaigns".into(),
            Some(campaign_spec("Another")),
            [201, 201, 201, 403, 404, 201, 404, 404, 404, 401],
        ),
        (Method::GET, format!("/v1/campaigns/{campaign}"), None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 401]),
        (
            Method::PUT,
            format!("/v1/campaigns/{campaign}"),
            Some(campaign_spec("Launch, renamed")),
            [200, 200, 200, 403, 404, 404, 404, 404, 404, 401],
        ),
        // The owner publishes; a second publish meets an open campaign (409).
        (
            Method::POST,
            format!("/v1/campaigns/{campaign}/publish"),
            None,
            [200, 409, 409, 403, 404, 404, 404, 404, 404, 401],
        ),
        (Method::GET, format!("/v1/campaigns/{campaign_b}"), None, [404, 404, 404, 404, 404, 200, 404, 404, 404, 401]),
        (Method::GET, "/v1/saved-searches".into(), None, [200, 200, 200, 200, 404, 200, 404, 404, 404, 401]),
        (Method::GET, format!("/v1/saved-searches/{saved}"), None, [200, 200, 200, 200, 404, 404, 404, 404, 404, 401]),
        (
            Method::POST,
            format!("/v1/saved-searches/{saved}/run"),
            None,
            [200, 200, 200, 200, 404, 404, 404, 404, 404, 401],
        ),
        (
            Method::DELETE,
            format!("/v1/shortlists/{list}/entries/3"),
            None,
            [204, 404, 404, 403, 404, 404, 404, 404, 404, 401],
        ),
        (
            Method::POST,
            "/v1/search".into(),
            Some(json!({"query": "fitness"})),
            [200, 200, 200, 200, 200, 200, 403, 200, 200, 401],
        ),
        (Method::GET, "/v1/profiles/3".into(), None, [200, 200, 200, 200, 200, 200, 403, 200, 200, 401]),
        (
            Method::PUT,
            "/v1/profiles".into(),
            Some(json!({"platform": "instagram", "external_id": "mx-1", "handle": "mx", "followers": 1000})),
            [403, 403, 403, 403, 403, 403, 403, 403, 200, 401],
        ),
        (Method::GET, "/v1/profiles/export".into(), None, [403, 403, 403, 403, 403, 403, 403, 403, 200, 401]),
        (Method::GET, "/v1/admin/export/1".into(), None, [403, 403, 403, 403, 403, 403, 403, 403, 200, 401]),
        (
            Method::POST,
            "/v1/admin/erasure".into(),
            Some(json!({"platform": "instagram", "handle": "nobody-at-all", "reason": "matrix"})),
            [403, 403, 403, 403, 403, 403, 403, 403, 200, 401],
        ),
        (
            Method::DELETE,
            format!("/v1/saved-searches/{saved}"),
            None,
            [204, 404, 404, 403, 404, 404, 404, 404, 404, 401],
        ),
        (Method::DELETE, format!("/v1/shortlists/{list}"), None, [204, 404, 404, 403, 404, 404, 404, 404, 404, 401]),
    ];
    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        for (caller, want) in callers.iter().zip(expected) {
            let (got, code) = call(&app, *caller, method, path, body.as_ref()).await;
            if got != *want {
                failures.push(format!("{method} {path} as {}: expected {want}, got {got} {code}", caller.name));
            }
        }
    }
    assert!(failures.is_empty(), "access matrix:\n{}", failures.join("\n"));

    // After the matrix, tenant B's list is untouched and A's records are gone.
    let res = app.get_as(&other, &format!("/v1/shortlists/{list_b}")).await;
    assert_eq!(res.json::<Value>().await.expect("list")["name"], "B");
    let res = app.get_as(&other, &format!("/v1/campaigns/{campaign_b}")).await;
    let b_campaign = res.json::<Value>().await.expect("campaign");
    assert_eq!((b_campaign["spec"]["name"].as_str(), b_campaign["status"].as_str()), (Some("B launch"), Some("draft")));
    let _ = org_b;
    app.cleanup().await;
}

#[tokio::test]
async fn the_access_matrix_on_sqlite() {
    the_access_matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_access_matrix_on_postgres() {
    the_access_matrix(Backend::Postgres).await;
}

async fn roles_inside_an_organisation(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let owner = app.login_as("brand", "o@a.test").await;
    let admin = app.login_as("brand", "ad@a.test").await;
    let _member = app.login_as("brand", "m@a.test").await;
    let org = org_of(&app, &owner).await;
    let add = json!({"email": "ad@a.test", "role": "admin"});
    let res = app.call(Method::POST, &owner, "/v1/orgs/current/members", Some(&add), None).await;
    assert_eq!(res.status(), 204);
    let admin_in_a = |m: Method, path: &str, body: Option<Value>| {
        let admin = admin.clone();
        let path = path.to_string();
        let app = &app;
        async move { status_and_code(app.call(m, &admin, &path, body.as_ref(), Some(org)).await).await }
    };
    // An admin adds members and viewers, never admins or owners.
    assert_eq!(
        admin_in_a(Method::POST, "/v1/orgs/current/members", Some(json!({"email": "m@a.test", "role": "owner"}))).await,
        (403, "forbidden".into())
    );
    assert_eq!(
        admin_in_a(Method::POST, "/v1/orgs/current/members", Some(json!({"email": "m@a.test", "role": "member"})))
            .await
            .0,
        204
    );
    let members: Value = app.get_as(&owner, "/v1/orgs/current/members").await.json().await.expect("members");
    let owner_id = members["members"][0]["user_id"].as_i64().expect("owner first");
    assert_eq!(members["members"][0]["role"], "owner");
    // …and cannot demote or remove the owner.
    let path = format!("/v1/orgs/current/members/{owner_id}");
    assert_eq!(admin_in_a(Method::PATCH, &path, Some(json!({"role": "viewer"}))).await.0, 403);
    assert_eq!(admin_in_a(Method::DELETE, &path, None).await.0, 403);
    // The owner cannot leave the organisation without an owner.
    let (s, code) =
        status_and_code(app.call(Method::PATCH, &owner, &path, Some(&json!({"role": "admin"})), None).await).await;
    assert_eq!((s, code.as_str()), (409, "last_owner"));
    // Unknown roles and mass-assigned fields are refused.
    let bad = json!({"email": "m@a.test", "role": "superuser"});
    let res = app.call(Method::POST, &owner, "/v1/orgs/current/members", Some(&bad), None).await;
    assert_eq!(res.status(), 400);
    let res = app
        .call(Method::POST, &owner, "/v1/shortlists", Some(&json!({"name": "x", "org_id": 999, "created_by": 1})), None)
        .await;
    assert_eq!(status_and_code(res).await, (400, "invalid_body".into()));
    // Role changes are in the organisation's audit log.
    let audit: Value = app.get_as(&owner, "/v1/orgs/current/audit").await.json().await.expect("audit");
    let kinds: Vec<&str> =
        audit["events"].as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.iter().filter(|k| **k == "role_changed").count() >= 2, "{kinds:?}");
    app.cleanup().await;
}

#[tokio::test]
async fn roles_inside_an_organisation_on_sqlite() {
    roles_inside_an_organisation(Backend::Sqlite).await;
}

#[tokio::test]
async fn roles_inside_an_organisation_on_postgres() {
    roles_inside_an_organisation(Backend::Postgres).await;
}

#[tokio::test]
async fn agencies_act_for_their_clients_only() {
    let app = TestApp::spawn().await;
    app.import_fixtures(10, 3).await;
    let agency = app.login_as("agency", "boss@agency.test").await;
    let brand = app.login_as("brand", "owner@brand.test").await;
    let brand_org = org_of(&app, &brand).await;
    let res = app.post_as(&agency, "/v1/orgs/current/clients", &json!({"name": "Oat Drinks Ltd"})).await;
    let client = created_id(res).await;
    // Acting for the client: lists are the client's, members are not visible.
    let res = app.call(Method::POST, &agency, "/v1/shortlists", Some(&json!({"name": "For Oat"})), Some(client)).await;
    let list = created_id(res).await;
    let res = app.call(Method::GET, &agency, &format!("/v1/shortlists/{list}"), None, Some(client)).await;
    assert_eq!(res.status(), 200);
    let res = app.call(Method::GET, &agency, "/v1/orgs/current/members", None, Some(client)).await;
    assert_eq!(res.status(), 403);
    // Not in the agency's own tenant, not for a brand that is not a client.
    let res = app.call(Method::GET, &agency, &format!("/v1/shortlists/{list}"), None, None).await;
    assert_eq!(res.status(), 404);
    let res = app.call(Method::GET, &agency, "/v1/shortlists", None, Some(brand_org)).await;
    assert_eq!(res.status(), 404);
    // The client list shows what the agency may do there.
    let orgs: Value = app.get_as(&agency, "/v1/orgs").await.json().await.expect("orgs");
    let entry = orgs["organisations"].as_array().expect("orgs").iter().find(|o| o["id"] == client).cloned();
    assert_eq!(entry.expect("client listed")["role"], "member");

    // An existing brand lets the agency in, read-only: its members then act as viewers there.
    let agency_org = org_of(&app, &agency).await;
    let res = app
        .call(
            Method::PUT,
            &brand,
            &format!("/v1/orgs/current/agencies/{agency_org}"),
            Some(&json!({"access": "read"})),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.call(Method::GET, &agency, "/v1/shortlists", None, Some(brand_org)).await.status(), 200);
    let res = app.call(Method::POST, &agency, "/v1/shortlists", Some(&json!({"name": "x"})), Some(brand_org)).await;
    assert_eq!(status_and_code(res).await.0, 403, "read access writes nothing");
    // Only the brand's own administrators choose agencies: not the agency acting for it,
    // not a brand's plain member, and only agencies can be chosen.
    let res = app.call(Method::GET, &agency, "/v1/orgs/current/agencies", None, Some(brand_org)).await;
    assert_eq!(status_and_code(res).await, (403, "not_a_brand".into()));
    let res = app
        .call(
            Method::PUT,
            &agency,
            &format!("/v1/orgs/current/agencies/{agency_org}"),
            Some(&json!({"access": "write"})),
            Some(brand_org),
        )
        .await;
    assert_eq!(res.status(), 403);
    let helper = app.login_as("brand", "helper@brand.test").await;
    let res =
        app.post_as(&brand, "/v1/orgs/current/members", &json!({"email": "helper@brand.test", "role": "member"})).await;
    assert_eq!(res.status(), 204);
    let res = app
        .call(Method::DELETE, &helper, &format!("/v1/orgs/current/agencies/{agency_org}"), None, Some(brand_org))
        .await;
    assert_eq!(res.status(), 403);
    let other_brand = app.login_as("brand", "owner@other.test").await;
    let other_org = org_of(&app, &other_brand).await;
    let res = app
        .call(
            Method::PUT,
            &brand,
            &format!("/v1/orgs/current/agencies/{other_org}"),
            Some(&json!({"access": "read"})),
            None,
        )
        .await;
    assert_eq!(status_and_code(res).await, (404, "agency_not_found".into()));
    let listed: Value = app.get_as(&brand, "/v1/orgs/current/agencies").await.json().await.expect("agencies");
    assert_eq!(
        listed["agencies"],
        json!([{"agency_id": agency_org, "name": "agency boss@agency.test", "access": "read"}])
    );
    // Revoked: the brand is unknown to the agency again, and the brand's audit log says so.
    let res = app.call(Method::DELETE, &brand, &format!("/v1/orgs/current/agencies/{agency_org}"), None, None).await;
    assert_eq!(res.status(), 204);
    let res = app.call(Method::GET, &agency, "/v1/shortlists", None, Some(brand_org)).await;
    assert_eq!(status_and_code(res).await, (404, "organisation_not_found".into()));
    let audit = app.get_as(&brand, "/v1/orgs/current/audit").await.text().await.expect("audit");
    assert!(audit.contains("agency_granted") && audit.contains("agency_revoked"), "{audit}");
    app.cleanup().await;
}

async fn api_keys_and_clients(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    app.import_fixtures(10, 5).await;
    let brand = app.login_as("brand", "dev@brand.test").await;
    // A brand may not hold profiles:write.
    let res = app.post_as(&brand, "/v1/keys", &json!({"name": "etl", "scopes": ["profiles:write"]})).await;
    assert_eq!(status_and_code(res).await, (403, "invalid_scope".into()));
    let res = app.post_as(&brand, "/v1/keys", &json!({"name": "ci", "scopes": ["search"]})).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("key");
    let key = created["secret"].as_str().expect("secret").to_string();
    assert!(key.starts_with("sk_"));
    // The key searches; it cannot read lists or make keys.
    assert_eq!(app.post_as(&key, "/v1/search", &json!({"query": "travel"})).await.status(), 200);
    assert_eq!(status_and_code(app.get_as(&key, "/v1/shortlists").await).await, (403, "insufficient_scope".into()));
    let res = app.post_as(&key, "/v1/keys", &json!({"name": "more", "scopes": ["search"]})).await;
    assert_eq!(status_and_code(res).await, (403, "session_required".into()));
    // A wrong secret with a real prefix is refused.
    let (prefix, _) = key.rsplit_once('_').expect("prefix");
    let forged = format!("{prefix}_{}", "0".repeat(64));
    assert_eq!(status_and_code(app.get_as(&forged, "/v1/search?q=x").await).await, (401, "invalid_token".into()));
    // Listed without its secret, with its last use.
    let list: Value = app.get_as(&brand, "/v1/keys").await.json().await.expect("keys");
    assert!(!list.to_string().contains(&key[prefix.len() + 1..]), "the secret is never listed");
    assert!(list["keys"][0]["last_used_at"].is_string());
    // Revoked: refused at once.
    let id = created["id"].as_i64().expect("id");
    assert_eq!(app.call(Method::DELETE, &brand, &format!("/v1/keys/{id}"), None, None).await.status(), 204);
    assert_eq!(status_and_code(app.get_as(&key, "/v1/search?q=x").await).await, (401, "key_revoked".into()));

    // OAuth2 client credentials.
    let res =
        app.post_as(&brand, "/v1/oauth/clients", &json!({"name": "crm", "scopes": ["search", "lists:read"]})).await;
    let client: Value = res.json().await.expect("client");
    let (cid, secret) = (client["prefix"].as_str().expect("id"), client["secret"].as_str().expect("secret"));
    let token_url = format!("{}/v1/oauth/token", app.url);
    let res = app
        .client
        .post(&token_url)
        .basic_auth(cid, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token");
    assert_eq!(res.status(), 200);
    let t: Value = res.json().await.expect("token");
    assert_eq!(t["scope"], "search lists:read");
    let access = t["access_token"].as_str().expect("access");
    assert_eq!(app.get_as(access, "/v1/shortlists").await.status(), 200);
    assert_eq!(app.post_as(access, "/v1/shortlists", &json!({"name": "x"})).await.status(), 403);
    // Secret in the body works too; a wrong one, a scope beyond the client's, another grant do not.
    let form = |body: String| {
        let send =
            app.client.post(&token_url).header("content-type", "application/x-www-form-urlencoded").body(body).send();
        async move { send.await.expect("token request") }
    };
    let ok = form(format!("grant_type=client_credentials&client_id={cid}&client_secret={secret}&scope=search")).await;
    assert_eq!(ok.json::<Value>().await.expect("token")["scope"], "search");
    // Token errors are RFC 6749 §5.2 bodies, which OAuth2 client libraries read.
    async fn oauth_error(res: reqwest::Response) -> (u16, String, Option<String>) {
        let status = res.status().as_u16();
        let challenge = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap_or_default().to_string());
        assert!(res.headers()["content-type"].to_str().unwrap_or_default().starts_with("application/json"));
        let body: Value = res.json().await.expect("json");
        assert!(body["error_description"].is_string(), "{body}");
        (status, body["error"].as_str().unwrap_or_default().to_string(), challenge)
    }
    let bad = form(format!("grant_type=client_credentials&client_id={cid}&client_secret=nope")).await;
    assert_eq!(oauth_error(bad).await, (401, "invalid_client".into(), Some("Basic realm=\"scout\"".into())));
    let wide = form(format!("grant_type=client_credentials&client_id={cid}&client_secret={secret}&scope=lists:write"));
    assert_eq!(oauth_error(wide.await).await, (400, "invalid_scope".into(), None));
    let pw = form(format!("grant_type=password&username=a&password={PASSWORD}")).await;
    assert_eq!(oauth_error(pw).await, (400, "unsupported_grant_type".into(), None));
    // Revoking the client ends its tokens.
    let client_id = client["id"].as_i64().expect("id");
    assert_eq!(app.call(Method::DELETE, &brand, &format!("/v1/keys/{client_id}"), None, None).await.status(), 204);
    assert_eq!(status_and_code(app.get_as(access, "/v1/shortlists").await).await, (401, "token_revoked".into()));
    // Key creation is audited for the organisation.
    let audit: Value = app.get_as(&brand, "/v1/orgs/current/audit").await.json().await.expect("audit");
    assert!(audit.to_string().contains("api_key_created") && audit.to_string().contains("oauth_client_created"));
    app.cleanup().await;
}

#[tokio::test]
async fn api_keys_and_clients_on_sqlite() {
    api_keys_and_clients(Backend::Sqlite).await;
}

#[tokio::test]
async fn api_keys_and_clients_on_postgres() {
    api_keys_and_clients(Backend::Postgres).await;
}

#[tokio::test]
async fn admins_must_turn_on_two_factor_first() {
    let app = TestApp::spawn().await;
    let store = app.state.store();
    let email = scout_domain::account::Email::parse("root@scout.test").expect("email");
    let hash = scout_app::security::password::hash(PASSWORD.into()).await.expect("hash");
    store.identity().create_user(&email, &hash, scout_domain::account::Role::Admin, "Root").await.expect("admin");
    let token = app.login("root@scout.test").await;
    assert_eq!(app.get_as(&token, "/v1/auth/me").await.status(), 200);
    let res = app.get_as(&token, "/v1/profiles/export").await;
    assert_eq!(status_and_code(res).await, (403, "two_factor_required".into()));
    assert_eq!(app.post_as(&token, "/v1/auth/2fa/setup", &json!({})).await.status(), 200);
    // The operator (same role, 2FA on) passes.
    assert_eq!(app.get_as(&app.operator, "/v1/profiles/export").await.status(), 200);
    // Search needs a token at all.
    assert_eq!(status_and_code(app.get("/v1/search?q=vegan").await).await, (401, "missing_token".into()));
    app.cleanup().await;
}
