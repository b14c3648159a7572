//! In-process fan-out of notifications to open event streams
//! (`GET /v1/events`) and thread sockets. Every security event written to
//! the audit log through [`Application::audit`](crate::Application::audit),
//! every deal notification written to the inbox and every new thread entry
//! is also published here.
//!
//! One broadcast channel serves every subscriber; each stream keeps only what
//! is addressed to its caller. A subscriber that falls more than the channel's
//! capacity behind skips what it missed (the audit log keeps everything).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use scout_domain::ErrorCode;
use scout_domain::org::OrgId;
use tokio::sync::broadcast;

use crate::error::{Error, Result};

/// One event for one account, or for an organisation's administrators.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub user_id: Option<i64>,
    pub org_id: Option<OrgId>,
    pub topic: Topic,
    pub at: DateTime<Utc>,
}

/// What a notification is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Topic {
    /// A security event of the audit log, with its detail.
    Security(scout_domain::AuditKind, String),
    /// A step on a deal, as written to the recipient's inbox.
    Deal(scout_store::StoredNotification),
    /// A negotiation thread has new entries, for the sockets watching it
    /// (addressed to nobody: each socket reads the entries in its own view).
    Thread { negotiation: i64 },
}

#[derive(Debug, Clone)]
pub struct Notifier {
    tx: broadcast::Sender<Arc<Notification>>,
    /// Open streams per account.
    open: crate::held::PerAccount,
}

impl Default for Notifier {
    fn default() -> Notifier {
        Notifier { tx: broadcast::channel(1024).0, open: crate::held::PerAccount::default() }
    }
}

/// An account's open stream, counted until it is dropped.
pub type StreamSlot = crate::held::Held;

impl Notifier {
    /// Sends to every open stream (none open: dropped).
    pub fn publish(&self, n: Notification) {
        let _ = self.tx.send(Arc::new(n));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Notification>> {
        self.tx.subscribe()
    }

    /// A subscription for `account`, unless it already holds `max` streams.
    pub fn subscribe_as(
        &self,
        account: i64,
        max: usize,
    ) -> Result<(broadcast::Receiver<Arc<Notification>>, StreamSlot)> {
        let held = self.open.take(account, max).ok_or_else(|| {
            Error::retry_after(
                ErrorCode::TooManyStreams,
                format!("this account already has {max} event streams open; close one first"),
                std::time::Duration::from_secs(5),
            )
        })?;
        Ok((self.tx.subscribe(), held))
    }
}

impl crate::Application {
    /// Opens an event stream for the caller, within the per-account cap.
    pub fn open_stream(&self, caller: &crate::Caller) -> Result<(broadcast::Receiver<Arc<Notification>>, StreamSlot)> {
        self.notifier.subscribe_as(caller.id(), self.settings.limits.max_streams_per_account.max(1))
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    #[test]
    fn an_account_holds_at_most_max_streams_and_gets_them_back() {
        let n = Notifier::default();
        let a = n.subscribe_as(1, 2).expect("first");
        let _b = n.subscribe_as(1, 2).expect("second");
        let refused = n.subscribe_as(1, 2).expect_err("third");
        assert_eq!(refused.code(), ErrorCode::TooManyStreams);
        assert!(n.subscribe_as(2, 2).is_ok(), "another account is not affected");
        drop(a);
        assert!(n.subscribe_as(1, 2).is_ok(), "a closed stream gives its slot back");
    }
}
