//! The trained sentiment scorer: multinomial logistic regression (negative,
//! neutral, positive) over a text's MiniLM sentence vector and the lexicon's
//! four scores. The lexicon knows negation and intensity rules; the sentence
//! vector knows words and phrasings the lexicon has never seen ("would not buy
//! again", "fell apart after a week"). `scout-train train sentiment` fits it on
//! human-rated sentences and `evaluate` compares it with the lexicon alone.

use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{Polarity, Sentiment, lexicon_scores};
use crate::artifact::{Artifact, ModelCard, invalid, read_model_json, write_model};
use crate::error::Result;
use crate::{TextEncoder, minilm};

/// The artifact's folder name.
pub const NAME: &str = "sentiment";
/// The lexicon's scores used as inputs, before the sentence vector.
pub const LEXICON_INPUTS: [&str; 4] = ["lexicon_compound", "lexicon_positive", "lexicon_neutral", "lexicon_negative"];
/// Classes in output order.
pub const CLASSES: [Polarity; 3] = [Polarity::Negative, Polarity::Neutral, Polarity::Positive];
/// Inputs: the lexicon's scores, then the MiniLM vector's components.
pub const INPUTS: usize = LEXICON_INPUTS.len() + minilm::DIM;

/// The input names, in order (`minilm_0` … `minilm_383` after the lexicon's).
pub static FEATURES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut names: Vec<&'static str> = LEXICON_INPUTS.to_vec();
    names.extend((0..minilm::DIM).map(|i| &*Box::leak(format!("minilm_{i}").into_boxed_str())));
    names
});

/// Fitted parameters: inputs are standardised (`(x - mean) / scale`), then
/// `softmax(W x + b)` gives the class probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    /// The encoder the vectors must come from.
    pub encoder: String,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    /// One row per class ([`CLASSES`] order), `INPUTS` columns.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

/// A published sentiment model.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentModel {
    pub stored: Stored,
    pub card: ModelCard,
}

impl Artifact for SentimentModel {
    const NAME: &'static str = NAME;

    fn features() -> &'static [&'static str] {
        FEATURES.as_slice()
    }

    fn load(dir: &Path, card: ModelCard) -> Result<SentimentModel> {
        let stored: Stored = read_model_json(dir)?;
        let shapes_ok = stored.mean.len() == INPUTS
            && stored.scale.len() == INPUTS
            && stored.bias.len() == CLASSES.len()
            && stored.weights.len() == CLASSES.len()
            && stored.weights.iter().all(|r| r.len() == INPUTS);
        if !shapes_ok {
            return Err(invalid(
                &dir.join("model.json"),
                format!("expected {} classes × {INPUTS} inputs", CLASSES.len()),
            ));
        }
        Ok(SentimentModel { stored, card })
    }
}

/// The model's inputs for one text, from its sentence vector.
pub fn inputs(text: &str, vector: &[f32]) -> Vec<f32> {
    let mut x: Vec<f32> = lexicon_scores(text).to_vec();
    x.extend_from_slice(vector);
    x
}

impl SentimentModel {
    pub fn save(&self, dir: &Path) -> Result<()> {
        write_model(dir, &self.stored, &self.card)
    }

    /// Class probabilities ([`CLASSES`] order) of one input row.
    pub fn probabilities(&self, x: &[f32]) -> [f32; 3] {
        let s = &self.stored;
        let mut logits = [0f32; 3];
        for (c, logit) in logits.iter_mut().enumerate() {
            let row = &s.weights[c];
            let mut z = s.bias[c];
            for i in 0..x.len().min(INPUTS) {
                z += row[i] * (x[i] - s.mean[i]) / s.scale[i];
            }
            *logit = z;
        }
        softmax(logits)
    }

    /// Scores texts: one batch through the encoder, then the regression.
    /// The compound score is P(positive) − P(negative).
    pub fn score_texts(&self, encoder: &dyn TextEncoder, texts: &[&str]) -> Result<Vec<Sentiment>> {
        let vectors = encoder.encode_batch(texts)?;
        Ok(texts
            .iter()
            .zip(&vectors)
            .map(|(t, v)| {
                let p = self.probabilities(&inputs(t, v));
                let best = (0..3).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(1);
                Sentiment { compound: f64::from(p[2] - p[0]), polarity: CLASSES[best] }
            })
            .collect())
    }
}

/// Numerically stable softmax.
pub fn softmax(z: [f32; 3]) -> [f32; 3] {
    let max = z.iter().copied().fold(f32::MIN, f32::max);
    let e = z.map(|v| (v - max).exp());
    let sum: f32 = e.iter().sum();
    e.map(|v| v / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_and_probabilities() {
        assert_eq!(FEATURES.len(), INPUTS);
        assert_eq!(FEATURES[4], "minilm_0");
        let mut weights = vec![vec![0.0; INPUTS]; 3];
        // Positive class follows the lexicon's compound score.
        weights[2][0] = 4.0;
        weights[0][0] = -4.0;
        let stored = Stored {
            encoder: "all-MiniLM-L6-v2".into(),
            mean: vec![0.0; INPUTS],
            scale: vec![1.0; INPUTS],
            weights,
            bias: vec![0.0; 3],
        };
        let card: ModelCard = serde_json::from_value(serde_json::json!({
            "name": NAME, "version": "v1", "format": 1, "kind": "test", "features": [], "trained_at": "",
            "seed": 0, "data": {"source": "", "rows": 0, "splits": {}}, "metrics": {}, "intended_use": "", "limits": ""
        }))
        .expect("card");
        let m = SentimentModel { stored, card };
        let zero = vec![0.0; minilm::DIM];
        let happy = m.probabilities(&inputs("I love it, wonderful", &zero));
        let sad = m.probabilities(&inputs("this is awful", &zero));
        assert!(happy[2] > 0.7 && sad[0] > 0.7, "{happy:?} {sad:?}");
        assert!((happy.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
