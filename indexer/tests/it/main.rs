//! The indexes on real tantivy and qdrant-edge folders.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use scout_domain::query::{AudienceConstraint, AudienceDimension};
use scout_domain::{Platform, Profile, SearchFilters, Sort, Tier};
use scout_indexer::{ProfileIndex, Space, TextQuery};
use scout_models::{StaticEncoder, TextEncoder};

fn encoder() -> Arc<dyn TextEncoder> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/static-minilm-256");
    Arc::new(StaticEncoder::load(&dir).expect("static encoder built by scripts/setup.sh"))
}

fn build(n: u64) -> (tempfile::TempDir, ProfileIndex, Vec<Profile>) {
    let dir = tempfile::tempdir().expect("tmp");
    let index = ProfileIndex::open(dir.path(), encoder(), 384).expect("open");
    let g = scout_fixtures::Generator::new(77);
    let profiles: Vec<Profile> = (0..n).map(|i| g.profile(i).0).collect();
    let pairs: Vec<(i64, &Profile)> = profiles.iter().enumerate().map(|(i, p)| (i as i64 + 1, p)).collect();
    index.stage(&pairs, &[]).expect("stage");
    index.commit(n as i64).expect("commit");
    (dir, index, profiles)
}

fn shared() -> &'static (tempfile::TempDir, ProfileIndex, Vec<Profile>) {
    static INDEX: std::sync::OnceLock<(tempfile::TempDir, ProfileIndex, Vec<Profile>)> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| build(600))
}

fn text_ids(index: &ProfileIndex, f: &SearchFilters) -> BTreeSet<i64> {
    let filter = f.to_filter();
    let hits = index
        .text_search(&TextQuery {
            text: "",
            filter: &filter,
            limit: 10_000,
            sort: Sort::FollowersDesc,
            facets: false,
            selective: false,
        })
        .expect("text search");
    hits.hits.into_iter().map(|h| h.0).collect()
}

fn vector_ids(index: &ProfileIndex, f: &SearchFilters) -> BTreeSet<i64> {
    let v = index.encoder().encode("creator").expect("encode");
    index
        .vector_search(Space::Static, &v, &f.to_filter(), 10_000)
        .expect("vector search")
        .into_iter()
        .map(|h| h.0)
        .collect()
}

/// Which profiles a filter should select, computed from the profiles directly.
fn expected(profiles: &[Profile], f: &SearchFilters) -> BTreeSet<i64> {
    profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let facts = scout_domain::ProfileFacts::of(p);
            (f.platforms.is_empty() || f.platforms.contains(&p.platform))
                && (f.countries.is_empty() || p.country.as_ref().is_some_and(|c| f.countries.contains(c)))
                && (f.regions.is_empty() || facts.region.as_ref().is_some_and(|r| f.regions.contains(r)))
                && (f.languages.is_empty() || p.languages.iter().flatten().any(|l| f.languages.contains(l)))
                && (f.tiers.is_empty() || f.tiers.contains(&Tier::of(p.followers)))
                && f.followers_min.is_none_or(|m| p.followers >= m)
                && f.followers_max.is_none_or(|m| p.followers <= m)
                && f.engagement_min.is_none_or(|m| facts.engagement_rate >= m)
                && f.audience_quality_min.is_none_or(|m| facts.audience_quality as f32 >= m as f32)
                && f.price.as_ref().is_none_or(|range| {
                    let usd = |x: u64| scout_domain::money::convert_minor(x, range.currency.as_str(), "USD");
                    p.rates.as_ref().and_then(|r| r.headline_usd_cents()).is_some_and(|cents| {
                        range.min.is_none_or(|m| usd(m).is_some_and(|m| cents >= m))
                            && range.max.is_none_or(|m| usd(m).is_some_and(|m| cents <= m))
                    })
                })
                && f.audience.iter().all(|a| {
                    let map = match a.dimension {
                        AudienceDimension::Country => p.audience.as_ref().and_then(|x| x.countries.as_ref()),
                        AudienceDimension::Gender => p.audience.as_ref().and_then(|x| x.gender.as_ref()),
                        AudienceDimension::Age => p.audience.as_ref().and_then(|x| x.age.as_ref()),
                    };
                    // Shares are matched in 5-point steps, rounding the request up.
                    let step = ((a.min_share * 100.0 - 1e-9) / 5.0).ceil() * 5.0;
                    map.and_then(|m| m.get(&a.value)).is_some_and(|s| (s * 100.0 + 1e-6).floor() >= step)
                })
        })
        .map(|(i, _)| i as i64 + 1)
        .collect()
}

fn filters() -> impl Strategy<Value = SearchFilters> {
    let platform = prop::sample::subsequence(vec![Platform::Instagram, Platform::Tiktok, Platform::Youtube], 0..=2);
    let country = prop::sample::subsequence(vec!["US", "DE", "GB", "BR", "IN", "FR"], 0..=2);
    let language = prop::sample::subsequence(vec!["en", "de", "es", "pt"], 0..=2);
    let tier = prop::sample::subsequence(vec![Tier::Nano, Tier::Micro, Tier::Mid], 0..=2);
    let fmin = prop::option::of(prop::sample::select(vec![1_000u64, 5_000, 20_000]));
    let fmax = prop::option::of(prop::sample::select(vec![50_000u64, 200_000]));
    let er = prop::option::of(prop::sample::select(vec![0.01f64, 0.03, 0.05]));
    let aud =
        prop::option::of((prop::sample::select(vec!["US", "DE", "GB"]), prop::sample::select(vec![0.1f64, 0.22, 0.4])));
    let price = prop::option::of((
        prop::sample::select(vec!["USD", "EUR", "JPY"]),
        prop::option::of(prop::sample::select(vec![2_000u64, 10_000])),
        prop::sample::select(vec![50_000u64, 400_000]),
    ));
    let quality = prop::option::of(prop::sample::select(vec![0.5f64, 0.8, 0.93]));
    // Regions of the generator's cities (Berlin, Munich, Austin, …) and one no profile is in.
    let region = prop::sample::subsequence(
        vec!["DE:Bavaria", "US:California", "US:Texas", "GB:England", "MN:Ulaanbaatar"],
        0..=2,
    );
    let live = (price, quality, region);
    (platform, country, language, tier, fmin, fmax, er, aud, live).prop_map(
        |(p, c, l, t, fmin, fmax, er, aud, live)| {
            let (price, quality, region) = live;
            SearchFilters {
                regions: region.into_iter().map(String::from).collect(),
                price: price.map(|(currency, min, max)| scout_domain::query::PriceRange {
                    currency: scout_domain::money::Currency::parse(currency).expect("currency"),
                    min,
                    max: Some(max),
                }),
                audience_quality_min: quality,
                platforms: p,
                countries: c.into_iter().map(String::from).collect(),
                languages: l.into_iter().map(String::from).collect(),
                tiers: t,
                followers_min: fmin,
                followers_max: fmax,
                engagement_min: er,
                audience: aud
                    .map(|(v, s)| {
                        vec![AudienceConstraint {
                            dimension: AudienceDimension::Country,
                            value: v.into(),
                            min_share: s,
                        }]
                    })
                    .unwrap_or_default(),
                ..Default::default()
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// A filter compiled for tantivy and for Qdrant selects the same profiles,
    /// and exactly those the filter's definition selects.
    #[test]
    fn both_indexes_select_what_the_filter_means(f in filters()) {
        let (_, index, profiles) = shared();
        let want = expected(profiles, &f);
        prop_assert_eq!(&text_ids(index, &f), &want);
        prop_assert_eq!(&vector_ids(index, &f), &want);
    }
}

#[test]
fn facets_count_the_filtered_set() {
    let (_, index, profiles) = shared();
    let f = SearchFilters { countries: vec!["US".into()], ..Default::default() };
    let filter = f.to_filter();
    let hits = index
        .raw_text()
        .search(&TextQuery {
            text: "",
            filter: &filter,
            limit: 5,
            sort: Sort::Relevance,
            facets: true,
            selective: false,
        })
        .expect("search");
    let us = profiles.iter().filter(|p| p.country.as_deref() == Some("US")).count();
    assert_eq!(hits.total, us);
    assert_eq!(hits.facets["country"], vec![("US".to_string(), us as u64)]);
    let platforms: u64 = hits.facets["platform"].iter().map(|x| x.1).sum();
    assert_eq!(platforms, us as u64);
}

#[test]
fn selective_text_queries_leave_common_terms_to_scoring() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = ProfileIndex::open(dir.path(), encoder(), 384).expect("open");
    let g = scout_fixtures::Generator::new(5);
    // Every profile says "qqeverywhere", half say "qqhalf", profile 7 alone says "qqrare".
    let profiles: Vec<Profile> = (0..200u64)
        .map(|i| {
            let mut p = g.profile(i).0;
            let mut bio = String::from("qqeverywhere");
            if i % 2 == 0 {
                bio.push_str(" qqhalf");
            }
            if i == 7 {
                bio.push_str(" qqrare");
            }
            p.bio = Some(bio);
            p
        })
        .collect();
    let pairs: Vec<(i64, &Profile)> = profiles.iter().enumerate().map(|(i, p)| (i as i64 + 1, p)).collect();
    index.stage(&pairs, &[]).expect("stage");
    index.commit(1).expect("commit");
    let empty = scout_domain::Filter::default();
    let search = |text: &str, selective: bool| {
        index
            .raw_text()
            .search(&TextQuery { text, filter: &empty, limit: 300, sort: Sort::Relevance, facets: true, selective })
            .expect("search")
    };
    // Classic BM25: any term admits a profile.
    assert_eq!(search("qqeverywhere qqrare", false).total, 200);
    // Selective: the rare term decides, the common one still scores.
    let rare = search("qqeverywhere qqrare", true);
    assert_eq!(rare.total, 1);
    assert_eq!(rare.hits.len(), 1);
    assert_eq!(rare.hits[0].0, 8);
    let classic_top = search("qqeverywhere qqrare", false).hits[0];
    assert_eq!(classic_top.0, 8);
    assert!((classic_top.1 - rare.hits[0].1).abs() < 1e-4, "same BM25 score either way");
    assert_eq!(rare.facets["platform"].iter().map(|x| x.1).sum::<u64>(), 1, "facets count the admitted set");
    // Only common terms: every one of them is required.
    assert_eq!(search("qqeverywhere qqhalf", true).total, 100);
    assert_eq!(search("qqeverywhere qqhalf", false).total, 200);
    assert_eq!(search("qqeverywhere", true).total, 200);
    // A term no document has changes nothing.
    assert_eq!(search("qqeverywhere qqnowhere", true).total, 200);
    assert_eq!(search("qqnowhere", true).total, 0);
}

#[test]
fn stemming_and_folding_match_word_forms() {
    let (_, index, _) = shared();
    let empty = scout_domain::Filter::default();
    for (a, b) in [("workouts", "workout"), ("Fotografía", "fotografia")] {
        let x = index
            .raw_text()
            .search(&TextQuery {
                text: a,
                filter: &empty,
                limit: 50,
                sort: Sort::Relevance,
                facets: false,
                selective: false,
            })
            .expect("search");
        let y = index
            .raw_text()
            .search(&TextQuery {
                text: b,
                filter: &empty,
                limit: 50,
                sort: Sort::Relevance,
                facets: false,
                selective: false,
            })
            .expect("search");
        assert_eq!(x.total, y.total, "{a} vs {b}");
    }
}

#[test]
fn commits_record_the_sequence_and_reopen_with_features() {
    let (dir, index, _) = build(50);
    assert_eq!(index.applied_seq().expect("seq"), 50);
    drop(index);
    let reopened = ProfileIndex::open(dir.path(), encoder(), 384).expect("reopen");
    assert_eq!(reopened.applied_seq().expect("seq"), 50);
    assert_eq!(reopened.len(), 50, "feature table rebuilt from the text index");
    assert_eq!(reopened.vector_count(None).expect("count"), 50);
    // Deletes reach both indexes.
    reopened.stage(&[], &[1, 2]).expect("stage");
    reopened.commit(51).expect("commit");
    assert_eq!(reopened.raw_text().num_docs(), 48);
    assert_eq!(reopened.vector_count(None).expect("count"), 48);
    assert!(reopened.features(1).is_none());
    // The live scores come back with the features, and forget deleted profiles.
    let quality = |index: &ProfileIndex, min: f64| {
        let f = SearchFilters { audience_quality_min: Some(min), ..Default::default() };
        text_ids(index, &f)
    };
    let all = quality(&reopened, 0.0);
    assert_eq!(all.len(), 48);
    assert!(!all.contains(&1) && !all.contains(&2));
}

#[test]
fn a_bulk_load_keeps_no_feature_table_and_the_next_open_reads_it_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = ProfileIndex::open(dir.path(), encoder(), 384).expect("open");
    index.for_bulk_load();
    let g = scout_fixtures::Generator::new(78);
    let profiles: Vec<Profile> = (0..40).map(|i| g.profile(i).0).collect();
    let pairs: Vec<(i64, &Profile)> = profiles.iter().enumerate().map(|(i, p)| (i as i64 + 1, p)).collect();
    index.stage(&pairs, &[]).expect("stage");
    index.commit(40).expect("commit");
    assert!(index.features(1).is_none() && index.is_empty(), "no table while bulk loading");
    // Both indexes and the live scores are written as always.
    assert_eq!(index.raw_text().num_docs(), 40);
    assert_eq!(index.vector_count(None).expect("count"), 40);
    let f = SearchFilters { audience_quality_min: Some(0.0), ..Default::default() };
    assert_eq!(text_ids(&index, &f).len(), 40);
    drop(index);
    let reopened = ProfileIndex::open(dir.path(), encoder(), 384).expect("reopen");
    assert_eq!(reopened.len(), 40, "the service reads the features from the text index");
    let stored = reopened.features(7).expect("features of profile 7");
    assert_eq!(stored.followers, profiles[6].followers);
}

#[test]
fn a_folder_of_another_layout_is_dropped_and_reported() {
    let (dir, index, _) = build(20);
    assert!(index.reset_reason().is_none());
    drop(index);
    let again = ProfileIndex::open(dir.path(), encoder(), 384).expect("reopen");
    assert!(again.reset_reason().is_none(), "same layout: kept");
    assert_eq!(again.len(), 20);
    drop(again);
    std::fs::write(dir.path().join("layout"), "1").expect("write layout");
    let reset = ProfileIndex::open(dir.path(), encoder(), 384).expect("reopen");
    let reason = reset.reset_reason().expect("dropped");
    assert!(reason.contains("layout 1") && reason.contains(&scout_indexer::LAYOUT.to_string()), "{reason}");
    assert_eq!((reset.len(), reset.applied_seq().expect("seq")), (0, 0), "rebuilt from the outbox's start");
    assert_eq!(reset.vector_count(None).expect("count"), 0);
    drop(reset);
    let kept = ProfileIndex::open(dir.path(), encoder(), 384).expect("reopen");
    assert!(kept.reset_reason().is_none(), "the new layout is recorded");
}

#[test]
fn a_new_quality_model_moves_the_quality_filter_at_once() {
    let (_dir, index, profiles) = build(300);
    let floor = SearchFilters { audience_quality_min: Some(0.9), ..Default::default() };
    let by_rules = text_ids(&index, &floor);
    assert_eq!(by_rules, expected(&profiles, &floor));
    // The shipped model scores differently from the rules.
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models");
    let (model, refused) = scout_models::artifact::load_newest::<scout_models::QualityModel>(&models);
    let model = model.unwrap_or_else(|| panic!("the shipped audience-quality model loads: {refused:?}"));
    assert!(index.set_quality_model(Some(Arc::new(model))) > 0);
    let by_model = text_ids(&index, &floor);
    let want: BTreeSet<i64> =
        (1..=300).filter(|id| index.features(*id).is_some_and(|f| f.audience_quality >= 0.9)).collect();
    assert_eq!(by_model, want, "the text side reads the new scores");
    assert_ne!(by_model, by_rules, "the model changed who passes");
    assert_eq!(vector_ids(&index, &floor), want, "and so does the vector side");
}

#[test]
fn minilm_vectors_are_added_and_listed_most_followed_first() {
    let (_dir, index, profiles) = build(40);
    let missing = index.missing_vectors(Space::MiniLm, 5).expect("missing");
    assert_eq!(missing.len(), 5);
    let followers: Vec<u64> = missing.iter().map(|id| profiles[(*id - 1) as usize].followers).collect();
    assert!(followers.windows(2).all(|w| w[0] >= w[1]), "{followers:?}");
    let max = profiles.iter().map(|p| p.followers).max().unwrap_or(0);
    assert_eq!(followers[0], max);
    let vecs: Vec<(i64, Vec<f32>)> = missing.iter().map(|id| (*id, vec![0.05; 384])).collect();
    index.set_vectors(Space::MiniLm, &vecs).expect("set");
    assert_eq!(index.vector_count(Some(Space::MiniLm)).expect("count"), 5);
    assert!(!index.missing_vectors(Space::MiniLm, 100).expect("missing").contains(&missing[0]));
    assert!(index.set_vectors(Space::MiniLm, &[(1, vec![0.0; 3])]).is_err(), "wrong dimensions are refused");
}

#[test]
fn scoring_by_id_agrees_with_the_nearest_neighbour_search() {
    let (_, index, _) = shared();
    let v = index.encoder().encode("vegan recipes and plant based cooking").expect("encode");
    let nearest =
        index.raw_vectors().search(Space::Static, &v, &scout_domain::Filter::default(), 30).expect("vector search");
    assert_eq!(nearest.len(), 30);
    let ids: Vec<i64> = nearest.iter().map(|h| h.0).chain([999_999]).collect();
    let scored: std::collections::HashMap<i64, f32> =
        index.raw_vectors().score(Space::Static, &v, &ids).expect("score").into_iter().collect();
    assert_eq!(scored.len(), 30, "unknown ids are left out");
    for (id, cosine) in nearest {
        // The search ranks on int8 codes and rescores on the f16 originals;
        // scoring by id reads the same f16 originals.
        assert!((scored[&id] - cosine).abs() < 1e-3, "{id}: {} vs {cosine}", scored[&id]);
    }
}

/// Enables the exact-search table and waits until it is filled.
fn enable_exact_search(index: &ProfileIndex) {
    index.enable_exact_search().expect("enable exact search");
    let started = std::time::Instant::now();
    while index.exact_state() != scout_indexer::ExactState::Ready {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the table never filled");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// An index that keeps static vectors in memory for exact filtered search,
/// as `scout serve` does.
fn exact_shared() -> &'static (tempfile::TempDir, ProfileIndex, Vec<Profile>) {
    static INDEX: std::sync::OnceLock<(tempfile::TempDir, ProfileIndex, Vec<Profile>)> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let built = build(600);
        enable_exact_search(&built.1);
        built
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 25, ..ProptestConfig::default() })]

    /// Under a selective filter the static-vector search scores the filter's
    /// matches exactly: it selects what the filter means, and its order is
    /// the vector index's own cosine order of those matches.
    #[test]
    fn exact_filtered_search_selects_the_filter_and_ranks_by_cosine(f in filters()) {
        let (_, index, profiles) = exact_shared();
        let want = expected(profiles, &f);
        prop_assert_eq!(&vector_ids(index, &f), &want);
        let v = index.encoder().encode("home workouts and healthy recipes").expect("encode");
        let top = index.vector_search(Space::Static, &v, &f.to_filter(), 10).expect("vector search");
        let ids: Vec<i64> = want.iter().copied().collect();
        let mut truth = index.raw_vectors().score(Space::Static, &v, &ids).expect("score");
        truth.sort_by(|a, b| b.1.total_cmp(&a.1));
        prop_assert_eq!(top.len(), truth.len().min(10));
        for (i, (id, cosine)) in top.iter().enumerate() {
            // int8 codes against f16 originals: equal to about 1e-3, so
            // neighbours that close may swap places, nothing more.
            prop_assert!((cosine - truth[i].1).abs() < 3e-3, "rank {}: {} {} vs {:?}", i, id, cosine, truth[i]);
        }
    }
}

#[test]
fn the_exact_table_follows_writes_and_deletes() {
    let (_dir, index, profiles) = build(50);
    enable_exact_search(&index);
    let country = profiles[0].country.clone().expect("fixture profiles have a country");
    let f = SearchFilters { countries: vec![country], ..Default::default() };
    let before = vector_ids(&index, &f);
    assert!(before.contains(&1));
    // Profile 1 is deleted; profile 51 is written with profile 1's country.
    index.stage(&[(51, &profiles[0])], &[1]).expect("stage");
    index.commit(51).expect("commit");
    let after = vector_ids(&index, &f);
    assert!(!after.contains(&1) && after.contains(&51), "{after:?}");
    let v = index.encoder().encode("creator").expect("encode");
    let exact = index.vector_scores(Space::Static, &v, &[51, 1]).expect("scores");
    let stored = index.raw_vectors().score(Space::Static, &v, &[51]).expect("score");
    assert_eq!(exact.len(), 1, "the deleted profile has no vector: {exact:?}");
    assert!((exact[0].1 - stored[0].1).abs() < 3e-3);
}
