//! Scout against PostgreSQL full-text search, side by side in one run, on the
//! same profiles and the same labelled queries with the same filters.
//!
//! PostgreSQL gets a weighted `tsvector` (categories A, bio B, hashtags and
//! captions C, name D) with a GIN index, B-tree indexes on the filter columns,
//! and per query: the ranked top 20 (`ts_rank`), the total, and the five facet
//! counts Scout's response also carries (country, platform, tier, language, niche).
//! Terms are OR-ed, as Scout's BM25 does. Both systems run the same number of
//! searches on two concurrent workers (the machine has two cores).
//!
//! ```text
//! bench-pg --jsonl /tmp/p.jsonl --queries /tmp/p.queries.jsonl --scout-data-dir /tmp/d
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use scout_benches::{Latencies, keys, ndcg_at};
use scout_domain::SearchFilters;
use scout_fixtures::LabelledQuery;
use scout_indexer::IndexDoc;
use scout_ranker::{SearchRequest, understand};
use scout_store::Store;
use sqlx::{PgPool, Row};

#[derive(Parser, Debug)]
struct Args {
    /// The profiles both systems hold.
    #[arg(long)]
    jsonl: PathBuf,
    #[arg(long)]
    queries: PathBuf,
    /// Scout data folder built from the same JSONL.
    #[arg(long)]
    scout_data_dir: PathBuf,
    /// Server and database for the comparison (created and filled when empty).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/scout_bench")]
    pg_url: String,
    /// Rounds of the query set PostgreSQL runs (about 2 s a round at 200k).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Rounds Scout runs: more, since a round takes it well under a tenth of
    /// a second, too short a run for a steady rate.
    #[arg(long, default_value_t = 30)]
    scout_rounds: usize,
    #[arg(long)]
    minilm_dir: Option<PathBuf>,
}

async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let (base, name) = url.rsplit_once('/').context("database url has no name")?;
    let admin = PgPool::connect(&format!("{base}/postgres")).await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&admin)
        .await?;
    if !exists {
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await?;
    }
    Ok(())
}

async fn load_pg(pool: &PgPool, store: &Store, jsonl: &PathBuf) -> anyhow::Result<()> {
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profiles").fetch_one(pool).await?;
    if have == 0 {
        let started = Instant::now();
        let f = tokio::fs::File::open(jsonl).await?;
        let report = scout_app::pipeline::import_lines(store, tokio::io::BufReader::new(f), None, |_| {}).await?;
        println!("postgres: stored {} profiles in {:.1} s", report.inserted, started.elapsed().as_secs_f64());
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS fts (id BIGINT PRIMARY KEY, platform TEXT, country TEXT, city TEXT,
           languages TEXT[], niches TEXT[], tier TEXT, audience TEXT[], followers BIGINT,
           engagement_rate DOUBLE PRECISION, verified BOOLEAN, tsv TSVECTOR)",
    )
    .execute(pool)
    .await?;
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fts").fetch_one(pool).await?;
    if indexed > 0 {
        return Ok(());
    }
    let started = Instant::now();
    // 15 parameters a row: 2,000 rows stay under PostgreSQL's 65,535 bind parameters.
    let profiles = store.profiles();
    let mut pages = profiles.pages(2_000);
    while let Some(page) = pages.next_page().await? {
        let docs: Vec<IndexDoc> = page.iter().map(|s| IndexDoc::new(s.id, &s.profile)).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO fts (id, platform, country, city, languages, niches, tier, audience, followers, engagement_rate, verified, tsv) ",
        );
        q.push_values(&docs, |mut b, d| {
            let f = &d.features;
            b.push_bind(d.id)
                .push_bind(f.platform.as_str())
                .push_bind(f.country.map(|c| c.as_str()))
                .push_bind(&d.city)
                .push_bind(f.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>())
                .push_bind(f.niches.iter().map(|n| n.as_str()).collect::<Vec<_>>())
                .push_bind(f.tier.as_str())
                .push_bind(&d.facts.audience_terms)
                .push_bind(f.followers as i64)
                .push_bind(f.engagement_rate as f64)
                .push_bind(f.verified)
                .push("setweight(to_tsvector('english', ")
                .push_bind_unseparated(&d.categories)
                .push_unseparated("), 'A') || setweight(to_tsvector('english', ")
                .push_bind_unseparated(&d.bio)
                .push_unseparated("), 'B') || setweight(to_tsvector('english', ")
                .push_bind_unseparated(&d.posts)
                .push_unseparated("), 'C') || setweight(to_tsvector('simple', ")
                .push_bind_unseparated(&d.name)
                .push_unseparated("), 'D')");
        });
        q.build().execute(pool).await?;
    }
    for stmt in [
        "CREATE INDEX IF NOT EXISTS fts_tsv ON fts USING GIN (tsv)",
        "CREATE INDEX IF NOT EXISTS fts_country ON fts (country)",
        "CREATE INDEX IF NOT EXISTS fts_city ON fts (city)",
        "CREATE INDEX IF NOT EXISTS fts_followers ON fts (followers)",
        "CREATE INDEX IF NOT EXISTS fts_languages ON fts USING GIN (languages)",
        "CREATE INDEX IF NOT EXISTS fts_audience ON fts USING GIN (audience)",
        "ANALYZE fts",
    ] {
        sqlx::query(stmt).execute(pool).await?;
    }
    println!("postgres: built the full-text table and indexes in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The WHERE clause for the filters (same semantics as Scout's filter tree).
fn where_clause(f: &SearchFilters, b: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>) {
    if !f.platforms.is_empty() {
        b.push(" AND platform = ANY(")
            .push_bind(f.platforms.iter().map(|p| p.as_str().to_string()).collect::<Vec<_>>())
            .push(")");
    }
    if !f.countries.is_empty() {
        b.push(" AND country = ANY(").push_bind(f.countries.clone()).push(")");
    }
    if !f.cities.is_empty() {
        b.push(" AND city = ANY(")
            .push_bind(f.cities.iter().map(|c| scout_domain::text::fold(c)).collect::<Vec<_>>())
            .push(")");
    }
    if !f.languages.is_empty() {
        b.push(" AND languages && ").push_bind(f.languages.clone());
    }
    if !f.tiers.is_empty() {
        b.push(" AND tier = ANY(")
            .push_bind(f.tiers.iter().map(|t| t.as_str().to_string()).collect::<Vec<_>>())
            .push(")");
    }
    if let Some(x) = f.followers_min {
        b.push(" AND followers >= ").push_bind(x as i64);
    }
    if let Some(x) = f.followers_max {
        b.push(" AND followers <= ").push_bind(x as i64);
    }
    if let Some(x) = f.engagement_min {
        b.push(" AND engagement_rate >= ").push_bind(x);
    }
    if let Some(v) = f.verified {
        b.push(" AND verified = ").push_bind(v);
    }
}

fn tsquery(text: &str) -> String {
    let words: Vec<String> = scout_domain::text::words(&scout_domain::text::fold(text)).map(String::from).collect();
    words.join(" | ")
}

/// One PostgreSQL search: ranked top 20, total, five facets. Returns the ids.
async fn pg_search(pool: &PgPool, q: &LabelledQuery) -> anyhow::Result<Vec<i64>> {
    let parsed = understand(&q.text);
    let ts = tsquery(&parsed.text);
    let base = |select: &str| {
        let mut b = sqlx::QueryBuilder::new(select);
        b.push(" FROM fts WHERE tsv @@ to_tsquery('english', ").push_bind(ts.clone()).push(")");
        where_clause(&parsed.filters, &mut b);
        b
    };
    let mut ranked = base("SELECT id");
    ranked.push(" ORDER BY ts_rank(tsv, to_tsquery('english', ").push_bind(ts.clone()).push(")) DESC, id LIMIT 20");
    let ids: Vec<i64> = ranked.build().fetch_all(pool).await?.iter().map(|r| r.get::<i64, _>(0)).collect();
    let _total: i64 = base("SELECT COUNT(*)").build().fetch_one(pool).await?.get(0);
    // The same five facets Scout returns.
    for facet in ["country", "platform", "tier", "unnest(languages)", "unnest(niches)"] {
        let mut b = base(&format!("SELECT {facet} AS value, COUNT(*)"));
        b.push(" GROUP BY value");
        b.build().fetch_all(pool).await?;
    }
    Ok(ids)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.queries)?;
    let queries: Arc<Vec<LabelledQuery>> = Arc::new(text.lines().map(serde_json::from_str).collect::<Result<_, _>>()?);

    ensure_database(&args.pg_url).await?;
    let pg_store = Store::connect(&args.pg_url).await?;
    let pool = pg_store.postgres_pool().context("not a postgres url")?.clone();
    load_pg(&pool, &pg_store, &args.jsonl).await?;
    let pg_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fts").fetch_one(&pool).await?;

    let (state, _) = scout_benches::open_like_serve(&args.scout_data_dir, args.minilm_dir.as_deref(), |_| {}).await?;
    println!(
        "profiles: postgres {pg_count}, scout {}; {} queries, {} rounds on postgres and {} on scout (2 workers each)",
        state.index().len(),
        queries.len(),
        args.rounds,
        args.scout_rounds
    );

    // Relevance on the same queries and filters.
    let mut pg_ndcg = Vec::new();
    let mut scout_ndcg = Vec::new();
    for q in queries.iter() {
        let ids = pg_search(&pool, q).await?;
        pg_ndcg.push(ndcg_at(10, &keys(&pg_store, &ids).await?, &q.judgments));
        let out = state.engine().search(&SearchRequest {
            query: Some(q.text.clone()),
            limit: Some(20),
            ..Default::default()
        })?;
        let ids: Vec<i64> = out.hits.iter().map(|h| h.id).collect();
        scout_ndcg.push(ndcg_at(10, &keys(state.store(), &ids).await?, &q.judgments));
    }

    // Speed: the same searches on two concurrent workers each.
    let total = queries.len() * args.rounds;
    let mut pg_lat = Latencies::default();
    let started = Instant::now();
    let mut handles = Vec::new();
    for w in 0..2 {
        let (pool, queries) = (pool.clone(), queries.clone());
        handles.push(tokio::spawn(async move {
            let mut lat = Latencies::default();
            for i in (w..total).step_by(2) {
                let t = Instant::now();
                pg_search(&pool, &queries[i % queries.len()]).await?;
                lat.record(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    let mut pg_samples = Vec::new();
    for h in handles {
        pg_samples.push(h.await??);
    }
    let pg_secs = started.elapsed().as_secs_f64();
    for l in &pg_samples {
        pg_lat.add(l);
    }

    let mut scout_lat = Latencies::default();
    let scout_total = queries.len() * args.scout_rounds;
    let started = Instant::now();
    let mut handles = Vec::new();
    for w in 0..2 {
        let (engine, queries) = (state.engine().clone(), queries.clone());
        handles.push(tokio::task::spawn_blocking(move || {
            let mut lat = Latencies::default();
            for i in (w..scout_total).step_by(2) {
                let t = Instant::now();
                let q = &queries[i % queries.len()];
                engine.search(&SearchRequest { query: Some(q.text.clone()), limit: Some(20), ..Default::default() })?;
                lat.record(t.elapsed());
            }
            anyhow::Ok(lat)
        }));
    }
    for h in handles {
        scout_lat.add(&h.await??);
    }
    let scout_secs = started.elapsed().as_secs_f64();

    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (pg_qps, scout_qps) = (total as f64 / pg_secs, scout_total as f64 / scout_secs);
    println!("\n{:<22} {:>12} {:>12} {:>10}", "system", "searches/s", "p99 ms", "NDCG@10");
    println!(
        "{:<22} {:>12.1} {:>12.1} {:>10.3}",
        "postgres full-text",
        pg_qps,
        pg_lat.quantile_ms(0.99),
        mean(&pg_ndcg)
    );
    println!(
        "{:<22} {:>12.1} {:>12.1} {:>10.3}",
        "scout hybrid",
        scout_qps,
        scout_lat.quantile_ms(0.99),
        mean(&scout_ndcg)
    );
    println!(
        "scout / postgres: {:.1}x searches/s, {:.1}x lower p99",
        scout_qps / pg_qps,
        pg_lat.quantile_ms(0.99) / scout_lat.quantile_ms(0.99).max(1e-9)
    );
    println!("postgres latency: {}\nscout latency:    {}", pg_lat.summary(), scout_lat.summary());
    Ok(())
}
