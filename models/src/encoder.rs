//! The [`TextEncoder`] contract.

use crate::error::Result;

/// Turns texts into dense vectors for semantic search.
///
/// Callers may assume: every vector has [`TextEncoder::dim`] components and
/// unit L2 length (so dot product is cosine similarity), the same text always
/// gives the same vector, and an empty text gives a zero vector rather than an
/// error. Implementers must be thread-safe and must not do I/O per call.
pub trait TextEncoder: Send + Sync {
    /// Stable name, stored with the vectors it made ("static-minilm-256").
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>>;

    fn encode(&self, text: &str) -> Result<Vec<f32>> {
        Ok(self.encode_batch(&[text])?.pop().unwrap_or_else(|| vec![0.0; self.dim()]))
    }
}

/// Scales a vector to unit length in place; a zero vector stays zero.
pub fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Dot product of two equally long vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
