//! In-process fan-out of notifications to open event streams
//! (`GET /v1/events`). Every security event written to the audit log through
//! [`Application::audit`](crate::Application::audit) is also published here.
//!
//! One broadcast channel serves every subscriber; each stream keeps only what
//! is addressed to its caller. A subscriber that falls more than the channel's
//! capacity behind skips what it missed (the audit log keeps everything).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use scout_domain::org::OrgId;
use tokio::sync::broadcast;

/// One event for one account, or for an organisation's administrators.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub user_id: Option<i64>,
    pub org_id: Option<OrgId>,
    pub kind: scout_domain::AuditKind,
    pub detail: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Notifier {
    tx: broadcast::Sender<Arc<Notification>>,
}

impl Default for Notifier {
    fn default() -> Notifier {
        Notifier { tx: broadcast::channel(1024).0 }
    }
}

impl Notifier {
    /// Sends to every open stream (none open: dropped).
    pub fn publish(&self, n: Notification) {
        let _ = self.tx.send(Arc::new(n));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notification>> {
        self.tx.subscribe()
    }
}
