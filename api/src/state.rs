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
}

impl AppState {
    pub fn new(app: Application) -> AppState {
        AppState { app, metrics: metrics_handle() }
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
