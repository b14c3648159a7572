//! What each account holds of a bounded resource (expensive-work slots,
//! event streams): a count per account, taken up to a maximum and given
//! back when the [`Held`] guard drops, however its holder ends.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

/// Counts per account of one resource.
#[derive(Debug, Clone, Default)]
pub struct PerAccount(Arc<Mutex<HashMap<i64, usize>>>);

/// One unit held by an account; given back on drop.
#[derive(Debug)]
pub struct Held {
    counts: PerAccount,
    account: i64,
}

impl PerAccount {
    /// One more unit for `account`, unless it already holds `max`.
    pub fn take(&self, account: i64, max: usize) -> Option<Held> {
        let mut counts = self.0.lock();
        let n = counts.entry(account).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Held { counts: self.clone(), account })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock();
        if let Some(n) = counts.get_mut(&self.account) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.account);
            }
        }
    }
}
