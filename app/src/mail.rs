//! Outgoing mail (password reset, email verification) behind a trait, so a
//! real mail service is an adapter. The embedded default writes each message
//! as a line of JSON to `<data dir>/mail.jsonl`, where an operator (or a
//! test) reads it.

use std::io::Write;
use std::path::PathBuf;

use parking_lot::Mutex;

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Sends mail. Implementations must not block the async executor for long
/// and must never log the body (it carries one-time tokens).
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &Mail) -> anyhow::Result<()>;
}

/// Appends messages to a JSON Lines file (mode 0600 on Unix).
pub struct FileMailer {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileMailer {
    pub fn new(path: PathBuf) -> FileMailer {
        FileMailer { path, lock: Mutex::new(()) }
    }
}

impl Mailer for FileMailer {
    fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        use anyhow::Context;
        let _guard = self.lock.lock();
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&self.path).with_context(|| format!("opening {}", self.path.display()))?;
        writeln!(f, "{}", serde_json::to_string(mail)?).with_context(|| format!("writing {}", self.path.display()))?;
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail written to the mail file");
        Ok(())
    }
}
