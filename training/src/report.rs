//! `scout-train evaluate`: a candidate against the active version (and a
//! baseline where there is one) on the test split, printed and written as
//! `report.md` (with `calibration.svg` for probabilistic models) into the
//! candidate folder.

use std::path::Path;
use std::time::Instant;

use scout_models::artifact::{self, Artifact};
use scout_models::quality::QualityModel;

use crate::dataset::{self, Split};
use crate::{metrics, quality, ranking, success};

pub fn ranking_report(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    use scout_models::RankingModel;
    use scout_models::ranking::Blend;
    let rows = ranking::read_csv(data)?;
    let groups = ranking::groups(&rows);
    let (new, active) = candidate_and_active::<RankingModel>(candidate, models_dir)?;
    let mut table = vec![
        ("candidate".to_string(), ranking::evaluate(&new.blend, &groups, Split::Test)),
        ("hand-tuned blend".to_string(), ranking::evaluate(&Blend::HAND, &groups, Split::Test)),
    ];
    if let Some(active) = &active {
        table.push((format!("active {}", active.card.version), ranking::evaluate(&active.blend, &groups, Split::Test)));
    }
    let kinds: Vec<String> = table[0].1.by_kind.keys().cloned().collect();
    let mut report = format!(
        "# ranking: candidate against the hand-tuned blend and the active version\n\nMean NDCG@10 on the test \
         split of `{}` ({} held-out queries; splits hash the seed with each query's text).\n\n| model | all |{}\n|---|---|{}\n",
        data.display(),
        table[0].1.queries,
        kinds.iter().map(|k| format!(" {k} |")).collect::<String>(),
        kinds.iter().map(|_| "---|").collect::<String>()
    );
    for (name, e) in &table {
        let line = format!(
            "| {name} | {:.4} |{}\n",
            e.ndcg,
            kinds.iter().map(|k| format!(" {:.4} |", e.by_kind.get(k).copied().unwrap_or(0.0))).collect::<String>()
        );
        print!("{line}");
        report.push_str(&line);
    }
    report
        .push_str("\n| feature | weight at lexical share 0 | at 1 | hand blend at 0 | at 1 |\n|---|---|---|---|---|\n");
    for (i, name) in scout_models::ranking::FEATURES.iter().enumerate() {
        report.push_str(&format!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            new.blend.weights(0.0)[i],
            new.blend.weights(1.0)[i],
            Blend::HAND.weights(0.0)[i],
            Blend::HAND.weights(1.0)[i]
        ));
    }
    std::fs::write(candidate.join("report.md"), report)?;
    println!("report: {}", candidate.join("report.md").display());
    Ok(())
}

/// The candidate folder's model and the newest published version (refused
/// versions are reported and skipped).
pub fn candidate_and_active<A: Artifact>(candidate: &Path, models_dir: &Path) -> anyhow::Result<(A, Option<A>)> {
    let card = artifact::read_card(candidate, A::NAME, A::features())?;
    let new = A::load(candidate, card)?;
    let (active, refused) = artifact::load_newest::<A>(models_dir);
    for e in refused {
        eprintln!("skipped: {e}");
    }
    Ok((new, active))
}

pub fn price_report(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    use scout_models::PriceModel;
    let rows = crate::price::read_csv(data)?;
    let (new, active) = candidate_and_active::<PriceModel>(candidate, models_dir)?;
    let mut table = vec![("candidate".to_string(), crate::price::evaluate(&new, &rows, Split::Test))];
    if let Some(active) = &active {
        table.push((format!("active {}", active.card.version), crate::price::evaluate(active, &rows, Split::Test)));
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

pub fn success_report(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
    use scout_models::SuccessModel;
    let rows = success::read_csv(data)?;
    let (new, active) = candidate_and_active::<SuccessModel>(candidate, models_dir)?;
    let mut table = vec![("candidate".to_string(), success::evaluate(&new, &rows, Split::Test))];
    if let Some(active) = &active {
        table.push((format!("active {}", active.card.version), success::evaluate(active, &rows, Split::Test)));
    }
    table.push((
        "stated rate (baseline)".to_string(),
        success::evaluate(&success::StatedRate::fit(&rows), &rows, Split::Test),
    ));
    let mut report = format!(
        "# campaign-success: candidate against the active version\n\nTest split of `{}` ({} bookings of creators \
         the model never saw, {} with a goal, {} met). The baseline predicts the creator's stated engagement rate \
         shifted by the average gap on the train split, with the same conformal treatment.\n\n\
         | model | R² (log rate) | median abs. % error, engagements | inside 80 % interval | goal AUC | goal ECE | goal Brier |\n\
         |---|---|---|---|---|---|---|\n",
        data.display(),
        table[0].1.rows,
        table[0].1.goal_rows,
        table[0].1.goals_met
    );
    for (name, e) in &table {
        let line = format!(
            "| {name} | {:.3} | {:.1}% | {:.1}% | {:.4} | {:.4} | {:.4} |\n",
            e.r2_log,
            e.mdape * 100.0,
            e.coverage_80 * 100.0,
            e.auc,
            e.ece,
            e.brier
        );
        print!("{line}");
        report.push_str(&line);
    }
    // Scoring cost of a match: one brief over 100 creators, with the evidence.
    let started = Instant::now();
    let x: Vec<_> = rows.iter().take(100).map(|r| r.features).collect();
    let mut sink = 0.0;
    for _ in 0..20 {
        sink += new.predict_log_rate(&x).iter().sum::<f64>();
    }
    let cost = format!(
        "\nScoring cost on this machine: {:.2} ms for 100 bookings through the trees (checksum {sink:.1}).\n",
        started.elapsed().as_secs_f64() * 1e3 / 20.0
    );
    let curves: Vec<(&str, Vec<metrics::Bin>)> = table.iter().map(|(n, e)| (n.as_str(), e.bins.clone())).collect();
    finish_report(candidate, report, &cost, "campaign-success", &curves)
}

pub fn quality_report(candidate: &Path, data: &Path, models_dir: &Path) -> anyhow::Result<()> {
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
    let curves: Vec<(&str, Vec<metrics::Bin>)> = table.iter().map(|(n, e)| (n.as_str(), e.bins.clone())).collect();
    finish_report(candidate, report, &cost, "audience-quality", &curves)
}

/// Ends an evaluation of a probabilistic model: the scoring cost and the
/// reliability diagram (`calibration.svg`) go into `report.md` in the candidate folder.
fn finish_report(
    candidate: &Path,
    mut report: String,
    cost: &str,
    model: &str,
    curves: &[(&str, Vec<metrics::Bin>)],
) -> anyhow::Result<()> {
    println!("{}", cost.trim());
    report.push_str(cost);
    report.push_str("\n![calibration](calibration.svg)\n");
    std::fs::write(
        candidate.join("calibration.svg"),
        metrics::calibration_svg(&format!("{model} calibration (test split)"), curves),
    )?;
    std::fs::write(candidate.join("report.md"), report)?;
    println!("report: {}", candidate.join("report.md").display());
    Ok(())
}
