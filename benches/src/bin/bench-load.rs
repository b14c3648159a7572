//! Loopback load test: ten normal accounts search while one abusive account
//! floods the server with the most expensive searches it may send, over real
//! HTTP against `scout serve`'s own listener. Prints the normal accounts'
//! latency on an idle server and under the flood, and what the abuser got.
//!
//! ```text
//! scout fixtures --profiles 20000 --seed 42 --out /tmp/p.jsonl
//! scout --data-dir /tmp/d import /tmp/p.jsonl
//! bench-load --data-dir /tmp/d --queries /tmp/p.queries.jsonl
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use parking_lot::Mutex;
use scout_benches::Latencies;
use scout_fixtures::LabelledQuery;
use serde_json::{Value, json};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    #[arg(long)]
    queries: PathBuf,
    /// Normal accounts, each searching one request at a time.
    #[arg(long, default_value_t = 10)]
    normal: usize,
    /// Searches per second each normal account starts (paced, within its
    /// quota, so both phases carry the same normal load).
    #[arg(long, default_value_t = 10)]
    normal_rate: u32,
    /// Requests the abusive account keeps in flight.
    #[arg(long, default_value_t = 64)]
    abuse: usize,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Requests per minute per account (0: off, so only the worker bounds
    /// stop the abuser).
    #[arg(long, default_value_t = 1200)]
    account_rpm: u32,
    #[arg(long)]
    minilm_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (app, _) = scout_benches::open_like_serve(&args.data_dir, args.minilm_dir.as_deref(), |s| {
        s.account_requests_per_minute = args.account_rpm;
    })
    .await?;
    let limits = app.settings().limits.clone();
    let _workers = app.start_search_workers()?;
    let text = std::fs::read_to_string(&args.queries).with_context(|| format!("reading {}", args.queries.display()))?;
    let queries: Vec<String> =
        text.lines().map(serde_json::from_str::<LabelledQuery>).map(|q| q.map(|q| q.text)).collect::<Result<_, _>>()?;
    anyhow::ensure!(!queries.is_empty(), "no queries in {}", args.queries.display());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let serving = scout_api::AppState::new(app.clone());
    tokio::spawn(async move { scout_api::serve::serve(serving, listener, std::future::pending()).await });

    let run = std::process::id();
    let mut tokens = Vec::new();
    for i in 0..=args.normal {
        let email = format!("load{run}-{i}@brand.test");
        let password = "load test passphrase".to_string();
        let name = format!("Load {i}");
        let form = scout_app::SignUp {
            email: &email,
            password: password.clone(),
            role: "brand",
            name: &name,
            referral_code: None,
        };
        app.open_account(form, None).await?;
        tokens.push(app.login(&email, password, None, None).await?.access_token);
    }
    let abuser = tokens.pop().context("an abusive account")?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    println!(
        "server: {} profiles, {} workers (0: two per core), {} per account, queue {} ms, deadline {} ms, {} requests/min per account",
        app.index().len(),
        limits.max_concurrent_work,
        limits.max_work_per_account,
        limits.work_queue_ms,
        limits.work_deadline_ms,
        args.account_rpm
    );

    let pace = Duration::from_secs(1) / args.normal_rate.max(1);
    let phase = Duration::from_secs(args.seconds);
    let (idle, idle_refused) = normal_phase(&client, &url, &tokens, &queries, phase, pace).await;
    println!("idle server:   normal accounts {} (refused {idle_refused})", idle.summary());

    let stop = Arc::new(AtomicBool::new(false));
    let statuses: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    // Built once: the abuser's own CPU is not the server's to pay.
    let heaviest = serde_json::to_vec(&heaviest())?;
    let mut flood = Vec::new();
    for _ in 0..args.abuse {
        let (client, url, token, stop, statuses, body) =
            (client.clone(), url.clone(), abuser.clone(), stop.clone(), statuses.clone(), heaviest.clone());
        flood.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let status = match client
                    .post(format!("{url}/v1/search"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                {
                    Ok(res) => {
                        let code = res.status().as_u16();
                        let body: Value = res.json().await.unwrap_or(Value::Null);
                        format!("{code} {}", body["code"].as_str().unwrap_or(""))
                    }
                    Err(_) => "transport error".to_string(),
                };
                *statuses.lock().entry(status).or_default() += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (loaded, loaded_refused) = normal_phase(&client, &url, &tokens, &queries, phase, pace).await;
    stop.store(true, Ordering::Relaxed);
    for f in flood {
        let _ = f.await;
    }
    println!("under a flood: normal accounts {} (refused {loaded_refused})", loaded.summary());
    println!(
        "p99 under the flood / idle: {:.2}×; p50 {:.2}×",
        loaded.quantile_ms(0.99) / idle.quantile_ms(0.99).max(1e-9),
        loaded.quantile_ms(0.5) / idle.quantile_ms(0.5).max(1e-9)
    );
    let answered: Vec<String> = statuses.lock().iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!("abusive account's answers: {}", answered.join(", "));
    Ok(())
}

/// The most expensive search a caller may send: the longest text and every
/// filter list at its cap.
fn heaviest() -> Value {
    let bands = scout_domain::profile::AGE_BANDS;
    let audience: Vec<Value> =
        (0..20).map(|i| json!({"dimension": "age", "value": bands[i % bands.len()], "min_share": 0.05})).collect();
    let countries: Vec<String> = ["DE", "FR", "US", "GB", "ES", "IT", "BR", "MX", "JP", "KR"]
        .iter()
        .cycle()
        .take(50)
        .map(|c| c.to_string())
        .collect();
    json!({
        "query": "vegan fitness yoga travel food fashion beauty gaming tech music ".repeat(7).chars().take(500).collect::<String>(),
        "filters": {"audience": audience, "countries": countries},
        "limit": 100
    })
}

/// Each normal account starts a search every `pace` (or at once when the
/// last one took longer) for `length`; returns the answered searches'
/// latencies and how many were refused.
async fn normal_phase(
    client: &reqwest::Client,
    url: &str,
    tokens: &[String],
    queries: &[String],
    length: Duration,
    pace: Duration,
) -> (Latencies, u64) {
    let until = Instant::now() + length;
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (client, url, token, queries) = (client.clone(), url.to_string(), token.clone(), queries.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut lat = Latencies::default();
            let mut refused = 0u64;
            let mut n = i;
            let mut tick = tokio::time::interval(pace);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while Instant::now() < until {
                tick.tick().await;
                let q = &queries[n % queries.len()];
                n += 7;
                let started = Instant::now();
                let res =
                    client.post(format!("{url}/v1/search")).bearer_auth(&token).json(&json!({"query": q})).send().await;
                let answered = match res {
                    Ok(res) if res.status().is_success() => res.bytes().await.is_ok(),
                    _ => false,
                };
                if answered {
                    lat.record(started.elapsed());
                } else {
                    refused += 1;
                }
            }
            (lat, refused)
        }));
    }
    let mut all = Latencies::default();
    let mut refused = 0;
    for t in tasks {
        if let Ok((l, r)) = t.await {
            all.add(&l);
            refused += r;
        }
    }
    (all, refused)
}
