//! Learned ranking: rows are (query, candidate) pairs with the ranker's feature
//! values and a graded relevance label; the model is the ranker's weighted sum
//! with weights fitted pairwise ([`scout_models::ranking`]).
//!
//! Training minimises LambdaRank's weighted pairwise logistic loss (Burges,
//! MSR-TR-2010-82, §4): for each pair of one query's candidates with grades
//! `g_i > g_j`, `|ΔNDCG@10_ij| · log(1 + exp(-σ (s_i - s_j)))`, where the
//! scores `s` are exactly what the service computes (weights renormalised over
//! the features that apply to a candidate) and `|ΔNDCG|` is the change in
//! NDCG@10 if the two swapped places in the current ranking, plus an L2 pull
//! towards the hand blend (see [`RankConfig::prior`]). Full-batch Adam,
//! projected so no weight turns negative; the epoch with the best NDCG@10 on the
//! calibration split is kept, and it starts from the hand blend, so a model
//! that cannot beat the hand blend on held-out queries stays the hand blend.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use scout_domain::ProfileId;
use scout_fixtures::LabelledQuery;
use scout_models::ranking::{Blend, FEATURES, N, RankingModel};
use scout_ranker::Engine;
use scout_store::Store;

use crate::CardDraft;
use crate::dataset::Split;

/// One candidate of one query.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    pub query: String,
    pub kind: String,
    pub split: Split,
    /// Relevance grade 0–3 (unjudged candidates are 0).
    pub grade: u8,
    /// The query's lexical share (the same on each of its rows).
    pub lexical_share: f64,
    /// DCG@10 of the query's ideal ranking over all its judgments, so that
    /// NDCG counts relevant profiles the retrieval missed.
    pub ideal_dcg: f64,
    /// Feature values, `None` where a feature does not apply.
    pub values: [Option<f64>; N],
}

/// Hyper-parameters of the pairwise fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankConfig {
    pub seed: u64,
    pub epochs: usize,
    pub learning_rate: f64,
    /// Sharpness of the pairwise logistic loss on scores in [0, 1].
    pub sigma: f64,
    /// Strength of the L2 pull towards the hand blend's parameters.
    pub prior: f64,
    /// Which features' weights are fitted; the others keep the hand blend's.
    /// Graded relevance of queries speaks to how well a profile matches the
    /// query (text, meaning, niche, audience), not to how much a brand values
    /// engagement, authenticity or fresh posts, so by default only the matching
    /// features are learned ([`RELEVANCE_FEATURES`]); labels from hires and
    /// shortlists can teach the rest ([`ALL_FEATURES`]).
    pub learned: [bool; N],
}

/// The features graded relevance judges: text, semantic, niche, audience fit.
pub const RELEVANCE_FEATURES: [bool; N] = [true, true, true, false, true, false, false, false, false];
pub const ALL_FEATURES: [bool; N] = [true; N];

pub const DEFAULTS: RankConfig =
    RankConfig { seed: 42, epochs: 150, learning_rate: 0.01, sigma: 5.0, prior: 0.0, learned: RELEVANCE_FEATURES };

/// Mean NDCG@10 of a blend on one split, overall and per query kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RankEval {
    pub queries: usize,
    pub ndcg: f64,
    pub by_kind: BTreeMap<String, f64>,
}

/// A query with its judgments (`platform:external_id` → grade 1–3; the
/// ranker's other candidates are 0), from a labelled set or from feedback.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub id: String,
    pub text: String,
    /// A labelled set's kind (`keyword`, `filtered`, `semantic`, `range`, `region`,
    /// `slang`) or `feedback`.
    pub kind: String,
    pub judgments: BTreeMap<String, u8>,
}

impl From<&LabelledQuery> for Judged {
    fn from(q: &LabelledQuery) -> Judged {
        Judged { id: q.id.clone(), text: q.text.clone(), kind: q.kind.as_str().into(), judgments: q.judgments.clone() }
    }
}

/// Implicit feedback as judged queries: a creator shortlisted after a search
/// is relevant to it (grade 2; 3 when two or more shortlists hold it for that
/// search). The search's other candidates count as not chosen (0), which is
/// what a brand who saw them and passed implies. Searches that differ only in
/// case and spacing are one query.
pub fn feedback_queries(feedback: &[scout_store::ShortlistFeedback]) -> Vec<Judged> {
    let mut by_query: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for f in feedback {
        let text = f.query.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if text.is_empty() {
            continue;
        }
        *by_query.entry(text).or_default().entry(format!("{}:{}", f.platform, f.external_id)).or_default() += f.lists;
    }
    by_query
        .into_iter()
        .enumerate()
        .map(|(i, (text, keys))| Judged {
            id: format!("feedback-{i}"),
            text,
            kind: "feedback".into(),
            judgments: keys.into_iter().map(|(k, lists)| (k, if lists >= 2 { 3 } else { 2 })).collect(),
        })
        .collect()
}

/// The query's candidates as the ranker returns them, labelled from the
/// query's judgments (`platform:external_id` → grade).
pub async fn export_rows(
    engine: &Engine,
    store: &Store,
    queries: &[Judged],
    seed: u64,
    mut progress: impl FnMut(),
) -> anyhow::Result<Vec<RankRow>> {
    let mut rows = Vec::new();
    for q in queries {
        let candidates = engine.candidates(&q.text).with_context(|| format!("searching {:?}", q.text))?;
        let ids: Vec<ProfileId> = candidates.rows.iter().map(|r| r.0).collect();
        let keys: HashMap<ProfileId, String> = store
            .profiles()
            .get_profiles(&ids)
            .await?
            .into_iter()
            .map(|s| (s.id, format!("{}:{}", s.profile.platform.as_str(), s.profile.external_id)))
            .collect();
        let ideal = ideal_dcg(q.judgments.values().copied());
        let split = Split::of(seed, &q.text);
        for (id, values) in candidates.rows {
            let grade = keys.get(&id).and_then(|k| q.judgments.get(k)).copied().unwrap_or(0);
            rows.push(RankRow {
                query: q.id.clone(),
                kind: q.kind.clone(),
                split,
                grade,
                lexical_share: candidates.lexical_share,
                ideal_dcg: ideal,
                values,
            });
        }
        progress();
    }
    Ok(rows)
}

/// Gain `2^g - 1`, discount `log2(rank + 1)`, as the benchmark's NDCG.
fn gain(grade: u8) -> f64 {
    2f64.powi(grade as i32) - 1.0
}

fn discount(rank: usize) -> f64 {
    1.0 / ((rank + 2) as f64).log2()
}

fn ideal_dcg(grades: impl Iterator<Item = u8>) -> f64 {
    let mut g: Vec<u8> = grades.collect();
    g.sort_unstable_by(|a, b| b.cmp(a));
    g.iter().take(10).enumerate().map(|(i, g)| gain(*g) * discount(i)).sum()
}

pub fn write_csv<W: Write>(rows: &[RankRow], out: W) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["query", "kind", "split", "grade", "lexical_share", "ideal_dcg"];
    header.extend(FEATURES);
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![
            r.query.clone(),
            r.kind.clone(),
            r.split.as_str().to_string(),
            r.grade.to_string(),
            format!("{:.6}", r.lexical_share),
            format!("{:.6}", r.ideal_dcg),
        ];
        rec.extend(r.values.iter().map(|v| v.map_or(String::new(), |x| format!("{x:.6}"))));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

pub fn read_csv(path: &Path) -> anyhow::Result<Vec<RankRow>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut expected: Vec<String> =
        ["query", "kind", "split", "grade", "lexical_share", "ideal_dcg"].iter().map(|s| s.to_string()).collect();
    expected.extend(FEATURES.iter().map(|s| s.to_string()));
    anyhow::ensure!(header == expected, "{}: columns {header:?}, expected {expected:?}", path.display());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let num = |j: usize| -> anyhow::Result<f64> {
            rec[j].parse().with_context(|| format!("{} row {} column {}", path.display(), i + 2, header[j]))
        };
        let mut values = [None; N];
        for (k, v) in values.iter_mut().enumerate() {
            if !rec[6 + k].is_empty() {
                *v = Some(num(6 + k)?);
            }
        }
        rows.push(RankRow {
            query: rec[0].to_string(),
            kind: rec[1].to_string(),
            split: Split::parse(&rec[2])?,
            grade: rec[3].parse().with_context(|| format!("{} row {} grade", path.display(), i + 2))?,
            lexical_share: num(4)?,
            ideal_dcg: num(5)?,
            values,
        });
    }
    Ok(rows)
}

/// One query's candidates, gathered from its rows.
#[derive(Debug, Clone)]
pub struct QueryGroup {
    pub kind: String,
    pub split: Split,
    pub lexical_share: f64,
    pub ideal_dcg: f64,
    pub grades: Vec<u8>,
    pub values: Vec<[Option<f64>; N]>,
}

/// Groups rows by query, in first-seen order.
pub fn groups(rows: &[RankRow]) -> Vec<QueryGroup> {
    let mut order: Vec<&str> = Vec::new();
    let mut by: HashMap<&str, QueryGroup> = HashMap::new();
    for r in rows {
        let g = by.entry(&r.query).or_insert_with(|| {
            order.push(&r.query);
            QueryGroup {
                kind: r.kind.clone(),
                split: r.split,
                lexical_share: r.lexical_share,
                ideal_dcg: r.ideal_dcg,
                grades: Vec::new(),
                values: Vec::new(),
            }
        });
        g.grades.push(r.grade);
        g.values.push(r.values);
    }
    order.into_iter().filter_map(|q| by.remove(q)).collect()
}

/// The service's score of each candidate under `blend`.
fn scores(blend: &Blend, g: &QueryGroup) -> Vec<f64> {
    let w = blend.weights(g.lexical_share);
    g.values.iter().map(|v| scout_ranker::model::score(v, &w).0).collect()
}

/// Positions (0 = first) of the candidates when sorted by score, best first;
/// ties keep row order.
fn ranks(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    let mut rank = vec![0; scores.len()];
    for (r, i) in order.into_iter().enumerate() {
        rank[i] = r;
    }
    rank
}

fn ndcg_of(g: &QueryGroup, scores: &[f64]) -> f64 {
    if g.ideal_dcg <= 0.0 {
        return 0.0;
    }
    let rank = ranks(scores);
    let dcg: f64 = rank.iter().zip(&g.grades).filter(|(r, _)| **r < 10).map(|(r, gr)| gain(*gr) * discount(*r)).sum();
    dcg / g.ideal_dcg
}

/// Mean NDCG@10 of `blend` over the queries of one split.
pub fn evaluate(blend: &Blend, groups: &[QueryGroup], split: Split) -> RankEval {
    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for g in groups.iter().filter(|g| g.split == split) {
        let n = ndcg_of(g, &scores(blend, g));
        by_kind.entry(g.kind.clone()).or_default().push(n);
        all.push(n);
    }
    let mean = |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
    RankEval {
        queries: all.len(),
        ndcg: mean(&all),
        by_kind: by_kind.into_iter().map(|(k, v)| (k, mean(&v))).collect(),
    }
}

/// Parameters as one vector: intercepts, then lexical slopes.
fn to_params(b: &Blend) -> [f64; 2 * N] {
    std::array::from_fn(|i| if i < N { b.intercept[i] } else { b.lexical_slope[i - N] })
}

fn from_params(p: &[f64; 2 * N]) -> Blend {
    Blend { intercept: std::array::from_fn(|i| p[i]), lexical_slope: std::array::from_fn(|i| p[N + i]) }
}

/// Gradient of the LambdaRank loss of one query with respect to the parameters.
fn query_gradient(blend: &Blend, g: &QueryGroup, sigma: f64) -> ([f64; 2 * N], f64) {
    let l = g.lexical_share.clamp(0.0, 1.0);
    let w = blend.weights(l);
    let s = scores(blend, g);
    let rank = ranks(&s);
    // ds/dw for each candidate: (v_i - s) / B over the applicable features.
    let ds_dw: Vec<[f64; N]> = g
        .values
        .iter()
        .zip(&s)
        .map(|(v, score)| {
            let total: f64 = v.iter().zip(&w).filter(|(x, _)| x.is_some()).map(|(_, w)| w).sum();
            std::array::from_fn(|k| match v[k] {
                Some(x) if total > 0.0 => (x - score) / total,
                _ => 0.0,
            })
        })
        .collect();
    let mut grad_w = [0.0; N];
    let mut loss = 0.0;
    let positives: Vec<usize> = (0..g.grades.len()).filter(|i| g.grades[*i] > 0).collect();
    for &i in &positives {
        for j in 0..g.grades.len() {
            if g.grades[j] >= g.grades[i] {
                continue;
            }
            let (ri, rj) = (rank[i], rank[j]);
            // Only pairs where one side is (or would be) in the top 10 change NDCG@10.
            let d = |r: usize| if r < 10 { discount(r) } else { 0.0 };
            let delta = ((gain(g.grades[i]) - gain(g.grades[j])) * (d(ri) - d(rj))).abs() / g.ideal_dcg.max(1e-9);
            if delta == 0.0 {
                continue;
            }
            let margin = sigma * (s[i] - s[j]);
            loss += delta * softplus(-margin);
            // d/dmargin of softplus(-m) is -sigmoid(-m).
            let coef = -delta * sigma * sigmoid(-margin);
            for (k, gw) in grad_w.iter_mut().enumerate() {
                *gw += coef * (ds_dw[i][k] - ds_dw[j][k]);
            }
        }
    }
    let mut grad = [0.0; 2 * N];
    for k in 0..N {
        // A clamped weight does not move with its parameters.
        if blend.intercept[k] + blend.lexical_slope[k] * l > 0.0 {
            grad[k] = grad_w[k];
            grad[N + k] = grad_w[k] * l;
        }
    }
    (grad, loss)
}

fn softplus(x: f64) -> f64 {
    if x > 30.0 { x } else { x.exp().ln_1p() }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// What training reports.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    pub best_epoch: usize,
    pub hand_test: RankEval,
    pub learned_test: RankEval,
    pub learned_validation: f64,
    pub hand_validation: f64,
}

/// Fits the blend on the train split, choosing the epoch by the calibration
/// split's NDCG@10; evaluates it and the hand blend on the test split.
pub fn train(rows: &[RankRow], config: RankConfig, source: &str) -> anyhow::Result<(RankingModel, TrainReport)> {
    let all = groups(rows);
    let train: Vec<&QueryGroup> = all.iter().filter(|g| g.split == Split::Train && g.ideal_dcg > 0.0).collect();
    anyhow::ensure!(train.len() >= 5, "only {} training queries with judgments; export more queries", train.len());
    let (mut m, mut v) = ([0.0; 2 * N], [0.0; 2 * N]);
    let (beta1, beta2, eps) = (0.9, 0.999, 1e-8);
    let hand = to_params(&Blend::HAND);
    let mut params = hand;
    let hand_validation = evaluate(&Blend::HAND, &all, Split::Calibration).ndcg;
    let (mut best, mut best_ndcg, mut best_epoch) = (Blend::HAND, hand_validation, 0);
    for epoch in 1..=config.epochs {
        let blend = from_params(&params);
        let grads: Vec<[f64; 2 * N]> = train.par_iter().map(|g| query_gradient(&blend, g, config.sigma).0).collect();
        let mut grad = [0.0; 2 * N];
        for g in &grads {
            for k in 0..2 * N {
                grad[k] += g[k] / train.len() as f64;
            }
        }
        for (k, g) in grad.iter_mut().enumerate() {
            *g = if config.learned[k % N] { *g + 2.0 * config.prior * (params[k] - hand[k]) } else { 0.0 };
        }
        for k in 0..2 * N {
            m[k] = beta1 * m[k] + (1.0 - beta1) * grad[k];
            v[k] = beta2 * v[k] + (1.0 - beta2) * grad[k] * grad[k];
            let m_hat = m[k] / (1.0 - beta1.powi(epoch as i32));
            let v_hat = v[k] / (1.0 - beta2.powi(epoch as i32));
            params[k] -= config.learning_rate * m_hat / (v_hat.sqrt() + eps);
        }
        let mut blend = from_params(&params);
        blend.project();
        params = to_params(&blend);
        let ndcg = evaluate(&blend, &all, Split::Calibration).ndcg;
        if ndcg > best_ndcg + 1e-9 {
            (best, best_ndcg, best_epoch) = (blend, ndcg, epoch);
        }
    }
    let best = best.normalised();
    let hand_test = evaluate(&Blend::HAND, &all, Split::Test);
    let learned_test = evaluate(&best, &all, Split::Test);
    let splits: Vec<Split> = all.iter().map(|g| g.split).collect();
    let mut card = CardDraft {
        name: scout_models::ranking::NAME,
        kind: format!(
            "linear pairwise (LambdaRank-weighted logistic, sigma {}, L2 {} towards the hand blend, Adam {} \
             epochs, lr {}); learned: {}; hand-set: {}",
            config.sigma,
            config.prior,
            config.epochs,
            config.learning_rate,
            names(&config.learned, true),
            names(&config.learned, false)
        ),
        features: &FEATURES,
        seed: config.seed,
        source,
        splits,
        positive_share: None,
        intended_use: "Weighs the ranker's features into each search result's score; explanations show each \
                       feature's learned weight.",
        limits: "Learned from graded relevance of generated queries (and, where a database has them, the \
                 labels it exports); queries unlike those may prefer other weights. Splits and counts are per query.",
    }
    .card();
    card.metrics.insert("ndcg10_test".into(), learned_test.ndcg);
    card.metrics.insert("ndcg10_test_hand_blend".into(), hand_test.ndcg);
    card.metrics.insert("ndcg10_validation".into(), best_ndcg);
    card.metrics.insert("test_queries".into(), learned_test.queries as f64);
    let report = TrainReport { best_epoch, hand_test, learned_test, learned_validation: best_ndcg, hand_validation };
    Ok((RankingModel { blend: best, card }, report))
}

fn names(mask: &[bool; N], learned: bool) -> String {
    let list: Vec<&str> = FEATURES.iter().zip(mask).filter(|(_, m)| **m == learned).map(|(f, _)| *f).collect();
    if list.is_empty() { "none".into() } else { list.join(", ") }
}

/// Reads labelled queries (`FILE.queries.jsonl` from `scout fixtures`).
pub fn read_queries(path: &Path) -> anyhow::Result<Vec<LabelledQuery>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(split: Split, grades: &[u8], values: &[[Option<f64>; N]]) -> QueryGroup {
        QueryGroup {
            kind: "keyword".into(),
            split,
            lexical_share: 0.5,
            ideal_dcg: ideal_dcg(grades.iter().copied()),
            grades: grades.to_vec(),
            values: values.to_vec(),
        }
    }

    fn v(text: f64, niche: f64, quality: f64) -> [Option<f64>; N] {
        [Some(text), Some(0.5), Some(niche), Some(0.5), None, Some(quality), Some(0.5), Some(0.5), Some(0.5)]
    }

    #[test]
    fn ndcg_is_one_for_the_ideal_order() {
        let g = group(Split::Test, &[3, 0, 1], &[v(0.9, 1.0, 1.0), v(0.1, 0.0, 1.0), v(0.5, 0.4, 1.0)]);
        assert!((ndcg_of(&g, &[3.0, 1.0, 2.0]) - 1.0).abs() < 1e-12);
        assert!(ndcg_of(&g, &[1.0, 3.0, 2.0]) < 1.0);
    }

    #[test]
    fn training_learns_a_signal_the_hand_blend_underweights() {
        // Relevance follows audience quality alone; text relevance is noise.
        let mut rows = Vec::new();
        for q in 0..60 {
            let split = [Split::Train, Split::Train, Split::Train, Split::Calibration, Split::Test][q % 5];
            for c in 0..30u64 {
                let h = |salt: u64| ((q as u64 * 31 + c * 7 + salt) * 2_654_435_761 % 1000) as f64 / 1000.0;
                let quality = h(1);
                let grade = if quality > 0.8 {
                    3
                } else if quality > 0.6 {
                    1
                } else {
                    0
                };
                rows.push(RankRow {
                    query: format!("q{q}"),
                    kind: "keyword".into(),
                    split,
                    grade,
                    lexical_share: 0.5,
                    ideal_dcg: 0.0,
                    values: v(h(2), h(3), quality),
                });
            }
        }
        // Fill in each query's ideal DCG from its own grades.
        let ideals: HashMap<String, f64> = groups(&rows)
            .iter()
            .zip(rows.chunks(30))
            .map(|(g, chunk)| (chunk[0].query.clone(), ideal_dcg(g.grades.iter().copied())))
            .collect();
        for r in &mut rows {
            r.ideal_dcg = ideals[&r.query];
        }
        let config = RankConfig { learned: ALL_FEATURES, ..DEFAULTS };
        let (model, report) = train(&rows, config, "synthetic").expect("train");
        assert!(report.learned_test.ndcg > report.hand_test.ndcg + 0.1, "{report:?}");
        let w = model.blend.weights(0.5);
        use scout_models::ranking::Feature;
        assert!(w[Feature::AudienceQuality] > w[Feature::TextRelevance], "quality should outweigh text: {w:?}");
        assert!(w.iter().all(|x| *x >= 0.0));
        // Deterministic: the same data and seed give the same weights.
        let (again, _) = train(&rows, config, "synthetic").expect("train");
        assert_eq!(again.blend, model.blend);
        // Weights that are not learned keep the hand blend's proportions.
        let (fixed, _) = train(&rows, DEFAULTS, "synthetic").expect("train");
        let (w, h) = (fixed.blend.weights(0.5), Blend::HAND.weights(0.5));
        assert!((w[5] / w[3] - h[5] / h[3]).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn csv_round_trips() {
        let rows = vec![RankRow {
            query: "q1".into(),
            kind: "semantic".into(),
            split: Split::Test,
            grade: 2,
            lexical_share: 0.25,
            ideal_dcg: 4.5,
            values: v(0.5, 1.0, 0.75),
        }];
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("r.csv");
        write_csv(&rows, std::fs::File::create(&path).expect("create")).expect("write");
        assert_eq!(read_csv(&path).expect("read"), rows);
    }
}
