//! The state every handler receives: the [`Application`] (the use cases) and
//! the Prometheus handle. Built by `scout serve` and by the test harness
//! with the same [`AppState::new`].

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use scout_app::{Application, Settings};

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: Application,
    pub metrics: PrometheusHandle,
    /// The origins a browser page of this service has (`https://scout.example.com`):
    /// the configured `public_origin`, else the bound address's (and, on a
    /// loopback address, its `localhost` spelling). Never taken from the
    /// request's `Host` header, which the client chooses.
    pub own_origins: Arc<Vec<String>>,
}

impl AppState {
    pub fn new(app: Application) -> AppState {
        let own = app.settings().public_origin.iter().map(|o| o.trim_end_matches('/').to_string()).collect();
        AppState { app, metrics: metrics_handle(), own_origins: Arc::new(own) }
    }

    /// Sets the own origins from the address the service is bound to,
    /// unless `public_origin` is configured.
    pub fn bound_to(mut self, addr: std::net::SocketAddr, tls: bool) -> AppState {
        if self.app.settings().public_origin.is_some() {
            return self;
        }
        let scheme = if tls { "https" } else { "http" };
        let mut own = vec![format!("{scheme}://{addr}")];
        if addr.ip().is_loopback() {
            own.push(format!("{scheme}://localhost:{}", addr.port()));
        }
        self.own_origins = Arc::new(own);
        self
    }

    pub fn settings(&self) -> &Arc<Settings> {
        self.app.settings()
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
