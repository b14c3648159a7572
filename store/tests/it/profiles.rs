use scout_fixtures::Generator;
use scout_store::{OutboxOp, Store};

use crate::both_backends;

fn sample(n: u64) -> Vec<scout_domain::Profile> {
    let g = Generator::new(11);
    (0..n).map(|i| g.profile(i).0).collect()
}

both_backends!(upsert_inserts_then_leaves_unchanged_alone, |store: Store| async move {
    let profiles = sample(50);
    let first = store.profiles().upsert_profiles(&profiles).await.expect("first import");
    assert_eq!((first.inserted, first.updated, first.unchanged), (50, 0, 0));
    let head = store.profiles().outbox_head().await.expect("head");
    assert_eq!(store.profiles().outbox_after(0, 1000).await.expect("outbox").len(), 50);

    let again = store.profiles().upsert_profiles(&profiles).await.expect("re-import");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 50));
    assert_eq!(
        store.profiles().outbox_head().await.expect("head"),
        head,
        "unchanged records must not reach the outbox"
    );
    assert_eq!(store.profiles().count_profiles().await.expect("count"), 50);
});

both_backends!(update_by_natural_key_bumps_version_and_outbox, |store: Store| async move {
    let mut profiles = sample(5);
    store.profiles().upsert_profiles(&profiles).await.expect("import");
    profiles[2].followers += 1;
    profiles[2].bio = Some("changed bio".into());
    let s = store.profiles().upsert_profiles(&profiles).await.expect("update");
    assert_eq!((s.inserted, s.updated, s.unchanged), (0, 1, 4));
    let id = s.changed_ids[0];
    let stored = store.profiles().get_profile(id).await.expect("get");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.profile, profiles[2]);
    let tail = store.profiles().outbox_after(5, 10).await.expect("outbox");
    assert_eq!(tail.len(), 1);
    assert_eq!((tail[0].profile_id, tail[0].op), (id, OutboxOp::Upsert));
});

both_backends!(stored_profiles_round_trip_exactly, |store: Store| async move {
    let profiles = sample(30);
    store.profiles().upsert_profiles(&profiles).await.expect("import");
    let back = store.profiles().profiles_after(0, 100).await.expect("page");
    let back: Vec<_> = back.into_iter().map(|s| s.profile).collect();
    assert_eq!(back, profiles);
});

both_backends!(pages_walk_every_profile_once_in_id_order, |store: Store| async move {
    let profiles = sample(23);
    store.profiles().upsert_profiles(&profiles).await.expect("import");
    let handle = store.profiles();
    let mut pages = handle.pages(5);
    let (mut sizes, mut seen) = (Vec::new(), Vec::new());
    while let Some(page) = pages.next_page().await.expect("page") {
        sizes.push(page.len());
        seen.extend(page);
    }
    assert_eq!(sizes, vec![5, 5, 5, 5, 3], "full pages, then the rest, then the end");
    assert!(seen.windows(2).all(|w| w[0].id < w[1].id), "ascending ids, none twice");
    assert_eq!(seen.into_iter().map(|s| s.profile).collect::<Vec<_>>(), profiles);
    assert!(pages.next_page().await.expect("after the end").is_none(), "the end stays the end");
});

both_backends!(get_profiles_keeps_order_and_skips_missing, |store: Store| async move {
    let s = store.profiles().upsert_profiles(&sample(3)).await.expect("import");
    let ids = &s.changed_ids;
    let got = store.profiles().get_profiles(&[ids[2], 999_999, ids[0]]).await.expect("get");
    assert_eq!(got.iter().map(|p| p.id).collect::<Vec<_>>(), vec![ids[2], ids[0]]);
    assert!(matches!(store.profiles().get_profile(999_999).await, Err(scout_store::Error::NotFound { .. })));
});

both_backends!(profile_json_is_the_stored_profile_with_its_id, |store: Store| async move {
    let profiles = sample(3);
    let s = store.profiles().upsert_profiles(&profiles).await.expect("import");
    let ids = &s.changed_ids;
    let got = store.profiles().profile_json(&[ids[1], 999_999, ids[0]]).await.expect("json");
    assert_eq!(got.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![ids[1], ids[0]]);
    for ((id, raw), want) in got.iter().zip([&profiles[1], &profiles[0]]) {
        let mut value: serde_json::Value = serde_json::from_str(raw.get()).expect("valid JSON");
        let obj = value.as_object_mut().expect("an object");
        assert_eq!(obj.remove("id"), Some(serde_json::json!(id)), "the id comes with the profile");
        let back: scout_domain::Profile = serde_json::from_value(value).expect("the profile fields");
        assert_eq!(&back, want);
    }
});

both_backends!(delete_appends_a_delete_entry, |store: Store| async move {
    let s = store.profiles().upsert_profiles(&sample(2)).await.expect("import");
    assert!(store.profiles().delete_profile(s.changed_ids[0]).await.expect("delete"));
    assert!(!store.profiles().delete_profile(s.changed_ids[0]).await.expect("second delete"));
    let tail = store.profiles().outbox_after(2, 10).await.expect("outbox");
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].op, OutboxOp::Delete);
    assert_eq!(store.profiles().count_profiles().await.expect("count"), 1);
});

both_backends!(find_by_natural_key, |store: Store| async move {
    let p = sample(1);
    store.profiles().upsert_profiles(&p).await.expect("import");
    let id = store.profiles().find_id(p[0].platform.as_str(), &p[0].external_id).await.expect("find");
    assert!(id.is_some());
    assert_eq!(store.profiles().find_id("x", "nope").await.expect("find"), None);
});

both_backends!(sentiment_is_kept_per_profile_version_and_scorer, |store: Store| async move {
    let mut profiles = sample(3);
    let s = store.profiles().upsert_profiles(&profiles).await.expect("import");
    let followers: Vec<u64> = profiles.iter().map(|p| p.followers).collect();
    let most = followers.iter().enumerate().max_by_key(|(_, f)| **f).map(|(i, _)| s.changed_ids[i]).expect("one");
    // Nothing scored yet: every profile waits, most-followed first.
    let waiting = store.profiles().without_sentiment("lexicon", 10).await.expect("queue");
    assert_eq!((waiting.len(), waiting[0]), (3, most));
    let row = |version, scorer: &str| scout_store::StoredSentiment {
        profile_version: version,
        scorer: scorer.into(),
        summary: format!("{{\"v\":{version}}}"),
    };
    assert!(store.profiles().put_sentiment(most, &row(1, "lexicon")).await.expect("put"));
    assert_eq!(store.profiles().sentiment(most).await.expect("get"), Some(row(1, "lexicon")));
    assert_eq!(store.profiles().without_sentiment("lexicon", 10).await.expect("queue").len(), 2);
    assert_eq!(store.profiles().without_sentiment("model v2", 10).await.expect("queue").len(), 3, "another scorer");
    // A summary of a version the profile has moved past is refused.
    assert!(!store.profiles().put_sentiment(most, &row(7, "lexicon")).await.expect("stale put"));
    let i = s.changed_ids.iter().position(|id| *id == most).expect("index");
    profiles[i].bio = Some("a new bio".into());
    store.profiles().upsert_profiles(&profiles).await.expect("update");
    assert!(
        store.profiles().without_sentiment("lexicon", 10).await.expect("queue").contains(&most),
        "stale after an update"
    );
    assert!(store.profiles().put_sentiment(most, &row(2, "lexicon")).await.expect("put v2"));
    assert_eq!(store.profiles().sentiment(most).await.expect("get").map(|r| r.profile_version), Some(2));
    // Deleting the profile deletes its summary.
    assert!(store.profiles().delete_profile(most).await.expect("delete"));
    assert_eq!(store.profiles().sentiment(most).await.expect("get"), None);
});
