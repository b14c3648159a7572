//! Datasets: profiles (from a fixture file or a database) joined with their
//! labels, turned into feature rows with a deterministic split.
//!
//! The split of a row depends only on the seed and the profile's key (BLAKE3
//! of both): the same profile lands in the same split in every export, so a
//! model's held-out rows stay held out when the data grows.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use scout_domain::Profile;
use scout_fixtures::Labels;
use scout_models::quality::{self, Row};
use serde::{Deserialize, Serialize};

/// Where a row is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Calibration,
    Test,
}

impl Split {
    /// 80 % train, 10 % calibration, 10 % test.
    pub fn of(seed: u64, key: &str) -> Split {
        let mut h = blake3::Hasher::new();
        h.update(&seed.to_le_bytes());
        h.update(key.as_bytes());
        let bucket = h.finalize().as_bytes()[0] as u32 * 100 / 256;
        match bucket {
            0..80 => Split::Train,
            80..90 => Split::Calibration,
            _ => Split::Test,
        }
    }

    pub fn parse(s: &str) -> anyhow::Result<Split> {
        Ok(match s {
            "train" => Split::Train,
            "calibration" => Split::Calibration,
            "test" => Split::Test,
            other => anyhow::bail!("unknown split `{other}`"),
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Calibration => "calibration",
            Split::Test => "test",
        }
    }
}

/// One labelled row of the audience-quality dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityRow {
    pub key: String,
    pub split: Split,
    pub bought: bool,
    pub features: Row,
}

/// Reads a labels file (`FILE.labels.jsonl` from `scout fixtures`) into a map by key.
pub fn read_labels(path: &Path) -> anyhow::Result<HashMap<String, Labels>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening labels {}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Labels = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not a labels line", path.display(), i + 1))?;
        out.insert(l.key.clone(), l);
    }
    Ok(out)
}

/// The rows of profiles that have labels. With `gaps` > 0, every train and
/// calibration profile also yields that many copies with fields taken away
/// ([`crate::gaps`]); test rows stay as given.
pub fn quality_rows(profiles: &[Profile], labels: &HashMap<String, Labels>, seed: u64, gaps: u64) -> Vec<QualityRow> {
    profiles
        .par_iter()
        .flat_map_iter(|p| {
            let key = format!("{}:{}", p.platform.as_str(), p.external_id);
            let Some(label) = labels.get(&key) else { return Vec::new() };
            let split = Split::of(seed, &key);
            let copies = if split == Split::Test { 0 } else { gaps };
            let row = |features| QualityRow { key: key.clone(), split, bought: label.bought_followers, features };
            let mut rows = vec![row(quality::features(p))];
            rows.extend((0..copies).map(|draw| row(quality::features(&crate::gaps::with_gaps(p, seed, draw)))));
            rows
        })
        .collect()
}

/// Reads profiles from a JSON Lines file in chunks, calling `each` per chunk.
pub fn read_profile_file(path: &Path, mut each: impl FnMut(Vec<Profile>) -> anyhow::Result<()>) -> anyhow::Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader = std::io::BufReader::with_capacity(1 << 22, file);
    let mut lines = Vec::with_capacity(20_000);
    let mut count = 0;
    let mut flush = |lines: &mut Vec<String>| -> anyhow::Result<()> {
        let parsed: Vec<Profile> = lines.par_iter().filter_map(|l| Profile::parse(l).ok().map(|p| p.profile)).collect();
        lines.clear();
        each(parsed)
    };
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        lines.push(line);
        count += 1;
        if lines.len() == 20_000 {
            flush(&mut lines)?;
        }
    }
    flush(&mut lines)?;
    Ok(count)
}

/// Reads every profile of a database, in pages.
pub async fn read_profile_db(
    url: &str,
    mut each: impl FnMut(Vec<Profile>) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let store = scout_store::Store::connect(url).await.context("opening the database")?;
    let mut count = 0;
    let profiles = store.profiles();
    let mut pages = profiles.pages(5_000);
    while let Some(page) = pages.next_page().await? {
        count += page.len() as u64;
        each(page.into_iter().map(|s| s.profile).collect())?;
    }
    Ok(count)
}

/// Writes rows as CSV: `key,split,label,<features…>` (NaN as empty).
pub fn write_csv<W: Write>(rows: &[QualityRow], out: W) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["key", "split", "bought_followers"];
    header.extend(quality::FEATURES);
    w.write_record(&header)?;
    for r in rows {
        let mut rec = vec![r.key.clone(), r.split.as_str().to_string(), u8::from(r.bought).to_string()];
        rec.extend(r.features.iter().map(|x| if x.is_nan() { String::new() } else { format!("{x}") }));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// Reads rows written by [`write_csv`]; refuses a file whose columns differ.
pub fn read_csv(path: &Path) -> anyhow::Result<Vec<QualityRow>> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut expected = vec!["key".to_string(), "split".into(), "bought_followers".into()];
    expected.extend(quality::FEATURES.iter().map(|s| s.to_string()));
    anyhow::ensure!(header == expected, "{}: columns {header:?}, expected {expected:?}", path.display());
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec?;
        let split = Split::parse(&rec[1]).with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let mut features = [f64::NAN; quality::FEATURES.len()];
        for (j, f) in features.iter_mut().enumerate() {
            let cell = &rec[3 + j];
            if !cell.is_empty() {
                *f = cell.parse().with_context(|| format!("{} row {}: `{cell}`", path.display(), i + 2))?;
            }
        }
        rows.push(QualityRow { key: rec[0].to_string(), split, bought: &rec[2] == "1", features });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_stable_and_near_their_shares() {
        let mut counts = HashMap::new();
        for i in 0..20_000 {
            let key = format!("instagram:{i}");
            assert_eq!(Split::of(7, &key), Split::of(7, &key));
            *counts.entry(Split::of(7, &key)).or_insert(0) += 1;
        }
        let share = |s| counts[&s] as f64 / 20_000.0;
        assert!((share(Split::Train) - 0.8).abs() < 0.02, "{counts:?}");
        assert!((share(Split::Test) - 0.1).abs() < 0.02, "{counts:?}");
        assert_ne!(
            (0..100).map(|i| Split::of(1, &i.to_string())).collect::<Vec<_>>(),
            (0..100).map(|i| Split::of(2, &i.to_string())).collect::<Vec<_>>(),
            "the seed changes the split"
        );
    }

    #[test]
    fn csv_round_trips_with_missing_values() {
        let mut features = [0.5; quality::FEATURES.len()];
        features[3] = f64::NAN;
        let rows = vec![QualityRow { key: "x:1".into(), split: Split::Test, bought: true, features }];
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("q.csv");
        write_csv(&rows, std::fs::File::create(&path).expect("create")).expect("write");
        let back = read_csv(&path).expect("read");
        assert_eq!(back.len(), 1);
        assert!(back[0].features[3].is_nan() && back[0].features[0] == 0.5 && back[0].bought);
    }
}
