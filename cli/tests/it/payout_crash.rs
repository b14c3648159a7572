//! A payout run killed with SIGKILL at random moments, again and again,
//! then run to the end: every creator is paid exactly once, exactly what
//! they had, and the ledger holds together.
//!
//! The sandbox bank runs as its own `scout sandbox-bank` process, so it
//! outlives each killed `scout payouts run` and remembers the idempotency
//! keys it was sent, as a real provider does.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use scout_domain::account::{Email, Role};
use scout_domain::money::Currency;
use scout_ledger::{AccountKind, Posting, Transfer, TransferKind};
use scout_store::{Owner, PayoutSettings, Store};

const CREATORS: usize = 40;

fn scout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scout"));
    c.env_remove("RUST_LOG").stdout(Stdio::null()).stderr(Stdio::null());
    c
}

/// Kills the process on drop (a failing assertion leaves no bank behind).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_run_killed_at_random_points_never_pays_twice_nor_loses_a_cent() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let bank_url = format!("http://127.0.0.1:{port}");
    let _bank = Killed(
        scout()
            .args(["sandbox-bank", "--listen", &format!("127.0.0.1:{port}"), "--settle-ms", "150"])
            .spawn()
            .expect("start the sandbox bank"),
    );
    let config = dir.path().join("scout.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\ndemo_profiles = 0\nenrich = false\n[payments]\nsandbox_url = {bank_url:?}\n",
            dir.path().join("data")
        ),
    )
    .expect("config");
    std::fs::create_dir_all(dir.path().join("data")).expect("data dir");

    // Creators with earnings available in euro, paid in euro, dollars or pounds.
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("data/scout.db").display())).await.expect("store");
    let rates = scout_ledger::parse_ecb_csv(scout_ledger::ECB_REFERENCE_CSV).expect("rates");
    store.ledger().import_rates(&rates.date, "ECB reference rates", &rates.per_eur_micros).await.expect("rates");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let eur = Currency::EUR;
    let clearing =
        store.ledger().account(Owner::Provider(1), AccountKind::ProviderClearing, eur).await.expect("account");
    let mut owed = Vec::new();
    for i in 0..CREATORS {
        let email = Email::parse(&format!("creator{i}@crash.test")).expect("email");
        let user = store.identity().create_user(&email, "x", Role::Influencer, "Creator").await.expect("user");
        let available =
            store.ledger().account(Owner::User(user.id), AccountKind::CreatorAvailable, eur).await.expect("a");
        let amount = rng.random_range(1_000..500_000i64);
        let t = Transfer::new(
            TransferKind::Release,
            eur,
            vec![Posting::debit(clearing, amount), Posting::credit(available, amount)],
        )
        .expect("transfer");
        store
            .ledger()
            .post(&format!("seed:{i}"), &scout_ledger::fingerprint(&t), &t, "earnings", None)
            .await
            .expect("seed");
        let currency = [Currency::EUR, Currency::USD, Currency::parse("GBP").expect("GBP")][i % 3];
        let destination = serde_json::json!({"type": "paypal", "email": format!("creator{i}@example.com")}).to_string();
        let settings = PayoutSettings {
            user_id: user.id,
            destination,
            destination_summary: "PayPal".into(),
            currency,
            schedule: "weekly".into(),
            threshold_minor: 0,
            updated_at: chrono::Utc::now(),
        };
        store.payments().set_payout_settings(&settings).await.expect("settings");
        owed.push((user.id, amount));
    }

    // `scout payouts run --all` against the same data folder and bank.
    let run = || {
        let mut c = scout();
        c.args(["--config", config.to_str().expect("path"), "payouts", "run", "--all"]);
        c
    };
    let mut kills = 0;
    // Kills that left payouts part-way (made but not yet paid or failed).
    let mut mid_payout = 0;
    let state = |payouts: &[scout_store::Payout]| -> Vec<(i64, String)> {
        payouts.iter().map(|p| (p.id, p.status.clone())).collect()
    };
    for round in 0..40 {
        let before = state(&store.payments().all_payouts().await.expect("payouts"));
        if round > 0 && before.len() == CREATORS && before.iter().all(|(_, s)| s == "paid") {
            break;
        }
        let mut child = run().spawn().expect("a run");
        // Wait until the run has moved a payout on (its start-up is no test
        // of anything), then kill it a random moment later.
        let started = Instant::now();
        let finished = loop {
            if child.try_wait().expect("status").is_some() {
                break true;
            }
            let now = state(&store.payments().all_payouts().await.expect("payouts"));
            if now != before || started.elapsed() > Duration::from_secs(20) {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        let wait = Duration::from_millis(rng.random_range(0..60));
        if !finished {
            tokio::time::sleep(wait).await;
        }
        if child.try_wait().expect("status").is_none() {
            // SIGKILL: no destructor, no flush, as a crashed machine.
            child.kill().expect("kill");
            child.wait().expect("reap");
            kills += 1;
        }
        let payouts = store.payments().all_payouts().await.expect("payouts");
        let open = payouts.iter().filter(|p| !matches!(p.status.as_str(), "paid" | "failed")).count();
        if open > 0 {
            mid_payout += 1;
        }
        eprintln!(
            "round {round}: killed {wait:?} after the run moved ({kills} kills so far); {} payouts made, {open} part-way",
            payouts.len()
        );
    }
    // Then runs to the end (the sandbox settles each payout a moment later).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = run().status().expect("the final run");
        assert!(status.success(), "a run that is not killed succeeds");
        let open = store.payments().open_payouts().await.expect("payouts");
        if open.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "payouts never finished: {open:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(kills >= 6, "the test killed runs mid-way only {kills} times");
    assert!(mid_payout >= 2, "only {mid_payout} kills landed while payouts were part-way");

    // Every creator paid once, all they had; nothing left, nothing doubled.
    let payouts = store.payments().all_payouts().await.expect("payouts");
    for (user, amount) in &owed {
        let mine: Vec<_> = payouts.iter().filter(|p| p.user_id == Some(*user) && p.status != "failed").collect();
        assert_eq!(mine.len(), 1, "creator {user}: {mine:?}");
        assert_eq!((mine[0].status.as_str(), mine[0].source.amount_minor), ("paid", *amount), "creator {user}");
        let accounts = store.ledger().accounts_of(Owner::User(*user)).await.expect("accounts");
        assert!(accounts.iter().all(|a| a.balance() == 0), "creator {user}: {accounts:?}");
    }
    // The bank paid each payout exactly once, the amount Scout booked.
    let client = reqwest::Client::new();
    let settled: Vec<serde_json::Value> = client
        .get(format!("{bank_url}/v1/settlements"))
        .bearer_auth("sk_sandbox")
        .send()
        .await
        .expect("settlements")
        .json()
        .await
        .expect("json");
    assert_eq!(settled.len(), CREATORS, "one settlement per creator: {settled:?}");
    for p in payouts.iter().filter(|p| p.status == "paid") {
        let at_bank: Vec<&serde_json::Value> =
            settled.iter().filter(|s| s["reference"] == format!("payout:{}", p.id)).collect();
        assert_eq!(at_bank.len(), 1, "payout {} at the bank: {at_bank:?}", p.id);
        assert_eq!(at_bank[0]["amount_minor"], -p.amount.amount_minor, "payout {}", p.id);
    }
    let problems = store.ledger().verify().await.expect("verify");
    assert!(problems.is_empty(), "{problems:?}");
    // And as an operator would check it, from the command line.
    let verified = scout()
        .args(["--config", config.to_str().expect("path"), "ledger", "verify"])
        .stderr(Stdio::piped())
        .output()
        .expect("scout ledger verify");
    let said = String::from_utf8_lossy(&verified.stderr);
    assert!(verified.status.success() && said.contains("ledger verified"), "{said}");
    eprintln!("{kills} runs killed, {mid_payout} of them with payouts part-way; {CREATORS} creators paid once each");
}
