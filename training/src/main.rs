//! `scout-train`: export datasets, train, evaluate and publish Scout's models.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use scout_models::artifact::{self, Artifact};
use scout_models::quality::QualityModel;
use scout_training::dataset::{self, QualityRow, Split};
use scout_training::{metrics, quality};

#[derive(Parser, Debug)]
#[command(name = "scout-train", version, about = "Train, evaluate and publish Scout's models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Model {
    /// Probability that an account bought followers or engagement.
    AudienceQuality,
    /// What comparable creators ask per deliverable, with ranges.
    FairPrice,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Features and labels (or targets) of a model's dataset to CSV.
    Export {
        model: Model,
        /// Profiles as JSON Lines (e.g. from `scout fixtures` or `scout export`).
        #[arg(long, conflicts_with = "database_url")]
        profiles: Option<PathBuf>,
        /// Or read the profiles from a database (`sqlite:…` or `postgres://…`).
        #[arg(long)]
        database_url: Option<String>,
        /// Labels as JSON Lines (`FILE.labels.jsonl` from `scout fixtures`);
        /// audience-quality needs them, fair-price learns from the published rates.
        #[arg(long)]
        labels: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Seeds the train/calibration/test split.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Fits a model on an exported CSV; writes a candidate folder.
    Train {
        model: Model,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Boosting rounds (default 150 for audience-quality, 200 for fair-price).
        #[arg(long)]
        iterations: Option<usize>,
        /// Where the CSV came from, for the model card.
        #[arg(long)]
        source: Option<String>,
    },
    /// Compares a candidate with the active (newest) version on the test split;
    /// writes report.md and calibration.svg into the candidate folder.
    Evaluate {
        model: Model,
        #[arg(long)]
        candidate: PathBuf,
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value = "models")]
        models_dir: PathBuf,
    },
    /// Scores labelled sentences with the lexicon scorer: accuracy and macro-F1.
    /// Files are JSON arrays of `{"text", "class"}` (1 positive, 0 negative),
    /// e.g. the UCI sentences in the npm package `sentiment` 5.0.2
    /// (`test/fixtures/{amazon,imdb,yelp}.json`), fetched, never committed.
    SentimentEval {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Copies a candidate into the models folder as the next version.
    Publish {
        #[arg(long)]
        candidate: PathBuf,
        #[arg(long, default_value = "models")]
        models_dir: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Export { model, profiles, database_url, labels, out, seed } => {
            export(model, profiles.as_deref(), database_url.as_deref(), labels.as_deref(), &out, seed)
        }
        Command::Train { model: Model::AudienceQuality, data, out, seed, iterations, source } => {
            let iterations = iterations.unwrap_or(150);
            let started = Instant::now();
            let rows = dataset::read_csv(&data)?;
            let spinner = spinner(format!("training audience-quality on {} rows", rows.len()));
            let config = scout_training::BoostConfig { seed, iterations, ..quality::DEFAULTS };
            let source = source.unwrap_or_else(|| data.display().to_string());
            let (model, eval) = quality::train(&rows, config, &source)?;
            spinner.finish_and_clear();
            model.save(&out)?;
            println!(
                "audience-quality candidate in {} ({:.1} s): test AUC {:.4}, ECE {:.4}, Brier {:.4} on {} rows ({} bought)",
                out.display(),
                started.elapsed().as_secs_f64(),
                eval.auc,
                eval.ece,
                eval.brier,
                eval.rows,
                eval.positives
            );
            Ok(())
        }
        Command::Train { model: Model::FairPrice, data, out, seed, iterations, source } => {
            let iterations = iterations.unwrap_or(200);
            let started = Instant::now();
            let rows = scout_training::price::read_csv(&data)?;
            let spinner = spinner(format!("training fair-price on {} rows", rows.len()));
            let config = scout_training::BoostConfig { seed, iterations, ..scout_training::price::DEFAULTS };
            let source = source.unwrap_or_else(|| data.display().to_string());
            let (model, eval) = scout_training::price::train(&rows, config, &source)?;
            spinner.finish_and_clear();
            model.save(&out)?;
            println!(
                "fair-price candidate in {} ({:.1} s): test median abs. % error {:.1}% ({:.1}% at 10k+ followers), \
                 50% range holds {:.1}%, 80% range holds {:.1}%, R² (log) {:.3} on {} rows",
                out.display(),
                started.elapsed().as_secs_f64(),
                eval.mdape * 100.0,
                eval.mdape_10k * 100.0,
                eval.coverage_50 * 100.0,
                eval.coverage_80 * 100.0,
                eval.r2_log,
                eval.rows
            );
            Ok(())
        }
        Command::Evaluate { model: Model::AudienceQuality, candidate, data, models_dir } => {
            evaluate_quality(&candidate, &data, &models_dir)
        }
        Command::Evaluate { model: Model::FairPrice, candidate, data, models_dir } => {
            evaluate_price(&candidate, &data, &models_dir)
        }
        Command::SentimentEval { files } => sentiment_eval(&files),
        Command::Publish { candidate, models_dir } => {
            let dir = scout_training::publish(&candidate, &models_dir)?;
            println!("published {}", dir.display());
            Ok(())
        }
    }
}

fn spinner(message: String) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

fn export(
    model: Model,
    profiles: Option<&Path>,
    database_url: Option<&str>,
    labels: Option<&Path>,
    out: &Path,
    seed: u64,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let labels = match (model, labels) {
        (Model::AudienceQuality, Some(path)) => dataset::read_labels(path)?,
        (Model::AudienceQuality, None) => anyhow::bail!("audience-quality needs --labels FILE.labels.jsonl"),
        (Model::FairPrice, _) => Default::default(),
    };
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {pos} profiles read {per_sec} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let mut quality_rows: Vec<QualityRow> = Vec::new();
    let mut price_rows: Vec<scout_training::price::PriceRow> = Vec::new();
    let mut take = |chunk: Vec<scout_domain::Profile>| -> anyhow::Result<()> {
        pb.inc(chunk.len() as u64);
        match model {
            Model::AudienceQuality => quality_rows.extend(dataset::quality_rows(&chunk, &labels, seed)),
            Model::FairPrice => price_rows.extend(scout_training::price::price_rows(&chunk, seed)),
        }
        Ok(())
    };
    let (read, source) = match (profiles, database_url) {
        (Some(path), _) => (dataset::read_profile_file(path, &mut take)?, path.display().to_string()),
        (None, Some(url)) => {
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            (runtime.block_on(dataset::read_profile_db(url, &mut take))?, "database".to_string())
        }
        (None, None) => anyhow::bail!("give --profiles FILE or --database-url URL"),
    };
    pb.finish_and_clear();
    let file =
        std::io::BufWriter::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?);
    let (rows, note) = match model {
        Model::AudienceQuality => {
            dataset::write_csv(&quality_rows, file)?;
            let bought = quality_rows.iter().filter(|r| r.bought).count();
            (quality_rows.len(), format!("{bought} bought"))
        }
        Model::FairPrice => {
            scout_training::price::write_csv(&price_rows, file)?;
            (price_rows.len(), "one row per priced deliverable".to_string())
        }
    };
    println!(
        "exported {rows} rows ({note}) of {read} profiles from {source} to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The candidate folder's model and the newest published version (refused
/// versions are reported and skipped).
fn candidate_and_active<A: Artifact>(candidate: &Path, models_dir: &Path) -> anyhow::Result<(A, Option<A>)> {
    let card = artifact::read_card(candidate, A::NAME, A::features())?;
    let new = A::load(candidate, card)?;
    let (active, refused) = artifact::load_newest::<A>(models_dir);
    for e in refused {
        eprintln!("skipped: {e}");
    }
    Ok((new, active))
}

fn evaluate_price(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    use scout_models::PriceModel;
    let rows = scout_training::price::read_csv(data)?;
    let (new, active) = candidate_and_active::<PriceModel>(candidate, models_dir)?;
    let mut table = vec![("candidate".to_string(), scout_training::price::evaluate(&new, &rows, Split::Test))];
    if let Some(active) = &active {
        table.push((
            format!("active {}", active.card.version),
            scout_training::price::evaluate(active, &rows, Split::Test),
        ));
    }
    let mut report = format!(
        "# fair-price: candidate against the active version\n\nTest split of `{}` ({} priced deliverables).\n\n\
         | model | median abs. % error | same, 10k+ followers | inside 50 % range | inside 80 % range | R² (log) |\n\
         |---|---|---|---|---|---|\n",
        data.display(),
        table[0].1.rows
    );
    for (name, e) in &table {
        let line = format!(
            "| {name} | {:.1}% | {:.1}% | {:.1}% | {:.1}% | {:.3} |\n",
            e.mdape * 100.0,
            e.mdape_10k * 100.0,
            e.coverage_50 * 100.0,
            e.coverage_80 * 100.0,
            e.r2_log
        );
        print!("{line}");
        report.push_str(&line);
    }
    std::fs::write(candidate.join("report.md"), report)?;
    println!("report: {}", candidate.join("report.md").display());
    Ok(())
}

fn evaluate_quality(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    let rows = dataset::read_csv(data)?;
    let (new, active) = candidate_and_active::<QualityModel>(candidate, models_dir)?;
    let mut table = vec![("candidate".to_string(), quality::evaluate(&new, &rows, Split::Test))];
    if let Some(active) = &active {
        table.push((format!("active {}", active.card.version), quality::evaluate(active, &rows, Split::Test)));
    }
    let mut report = format!(
        "# audience-quality: candidate against the active version\n\nTest split of `{}` ({} rows, {} bought). \
         Splits hash the seed with each profile's key: compare models trained with the same seed, or the active \
         model may have seen some of these rows.\n\n| model | AUC | ECE | Brier | log loss |\n|---|---|---|---|---|\n",
        data.display(),
        table[0].1.rows,
        table[0].1.positives
    );
    for (name, e) in &table {
        report.push_str(&format!("| {name} | {:.4} | {:.4} | {:.4} | {:.4} |\n", e.auc, e.ece, e.brier, e.log_loss));
        println!("{name:>14}: AUC {:.4}  ECE {:.4}  Brier {:.4}  log loss {:.4}", e.auc, e.ece, e.brier, e.log_loss);
    }
    // Scoring cost: the batch path (a model swap rescores every profile) and
    // the one-row path (the indexer, per written profile).
    let rows_all: Vec<_> = rows.iter().map(|r| r.features).collect();
    let started = Instant::now();
    let scored = new.probabilities(&rows_all).len();
    let batch_rate = scored as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let one = rows_all.iter().take(2000).collect::<Vec<_>>();
    let started = Instant::now();
    let mut sink = 0.0;
    for r in &one {
        sink += new.quality_of_row(r);
    }
    let per_row_us = started.elapsed().as_secs_f64() * 1e6 / one.len().max(1) as f64;
    let cost = format!(
        "\nScoring cost on this machine: {batch_rate:.0} rows/s in batches (a model swap rescoring every profile), \
         {per_row_us:.1} µs for one row (the indexer, per written profile; checksum {sink:.3}).\n"
    );
    println!("{}", cost.trim());
    report.push_str(&cost);
    report.push_str("\n![calibration](calibration.svg)\n");
    let curves: Vec<(&str, Vec<metrics::Bin>)> = table.iter().map(|(n, e)| (n.as_str(), e.bins.clone())).collect();
    std::fs::write(
        candidate.join("calibration.svg"),
        metrics::calibration_svg("audience-quality calibration (test split)", &curves),
    )?;
    std::fs::write(candidate.join("report.md"), report)?;
    println!("report: {}", candidate.join("report.md").display());
    Ok(())
}

#[derive(serde::Deserialize)]
struct LabelledSentence {
    text: String,
    /// Rows without a class are skipped.
    class: Option<u8>,
}

fn sentiment_eval(files: &[PathBuf]) -> anyhow::Result<()> {
    use scout_models::sentiment::{Polarity, score};
    let mut all = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let rows: Vec<LabelledSentence> =
            serde_json::from_str(&text).with_context(|| format!("{}: expected [{{text, class}}]", f.display()))?;
        all.extend(rows.into_iter().filter(|r| r.class.is_some()));
    }
    let started = Instant::now();
    let scored: Vec<(bool, scout_models::sentiment::Sentiment)> =
        all.iter().map(|r| (r.class == Some(1), score(&r.text))).collect();
    let rate = scored.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    // Two classes: positive when the compound score is above zero.
    let predicted: Vec<bool> = scored.iter().map(|(_, s)| s.compound > 0.0).collect();
    let truth: Vec<bool> = scored.iter().map(|(t, _)| *t).collect();
    let n = truth.len() as f64;
    let accuracy = truth.iter().zip(&predicted).filter(|(t, p)| t == p).count() as f64 / n;
    let f1 = |class: bool| {
        let tp = truth.iter().zip(&predicted).filter(|(t, p)| **t == class && **p == class).count() as f64;
        let fp = truth.iter().zip(&predicted).filter(|(t, p)| **t != class && **p == class).count() as f64;
        let fneg = truth.iter().zip(&predicted).filter(|(t, p)| **t == class && **p != class).count() as f64;
        if tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fneg) }
    };
    let neutral = scored.iter().filter(|(_, s)| s.polarity == Polarity::Neutral).count() as f64 / n;
    // The same with VADER's ±0.05 band: a sentence scored neutral counts as wrong.
    let banded =
        scored.iter().filter(|(t, s)| s.polarity == if *t { Polarity::Positive } else { Polarity::Negative }).count()
            as f64
            / n;
    println!(
        "vader-lexicon on {} sentences: accuracy {accuracy:.4}, macro-F1 {:.4} ({:.1}% scored neutral; \
         {banded:.4} when neutral counts as wrong; {rate:.0} sentences/s)",
        truth.len(),
        (f1(true) + f1(false)) / 2.0,
        neutral * 100.0
    );
    Ok(())
}
