//! Plan within budget, timed in process on a built data folder: a brand
//! stores campaigns (one per niche and market), and each is planned for both
//! goals (engagements, distinct reach) at both fee bases (asking, fair), as
//! `POST /v1/campaigns/{id}/plan` does: match the brief over the whole index,
//! price every matched creator, pick the set. Also the picking alone on pools
//! larger than the service's, to show how it scales.
//!
//! ```text
//! scout fixtures --profiles 1000000 --seed 42 --out /tmp/p.jsonl
//! scout --data-dir /tmp/d import /tmp/p.jsonl
//! bench-plan --data-dir /tmp/d
//! ```

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use scout_app::SignUp;
use scout_app::planning::{FeeBasis, PlanGoal, PlanRequest};
use scout_benches::Latencies;
use scout_market::plan::{Candidate, Limits, Objective, plan};
use serde_json::json;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    data_dir: PathBuf,
    /// Passes over the campaigns.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    #[arg(long)]
    minilm_dir: Option<PathBuf>,
}

/// (niches, audience countries, budget in euro) of the benchmark's campaigns.
const BRIEFS: &[(&[&str], &[&str], i64)] = &[
    (&["fitness"], &["DE"], 20_000),
    (&["vegan", "food"], &["DE", "AT"], 15_000),
    (&["beauty", "skincare"], &["FR"], 30_000),
    (&["gaming"], &["US", "GB"], 50_000),
    (&["travel"], &["ES", "IT"], 25_000),
    (&["tech"], &["US"], 40_000),
    (&["parenting"], &["GB"], 10_000),
    (&["fashion"], &["IT", "FR"], 35_000),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (app, _) = scout_benches::open_like_serve(&args.data_dir, args.minilm_dir.as_deref(), |s| {
        s.account_requests_per_minute = 0;
    })
    .await?;
    let _workers = app.start_search_workers()?;
    let profiles = app.index().len();
    let email = format!("bench-plan-{}@bench.example.com", std::process::id());
    let form = SignUp {
        email: &email,
        password: "bench plan passphrase".into(),
        role: "brand",
        name: "Bench",
        referral_code: None,
    };
    let user = app.open_account(form, None).await?;
    let caller = scout_app::Caller { account: user, via: scout_app::Via::Session("bench".into()) };
    let acting = app.acting_for(caller, None).await?;
    let today = app.clock().today();
    let mut campaigns = Vec::new();
    for (niches, countries, euro) in BRIEFS {
        let spec = json!({"name": format!("Bench {}", niches.join(" ")), "objective": "engagement",
            "brief": format!("{} creators for a launch", niches.join(" and ")), "niches": niches,
            "target": {"countries": countries}, "deliverables": [{"kind": "reel", "count": 2}, {"kind": "story", "count": 3}],
            "budget": {"amount_minor": euro * 100, "currency": "EUR"},
            "starts_on": today, "ends_on": today + chrono::Duration::days(60), "visibility": "private"});
        campaigns.push(app.create_campaign(&acting, serde_json::from_value(spec)?).await?.id);
    }

    println!("plan within budget, {profiles} profiles indexed, {} campaigns, {} rounds", campaigns.len(), args.rounds);
    for goal in [PlanGoal::Engagements, PlanGoal::Reach] {
        for fees in [FeeBasis::Asking, FeeBasis::Fair] {
            let mut lat = Latencies::default();
            let (mut picks, mut pools, mut spent_share) = (0usize, 0usize, 0.0);
            for _ in 0..args.rounds {
                for id in &campaigns {
                    let req = PlanRequest { goal, max_creators: Some(10), fees, overlap: None };
                    let started = Instant::now();
                    let out = app.plan_campaign(&acting, *id, req).await?;
                    lat.record(started.elapsed());
                    picks += out.creators.len();
                    pools += out.candidates;
                    let spent = out.spent.map_or(0, |m| m.amount_minor);
                    spent_share += spent as f64 / out.budget.amount_minor as f64;
                }
            }
            let n = (args.rounds * campaigns.len()) as f64;
            println!(
                "  {goal:?}, {fees:?} fees: p50 {:.2} ms, p90 {:.2} ms, max {:.2} ms; {:.1} creators picked from {:.0} priced, {:.0}% of the budget",
                lat.quantile_ms(0.5),
                lat.quantile_ms(0.9),
                lat.quantile_ms(1.0),
                picks as f64 / n,
                pools as f64 / n,
                spent_share / n * 100.0
            );
        }
    }

    // The picking alone, on synthetic pools: segments of 20 creators,
    // log-normal reach, fees roughly proportional to reach.
    println!("picking alone (scout_market::plan), 10 creators, budget = 15 median fees");
    for pool in [100usize, 1_000, 10_000] {
        let mut rng = ChaCha8Rng::seed_from_u64(pool as u64);
        let candidates: Vec<Candidate> = (0..pool)
            .map(|i| {
                let reach = (10.0 + 1.5 * rng.random::<f64>() * 4.0).exp();
                let fee = (reach * (0.5 + rng.random::<f64>())) as i64 * 10;
                Candidate {
                    id: i as i64,
                    fee_minor: fee.max(1),
                    engagements: reach * 0.03 * (0.5 + rng.random::<f64>()),
                    reach,
                    segment: format!("s{}", i / 20),
                }
            })
            .collect();
        let mut fees: Vec<i64> = candidates.iter().map(|c| c.fee_minor).collect();
        fees.sort_unstable();
        let limits = Limits { budget_minor: fees[fees.len() / 2] * 15, max_creators: 10 };
        for (name, objective) in [("engagements", Objective::Engagements), ("reach", Objective::Reach { overlap: 0.5 })]
        {
            let mut lat = Latencies::default();
            for _ in 0..args.rounds.max(3) {
                let started = Instant::now();
                let p = plan(&candidates, objective, limits);
                lat.record(started.elapsed());
                assert!(p.spent_minor <= limits.budget_minor);
            }
            println!(
                "  pool {pool:>6}, {name:<11}: p50 {:.2} ms, max {:.2} ms",
                lat.quantile_ms(0.5),
                lat.quantile_ms(1.0)
            );
        }
    }
    Ok(())
}
