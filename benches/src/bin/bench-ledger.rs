//! Ledger throughput: concurrent clients post transfers (wallet → escrow,
//! each with its own idempotency key) for a while, on SQLite or PostgreSQL;
//! prints transfers per second, latency quantiles and what `verify` found.
//! Two shapes: transfers spread over many wallets, and every client on one
//! hot wallet (the contention a campaign launch makes); each written one
//! transaction per transfer (`Ledger::post`) and through the group-commit
//! writer (`LedgerWriter`, as the service writes). Then, with
//! `--payout-creators N`, the group-commit spread shape again through the
//! service's own writer while the service runs a payout run for N creators
//! (each payout booked, sent to the in-process sandbox bank, confirmed by
//! its signed webhook and booked again), printing both sides' figures.
//!
//! ```text
//! bench-ledger --backend sqlite --clients 64 --seconds 10 --payout-creators 2000
//! bench-ledger --backend postgres --clients 64 --seconds 10 --payout-creators 2000
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use parking_lot::Mutex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use scout_benches::Latencies;
use scout_domain::money::Currency;
use scout_ledger::{AccountKind, Posting, Transfer, TransferKind, fingerprint};
use scout_store::{Owner, Store};
use sqlx::Connection;

#[derive(Parser, Debug)]
struct Args {
    /// `sqlite` or `postgres`.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// The server a scratch database is made on (postgres).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg_url: String,
    #[arg(long, default_value_t = 64)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Wallets the spread shape picks from.
    #[arg(long, default_value_t = 1000)]
    wallets: usize,
    /// Most transfers the group-commit writer puts in one transaction.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Creators paid out by a payout run during a last shape (0: no such shape).
    #[arg(long, default_value_t = 0)]
    payout_creators: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (url, scratch) = match args.backend.as_str() {
        "sqlite" => (format!("sqlite:{}", dir.path().join("ledger.db").display()), None),
        "postgres" => {
            let name = format!("scout_bench_ledger_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&args.pg_url).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let (base, _) = args.pg_url.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("pg url without a database"))?;
            (format!("{base}/{name}"), Some(name))
        }
        other => anyhow::bail!("unknown backend {other}"),
    };
    let store = Store::connect(&url).await?;
    let ledger = store.ledger();
    let eur = Currency::EUR;
    let clearing = ledger.account(Owner::Provider(1), AccountKind::ProviderClearing, eur).await?;
    let mut pairs = Vec::with_capacity(args.wallets);
    for i in 0..args.wallets as i64 {
        let wallet = ledger.account(Owner::Org(i), AccountKind::BrandWallet, eur).await?;
        let escrow = ledger.account(Owner::Contract(i), AccountKind::Escrow, eur).await?;
        let fund = Transfer::new(
            TransferKind::Funding,
            eur,
            vec![Posting::debit(clearing, 1_000_000_000), Posting::credit(wallet, 1_000_000_000)],
        )?;
        ledger.post(&format!("fund-{i}"), &fingerprint(&i), &fund, "", None).await?;
        pairs.push((wallet, escrow));
    }
    println!(
        "ledger, {} backend, {} clients, {} s per shape, {} funded wallets",
        args.backend, args.clients, args.seconds, args.wallets
    );
    let writer = scout_store::LedgerWriter::start(store.clone(), args.batch);
    for (shape, hot, batched) in [
        ("one transaction each, spread over the wallets", false, None),
        ("one transaction each, one hot wallet", true, None),
        ("group commit, spread over the wallets", false, Some(&writer)),
        ("group commit, one hot wallet", true, Some(&writer)),
    ] {
        let (count, lat, refused) = run_on(&store, &pairs, &args, hot, batched, "").await;
        println!(
            "  {shape}: {:.0} transfers/s ({count} in {} s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {refused} refused",
            count as f64 / args.seconds as f64,
            args.seconds,
            lat.quantile_ms(0.5),
            lat.quantile_ms(0.99),
            lat.quantile_ms(1.0),
        );
    }
    if args.payout_creators > 0 {
        during_a_payout_run(&url, dir.path(), &pairs, &args).await?;
    }
    let started = Instant::now();
    let problems = ledger.verify().await?;
    println!("  verify: {} problems, {:.0} ms", problems.len(), started.elapsed().as_secs_f64() * 1000.0);
    store.close().await;
    if let Some(name) = scratch {
        let mut conn = sqlx::PgConnection::connect(&args.pg_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    }
    Ok(())
}

async fn run_on(
    store: &Store,
    pairs: &[(i64, i64)],
    args: &Args,
    hot: bool,
    writer: Option<&scout_store::LedgerWriter>,
    label: &str,
) -> (u64, Latencies, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let (done, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let all = Arc::new(Mutex::new(Latencies::default()));
    let pairs = Arc::new(pairs.to_vec());
    let tag = format!(
        "{}-{}{label}",
        if hot { "hot" } else { "spread" },
        if writer.is_some() { "batched" } else { "single" }
    );
    let tasks: Vec<_> = (0..args.clients)
        .map(|client| {
            let (store, stop, done, refused, all, pairs) =
                (store.clone(), stop.clone(), done.clone(), refused.clone(), all.clone(), pairs.clone());
            let (writer, tag) = (writer.cloned(), tag.clone());
            tokio::spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64(client as u64);
                let mut lat = Latencies::default();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let (wallet, escrow) = if hot { pairs[0] } else { pairs[rng.random_range(0..pairs.len())] };
                    let amount = rng.random_range(1..100);
                    let t = Transfer::new(
                        TransferKind::EscrowHold,
                        Currency::EUR,
                        vec![Posting::debit(wallet, amount), Posting::credit(escrow, amount)],
                    )
                    .expect("balanced");
                    let key = format!("{tag}-{client}-{n}");
                    n += 1;
                    let started = Instant::now();
                    let posted = match &writer {
                        Some(w) => w.post(&key, &fingerprint(&key), &t, "", chrono::Utc::now()).await,
                        None => store.ledger().post(&key, &fingerprint(&key), &t, "", None).await,
                    };
                    match posted {
                        Ok(_) => {
                            lat.record(started.elapsed());
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                all.lock().add(&lat);
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let lat = std::mem::take(&mut *all.lock());
    (done.load(Ordering::Relaxed), lat, refused.load(Ordering::Relaxed))
}

/// The spread shape through the service's writer while the service pays
/// out `--payout-creators` creators (seeded with available earnings in
/// euro, paid in euro, dollars or pounds to PayPal accounts).
async fn during_a_payout_run(
    url: &str,
    dir: &std::path::Path,
    pairs: &[(i64, i64)],
    args: &Args,
) -> anyhow::Result<()> {
    use scout_domain::account::{Email, Role};
    let settings = scout_app::Settings {
        data_dir: dir.join("app"),
        database_url: Some(url.to_string()),
        demo_profiles: 0,
        enrich: false,
        payments: scout_app::settings::PaymentSettings { sandbox_settle_ms: 50, ..Default::default() },
        ..scout_app::Settings::default()
    };
    let app = scout_app::Application::build(settings).await?;
    let store = app.store().clone();
    let ledger = store.ledger();
    let eur = Currency::EUR;
    let clearing = ledger.account(Owner::Provider(1), AccountKind::ProviderClearing, eur).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for i in 0..args.payout_creators {
        let email = Email::parse(&format!("creator{i}@bench.test"))?;
        let user = store.identity().create_user(&email, "x", Role::Influencer, "Creator").await?;
        let available = ledger.account(Owner::User(user.id), AccountKind::CreatorAvailable, eur).await?;
        let amount = rng.random_range(1_000..500_000i64);
        let t = Transfer::new(
            TransferKind::Release,
            eur,
            vec![Posting::debit(clearing, amount), Posting::credit(available, amount)],
        )?;
        ledger.post(&format!("seed:{i}"), &fingerprint(&t), &t, "earnings", None).await?;
        let currency = [Currency::EUR, Currency::USD, Currency::parse("GBP")?][i % 3];
        store
            .payments()
            .set_payout_settings(&scout_store::PayoutSettings {
                user_id: user.id,
                destination: serde_json::json!({"type": "paypal", "email": format!("creator{i}@example.com")})
                    .to_string(),
                destination_summary: "PayPal".into(),
                currency,
                schedule: "weekly".into(),
                threshold_minor: 0,
                updated_at: chrono::Utc::now(),
            })
            .await?;
    }
    // The control: the same load through the same writer on the same (grown)
    // database, with no payout run beside it.
    let (count, lat, refused) = run_on(&store, pairs, args, false, Some(app.ledger_writer()), "control").await;
    println!(
        "  group commit, spread, service's writer, no payout run (control): {:.0} transfers/s ({count} in {} s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {refused} refused",
        count as f64 / args.seconds as f64,
        args.seconds,
        lat.quantile_ms(0.5),
        lat.quantile_ms(0.99),
        lat.quantile_ms(1.0),
    );
    let runner = app.clone();
    let started = Instant::now();
    let run = tokio::spawn(async move {
        let run = runner.run_payouts(true).await;
        (run, started.elapsed())
    });
    let (count, lat, refused) = run_on(&store, pairs, args, false, Some(app.ledger_writer()), "payouts").await;
    let (outcome, took) = run.await?;
    let outcome = outcome?;
    println!(
        "  group commit, spread, during a payout run: {:.0} transfers/s ({count} in {} s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {refused} refused",
        count as f64 / args.seconds as f64,
        args.seconds,
        lat.quantile_ms(0.5),
        lat.quantile_ms(0.99),
        lat.quantile_ms(1.0),
    );
    println!(
        "  the payout run: {} payouts made, {} paid, {} failed, {} waiting for the bank, in {:.1} s ({:.0} payouts/s)",
        outcome.started,
        outcome.paid,
        outcome.failed,
        outcome.waiting,
        took.as_secs_f64(),
        outcome.started as f64 / took.as_secs_f64()
    );
    Ok(())
}
