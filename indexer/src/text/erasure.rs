//! What erasure needs of the text index: rewriting the segments that still
//! hold deleted documents, and checking that no term dictionary holds a word.

use tantivy::tokenizer::TokenStream;

use super::TextIndex;
use crate::error::{Result, TextDoing};

impl TextIndex {
    /// Rewrites every segment that holds deleted documents, then removes the
    /// old files, so nothing of a deleted document (its terms included) is
    /// left on disk: what erasure needs. Blocking; cost grows with the size of
    /// the segments touched.
    pub fn purge_deleted(&self) -> Result<usize> {
        let searcher = self.reader.searcher();
        let dirty: Vec<tantivy::index::SegmentId> =
            searcher.segment_readers().iter().filter(|r| r.num_deleted_docs() > 0).map(|r| r.segment_id()).collect();
        let mut writer = self.writer.lock();
        if !dirty.is_empty() {
            // A segment whose documents are all deleted is dropped at commit;
            // a merge of the others rewrites them without the deleted ones.
            writer.merge(&dirty).wait().doing("merging segments with deletions")?;
        }
        writer.garbage_collect_files().wait().doing("removing unused index files")?;
        drop(writer);
        self.reader.reload().doing("reloading the reader")?;
        Ok(dirty.len())
    }

    /// Whether any segment's term dictionary still holds `word` (as the
    /// analyzer turns it into terms) in a free-text field, deleted documents
    /// included: what erasure checks.
    pub fn holds_word(&self, word: &str) -> Result<bool> {
        let mut analyzer = self.analyzer.clone();
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(word);
        while let Some(t) = stream.next() {
            terms.push(t.text.clone());
        }
        let searcher = self.reader.searcher();
        for reader in searcher.segment_readers() {
            for field in [self.f.name, self.f.categories, self.f.bio, self.f.posts] {
                let inverted = reader.inverted_index(field).doing("reading a term dictionary")?;
                for t in &terms {
                    let found = inverted.terms().get(t.as_bytes()).map_err(tantivy::TantivyError::from);
                    if found.doing("looking up a term")?.is_some() {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }
}
