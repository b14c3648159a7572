//! `scout-train export`: datasets for training from fixture files or a database.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use scout_training::dataset::{self, QualityRow};
use scout_training::{ranking, success};

use crate::Model;

/// Where an export reads from.
pub(crate) struct Sources<'a> {
    pub profiles: Option<&'a Path>,
    pub database_url: Option<&'a str>,
    pub labels: Option<&'a Path>,
    pub campaigns: Option<&'a Path>,
}

pub(crate) fn export(model: Model, sources: &Sources<'_>, out: &Path, seed: u64, gaps: u64) -> anyhow::Result<()> {
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
            Model::AudienceQuality => quality_rows.extend(dataset::quality_rows(&chunk, &labels, seed, gaps)),
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
pub(crate) fn export_ranking(
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
