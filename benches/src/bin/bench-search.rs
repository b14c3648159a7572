//! In-process search benchmark on a built data folder: relevance (NDCG@10 of
//! the hybrid ranker, the BM25-only baseline and vectors only, on the labelled
//! query set), latency (p50/p99 of filtered hybrid top-20 with explanations and
//! facets), throughput with one thread per core, and update freshness.
//!
//! ```text
//! scout fixtures --profiles 100000 --seed 42 --out /tmp/p.jsonl
//! scout --data-dir /tmp/d import /tmp/p.jsonl
//! bench-search --data-dir /tmp/d --queries /tmp/p.queries.jsonl
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use rayon::prelude::*;
use scout_benches::{Latencies, keys, ndcg_at};
use scout_fixtures::{LabelledQuery, QueryKind};
use scout_ranker::{Engine, Mode, SearchRequest};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    queries: PathBuf,
    /// Passes over the query set for latency.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    #[arg(long)]
    minilm_dir: Option<PathBuf>,
    /// Measure update freshness this many times.
    #[arg(long, default_value_t = 20)]
    freshness: usize,
    /// Print each query's NDCG@10 per mode.
    #[arg(long)]
    per_query: bool,
    /// The generator's labels (`FILE.labels.jsonl`: which accounts bought
    /// followers); default: beside the queries file.
    #[arg(long)]
    labels: Option<PathBuf>,
}

fn request(q: &LabelledQuery, limit: usize) -> SearchRequest {
    SearchRequest { query: Some(q.text.clone()), limit: Some(limit), ..Default::default() }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (state, filled) = scout_benches::open_like_serve(&args.data_dir, args.minilm_dir.as_deref(), |_| {}).await?;
    let engine: Arc<Engine> = state.engine().clone();
    println!("exact-search table filled in {filled:.1} s");
    let text = std::fs::read_to_string(&args.queries).with_context(|| format!("reading {}", args.queries.display()))?;
    let queries: Vec<LabelledQuery> = text.lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
    let minilm_vectors = state.index().vector_count(Some(scout_indexer::Space::MiniLm))?;
    println!(
        "data: {} profiles indexed, {} with MiniLM vectors; {} labelled queries",
        state.index().len(),
        minilm_vectors,
        queries.len()
    );

    let labels_path = args.labels.clone().unwrap_or_else(|| {
        let name = args.queries.to_string_lossy().replace(".queries.jsonl", ".labels.jsonl");
        PathBuf::from(name)
    });
    let bought: std::collections::HashSet<String> = match std::fs::read_to_string(&labels_path) {
        Ok(text) => text
            .lines()
            .filter_map(|l| serde_json::from_str::<scout_fixtures::Labels>(l).ok())
            .filter(|l| l.bought_followers)
            .map(|l| l.key)
            .collect(),
        Err(e) => {
            println!("no labels at {} ({e}): the bought-follower share is not measured", labels_path.display());
            Default::default()
        }
    };

    // Relevance. "first set" is the original labelled set (keyword, filtered,
    // semantic); range, region and slang are the kinds outside users brought.
    println!("\n== relevance: mean NDCG@10 ==");
    let kinds = QueryKind::ALL.map(QueryKind::as_str);
    println!(
        "{:<18} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  top-10 bought / negative",
        "mode", "first set", "keyword", "filtered", "semantic", "range", "region", "slang", "all"
    );
    // "hybrid, as before" ranks likely bought-follower accounts like any other
    // (the ranking before they were moved down), on the same index.
    for (name, mode, demote) in [
        ("hybrid", Mode::Hybrid, true),
        ("hybrid, as before", Mode::Hybrid, false),
        ("bm25", Mode::Bm25, true),
        ("vectors", Mode::Semantic, true),
    ] {
        let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let (mut shown, mut shown_bought, mut shown_negative) = (0usize, 0usize, 0usize);
        // The model's p_bought of each bought account still shown, and how
        // many matches its query had: what is left to move down, and why.
        let mut left: Vec<(f64, usize)> = Vec::new();
        for q in &queries {
            let req = SearchRequest { demote_bought_followers: Some(demote), ..request(q, 10) };
            let out = engine.search_with(&req, mode)?;
            let ids: Vec<i64> = out.hits.iter().map(|h| h.id).collect();
            let hit_keys = keys(state.store(), &ids).await?;
            let n = ndcg_at(10, &hit_keys, &q.judgments);
            shown += hit_keys.len();
            shown_bought += hit_keys.iter().filter(|k| bought.contains(*k)).count();
            for (id, key) in ids.iter().zip(&hit_keys) {
                if bought.contains(key) {
                    let quality = state.index().features(*id).map_or(f64::NAN, |f| f64::from(f.audience_quality));
                    left.push((1.0 - quality, out.total));
                }
            }
            shown_negative += ids
                .iter()
                .filter_map(|id| state.index().features(*id))
                .filter(|f| f.audience_sentiment <= -0.2)
                .count();
            if args.per_query {
                println!("  {name:<8} {} {n:.3} {:?} | {}", q.id, out.parsed_query.niches, q.text);
            }
            by_kind.entry(q.kind.as_str()).or_default().push(n);
            if matches!(q.kind, QueryKind::Keyword | QueryKind::Filtered | QueryKind::Semantic) {
                by_kind.entry("first").or_default().push(n);
            }
            by_kind.entry("all").or_default().push(n);
        }
        let mean = |k: &str| by_kind.get(k).map_or(f64::NAN, |v| v.iter().sum::<f64>() / v.len() as f64);
        let share = |n: usize| 100.0 * n as f64 / shown.max(1) as f64;
        print!("{:<18} {:>9.3}", name, mean("first"));
        for k in kinds {
            print!(" {:>8.3}", mean(k));
        }
        println!(" {:>8.3}  {:.2} % / {:.2} %", mean("all"), share(shown_bought), share(shown_negative));
        if !left.is_empty() && mode == Mode::Hybrid {
            left.sort_by(|a, b| a.0.total_cmp(&b.0));
            let at = |q: f64| left[((left.len() - 1) as f64 * q).round() as usize].0;
            let few = left.iter().filter(|(_, total)| *total <= 20).count();
            println!(
                "  {} bought shown: p_bought p10 {:.2}, p50 {:.2}, p90 {:.2}; {} under 0.25; {} in queries of ≤ 20 matches",
                left.len(),
                at(0.1),
                at(0.5),
                at(0.9),
                left.iter().filter(|(p, _)| *p < 0.25).count(),
                few
            );
        }
    }
    let counts: Vec<String> =
        kinds.iter().map(|k| format!("{k} {}", queries.iter().filter(|q| q.kind.as_str() == *k).count())).collect();
    println!("queries per kind: {}", counts.join(", "));

    nothing_matched(&engine, &queries)?;

    // A profile page's sentiment: scored from the comments (what every view
    // cost before it was stored) against read back from the store.
    println!("\n== profile sentiment: scored now vs read from the store ==");
    let scoring = state.sentiment_scoring();
    let top = engine.search(&SearchRequest { limit: Some(30), ..Default::default() })?;
    let ids: Vec<i64> = top.hits.iter().map(|h| h.id).collect();
    let (mut scored, mut stored) = (Latencies::default(), Latencies::default());
    for id in &ids {
        let profile = state.store().profiles().get_profile(*id).await?;
        let started = Instant::now();
        std::hint::black_box(scoring.score_and_store(state.store(), vec![profile]).await?);
        scored.record(started.elapsed());
    }
    for _ in 0..5 {
        for id in &ids {
            let started = Instant::now();
            let row = state.store().profiles().get_profile(*id).await?;
            let kept = state.store().profiles().sentiment(*id).await?.context("stored")?;
            anyhow::ensure!(kept.profile_version == row.version && kept.scorer == scoring.scorer_name());
            let summary: scout_models::sentiment::CreatorSentiment = serde_json::from_str(&kept.summary)?;
            std::hint::black_box(summary);
            stored.record(started.elapsed());
        }
    }
    println!("scorer {}", scoring.scorer_name());
    println!("{:<38} {}", "scored now (comments through the model)", scored.summary());
    println!("{:<38} {}", "read from the store (profile + summary)", stored.summary());

    // Latency, one query at a time.
    println!("\n== latency: hybrid top-20 with explanations and facets, in process ==");
    let mut cold = Latencies::default();
    let mut warm = Latencies::default();
    for round in 0..args.rounds {
        for q in &queries {
            let started = Instant::now();
            let out = engine.search(&request(q, 20))?;
            std::hint::black_box(&out);
            if round == 0 { cold.record(started.elapsed()) } else { warm.record(started.elapsed()) }
        }
    }
    println!("first pass (query vectors not cached): {}", cold.summary());
    println!("later passes:                          {}", warm.summary());
    for (name, mode) in [("bm25 only", Mode::Bm25), ("vectors only", Mode::Semantic)] {
        let mut lat = Latencies::default();
        for q in &queries {
            let started = Instant::now();
            std::hint::black_box(engine.search_with(&request(q, 20), mode)?);
            lat.record(started.elapsed());
        }
        println!("{name:<38} {}", lat.summary());
    }

    // The vector search alone, without and with the query's filter.
    let (mut plain, mut filtered, mut served) = (Latencies::default(), Latencies::default(), Latencies::default());
    for q in &queries {
        let parsed = scout_ranker::understand(&q.text);
        let v = state.index().encoder().encode(&parsed.text)?;
        let filter = parsed.filters.to_filter();
        let started = Instant::now();
        std::hint::black_box(state.index().raw_vectors().search(
            scout_indexer::Space::Static,
            &v,
            &scout_domain::Filter::default(),
            100,
        )?);
        plain.record(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(state.index().raw_vectors().search(scout_indexer::Space::Static, &v, &filter, 100)?);
        filtered.record(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(state.index().vector_search(scout_indexer::Space::Static, &v, &filter, 100)?);
        served.record(started.elapsed());
        if args.per_query {
            let matching = state.index().raw_text().count(&filter)?;
            println!(
                "  ann {} {:>7.2} ms, filter matches {matching:>7} | {}",
                q.id,
                started.elapsed().as_secs_f64() * 1e3,
                q.text
            );
        }
    }
    println!("{:<38} {}", "ANN top-100, no filter", plain.summary());
    println!("{:<38} {}", "ANN top-100, query's filter", filtered.summary());
    println!("{:<38} {}", "as searches run it (exact if selective)", served.summary());

    // The price range (stored fields) and the audience-quality floor (live
    // scores: a lazy tantivy filter and a check of the vector neighbours), on
    // top of each query's own filters, and alone (the floor then walks every
    // document).
    let extra = scout_domain::SearchFilters {
        price: Some(scout_domain::query::PriceRange {
            currency: scout_domain::money::Currency::USD,
            min: None,
            max: Some(50_000),
        }),
        audience_quality_min: Some(0.8),
        ..Default::default()
    };
    let mut with_extra = Latencies::default();
    for q in &queries {
        let req = SearchRequest { filters: Some(extra.clone()), ..request(q, 20) };
        let started = Instant::now();
        std::hint::black_box(engine.search(&req)?);
        with_extra.record(started.elapsed());
    }
    println!("{:<38} {}", "hybrid + price ≤ $500 + quality ≥ 0.8", with_extra.summary());
    for (name, filters) in [
        (
            "quality ≥ 0.8 alone, by engagement",
            scout_domain::SearchFilters { audience_quality_min: Some(0.8), ..Default::default() },
        ),
        (
            "price ≤ $500 alone, by engagement",
            scout_domain::SearchFilters { price: extra.price.clone(), ..Default::default() },
        ),
    ] {
        let mut lat = Latencies::default();
        let mut total = 0;
        for _ in 0..5 {
            let started = Instant::now();
            let out = engine.search(&SearchRequest {
                filters: Some(filters.clone()),
                limit: Some(20),
                ..Default::default()
            })?;
            lat.record(started.elapsed());
            total = out.total;
        }
        println!("{name:<38} {} ({total} match)", lat.summary());
    }
    if args.per_query {
        stage_breakdown(&engine, state.index(), &queries)?;
    }

    // Throughput: one searching thread per core.
    let threads = rayon::current_num_threads();
    let total = queries.len() * args.rounds;
    let started = Instant::now();
    (0..total).into_par_iter().for_each(|i| {
        let _ = engine.search(&request(&queries[i % queries.len()], 20));
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "throughput: {:.0} searches/s ({} searches on {} threads in {:.2} s)",
        total as f64 / secs,
        total,
        threads,
        secs
    );

    // Freshness: an update through the store and the outbox worker until search finds it.
    if args.freshness > 0 {
        let worker = state.start_indexer();
        let mut fresh = Latencies::default();
        let first = state.store().profiles().profiles_after(0, args.freshness as i64).await?;
        for (i, stored) in first.iter().enumerate() {
            let mut p = stored.profile.clone();
            let marker = format!(
                "freshnessmarker{i}x{}",
                Instant::now().elapsed().as_nanos() % 1000 + std::process::id() as u128
            );
            p.bio = Some(format!("{} {marker}", p.bio.clone().unwrap_or_default()));
            let started = Instant::now();
            state.store().profiles().upsert_profiles(std::slice::from_ref(&p)).await?;
            state.wake_indexer();
            loop {
                let out = engine.search(&SearchRequest {
                    query: Some(marker.clone()),
                    limit: Some(1),
                    ..Default::default()
                })?;
                if out.hits.first().is_some_and(|h| h.id == stored.id) {
                    break;
                }
                anyhow::ensure!(
                    started.elapsed() < Duration::from_secs(30),
                    "update {i} of profile {} not searchable after 30 s: `{marker}` finds {:?} first; indexes at sequence {}",
                    stored.id,
                    out.hits.first().map(|h| h.id),
                    state.index().applied_seq()?
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            fresh.record(started.elapsed());
            // Put the original back.
            state.store().profiles().upsert_profiles(std::slice::from_ref(&stored.profile)).await?;
        }
        worker.stop().await;
        println!("\n== freshness: write → searchable ==\n{}", fresh.summary());
    }
    Ok(())
}

/// One query's stages (see [`stage_breakdown`]).
struct Row {
    all_ms: f64,
    text_ms: f64,
    bare_ms: f64,
    /// The vector index's ANN under the filter.
    ann_ms: f64,
    /// The static-vector search as searches run it (exact when selective).
    exact_ms: f64,
    /// Listing the filter's matches in the text index, and how many.
    ids_ms: f64,
    n_ids: usize,
    matches: usize,
    query: String,
}

/// Where each query's time goes, slowest first: the text index (BM25 top-200
/// with the total and facets), the static ANN under the filter, and the whole
/// hybrid search; with the size of the text match set.
fn stage_breakdown(
    engine: &Engine,
    index: &scout_indexer::ProfileIndex,
    queries: &[LabelledQuery],
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for q in queries {
        let parsed = scout_ranker::understand(&q.text);
        let filter = parsed.filters.to_filter();
        let text_query = scout_indexer::TextQuery {
            text: &parsed.text,
            filter: &filter,
            limit: 200,
            sort: scout_domain::Sort::Relevance,
            facets: true,
            selective: true,
        };
        let v = index.encoder().encode(&parsed.text)?;
        let best = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<f64> {
            let mut best = f64::MAX;
            for _ in 0..3 {
                let started = Instant::now();
                f()?;
                best = best.min(started.elapsed().as_secs_f64() * 1e3);
            }
            Ok(best)
        };
        let mut matches = 0;
        let text_ms = best(&mut || {
            matches = index.raw_text().search(&text_query)?.total;
            Ok(())
        })?;
        let bare = scout_indexer::TextQuery { facets: false, ..text_query };
        let bare_ms = best(&mut || {
            std::hint::black_box(index.raw_text().search(&bare)?);
            Ok(())
        })?;
        let ann_ms = best(&mut || {
            std::hint::black_box(index.raw_vectors().search(scout_indexer::Space::Static, &v, &filter, 50)?);
            Ok(())
        })?;
        let mut n_ids = 0;
        let ids_ms = best(&mut || {
            n_ids = index.raw_text().filter_ids(&filter, None, 1_000_000)?.map_or(0, |v| v.len());
            Ok(())
        })?;
        let exact_ms = best(&mut || {
            std::hint::black_box(index.vector_search(scout_indexer::Space::Static, &v, &filter, 50)?);
            Ok(())
        })?;
        let all_ms = best(&mut || {
            std::hint::black_box(engine.search(&request(q, 20))?);
            Ok(())
        })?;
        rows.push(Row { all_ms, text_ms, bare_ms, ann_ms, exact_ms, ids_ms, n_ids, matches, query: q.text.clone() });
    }
    rows.sort_by(|a, b| b.all_ms.total_cmp(&a.all_ms));
    let sum = |f: fn(&Row) -> f64| rows.iter().map(f).sum::<f64>();
    println!("\n== stages per query (best of 3, ms), slowest first ==");
    println!(
        "{:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9}  query",
        "hybrid", "text", "no-facet", "ann", "served", "filter", "admits", "matches"
    );
    for r in &rows {
        println!(
            "{:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8} {:>9}  {}",
            r.all_ms, r.text_ms, r.bare_ms, r.ann_ms, r.exact_ms, r.ids_ms, r.n_ids, r.matches, r.query
        );
    }
    println!(
        "sums: hybrid {:.1} ms, text {:.1} ms (without facets {:.1} ms), ann {:.1} ms, as served {:.1} ms",
        sum(|r| r.all_ms),
        sum(|r| r.text_ms),
        sum(|r| r.bare_ms),
        sum(|r| r.ann_ms),
        sum(|r| r.exact_ms)
    );
    Ok(())
}

/// When a search should find nothing: the semantic floor of each vector
/// space, how much gibberish (other strings than the floor's) still finds
/// creators, how many labelled queries find nothing (they should not), and
/// what one slip of the keyboard in a labelled query does (found anyway,
/// or nothing with a "did you mean").
fn nothing_matched(engine: &Engine, queries: &[LabelledQuery]) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    println!("\n== nothing matched: the semantic floor ==");
    for space in [scout_indexer::Space::Static, scout_indexer::Space::MiniLm] {
        let sims = engine.gibberish_similarities(space, 64)?;
        if sims.is_empty() {
            println!("{:<8} no vectors", space.name());
            continue;
        }
        let at = |q: f64| sims[((sims.len() - 1) as f64 * q).round() as usize];
        println!(
            "{:<8} nearest profile to 64 random strings: min {:.3}, p50 {:.3}, p95 {:.3}, max {:.3}",
            space.name(),
            at(0.0),
            at(0.5),
            at(0.95),
            at(1.0)
        );
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let gibberish: Vec<String> = (0..300)
        .map(|_| {
            let words = rng.random_range(1..=3);
            (0..words)
                .map(|_| (0..rng.random_range(3..=10)).map(|_| char::from(b'a' + rng.random_range(0..26u8))).collect())
                .collect::<Vec<String>>()
                .join(" ")
        })
        .collect();
    let mut found_gibberish = 0;
    for text in &gibberish {
        let out = engine.search(&SearchRequest { query: Some(text.clone()), limit: Some(10), ..Default::default() })?;
        found_gibberish += usize::from(out.total > 0);
    }
    let (mut real_empty, mut slips, mut slip_found, mut slip_suggested) = (0, 0, 0, 0);
    for q in queries {
        let out = engine.search(&request(q, 10))?;
        if out.total == 0 {
            real_empty += 1;
            println!("  nothing for a labelled query: {}", q.text);
        }
        // One slip: the longest word with two neighbouring letters swapped.
        let Some(word) =
            q.text.split_whitespace().filter(|w| w.chars().all(char::is_alphabetic)).max_by_key(|w| w.len())
        else {
            continue;
        };
        if word.len() < 5 {
            continue;
        }
        let mut letters: Vec<char> = word.chars().collect();
        let at = rng.random_range(1..letters.len() - 1);
        letters.swap(at, at + 1);
        let slipped = q.text.replacen(word, &letters.into_iter().collect::<String>(), 1);
        let out = engine.search(&SearchRequest { query: Some(slipped), limit: Some(10), ..Default::default() })?;
        slips += 1;
        slip_found += usize::from(out.total > 0);
        slip_suggested += usize::from(out.total == 0 && !out.suggestions.is_empty());
    }
    println!(
        "random strings that still find creators: {found_gibberish} of {} ({:.1} %)",
        gibberish.len(),
        100.0 * found_gibberish as f64 / gibberish.len() as f64
    );
    println!("labelled queries that find nothing: {real_empty} of {}", queries.len());
    println!(
        "labelled queries with one slip: {slip_found} of {slips} still find creators; {slip_suggested} more find nothing but suggest a respelling"
    );
    Ok(())
}
