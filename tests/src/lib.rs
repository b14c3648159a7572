//! `scout-tests`: end-to-end tests over real HTTP against a running Scout.
//!
//! [`TestApp::spawn`] starts the real service on port 0 with a fresh
//! database and index folder, built as `scout serve` builds it
//! ([`Application::build`], [`Application::start_search_workers`],
//! [`scout_api::serve::serve`]), and offers typed helpers. PostgreSQL apps
//! get a database of their own, which a guard drops when the app goes, even
//! when the test panics.

use std::time::{Duration, Instant};

use scout_app::Application;
use scout_app::settings::Settings;
use serde_json::Value;
use sqlx::Connection;

/// Which database a test app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    /// The services behind the HTTP server (for set-up no endpoint offers,
    /// and for checks of the stores and indexes).
    pub state: Application,
    /// An access token of a platform admin with 2FA (imports, exports, profile writes).
    pub operator: String,
    indexer: Option<scout_app::pipeline::IndexerHandle>,
    server: tokio::task::JoinHandle<()>,
    // Dropped after the services: the database goes once nothing holds it.
    _pg: Option<PgDatabase>,
    // Dropped last: the indexes must be closed before their folder goes.
    _dir: tempfile::TempDir,
}

/// A PostgreSQL database made for one test app; dropped (`WITH (FORCE)`)
/// when the guard goes, whether the test passed, failed or panicked, so no
/// test leaks a database.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    /// Creates `scout_e2e_<random>` through the admin URL; the URL of the new database.
    pub async fn create(admin_url: &str) -> (PgDatabase, String) {
        let name = format!("scout_e2e_{}", uuid::Uuid::new_v4().simple());
        let mut conn =
            sqlx::PgConnection::connect(admin_url).await.expect("postgres must be running (see scripts/test.sh)");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create database");
        let (base, _) = admin_url.rsplit_once('/').expect("url has a database");
        let url = format!("{base}/{name}");
        (PgDatabase { admin_url: admin_url.to_string(), name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on async work:
        // a thread of its own with a small runtime drops the database.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// The password of every account the tests make.
pub const PASSWORD: &str = "correct horse battery staple";

fn pg_admin_url() -> String {
    std::env::var("SCOUT_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_on(Backend::Sqlite).await
    }

    pub async fn spawn_on(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Starts an app whose settings `configure` adjusts first (Redis, limits, CORS…).
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings =
            Settings { data_dir: dir.path().to_path_buf(), demo_profiles: 0, enrich: false, ..Settings::default() };
        configure(&mut settings);
        TestApp::start(backend, settings, dir, reqwest::Client::new()).await
    }

    /// Starts an app that speaks HTTPS only, with a self-signed certificate for
    /// `localhost` made here; its client trusts that certificate and nothing else.
    pub async fn spawn_tls(backend: Backend) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
        let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert_path, cert.cert.pem()).expect("write cert");
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).expect("write key");
        let settings = Settings {
            data_dir: dir.path().join("data"),
            demo_profiles: 0,
            enrich: false,
            tls_cert: Some(cert_path),
            tls_key: Some(key_path),
            ..Settings::default()
        };
        let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("root");
        let client = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(root)
            .https_only(true)
            .resolve("localhost", std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .build()
            .expect("client");
        TestApp::start(backend, settings, dir, client).await
    }

    async fn start(
        backend: Backend,
        mut settings: Settings,
        dir: tempfile::TempDir,
        client: reqwest::Client,
    ) -> TestApp {
        let mut pg = None;
        if backend == Backend::Postgres {
            let (db, url) = PgDatabase::create(&pg_admin_url()).await;
            settings.database_url = Some(url);
            pg = Some(db);
        }
        let tls = settings.uses_tls();
        let state = Application::build(settings).await.expect("build the application");
        let indexer = state.start_search_workers().expect("start the search workers");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        // The certificate names localhost, not 127.0.0.1.
        let url = if tls { format!("https://localhost:{}", addr.port()) } else { format!("http://{addr}") };
        let serving = scout_api::AppState::new(state.clone());
        let server = tokio::spawn(async move {
            let _ = scout_api::serve::serve(serving, listener, std::future::pending()).await;
        });
        let mut app =
            TestApp { url, client, state, operator: String::new(), indexer: Some(indexer), server, _pg: pg, _dir: dir };
        app.operator = app.admin_token("operator@scout.test").await;
        app
    }

    /// Creates a platform admin (as `scout admin create` does), turns on
    /// 2FA in the store and logs in over HTTP with a TOTP code.
    pub async fn admin_token(&self, email: &str) -> String {
        let store = &self.state.store();
        let parsed = scout_domain::account::Email::parse(email).expect("email");
        let hash = scout_app::security::password::hash(PASSWORD.into()).await.expect("hash");
        let user = store
            .identity()
            .create_user(&parsed, &hash, scout_domain::account::Role::Admin, "Operator")
            .await
            .expect("admin");
        let secret = b"operator-secret-1234";
        let sealed = self.state.sealer().seal_totp(user.id, secret).expect("seal");
        store.identity().set_pending_totp(user.id, &sealed).await.expect("pending");
        // A step long past, so the code of the current step is still unused.
        assert!(store.identity().enable_totp(user.id, 1, &[]).await.expect("enable"));
        let now = chrono::Utc::now().timestamp() as u64;
        let code = scout_app::security::totp::totp(secret, now, 6);
        let res = self
            .post_json("/v1/auth/login", &serde_json::json!({"email": email, "password": PASSWORD, "totp": code}))
            .await;
        assert_eq!(res.status(), 200, "admin login");
        res.json::<Value>().await.expect("tokens")["access_token"].as_str().expect("token").to_string()
    }

    /// Registers an account of `role` (`brand`, `agency`, `influencer`) and
    /// returns its access token.
    pub async fn login_as(&self, role: &str, email: &str) -> String {
        let res = self.register(email, PASSWORD, role, &format!("{role} {email}")).await;
        assert_eq!(res.status(), 202, "register {email}");
        self.login(email).await
    }

    /// Signs up over HTTP. Sign-up answers before the account exists (the
    /// answer is the same for a taken address); on a 202 for an address
    /// without an account this waits until the account is made (its
    /// verification mail has gone out), so the caller can log in at once.
    pub async fn register(&self, email: &str, password: &str, role: &str, name: &str) -> reqwest::Response {
        let res = self
            .post_json(
                "/v1/auth/register",
                &serde_json::json!({"email": email, "password": password, "role": role, "name": name}),
            )
            .await;
        if res.status() == 202 {
            self.wait_for_mail(&email.trim().to_lowercase(), "Confirm your email").await;
        }
        res
    }

    /// Every mail sent so far, oldest first (the embedded mailer's file).
    pub fn mails(&self) -> Vec<Value> {
        let path = self.state.settings().data_dir.join("mail.jsonl");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// The newest mail to `to` whose subject contains `subject`, waiting up
    /// to ten seconds for it (mail goes out after the answer).
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = self
                .mails()
                .into_iter()
                .rfind(|m| m["to"].as_str() == Some(to) && m["subject"].as_str().is_some_and(|s| s.contains(subject)));
            if let Some(mail) = found {
                return mail;
            }
            assert!(Instant::now() < deadline, "no mail to {to} about {subject:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Logs an existing account in; its access token.
    pub async fn login(&self, email: &str) -> String {
        let res = self.post_json("/v1/auth/login", &serde_json::json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(res.status(), 200, "login {email}");
        res.json::<Value>().await.expect("tokens")["access_token"].as_str().expect("token").to_string()
    }

    /// Imports `n` fixture profiles (seed `seed`) over HTTP and waits until indexed.
    pub async fn import_fixtures(&self, n: u64, seed: u64) -> Value {
        let g = scout_fixtures::Generator::new(seed);
        let mut body = Vec::new();
        for i in 0..n {
            serde_json::to_writer(&mut body, &g.profile(i).0).expect("json");
            body.push(b'\n');
        }
        let report = self.import_raw(body).await;
        self.wait_indexed().await;
        report
    }

    pub async fn import_raw(&self, body: Vec<u8>) -> Value {
        let res = self
            .client
            .post(format!("{}/v1/profiles/import", self.url))
            .bearer_auth(&self.operator)
            .header("content-type", "application/x-ndjson")
            .body(body)
            .send()
            .await
            .expect("import request");
        assert_eq!(res.status(), 200, "import failed");
        res.json().await.expect("import report")
    }

    /// Waits until the indexes have applied every outbox entry.
    pub async fn wait_indexed(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let head = self.state.store().profiles().outbox_head().await.expect("head");
            let applied = self.state.index().applied_seq().expect("applied");
            if applied >= head {
                return;
            }
            assert!(Instant::now() < deadline, "indexer did not catch up ({applied} < {head})");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).send().await.expect("request")
    }

    /// `GET path` as the operator; the JSON, panics unless 200.
    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get_as(&self.operator, path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.expect("json")
    }

    /// `GET path` with an access token.
    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).bearer_auth(token).send().await.expect("request")
    }

    /// `method path` with an access token, an optional JSON body and an optional `X-Scout-Org`.
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<&Value>,
        org: Option<i64>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, format!("{}{path}", self.url)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(o) = org {
            req = req.header("x-scout-org", o.to_string());
        }
        req.send().await.expect("request")
    }

    /// Pays `amount_minor` of `currency` into the wallet of the token's
    /// organisation (`org`: another it acts for) through the sandbox bank,
    /// with its always-accepted test card, and waits until the provider's
    /// signed webhook has settled it. Returns the funding.
    pub async fn fund_wallet(&self, token: &str, org: Option<i64>, amount_minor: i64, currency: &str) -> Value {
        let body = serde_json::json!({"amount_minor": amount_minor, "currency": currency,
            "method": {"type": "card", "number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2099, "cvc": "123"}});
        let mut req = self
            .client
            .post(format!("{}/v1/wallet/fundings", self.url))
            .bearer_auth(token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&body);
        if let Some(o) = org {
            req = req.header("x-scout-org", o.to_string());
        }
        let res = req.send().await.expect("request");
        assert_eq!(res.status(), 202, "funding");
        let funding: Value = res.json().await.expect("funding");
        let id = funding["id"].as_i64().expect("id");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let res = self.call(reqwest::Method::GET, token, &format!("/v1/wallet/fundings/{id}"), None, org).await;
            let f: Value = res.json().await.expect("funding");
            if f["status"] == "succeeded" {
                return f;
            }
            assert!(f["status"] == "processing" && Instant::now() < deadline, "the funding never settled: {f}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `POST path` with an access token and a JSON body.
    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.url)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.url)).json(body).send().await.expect("request")
    }

    /// A creator account (`email`) that has claimed and verified the profile
    /// `profile` (JSON of the profile format, written by the operator); its
    /// access token and the profile's id. The claim code is put in the bio
    /// as a creator would.
    pub async fn creator_with(&self, email: &str, profile: &Value) -> (String, i64) {
        use reqwest::Method;
        let res = self.call(Method::PUT, &self.operator, "/v1/profiles", Some(profile), None).await;
        assert_eq!(res.status(), 200, "profile upsert");
        let id = res.json::<Value>().await.expect("upsert")["id"].as_i64().expect("id");
        let token = self.login_as("influencer", email).await;
        self.claim_profile(&token, id, profile).await;
        (token, id)
    }

    /// The creator signed in with `token` claims profile `id` (whose
    /// fields are `profile`) through the bio code.
    pub async fn claim_profile(&self, token: &str, id: i64, profile: &Value) {
        use reqwest::Method;
        let token = token.to_string();
        let claim = serde_json::json!({"platform": profile["platform"], "handle": profile["handle"]});
        let res = self.post_as(&token, "/v1/me/claims", &claim).await;
        assert_eq!(res.status(), 201, "claim");
        let claim: Value = res.json().await.expect("claim");
        let code = claim["code"].as_str().expect("code");
        let mut shown = profile.clone();
        shown["bio"] = Value::String(format!("{} {code}", profile["bio"].as_str().unwrap_or("")));
        let res = self.call(Method::PUT, &self.operator, "/v1/profiles", Some(&shown), None).await;
        assert_eq!(res.status(), 200, "bio with the claim code");
        let res = self.post_as(&token, &format!("/v1/profiles/{id}/claim/verify"), &serde_json::json!({})).await;
        let verified: Value = res.json().await.expect("verify");
        assert_eq!(verified["verified"], true, "{verified}");
    }

    /// `POST /v1/search` (as the operator) and the parsed response; panics unless 200.
    pub async fn search(&self, body: Value) -> Value {
        let res = self.post_as(&self.operator, "/v1/search", &body).await;
        let status = res.status();
        let json: Value = res.json().await.expect("json");
        assert_eq!(status, 200, "search failed: {json}");
        json
    }

    /// Stops the server and the indexer and closes the store before the
    /// guards drop the database and the folder (dropping the app without
    /// this, as a panicking test does, still drops both).
    pub async fn cleanup(mut self) {
        self.server.abort();
        if let Some(indexer) = self.indexer.take() {
            indexer.stop().await;
        }
        self.state.store().close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
