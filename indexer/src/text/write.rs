//! Writing: adding, replacing and deleting documents, and commits that
//! record the outbox sequence they bring the index to.

use scout_domain::ProfileId;
use tantivy::Term;

use super::TextIndex;
use crate::document::IndexDoc;
use crate::error::{Result, TextDoing};

impl TextIndex {
    /// Adds or replaces documents (not visible before [`TextIndex::commit`]).
    pub fn upsert(&self, docs: &[IndexDoc]) -> Result<()> {
        let writer = self.writer.lock();
        for d in docs {
            writer.delete_term(Term::from_field_u64(self.f.id, d.id as u64));
            writer.add_document(self.to_document(d)?).doing("adding a document")?;
        }
        Ok(())
    }

    pub fn delete(&self, ids: &[ProfileId]) {
        let writer = self.writer.lock();
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.f.id, *id as u64));
        }
    }

    /// Deletes everything (for a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.writer.lock().delete_all_documents().doing("clearing the index")?;
        Ok(())
    }

    /// Commits pending changes with the outbox sequence they bring the index to,
    /// and makes them searchable.
    pub fn commit(&self, seq: i64) -> Result<()> {
        {
            let mut writer = self.writer.lock();
            let mut prepared = writer.prepare_commit().doing("preparing a commit")?;
            prepared.set_payload(&seq.to_string());
            prepared.commit().doing("committing")?;
        }
        self.reader.reload().doing("reloading the reader")?;
        self.visible_seq.store(seq, std::sync::atomic::Ordering::Release);
        Ok(())
    }
}
