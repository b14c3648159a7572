//! The `scout` command: serve, import, export, search, reindex, enrich,
//! fixtures, models, admin. It layers the settings (defaults, TOML file,
//! environment, flags), builds the [`Application`] and either serves it over
//! HTTP (`scout-api`) or runs one command with progress bars.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use scout_app::{Application, Settings, pipeline};

mod tools;
use tools::{build_static, create_admin, fixtures, import_rates, verify_ledger};

#[derive(Parser, Debug)]
#[command(name = "scout", version, about = "Influencer search and recommendation engine")]
struct Cli {
    /// TOML configuration file (layered over the defaults, under env and flags).
    #[arg(long, global = true, env = "SCOUT_CONFIG")]
    config: Option<PathBuf>,
    /// Data folder (database, indexes).
    #[arg(long, global = true, env = "SCOUT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `sqlite:PATH` or `postgres://…`.
    #[arg(long, global = true, env = "SCOUT_DATABASE_URL")]
    database_url: Option<String>,
    /// Static encoder folder.
    #[arg(long, global = true, env = "SCOUT_STATIC_MODEL_DIR")]
    static_model_dir: Option<PathBuf>,
    /// MiniLM checkpoint folder.
    #[arg(long, global = true, env = "SCOUT_MINILM_DIR")]
    minilm_dir: Option<PathBuf>,
    /// Log format: pretty or json.
    #[arg(long, global = true, env = "SCOUT_LOG_FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP service (loads demo data into an empty store).
    Serve {
        #[arg(long, env = "SCOUT_LISTEN")]
        listen: Option<String>,
        /// Demo profiles to load when the store is empty (0 = none).
        #[arg(long, env = "SCOUT_DEMO_PROFILES")]
        demo_profiles: Option<u64>,
        /// Disable background MiniLM enrichment.
        #[arg(long)]
        no_enrich: bool,
        /// Browser origins allowed by CORS (repeat, or comma-separated).
        #[arg(long = "cors-origin", env = "SCOUT_CORS_ORIGINS", value_delimiter = ',')]
        cors_origins: Vec<String>,
        /// PEM certificate chain: serve HTTPS only (with --tls-key).
        #[arg(long, env = "SCOUT_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long, env = "SCOUT_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// redis://… to share rate limits and lockouts between API nodes.
        #[arg(long, env = "SCOUT_REDIS_URL")]
        redis_url: Option<String>,
        /// Requests per minute per account (0 = unlimited).
        #[arg(long, env = "SCOUT_ACCOUNT_REQUESTS_PER_MINUTE")]
        account_requests_per_minute: Option<u32>,
        /// Folder of the built web app (default: web/dist).
        #[arg(long, env = "SCOUT_WEB_DIR")]
        web_dir: Option<PathBuf>,
        /// The origin browsers reach Scout at (https://scout.example.com);
        /// default: the listen address's.
        #[arg(long, env = "SCOUT_PUBLIC_ORIGIN")]
        public_origin: Option<String>,
        /// A bearer token /metrics asks for (default: /metrics is open).
        #[arg(long, env = "SCOUT_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
    },
    /// Import profiles from a JSON Lines file (or - for stdin).
    Import {
        file: String,
        /// Where invalid lines go (default FILE.rejects.jsonl).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Export all profiles as JSON Lines.
    Export { file: PathBuf },
    /// Search from the command line.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Rebuild both indexes from the database.
    Reindex,
    /// Compute MiniLM vectors now (most-followed first) and show the rate.
    Enrich {
        #[arg(long, default_value_t = 1000)]
        max: usize,
    },
    /// Generate fixture profiles, the labelled query set and the demo
    /// marketplace (FILE.market.json: brands, creators, campaigns and deals).
    Fixtures {
        #[arg(long, default_value_t = 10_000)]
        profiles: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Labelled queries to write beside the profiles (FILE.queries.jsonl), and as
        /// many again of the kinds outside users brought (ranges, regions, slang).
        #[arg(long, default_value_t = 60)]
        queries: usize,
        /// Campaigns to write beside the profiles (FILE.campaigns.jsonl): briefs,
        /// the creators each booked and what each deliverable achieved.
        #[arg(long, default_value_t = 0)]
        campaigns: usize,
    },
    /// Model artifacts.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Print the HTTP API's OpenAPI document (JSON), as `/openapi.json` serves it.
    Openapi,
    /// Platform administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The money ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Exchange rates.
    Fx {
        #[command(subcommand)]
        command: FxCommand,
    },
    /// Creator payouts.
    Payouts {
        #[command(subcommand)]
        command: PayoutsCommand,
    },
    /// Run the sandbox bank alone (the payment provider `scout serve` otherwise
    /// starts in process): point Scout at it with `[payments] sandbox_url`.
    SandboxBank {
        #[arg(long, default_value = "127.0.0.1:7701")]
        listen: String,
        #[arg(long, default_value = "sk_sandbox")]
        api_key: String,
        #[arg(long, default_value = "whsec_sandbox")]
        webhook_secret: String,
        /// Milliseconds before a charge or payout settles.
        #[arg(long, default_value_t = 300)]
        settle_ms: u64,
    },
}

#[derive(Subcommand, Debug)]
enum PayoutsCommand {
    /// Pays out every creator whose schedule is due (`--all`: every creator on
    /// a schedule), after finishing any payout a run left open; safe to stop
    /// at any moment and start again.
    Run {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
enum FxCommand {
    /// Imports a day of ECB reference rates (the ECB's `eurofxref.csv` layout).
    Import {
        file: PathBuf,
        #[arg(long, default_value = "ECB reference rates")]
        source: String,
    },
}

#[derive(Subcommand, Debug)]
enum LedgerCommand {
    /// Recomputes every balance from its postings and checks every transfer
    /// balances; exits non-zero on any mismatch.
    Verify,
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create a platform admin account (admins are never self-registered).
    /// The password comes from SCOUT_ADMIN_PASSWORD or the first line of stdin;
    /// the admin must turn on two-factor authentication at first login.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
enum ModelsCommand {
    /// Distil the static encoder from the MiniLM checkpoint.
    BuildStatic {
        #[arg(long, default_value = "models/static-minilm-256")]
        out: PathBuf,
        #[arg(long, default_value_t = 256)]
        dim: usize,
        /// Only the first N vocabulary tokens (for quick tests).
        #[arg(long)]
        tokens: Option<usize>,
    },
}

impl Cli {
    fn settings(&self) -> anyhow::Result<Settings> {
        let mut s = match &self.config {
            Some(path) => Settings::from_file(path)?,
            None => Settings::default(),
        };
        if let Some(v) = &self.data_dir {
            s.data_dir = v.clone();
        }
        if let Some(v) = &self.database_url {
            s.database_url = Some(v.clone());
        }
        if let Some(v) = &self.static_model_dir {
            s.static_model_dir = Some(v.clone());
        }
        if let Some(v) = &self.minilm_dir {
            s.minilm_dir = Some(v.clone());
        }
        if let Some(v) = &self.log_format {
            s.log_format = v.clone();
        }
        if let Command::Serve {
            listen,
            demo_profiles,
            no_enrich,
            cors_origins,
            tls_cert,
            tls_key,
            redis_url,
            account_requests_per_minute,
            web_dir,
            public_origin,
            metrics_token,
        } = &self.command
        {
            if public_origin.is_some() {
                s.public_origin = public_origin.clone();
            }
            if metrics_token.is_some() {
                s.metrics_token = metrics_token.clone();
            }
            if web_dir.is_some() {
                s.web_dir = web_dir.clone();
            }
            if tls_cert.is_some() {
                s.tls_cert = tls_cert.clone();
                s.tls_key = tls_key.clone();
            }
            if redis_url.is_some() {
                s.redis_url = redis_url.clone();
            }
            if let Some(v) = account_requests_per_minute {
                s.account_requests_per_minute = *v;
            }
            if !cors_origins.is_empty() {
                s.cors_origins = cors_origins.clone();
            }
            if let Some(v) = listen {
                s.listen = v.clone();
            }
            if let Some(v) = demo_profiles {
                s.demo_profiles = *v;
            }
            if *no_enrich {
                s.enrich = false;
            }
        }
        Ok(s)
    }
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCOUT_LOG")
        .unwrap_or_else(|_| "info,tantivy=warn,qdrant_edge=error".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings()?;
    init_logs(&settings.log_format);
    match cli.command {
        Command::Serve { .. } => serve(settings).await,
        Command::Import { file, rejects } => import(settings, &file, rejects).await,
        Command::Export { file } => {
            let app = Application::build(settings).await?;
            let mut out = tokio::io::BufWriter::new(
                tokio::fs::File::create(&file).await.with_context(|| format!("creating {}", file.display()))?,
            );
            let n = app.export_profiles(&mut out).await?;
            eprintln!("exported {n} profiles to {}", file.display());
            Ok(())
        }
        Command::Search { query, limit } => search(settings, &query, limit).await,
        Command::Reindex => {
            let app = Application::build(settings).await?;
            let total = app.store().profiles().count_profiles().await? as u64;
            let pb = bar(total, "reindexing");
            let n = pipeline::rebuild(app.store(), app.index(), |n| pb.inc(n)).await?;
            pb.finish();
            eprintln!("reindexed {n} profiles");
            Ok(())
        }
        Command::Enrich { max } => enrich(settings, max).await,
        Command::Fixtures { profiles, seed, out, queries, campaigns } => {
            fixtures(profiles, seed, &out, queries, campaigns)
        }
        Command::Models { command: ModelsCommand::BuildStatic { out, dim, tokens } } => {
            build_static(&settings, &out, dim, tokens)
        }
        Command::Openapi => {
            println!("{}", scout_api::routes::openapi::document_json());
            Ok(())
        }
        Command::Admin { command: AdminCommand::Create { email, name } } => create_admin(settings, &email, &name).await,
        Command::Ledger { command: LedgerCommand::Verify } => verify_ledger(settings).await,
        Command::Payouts { command: PayoutsCommand::Run { all } } => {
            let app = Application::build(settings).await?;
            let run = app.run_payouts(all).await?;
            eprintln!(
                "payout run: {} started, {} paid, {} failed, {} waiting for the provider",
                run.started, run.paid, run.failed, run.waiting
            );
            Ok(())
        }
        Command::SandboxBank { listen, api_key, webhook_secret, settle_ms } => {
            let config =
                scout_payments::SandboxConfig { api_key, webhook_secret, settle_ms, delayed_ms: settle_ms * 10 };
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("binding {listen}"))?;
            eprintln!("sandbox bank listening on http://{}", listener.local_addr()?);
            tokio::select! {
                served = scout_payments::sandbox::server::serve(listener, config) => served.context("the sandbox bank")?,
                _ = tokio::signal::ctrl_c() => {}
            }
            Ok(())
        }
        Command::Fx { command: FxCommand::Import { file, source } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let store = scout_store::Store::connect(&settings.database_url()).await.context("opening the store")?;
            let n = import_rates(&store, &text, &source).await?;
            eprintln!("imported {n} exchange rates from {}", file.display());
            Ok(())
        }
    }
}

async fn catch_up_with_bar(app: &Application) -> anyhow::Result<()> {
    let head = app.store().profiles().outbox_head().await?;
    let applied = app.index().applied_seq()?;
    if head > applied {
        let pb = bar((head - applied) as u64, "indexing");
        pipeline::catch_up(app.store(), app.index(), |done, _| pb.set_position(done)).await?;
        pb.finish();
    }
    Ok(())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    for line in settings.describe() {
        tracing::info!("setting {line}");
    }
    scout_api::serve::tls_config_of(&settings).context("TLS")?;
    let app = Application::build(settings).await?;
    let settings = app.settings().clone();
    if app.store().profiles().count_profiles().await? == 0 && settings.demo_profiles > 0 {
        eprintln!("empty store: loading {} demo profiles", settings.demo_profiles);
        let pb = bar(settings.demo_profiles, "demo data");
        pipeline::load_demo(app.store(), settings.demo_profiles, |n| pb.inc(n)).await?;
        pb.finish();
        let generator = scout_fixtures::Generator::new(42);
        let scenario = scout_fixtures::market_scenario(&generator, settings.demo_profiles, app.clock().today());
        if let Some(r) = pipeline::load_demo_market(&app, &scenario).await? {
            eprintln!(
                "demo marketplace: {} accounts (password \"{}\"), {} campaigns, {} negotiations, {} contracts",
                r.accounts, scenario.password, r.campaigns, r.negotiations, r.contracts
            );
        }
    }
    catch_up_with_bar(&app).await?;
    let index = app.index().clone();
    tokio::task::spawn_blocking(move || index.optimise()).await??;
    let _indexer = app.start_search_workers()?;
    app.start_enrichment();
    let _approvals = app.start_auto_approvals();
    let _ratings = app.start_reputation_refresh();
    let _money = app.start_money_worker();
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("binding {}", settings.listen))?;
    let base = scout_api::serve::base_url(listener.local_addr()?, settings.uses_tls());
    eprintln!("\nScout is running on {base} with {} profiles indexed", app.index().len());
    if settings.web_dir().join("index.html").exists() {
        eprintln!("open: {base} in a browser, create an account, and search \"vegan fitness creators in Berlin\"");
    } else {
        eprintln!("web app not built (scripts/run.sh builds it); the API alone is up");
    }
    eprintln!("try:  register and log in (README, Accounts), then GET /v1/search?q=vegan+fitness+creators+in+Berlin");
    eprintln!("API:  {base}/openapi.json   metrics: {base}/metrics\n");
    scout_api::serve::serve(scout_api::AppState::new(app), listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

async fn import(settings: Settings, file: &str, rejects: Option<PathBuf>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let app = Application::build(settings).await?;
    // An import never searches: the in-memory feature table is left to the service.
    app.index().for_bulk_load();
    let rejects_path = rejects.unwrap_or_else(|| {
        PathBuf::from(if file == "-" { "stdin.rejects.jsonl".into() } else { format!("{file}.rejects.jsonl") })
    });
    let mut rejects_file = std::io::BufWriter::new(
        std::fs::File::create(&rejects_path).with_context(|| format!("creating {}", rejects_path.display()))?,
    );
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    let progress = |r: &pipeline::ImportReport| {
        pb.set_message(format!(
            "{} lines: {} new, {} updated, {} unchanged, {} rejected",
            r.lines, r.inserted, r.updated, r.unchanged, r.rejected
        ));
        pb.tick();
    };
    // Index while importing: the two share the cores better than running one after the other.
    let indexer = app.start_indexer();
    let report = if file == "-" {
        pipeline::import_lines(
            app.store(),
            tokio::io::BufReader::new(tokio::io::stdin()),
            Some(&mut rejects_file),
            progress,
        )
        .await?
    } else {
        let f = tokio::fs::File::open(file).await.with_context(|| format!("opening {file}"))?;
        pipeline::import_lines(
            app.store(),
            tokio::io::BufReader::with_capacity(1 << 20, f),
            Some(&mut rejects_file),
            progress,
        )
        .await?
    };
    pb.finish_and_clear();
    rejects_file.flush()?;
    eprintln!(
        "imported {} lines: {} new, {} updated, {} unchanged, {} rejected ({} unknown-field warnings)",
        report.lines, report.inserted, report.updated, report.unchanged, report.rejected, report.warnings
    );
    for r in report.rejects.iter().take(10) {
        eprintln!("  line {}: {}", r.line, r.reason);
    }
    if report.rejected > 0 {
        eprintln!("rejected lines written to {}", rejects_path.display());
    }
    let stored_at = started.elapsed().as_secs_f64();
    indexer.stop().await;
    catch_up_with_bar(&app).await?;
    let indexed_at = started.elapsed().as_secs_f64();
    let index = app.index().clone();
    tokio::task::spawn_blocking(move || index.optimise()).await??;
    let total = started.elapsed().as_secs_f64();
    eprintln!(
        "{} profiles indexed in {total:.1} s (stored and mostly indexed {stored_at:.1} s, rest of the indexing {:.1} s, vector graph {:.1} s)",
        app.index().vector_count(None)?,
        indexed_at - stored_at,
        total - indexed_at
    );
    Ok(())
}

async fn search(settings: Settings, query: &str, limit: usize) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    catch_up_with_bar(&app).await?;
    let req = scout_ranker::SearchRequest { query: Some(query.to_string()), limit: Some(limit), ..Default::default() };
    let engine = app.engine().clone();
    let outcome = tokio::task::spawn_blocking(move || engine.search(&req)).await??;
    let ids: Vec<i64> = outcome.hits.iter().map(|h| h.id).collect();
    let profiles: std::collections::HashMap<i64, scout_domain::Profile> =
        app.store().profiles().get_profiles(&ids).await?.into_iter().map(|s| (s.id, s.profile)).collect();
    let pq = &outcome.parsed_query;
    println!("query: {query}");
    println!("understood: text={:?} filters={} niches={:?}", pq.text, serde_json::to_string(&pq.filters)?, pq.niches);
    println!("{} results in {:.1} ms\n", outcome.total, outcome.took_ms);
    println!(
        "{:<4} {:<28} {:<10} {:>10} {:>7} {:<4} {:<16} {:>6}  why",
        "#", "handle", "platform", "followers", "ER", "cc", "city", "score"
    );
    for (i, h) in outcome.hits.iter().enumerate() {
        let Some(p) = profiles.get(&h.id) else { continue };
        println!(
            "{:<4} {:<28} {:<10} {:>10} {:>6.2}% {:<4} {:<16} {:>6.3}  {}",
            i + 1,
            truncate(&p.handle, 28),
            p.platform.as_str(),
            p.followers,
            p.engagement_rate.unwrap_or(0.0) * 100.0,
            p.country.as_deref().unwrap_or("-"),
            truncate(p.city.as_deref().unwrap_or("-"), 16),
            h.score,
            h.explanation.summary
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

async fn enrich(settings: Settings, max: usize) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    catch_up_with_bar(&app).await?;
    let Some(minilm) = app.minilm().cloned() else {
        anyhow::bail!("MiniLM checkpoint not found: run scripts/setup.sh or pass --minilm-dir")
    };
    let pb = bar(max as u64, "enriching");
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < max {
        let n = pipeline::enrich_batch(app.store(), app.index(), &minilm, 32.min(max - done)).await?;
        if n == 0 {
            break;
        }
        done += n;
        pb.inc(n as u64);
    }
    pb.finish();
    let secs = started.elapsed().as_secs_f64();
    eprintln!("enriched {done} profiles in {secs:.1} s ({:.1} profiles/s)", done as f64 / secs.max(1e-9));
    Ok(())
}
