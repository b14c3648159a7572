use scout_tests::TestApp;
use serde_json::{Value, json};

fn fixture_lines(n: u64, seed: u64) -> Vec<String> {
    let g = scout_fixtures::Generator::new(seed);
    (0..n).map(|i| serde_json::to_string(&g.profile(i).0).expect("json")).collect()
}

#[tokio::test]
async fn import_reports_bad_lines_and_keeps_good_ones() {
    let app = TestApp::spawn().await;
    let good = fixture_lines(5, 21);
    let mut body: Vec<u8> = Vec::new();
    body.extend(format!("{}\n", good[0]).bytes()); // line 1 ok
    body.extend(b"{not json}\n"); // line 2
    body.extend(format!("{}\n", good[1]).bytes()); // line 3 ok
    body.extend(b"{\"platform\":\"instagram\",\"external_id\":\"x\",\"handle\":\"h\",\"followers\":\"many\"}\n"); // line 4 wrong type
    body.extend(b"\n"); // line 5 blank, skipped
    body.extend(b"{\"platform\":\"x\",\"external_id\":\"\xff\xfe\",\"handle\":\"h\",\"followers\":1}\n"); // line 6 invalid UTF-8
    body.extend(format!("{}\n", good[2]).bytes()); // line 7 ok
    body.extend(b"{\"platform\":\"x\",\"external_id\":\"y\",\"handle\":\"h\",\"followers\":-1}\n"); // line 8 negative
    body.extend(good[3][..good[3].len() / 2].bytes()); // line 9 truncated, no newline
    let report = app.import_raw(body).await;
    assert_eq!(report["inserted"], 3, "{report}");
    assert_eq!(report["rejected"], 5, "{report}");
    let lines: Vec<u64> =
        report["rejects"].as_array().expect("rejects").iter().map(|r| r["line"].as_u64().unwrap_or(0)).collect();
    assert_eq!(lines, vec![2, 4, 6, 8, 9]);
    assert!(report["rejects"][2]["reason"].as_str().unwrap_or("").contains("UTF-8"));
    app.wait_indexed().await;
    assert_eq!(app.state.index().len(), 3);
    app.cleanup().await;
}

#[tokio::test]
async fn reimporting_the_same_file_changes_and_reindexes_nothing() {
    let app = TestApp::spawn().await;
    let body = fixture_lines(300, 22).join("\n").into_bytes();
    let first = app.import_raw(body.clone()).await;
    assert_eq!(first["inserted"], 300);
    app.wait_indexed().await;
    let head = app.state.store().profiles().outbox_head().await.expect("head");
    let seq = app.state.index().applied_seq().expect("seq");
    let again = app.import_raw(body).await;
    assert_eq!(
        (again["inserted"].clone(), again["updated"].clone(), again["unchanged"].clone()),
        (json!(0), json!(0), json!(300))
    );
    assert_eq!(app.state.store().profiles().outbox_head().await.expect("head"), head, "nothing new for the indexer");
    assert_eq!(app.state.index().applied_seq().expect("seq"), seq);
    app.cleanup().await;
}

#[tokio::test]
async fn export_round_trips_through_import() {
    let a = TestApp::spawn().await;
    let lines = fixture_lines(400, 23);
    a.import_raw(lines.join("\n").into_bytes()).await;
    let exported = a.get_as(&a.operator, "/v1/profiles/export").await.text().await.expect("export body");
    let exported_lines: Vec<&str> = exported.lines().collect();
    assert_eq!(exported_lines.len(), 400);
    assert_eq!(exported_lines, lines.iter().map(String::as_str).collect::<Vec<_>>());
    let b = TestApp::spawn().await;
    let report = b.import_raw(exported.clone().into_bytes()).await;
    assert_eq!(report["inserted"], 400);
    let again = b.get_as(&b.operator, "/v1/profiles/export").await.text().await.expect("export body");
    assert_eq!(again, exported);
    a.cleanup().await;
    b.cleanup().await;
}

#[tokio::test]
async fn upsert_updates_by_natural_key_and_search_sees_it() {
    let app = TestApp::spawn().await;
    app.import_fixtures(200, 24).await;
    let mut p: Value = serde_json::from_str(&fixture_lines(1, 24)[0]).expect("json");
    p["bio"] = json!("I review zyxwvut gadgets every week");
    let res = app
        .client
        .put(format!("{}/v1/profiles", app.url))
        .bearer_auth(&app.operator)
        .json(&p)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["outcome"], "updated");
    let id = body["id"].as_i64().expect("id");
    // Becomes searchable through the outbox and the indexer, without a restart.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let res = app.search(json!({"query": "zyxwvut", "limit": 3})).await;
        if res["results"].as_array().is_some_and(|r| r.first().is_some_and(|h| h["profile"]["id"] == id)) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "update never became searchable");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.state.store().profiles().count_profiles().await.expect("count"), 200);
    // Delete removes it from search.
    let del = app
        .client
        .delete(format!("{}/v1/profiles/{id}", app.url))
        .bearer_auth(&app.operator)
        .send()
        .await
        .expect("send");
    assert_eq!(del.status(), 204);
    app.wait_indexed().await;
    let res = app.search(json!({"query": "zyxwvut", "limit": 3})).await;
    assert!(res["results"].as_array().expect("results").iter().all(|h| h["profile"]["id"] != id));
    app.cleanup().await;
}

/// The CSV export keeps each tag whole: one tag per separator, the cell
/// quoted as CSV requires, and the web app's tag box reads it back.
#[tokio::test]
async fn a_shortlist_exports_each_tag_whole() {
    let app = TestApp::spawn().await;
    app.import_fixtures(3, 31).await;
    app.wait_indexed().await;
    let brand = app.login_as("brand", "csv@brand.test").await;
    let list = app.post_as(&brand, "/v1/shortlists", &json!({"name": "Tags"})).await;
    let list = list.json::<Value>().await.expect("list")["id"].as_i64().expect("id");
    let id = app.search(json!({"limit": 1})).await["results"][0]["profile"]["id"].as_i64().expect("a profile");
    let path = format!("/v1/shortlists/{list}/entries/{id}");
    let tags = json!({"note": "call, then mail", "tags": ["first choice", "needs rate"]});
    assert_eq!(app.call(reqwest::Method::PUT, &brand, &path, Some(&tags), None).await.status(), 200);
    // A comma inside a tag would be two tags on the way back: refused.
    let merged = json!({"tags": ["first choice, needs rate"]});
    let res = app.call(reqwest::Method::PUT, &brand, &path, Some(&merged), None).await;
    assert_eq!(res.status(), 400);
    let csv = app.get_as(&brand, &format!("/v1/shortlists/{list}/export.csv")).await.text().await.expect("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = rows.records().next().expect("a row").expect("a record");
    assert_eq!(&row[column("tags")], "first choice, needs rate", "{csv}");
    assert_eq!(&row[column("note")], "call, then mail", "{csv}");
    assert!(csv.contains("\"first choice, needs rate\""), "quoted as CSV requires: {csv}");
    app.cleanup().await;
}
