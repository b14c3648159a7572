//! Streaming JSON Lines import and export.

use std::io::Write;

use rayon::prelude::*;
use scout_domain::Profile;
use scout_store::{Store, UpsertSummary};
use serde::Serialize;

use crate::error::Internal;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Records per store transaction.
const BATCH: usize = 2_000;
/// Rejects kept in a report (all of them go to the rejects file).
const REPORTED_REJECTS: usize = 1_000;

/// One line that was not imported, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reject {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub lines: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Unknown fields dropped, counted over all lines.
    pub warnings: u64,
    /// The first rejects, with line numbers (1-based).
    pub rejects: Vec<Reject>,
}

impl ImportReport {
    /// Counts a line that was not imported, writes it to the rejects file
    /// (with the record when given) and keeps the first ones in the report.
    fn reject<W: Write + ?Sized>(
        &mut self,
        file: Option<&mut W>,
        line: u64,
        reason: String,
        record: Option<String>,
    ) -> std::io::Result<()> {
        self.rejected += 1;
        if let Some(w) = file {
            let mut entry = serde_json::json!({"line": line, "reason": reason});
            if let Some(r) = record {
                entry["record"] = r.into();
            }
            writeln!(w, "{entry}")?;
        }
        if self.rejects.len() < REPORTED_REJECTS {
            self.rejects.push(Reject { line, reason });
        }
        Ok(())
    }

    fn absorb(&mut self, s: &UpsertSummary) {
        self.inserted += s.inserted;
        self.updated += s.updated;
        self.unchanged += s.unchanged;
    }
}

enum Line {
    Valid(Box<Profile>, usize),
    Invalid(String),
}

fn parse_line(bytes: &[u8]) -> Line {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Line::Invalid(format!("line is not valid UTF-8 (byte {})", e.valid_up_to())),
    };
    match Profile::parse(text) {
        Ok(parsed) => Line::Valid(Box::new(parsed.profile), parsed.warnings.len()),
        Err(e) => Line::Invalid(e.to_string()),
    }
}

/// Imports JSON Lines from `reader`: every line is validated; valid ones are
/// upserted in batches (each batch one transaction), invalid ones are reported
/// with their line number and written to `rejects` when given.
pub async fn import_lines<R: AsyncBufRead + Unpin>(
    store: &Store,
    mut reader: R,
    mut rejects: Option<&mut (dyn Write + Send)>,
    mut progress: impl FnMut(&ImportReport),
) -> crate::Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut pending: Vec<(u64, Vec<u8>)> = Vec::with_capacity(BATCH);
    let mut line_no = 0u64;
    loop {
        let mut buf = Vec::new();
        let n = reader
            .read_until(b'\n', &mut buf)
            .await
            .map_err(|source| crate::Error::Input { line: line_no + 1, source })?;
        if n > 0 {
            line_no += 1;
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if !buf.iter().all(u8::is_ascii_whitespace) {
                pending.push((line_no, buf));
            }
        }
        if pending.len() >= BATCH || (n == 0 && !pending.is_empty()) {
            let batch = std::mem::take(&mut pending);
            let parsed: Vec<(u64, Vec<u8>, Line)> = tokio::task::spawn_blocking(move || {
                batch
                    .into_par_iter()
                    .map(|(no, bytes)| {
                        let line = parse_line(&bytes);
                        (no, bytes, line)
                    })
                    .collect()
            })
            .await?;
            let mut profiles = Vec::with_capacity(parsed.len());
            let mut numbers = Vec::with_capacity(parsed.len());
            for (no, bytes, line) in parsed {
                report.lines += 1;
                match line {
                    Line::Valid(p, warnings) => {
                        report.warnings += warnings as u64;
                        profiles.push(*p);
                        numbers.push(no);
                    }
                    Line::Invalid(reason) => {
                        let record = String::from_utf8_lossy(&bytes[..bytes.len().min(2_000)]).to_string();
                        report
                            .reject(rejects.as_deref_mut(), no, reason, Some(record))
                            .internal("writing the rejects file")?;
                    }
                }
            }
            let summary = store.profiles().upsert_profiles(&profiles).await?;
            report.absorb(&summary);
            for i in &summary.refused {
                // The record itself is not copied to the rejects file: it is the erased person's data.
                let reason = "this person's data was erased at their request; it is not imported again".to_string();
                report
                    .reject(rejects.as_deref_mut(), numbers[*i], reason, None)
                    .internal("writing the rejects file")?;
            }
            progress(&report);
        }
        if n == 0 {
            break;
        }
    }
    Ok(report)
}

/// Writes every stored profile as JSON Lines, in id order; returns the count.
pub async fn export<W: AsyncWrite + Unpin>(store: &Store, out: &mut W) -> crate::Result<u64> {
    let mut count = 0;
    let profiles = store.profiles();
    let mut pages = profiles.pages(5_000);
    while let Some(page) = pages.next_page().await? {
        let mut buf = Vec::with_capacity(page.len() * 2_000);
        for p in &page {
            serde_json::to_writer(&mut buf, &p.profile).internal("encoding a profile")?;
            buf.push(b'\n');
        }
        out.write_all(&buf).await.internal("writing the export")?;
        count += page.len() as u64;
    }
    out.flush().await.internal("writing the export")?;
    Ok(count)
}

/// Loads `count` generated demo profiles (seed 42) into the store.
pub async fn load_demo(store: &Store, count: u64, mut progress: impl FnMut(u64)) -> crate::Result<u64> {
    let generator = scout_fixtures::Generator::new(42);
    let mut done = 0;
    while done < count {
        let end = (done + 5_000).min(count);
        let g = generator.clone();
        let profiles: Vec<Profile> =
            tokio::task::spawn_blocking(move || (done..end).into_par_iter().map(|i| g.profile(i).0).collect()).await?;
        store.profiles().upsert_profiles(&profiles).await?;
        progress(end - done);
        done = end;
    }
    Ok(done)
}
