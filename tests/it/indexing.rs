use scout_app::pipeline;
use scout_tests::TestApp;
use serde_json::json;

#[tokio::test]
async fn indexer_resumes_from_its_recorded_sequence_and_reindex_rebuilds() {
    let app = TestApp::spawn().await;
    app.import_fixtures(500, 41).await;
    let state = &app.state;
    let seq = state.index().applied_seq().expect("seq");
    assert_eq!(seq, state.store().profiles().outbox_head().await.expect("head"));
    assert_eq!(
        state.index().raw_text().applied_seq().expect("text seq"),
        seq,
        "the sequence is stored in the tantivy commit"
    );
    assert_eq!(state.index().raw_vectors().applied_seq(), seq);

    // Catching up again applies nothing: the index knows where it is.
    assert_eq!(pipeline::catch_up(state.store(), state.index(), |_, _| {}).await.expect("catch up"), 0);

    // A rebuild from the database gives the same documents and results.
    let before = app.search(json!({"query": "travel creators in Spain", "limit": 10})).await;
    let n = pipeline::rebuild(state.store(), state.index(), |_| {}).await.expect("rebuild");
    assert_eq!(n, 500);
    assert_eq!(state.index().len(), 500);
    assert_eq!(state.index().raw_text().num_docs(), 500);
    assert_eq!(state.index().vector_count(None).expect("count"), 500);
    let after = app.search(json!({"query": "travel creators in Spain", "limit": 10})).await;
    let ids = |v: &serde_json::Value| {
        v["results"].as_array().expect("r").iter().map(|h| h["profile"]["id"].clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&before), ids(&after));
    app.cleanup().await;
}
