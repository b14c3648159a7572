//! Ledger throughput: concurrent clients post transfers (wallet → escrow,
//! each with its own idempotency key) for a while, on SQLite or PostgreSQL;
//! prints transfers per second, latency quantiles and what `verify` found.
//! Two shapes: transfers spread over many wallets, and every client on one
//! hot wallet (the contention a campaign launch makes); each written one
//! transaction per transfer (`Ledger::post`) and through the group-commit
//! writer (`LedgerWriter`, as the service writes).
//!
//! ```text
//! bench-ledger --backend sqlite --clients 64 --seconds 10
//! bench-ledger --backend postgres --clients 64 --seconds 10
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (store, scratch) = match args.backend.as_str() {
        "sqlite" => (Store::connect(&format!("sqlite:{}", dir.path().join("ledger.db").display())).await?, None),
        "postgres" => {
            let name = format!("scout_bench_ledger_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&args.pg_url).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let (base, _) = args.pg_url.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("pg url without a database"))?;
            (Store::connect(&format!("{base}/{name}")).await?, Some(name))
        }
        other => anyhow::bail!("unknown backend {other}"),
    };
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
        let (count, lat, refused) = run(&store, &pairs, &args, hot, batched).await;
        println!(
            "  {shape}: {:.0} transfers/s ({count} in {} s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {refused} refused",
            count as f64 / args.seconds as f64,
            args.seconds,
            lat.quantile_ms(0.5),
            lat.quantile_ms(0.99),
            lat.quantile_ms(1.0),
        );
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

async fn run(
    store: &Store,
    pairs: &[(i64, i64)],
    args: &Args,
    hot: bool,
    writer: Option<&scout_store::LedgerWriter>,
) -> (u64, Latencies, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let (done, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let all = Arc::new(Mutex::new(Latencies::default()));
    let pairs = Arc::new(pairs.to_vec());
    let tag = format!("{}-{}", if hot { "hot" } else { "spread" }, if writer.is_some() { "batched" } else { "single" });
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
