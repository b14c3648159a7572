//! `scout-benches`: benchmarks that print figures. They are binaries, run by
//! hand on a built data set (see `benches/README.md`), never by the test suite.

// Linked for its global allocator (mimalloc), so the benchmarks allocate as `scout` does.
use scout_api as _;
use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Normalised discounted cumulative gain at `k` (Järvelin & Kekäläinen, 2002),
/// with gain `2^grade - 1` and discount `log2(rank + 1)`.
pub fn ndcg_at(k: usize, ranked: &[String], judgments: &BTreeMap<String, u8>) -> f64 {
    let gain = |g: u8| (2f64.powi(g as i32)) - 1.0;
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, key)| gain(*judgments.get(key).unwrap_or(&0)) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u8> = judgments.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(k).enumerate().map(|(i, g)| gain(*g) / ((i + 2) as f64).log2()).sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// `platform:external_id` keys of stored profiles, in the order of `ids`
/// (the keys the labelled query set judges).
pub async fn keys(store: &scout_store::Store, ids: &[i64]) -> anyhow::Result<Vec<String>> {
    let stored = store.profiles().get_profiles(ids).await?;
    Ok(stored.iter().map(|s| format!("{}:{}", s.profile.platform.as_str(), s.profile.external_id)).collect())
}

/// Latency recorder printing p50/p99 in milliseconds.
#[derive(Debug)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    fn default() -> Self {
        Latencies(
            Histogram::new_with_bounds(1, 600_000_000, 3)
                .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable!())),
        )
    }
}

impl Latencies {
    pub fn record(&mut self, d: Duration) {
        let _ = self.0.record((d.as_micros() as u64).max(1));
    }

    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / 1000.0
    }

    /// Adds another recorder's samples.
    pub fn add(&mut self, other: &Latencies) {
        let _ = self.0.add(&other.0);
    }

    pub fn count(&self) -> u64 {
        self.0.len()
    }

    pub fn summary(&self) -> String {
        format!(
            "n={} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
            self.count(),
            self.quantile_ms(0.5),
            self.quantile_ms(0.9),
            self.quantile_ms(0.99),
            self.0.max() as f64 / 1000.0
        )
    }
}

/// Opens a built data folder as `scout serve` would, with no demo data and
/// no background enrichment (a benchmark measures what is there), and
/// prepares its index as `serve` does ([`prepare_like_serve`]). `tune`
/// changes the settings first. Returns the application and the seconds the
/// exact-search table took to fill.
pub async fn open_like_serve(
    data_dir: &std::path::Path,
    minilm_dir: Option<&std::path::Path>,
    tune: impl FnOnce(&mut scout_app::Settings),
) -> anyhow::Result<(scout_app::Application, f64)> {
    let mut settings = scout_app::Settings {
        data_dir: data_dir.to_path_buf(),
        demo_profiles: 0,
        enrich: false,
        minilm_dir: minilm_dir.map(std::path::Path::to_path_buf),
        ..scout_app::Settings::default()
    };
    tune(&mut settings);
    let app = scout_app::Application::build(settings).await?;
    let filled = prepare_like_serve(app.index())?;
    Ok((app, filled))
}

/// Prepares an index the way `scout serve` does before it answers: the
/// exact-search table is enabled and filled (waits for it, up to 10 minutes).
/// Returns the seconds the fill took.
pub fn prepare_like_serve(index: &scout_indexer::ProfileIndex) -> anyhow::Result<f64> {
    let filling = std::time::Instant::now();
    index.enable_exact_search()?;
    while index.exact_state() != scout_indexer::ExactState::Ready {
        anyhow::ensure!(filling.elapsed().as_secs() < 600, "the exact-search table did not fill");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(filling.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_is_one_for_the_ideal_order_and_less_otherwise() {
        let j: BTreeMap<String, u8> =
            [("a", 3), ("b", 2), ("c", 1)].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let ideal = vec!["a".to_string(), "b".into(), "c".into()];
        assert!((ndcg_at(10, &ideal, &j) - 1.0).abs() < 1e-12);
        let worse = vec!["c".to_string(), "x".into(), "a".into()];
        let n = ndcg_at(10, &worse, &j);
        assert!(n > 0.0 && n < 1.0);
        assert_eq!(ndcg_at(10, &["x".to_string()], &j), 0.0);
    }
}
