//! Configuration: built-in defaults → optional TOML file (`--config`) →
//! `SCOUT_…` environment variables → command-line flags. Every value is
//! printed once at start-up.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Everything `scout` can be configured with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Folder for the embedded database and indexes.
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; default `sqlite:<data_dir>/scout.db`.
    pub database_url: Option<String>,
    /// Address to listen on.
    pub listen: String,
    /// Demo profiles loaded when the store is empty (0 disables).
    pub demo_profiles: u64,
    /// Folder of the static encoder artifact.
    pub static_model_dir: Option<PathBuf>,
    /// Folder of versioned model artifacts (`<name>/v<N>/`), default `models`.
    pub models_dir: Option<PathBuf>,
    /// Folder of the MiniLM checkpoint (found automatically when installed).
    pub minilm_dir: Option<PathBuf>,
    /// Run MiniLM enrichment in the background.
    pub enrich: bool,
    /// `pretty` or `json` logs.
    pub log_format: String,
    /// Browser origins allowed to call the API (CORS), e.g. `https://app.example.com`;
    /// empty: none (same-origin pages and non-browser clients only).
    pub cors_origins: Vec<String>,
    /// PEM certificate chain; with `tls_key`, the service speaks HTTPS only
    /// and sends `Strict-Transport-Security`.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// `redis://…`: rate limits and login lockouts shared by every API node;
    /// unset: kept in process (one node).
    pub redis_url: Option<String>,
    /// Prefix of every Redis key Scout writes.
    pub redis_prefix: String,
    /// Requests per minute one account (session, API key or OAuth client)
    /// may make; 0 turns the limit off.
    pub account_requests_per_minute: u32,
    /// Requests per minute one client address may make to the credential
    /// endpoints (sign-up, login, password reset, email check; refused
    /// refresh tokens), with bursts of half that.
    pub credential_requests_per_minute: u32,
    /// Sample searches per minute one address may run without an account
    /// (the landing page's `GET /v1/preview`); 0 turns the preview off.
    pub preview_searches_per_minute: u32,
    /// Folder of the built web app (`web/dist`, built by `npm run build` in `web/`);
    /// default: `web/dist` in the working directory, else the one beside this source tree.
    pub web_dir: Option<PathBuf>,
    /// The origin the service is reached at (`https://scout.example.com`):
    /// what a browser's `Origin` must be for the event stream and the web
    /// session, instead of trusting the `Host` header; unset: the origin of
    /// `listen`.
    pub public_origin: Option<String>,
    /// A bearer token `/metrics` asks for; unset: `/metrics` is open (keep
    /// it unreachable from outside then, as behind a private port).
    pub metrics_token: Option<String>,
    /// Bounds on connections and work (section `[limits]` of the file).
    pub limits: ServerLimits,
    /// What a referrer earns when an account they referred completes its
    /// first contract, in minor units of `referral_reward_currency`.
    pub referral_reward_minor: i64,
    /// ISO 4217 code of the referral reward.
    pub referral_reward_currency: String,
    /// Money in and out (section `[payments]` of the file).
    pub payments: PaymentSettings,
}

/// The payment provider and the money's timings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentSettings {
    /// Which provider moves the money: `sandbox` (the embedded default, a
    /// test bank) or `stripe` (PaymentIntents for fundings, Connect
    /// transfers for payouts; needs `stripe_secret_key`).
    pub provider: String,
    /// Stripe's API address (`https://api.stripe.com`; another for a stand-in).
    pub stripe_url: String,
    /// The Stripe secret key (`sk_live_…` or `sk_test_…`); with `provider = "stripe"` only.
    pub stripe_secret_key: Option<String>,
    /// Base URL of a running sandbox bank (`scout sandbox-bank`); unset: one
    /// is started inside this process on `sandbox_listen`.
    pub sandbox_url: Option<String>,
    /// Where the in-process sandbox bank listens (port 0: any free port).
    pub sandbox_listen: String,
    /// The sandbox's API key.
    pub sandbox_api_key: String,
    /// Secrets provider webhooks are signed with; more than one while
    /// rotating (the first is the one the in-process sandbox signs with).
    pub webhook_secrets: Vec<String>,
    /// Milliseconds before the in-process sandbox settles a card charge or a payout.
    pub sandbox_settle_ms: u64,
    /// Milliseconds before it settles a delayed card or a bank transfer.
    pub sandbox_delayed_ms: u64,
    /// Days released earnings stay pending before they can be paid out.
    pub hold_days: u32,
    /// Spread taken on a payout converted to another currency, in basis points.
    pub payout_spread_bps: u32,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        PaymentSettings {
            provider: "sandbox".into(),
            stripe_url: "https://api.stripe.com".into(),
            stripe_secret_key: None,
            sandbox_url: None,
            sandbox_listen: "127.0.0.1:0".into(),
            sandbox_api_key: "sk_sandbox".into(),
            webhook_secrets: vec!["whsec_sandbox".into()],
            sandbox_settle_ms: 300,
            sandbox_delayed_ms: 5_000,
            hold_days: 7,
            payout_spread_bps: 50,
        }
    }
}

/// What one client or account may hold of the server at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerLimits {
    /// Open connections at most; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers, and a kept-alive
    /// connection may sit idle before the next one.
    pub header_timeout_secs: u64,
    /// Searches, lookalikes and matches run at once (0: two per core); more
    /// wait briefly, then get `503 overloaded` with `Retry-After`.
    pub max_concurrent_work: usize,
    /// Expensive requests one account may have running at once (never more
    /// than half the workers); more get `429 too_many_in_flight`.
    pub max_work_per_account: usize,
    /// How long an expensive request may wait for a worker, in milliseconds.
    pub work_queue_ms: u64,
    /// Deadline of an expensive request, in milliseconds: past it the caller
    /// gets `503 deadline_exceeded`.
    pub work_deadline_ms: u64,
    /// Event streams one account may hold open.
    pub max_streams_per_account: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 1024,
            header_timeout_secs: 10,
            max_concurrent_work: 0,
            max_work_per_account: 4,
            work_queue_ms: 500,
            work_deadline_ms: 10_000,
            max_streams_per_account: 8,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("data"),
            database_url: None,
            listen: "127.0.0.1:7700".into(),
            demo_profiles: 50_000,
            static_model_dir: None,
            models_dir: None,
            minilm_dir: None,
            enrich: true,
            log_format: "pretty".into(),
            cors_origins: Vec::new(),
            tls_cert: None,
            tls_key: None,
            redis_url: None,
            redis_prefix: "scout".into(),
            account_requests_per_minute: 1200,
            credential_requests_per_minute: 60,
            preview_searches_per_minute: 20,
            web_dir: None,
            public_origin: None,
            metrics_token: None,
            limits: ServerLimits::default(),
            referral_reward_minor: 5_000,
            referral_reward_currency: "EUR".into(),
            payments: PaymentSettings::default(),
        }
    }
}

impl Settings {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &Path) -> anyhow::Result<Settings> {
        let text =
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading config {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("parsing config {}: {e}", path.display()))
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("scout.db").display()))
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// The static encoder folder: configured, else `models/static-minilm-256`
    /// in the working directory, else the one beside this source tree.
    pub fn static_model_dir(&self) -> PathBuf {
        repository_dir(&self.static_model_dir, "models/static-minilm-256", "card.json")
    }

    /// Whether the service speaks HTTPS.
    pub fn uses_tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// The versioned model artifacts: configured, else `models` in the working
    /// directory, else the one beside this source tree.
    pub fn models_dir(&self) -> PathBuf {
        repository_dir(&self.models_dir, "models", "static-minilm-256")
    }

    /// The built web app: configured, else `web/dist` in the working directory,
    /// else the one beside this source tree (it may not be built: see `routes::web`).
    pub fn web_dir(&self) -> PathBuf {
        repository_dir(&self.web_dir, "web/dist", "index.html")
    }

    /// One line per setting, for the start-up log.
    pub fn describe(&self) -> Vec<String> {
        vec![
            format!("data_dir = {}", self.data_dir.display()),
            format!("database_url = {}", redact(&self.database_url())),
            format!("listen = {}", self.listen),
            format!("demo_profiles = {}", self.demo_profiles),
            format!("static_model_dir = {}", self.static_model_dir().display()),
            format!("models_dir = {}", self.models_dir().display()),
            format!("minilm_dir = {}", self.minilm_dir.as_ref().map_or("(auto)".into(), |d| d.display().to_string())),
            format!("enrich = {}", self.enrich),
            format!("log_format = {}", self.log_format),
            format!("cors_origins = {}", self.cors_origins.join(",")),
            format!("tls = {}", self.tls_cert.as_ref().map_or("off".into(), |c| c.display().to_string())),
            format!("redis_url = {}", self.redis_url.as_deref().map_or("(in process)".into(), redact)),
            format!("account_requests_per_minute = {}", self.account_requests_per_minute),
            format!("credential_requests_per_minute = {}", self.credential_requests_per_minute),
            format!("preview_searches_per_minute = {}", self.preview_searches_per_minute),
            format!("web_dir = {}", self.web_dir().display()),
            format!("public_origin = {}", self.public_origin.as_deref().unwrap_or("(from listen)")),
            format!(
                "metrics_token = {}",
                if self.metrics_token.is_some() { "(set)" } else { "(none: /metrics is open)" }
            ),
            format!("limits = {:?}", self.limits),
            format!(
                "referral_reward = {} minor units of {}",
                self.referral_reward_minor, self.referral_reward_currency
            ),
            format!(
                "payments = {}, payouts held {} days, conversion spread {} bps, {} webhook secret(s)",
                match self.payments.provider.as_str() {
                    "stripe" => format!(
                        "Stripe at {} (key {})",
                        self.payments.stripe_url,
                        if self.payments.stripe_secret_key.is_some() { "set" } else { "missing" }
                    ),
                    _ => format!("sandbox bank {}", self.payments.sandbox_url.as_deref().unwrap_or("(in process)")),
                },
                self.payments.hold_days,
                self.payments.payout_spread_bps,
                self.payments.webhook_secrets.len()
            ),
        ]
    }
}

/// A folder the repository holds or builds: the configured one, else `relative` in the
/// working directory when it has `marker`, else the one beside this source tree.
fn repository_dir(configured: &Option<PathBuf>, relative: &str, marker: &str) -> PathBuf {
    if let Some(d) = configured {
        return d.clone();
    }
    let local = PathBuf::from(relative);
    if local.join(marker).exists() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

/// Hides a password in a database URL.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..s], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_layers_over_defaults_and_rejects_typos() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("scout.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\ndemo_profiles = 10\n").expect("write");
        let s = Settings::from_file(&path).expect("parse");
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.demo_profiles, 10);
        assert_eq!(s.data_dir, PathBuf::from("data"));
        std::fs::write(&path, "lisen = 1\n").expect("write");
        assert!(Settings::from_file(&path).is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite:data/x.db"), "sqlite:data/x.db");
    }
}
