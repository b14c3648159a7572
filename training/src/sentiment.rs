//! The trained sentiment scorer's data, fit and evaluation.
//!
//! Training data: the human-rated sentences VADER was validated on (Hutto &
//! Gilbert, ICWSM 2014: 4,200 tweets, 10,605 movie-review snippets, 3,708
//! Amazon review snippets, 5,190 New York Times editorial snippets, each rated
//! −4…4 by about 20 people). They ship in the PyPI sdist `vaderSentiment`
//! 3.3.2 (MIT), `additional_resources/hutto_ICWSM_2014.tar.gz`; the README's
//! training section fetches them with pip, nothing is committed. A mean rating
//! above 0.5 is positive, below −0.5 negative, in between neutral.
//!
//! The fit: multinomial logistic regression (softmax) on standardised inputs
//! (the lexicon's four scores and the MiniLM vector), full-batch AdamW in
//! candle with weight decay; the epoch with the best accuracy on the
//! calibration split is kept.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use scout_models::TextEncoder;
use scout_models::sentiment::trained::{self, CLASSES, INPUTS, SentimentModel, Stored};
use scout_models::sentiment::{Polarity, score};

use crate::CardDraft;
use crate::dataset::Split;

/// One rated sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceRow {
    /// Which collection it came from (`tweets`, `movieReviewSnippets`, …).
    pub source: String,
    pub split: Split,
    /// Mean human rating in [−4, 4].
    pub rating: f32,
    pub text: String,
}

impl SentenceRow {
    /// 0 negative, 1 neutral, 2 positive ([`CLASSES`] order).
    pub fn class(&self) -> usize {
        if self.rating > 0.5 {
            2
        } else if self.rating < -0.5 {
            0
        } else {
            1
        }
    }
}

/// Reads every `*_GroundTruth.txt` (`id<TAB>rating<TAB>text`) in `dir`.
pub fn read_ground_truth(dir: &Path, seed: u64) -> anyhow::Result<Vec<SentenceRow>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("_GroundTruth.txt")))
        .collect();
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no *_GroundTruth.txt in {}", dir.display());
    let mut rows = Vec::new();
    for path in files {
        let source = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.trim_end_matches("_GroundTruth.txt").to_string())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        for (i, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
            let line = line.trim_end_matches('\r');
            let mut parts = line.splitn(3, '\t');
            let (Some(_), Some(rating), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
                anyhow::bail!("{} line {}: expected id, rating and text", path.display(), i + 1);
            };
            let rating: f32 =
                rating.trim().parse().with_context(|| format!("{} line {}: rating", path.display(), i + 1))?;
            rows.push(SentenceRow { source: source.clone(), split: Split::of(seed, text), rating, text: text.into() });
        }
    }
    Ok(rows)
}

pub fn write_csv<W: Write>(rows: &[SentenceRow], out: W) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["source", "split", "rating", "text"])?;
    for r in rows {
        w.write_record([r.source.as_str(), r.split.as_str(), &format!("{:.4}", r.rating), r.text.as_str()])?;
    }
    w.flush()?;
    Ok(())
}

pub fn read_csv(path: &Path) -> anyhow::Result<Vec<SentenceRow>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    anyhow::ensure!(header == ["source", "split", "rating", "text"], "{}: columns {header:?}", path.display());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        rows.push(SentenceRow {
            source: rec[0].to_string(),
            split: Split::parse(&rec[1])?,
            rating: rec[2].parse().with_context(|| format!("{} row {} rating", path.display(), i + 2))?,
            text: rec[3].to_string(),
        });
    }
    Ok(rows)
}

/// Hyper-parameters of the fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentConfig {
    pub seed: u64,
    pub epochs: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
}

pub const DEFAULTS: SentimentConfig =
    SentimentConfig { seed: 42, epochs: 300, learning_rate: 0.01, weight_decay: 0.05 };

/// Accuracy and macro-F1, three classes and the positive/negative rows alone.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub rows: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Positive against negative on the rows that are one of the two, deciding
    /// by which of the two is more likely (the lexicon: compound above 0).
    pub binary_accuracy: f64,
    pub binary_macro_f1: f64,
}

/// The candidate's and the lexicon's scores on the test split.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentReport {
    pub best_epoch: usize,
    pub trained: Scores,
    pub lexicon: Scores,
    pub by_source: BTreeMap<String, (f64, f64)>,
}

/// Encodes texts in batches of similar length (a batch is padded to its
/// longest text, so mixing tweets with paragraphs wastes most of the work),
/// reporting progress after each; vectors come back in the input order.
pub fn encode_all(
    encoder: &dyn TextEncoder,
    texts: &[&str],
    mut progress: impl FnMut(usize),
) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|i| texts[*i].len());
    let mut out = vec![Vec::new(); texts.len()];
    for chunk in order.chunks(32) {
        let batch: Vec<&str> = chunk.iter().map(|i| texts[*i]).collect();
        for (i, v) in chunk.iter().zip(encoder.encode_batch(&batch)?) {
            out[*i] = v;
        }
        progress(chunk.len());
    }
    Ok(out)
}

/// Fits the model on the train split of `rows` whose MiniLM vectors are `vectors`.
pub fn train(
    rows: &[SentenceRow],
    vectors: &[Vec<f32>],
    encoder_name: &str,
    config: SentimentConfig,
    source: &str,
) -> anyhow::Result<(SentimentModel, SentimentReport)> {
    anyhow::ensure!(rows.len() == vectors.len(), "{} rows but {} vectors", rows.len(), vectors.len());
    let inputs: Vec<Vec<f32>> = rows.iter().zip(vectors).map(|(r, v)| trained::inputs(&r.text, v)).collect();
    anyhow::ensure!(inputs.iter().all(|x| x.len() == INPUTS), "vectors must have {} components", INPUTS - 4);
    let train_idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].split == Split::Train).collect();
    let valid_idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].split == Split::Calibration).collect();
    anyhow::ensure!(train_idx.len() >= 30 && !valid_idx.is_empty(), "too few rows to train on");

    // Standardise on the training rows.
    let n = train_idx.len() as f32;
    let mut mean = vec![0f32; INPUTS];
    for i in &train_idx {
        mean.iter_mut().zip(&inputs[*i]).for_each(|(m, x)| *m += x / n);
    }
    let mut scale = vec![0f32; INPUTS];
    for i in &train_idx {
        scale.iter_mut().zip(&inputs[*i]).zip(&mean).for_each(|((s, x), m)| *s += (x - m) * (x - m) / n);
    }
    scale.iter_mut().for_each(|s| *s = s.sqrt().max(1e-6));
    let device = Device::Cpu;
    let matrix = |idx: &[usize]| -> candle_core::Result<Tensor> {
        let flat: Vec<f32> =
            idx.iter().flat_map(|i| inputs[*i].iter().zip(&mean).zip(&scale).map(|((x, m), s)| (x - m) / s)).collect();
        Tensor::from_vec(flat, (idx.len(), INPUTS), &device)
    };
    let x_train = matrix(&train_idx)?;
    let y_train =
        Tensor::from_vec(train_idx.iter().map(|i| rows[*i].class() as u32).collect(), train_idx.len(), &device)?;
    let x_valid = matrix(&valid_idx)?;
    let y_valid: Vec<usize> = valid_idx.iter().map(|i| rows[*i].class()).collect();

    // Deterministic start: zero weights (the loss is convex, so the optimum
    // does not depend on the start; the seed is recorded for the card).
    let w = Var::from_tensor(&Tensor::zeros((CLASSES.len(), INPUTS), DType::F32, &device)?)?;
    let b = Var::from_tensor(&Tensor::zeros(CLASSES.len(), DType::F32, &device)?)?;
    let params = ParamsAdamW { lr: config.learning_rate, weight_decay: config.weight_decay, ..Default::default() };
    let mut opt = AdamW::new(vec![w.clone(), b.clone()], params)?;
    let snapshot = |w: &Var, b: &Var| -> candle_core::Result<(Vec<Vec<f32>>, Vec<f32>)> {
        Ok((w.as_tensor().to_vec2::<f32>()?, b.as_tensor().to_vec1::<f32>()?))
    };
    let (mut best, mut best_acc, mut best_epoch) = (snapshot(&w, &b)?, -1.0, 0);
    for epoch in 1..=config.epochs {
        let logits = x_train.matmul(&w.as_tensor().t()?)?.broadcast_add(b.as_tensor())?;
        let loss = candle_nn::loss::cross_entropy(&logits, &y_train)?;
        opt.backward_step(&loss)?;
        if epoch % 5 == 0 || epoch == config.epochs {
            let pred: Vec<u32> =
                x_valid.matmul(&w.as_tensor().t()?)?.broadcast_add(b.as_tensor())?.argmax(1)?.to_vec1()?;
            let acc =
                pred.iter().zip(&y_valid).filter(|(p, y)| **p as usize == **y).count() as f64 / y_valid.len() as f64;
            if acc > best_acc {
                (best, best_acc, best_epoch) = (snapshot(&w, &b)?, acc, epoch);
            }
        }
    }
    let stored = Stored { encoder: encoder_name.into(), mean, scale, weights: best.0, bias: best.1 };
    let splits: Vec<Split> = rows.iter().map(|r| r.split).collect();
    let mut card = CardDraft {
        name: trained::NAME,
        kind: format!(
            "softmax regression over lexicon scores and {encoder_name} vectors (candle AdamW, {} epochs, lr {}, \
             weight decay {})",
            config.epochs, config.learning_rate, config.weight_decay
        ),
        features: trained::FEATURES.as_slice(),
        seed: config.seed,
        source,
        splits,
        positive_share: Some(rows.iter().filter(|r| r.class() == 2).count() as f64 / rows.len().max(1) as f64),
        intended_use: "Sentiment (negative, neutral, positive) of captions and comments on a creator's profile.",
        limits: "Fitted on English tweets and review and editorial snippets; other languages get what the \
                 English encoder and emoji carry. Sarcasm and irony are often missed.",
    }
    .card();
    let model = SentimentModel { stored, card: card.clone() };
    let test: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].split == Split::Test).collect();
    let truth: Vec<usize> = test.iter().map(|i| rows[*i].class()).collect();
    let trained_probs: Vec<[f32; 3]> = test.iter().map(|i| model.probabilities(&inputs[*i])).collect();
    let lexicon_probs: Vec<[f32; 3]> = test.iter().map(|i| lexicon_as_probabilities(&rows[*i].text)).collect();
    let trained = scores(&truth, &trained_probs);
    let lexicon = scores(&truth, &lexicon_probs);
    let mut by_source = BTreeMap::new();
    for s in rows.iter().map(|r| r.source.clone()).collect::<std::collections::BTreeSet<_>>() {
        let idx: Vec<usize> = (0..test.len()).filter(|k| rows[test[*k]].source == s).collect();
        let pick = |p: &[[f32; 3]]| idx.iter().map(|k| p[*k]).collect::<Vec<_>>();
        let t: Vec<usize> = idx.iter().map(|k| truth[*k]).collect();
        by_source.insert(s, (scores(&t, &pick(&trained_probs)).accuracy, scores(&t, &pick(&lexicon_probs)).accuracy));
    }
    for (k, v) in [
        ("accuracy", trained.accuracy),
        ("macro_f1", trained.macro_f1),
        ("binary_accuracy", trained.binary_accuracy),
        ("lexicon_accuracy", lexicon.accuracy),
        ("lexicon_macro_f1", lexicon.macro_f1),
        ("lexicon_binary_accuracy", lexicon.binary_accuracy),
    ] {
        card.metrics.insert(k.into(), v);
    }
    Ok((SentimentModel { card, ..model }, SentimentReport { best_epoch, trained, lexicon, by_source }))
}

/// The lexicon's verdict in the same three-class shape: its ±0.05 band decides
/// the class; for positive against negative, the sign of the compound score.
pub fn lexicon_as_probabilities(text: &str) -> [f32; 3] {
    let s = score(text);
    let c = s.compound as f32;
    match s.polarity {
        Polarity::Positive => [0.0, 0.5 - c / 2.0, 0.5 + c / 2.0],
        Polarity::Negative => [0.5 - c / 2.0, 0.5 + c / 2.0, 0.0],
        Polarity::Neutral => [0.5 - c, 1.0, 0.5 + c],
    }
}

/// Accuracy and macro-F1 of class probabilities against true classes.
pub fn scores(truth: &[usize], probs: &[[f32; 3]]) -> Scores {
    let argmax = |p: &[f32; 3]| (0..3).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(1);
    let predicted: Vec<usize> = probs.iter().map(argmax).collect();
    let (accuracy, macro_f1) = accuracy_f1(truth, &predicted, &[0, 1, 2]);
    let binary: Vec<(usize, usize)> =
        truth.iter().zip(probs).filter(|(t, _)| **t != 1).map(|(t, p)| (*t, if p[2] > p[0] { 2 } else { 0 })).collect();
    let (bt, bp): (Vec<usize>, Vec<usize>) = binary.into_iter().unzip();
    let (binary_accuracy, binary_macro_f1) = accuracy_f1(&bt, &bp, &[0, 2]);
    Scores { rows: truth.len(), accuracy, macro_f1, binary_accuracy, binary_macro_f1 }
}

fn accuracy_f1(truth: &[usize], predicted: &[usize], classes: &[usize]) -> (f64, f64) {
    if truth.is_empty() {
        return (0.0, 0.0);
    }
    let accuracy = truth.iter().zip(predicted).filter(|(t, p)| t == p).count() as f64 / truth.len() as f64;
    let f1: f64 = classes
        .iter()
        .map(|&c| {
            let tp = truth.iter().zip(predicted).filter(|(t, p)| **t == c && **p == c).count() as f64;
            let fp = truth.iter().zip(predicted).filter(|(t, p)| **t != c && **p == c).count() as f64;
            let fneg = truth.iter().zip(predicted).filter(|(t, p)| **t == c && **p != c).count() as f64;
            if tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fneg) }
        })
        .sum();
    (accuracy, f1 / classes.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_of_known_predictions() {
        let truth = [2, 0, 1, 2];
        let probs = [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.5, 0.4, 0.1], [0.3, 0.3, 0.4]];
        let s = scores(&truth, &probs);
        assert!((s.accuracy - 0.75).abs() < 1e-12);
        assert!((s.binary_accuracy - 1.0).abs() < 1e-12, "{s:?}");
        assert!(s.macro_f1 < 1.0 && s.macro_f1 > 0.4);
    }

    #[test]
    fn ground_truth_lines_are_read_and_classed() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join("tweets_GroundTruth.txt"),
            "1\t2.5\tI love it\r\n2\t-3.1\tawful, just awful\r\n3\t0.2\tit is a phone\r\n",
        )
        .expect("write");
        let rows = read_ground_truth(dir.path(), 1).expect("read");
        assert_eq!(rows.iter().map(SentenceRow::class).collect::<Vec<_>>(), vec![2, 0, 1]);
        assert_eq!(rows[0].source, "tweets");
        let csv = dir.path().join("s.csv");
        write_csv(&rows, std::fs::File::create(&csv).expect("create")).expect("write");
        assert_eq!(read_csv(&csv).expect("read"), rows);
    }

    #[test]
    fn the_fit_learns_what_the_lexicon_cannot_see() {
        // Texts the lexicon finds neutral; the sentiment lives in the vector.
        let dim = INPUTS - 4;
        let mut rows = Vec::new();
        let mut vectors = Vec::new();
        for i in 0..600u32 {
            let class = i % 3;
            let rating = [-2.0, 0.0, 2.0][class as usize];
            let split = [Split::Train, Split::Train, Split::Train, Split::Train, Split::Calibration, Split::Test]
                [(i / 3 % 6) as usize];
            rows.push(SentenceRow { source: "synthetic".into(), split, rating, text: format!("item number {i}") });
            // Noise in every component, the signal in the first.
            let mut v: Vec<f32> =
                (0..dim as u32).map(|k| ((i * 7919 + k * 104_729) % 1000) as f32 / 1000.0 - 0.5).collect();
            v[0] = class as f32 - 1.0 + v[0] * 0.4;
            vectors.push(v);
        }
        let config = SentimentConfig { epochs: 120, learning_rate: 0.05, ..DEFAULTS };
        let (model, report) = train(&rows, &vectors, "test-encoder", config, "synthetic").expect("train");
        assert!(report.trained.accuracy > 0.9, "{report:?}");
        assert!(report.trained.accuracy > report.lexicon.accuracy + 0.4, "{report:?}");
        assert_eq!(model.card.name, trained::NAME);
        assert!(model.card.metrics["accuracy"] > 0.9);
    }
}
