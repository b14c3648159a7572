//! The demo marketplace, played through the use cases over the demo
//! profiles: its accounts log in with the published password and find
//! campaigns, threads, contracts and milestones in every state a real deal
//! reaches; an agency sees its client's campaigns; a second load changes nothing.

use std::collections::BTreeSet;

use reqwest::Method;
use scout_app::pipeline::{load_demo, load_demo_market};
use scout_fixtures::{DEMO_PASSWORD, Generator, market_scenario};
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

const PROFILES: u64 = 3_000;

async fn login(app: &TestApp, email: &str) -> String {
    let res = app.post_json("/v1/auth/login", &json!({"email": email, "password": DEMO_PASSWORD})).await;
    assert_eq!(res.status(), 200, "demo login {email}");
    res.json::<Value>().await.expect("tokens")["access_token"].as_str().expect("token").to_string()
}

async fn get(app: &TestApp, token: &str, path: &str, org: Option<i64>) -> Value {
    let res = app.call(Method::GET, token, path, None, org).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.expect("json")
}

fn statuses(list: &Value, key: &str) -> BTreeSet<String> {
    list[key].as_array().expect(key).iter().filter_map(|x| x["status"].as_str().map(String::from)).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn the_demo_marketplace_holds_every_state(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    load_demo(app.state.store(), PROFILES, |_| {}).await.expect("demo profiles");
    let scenario = market_scenario(&Generator::new(42), PROFILES, app.state.clock().today());
    let report = load_demo_market(&app.state, &scenario).await.expect("demo market").expect("loaded");
    assert_eq!(report.accounts, scenario.brands.len() + scenario.agencies.len() + scenario.creators.len());
    assert_eq!(report.campaigns, scenario.campaigns.len());
    let accepted = scenario
        .campaigns
        .iter()
        .flat_map(|c| &c.deals)
        .filter(|d| d.steps.iter().any(|s| matches!(s, scout_fixtures::Step::Accept { .. })))
        .count();
    assert_eq!(report.contracts, accepted, "every accepted offer made a contract: {report:?}");
    assert!(accepted >= 7);
    // A second load finds the accounts and does nothing.
    assert!(load_demo_market(&app.state, &scenario).await.expect("again").is_none());

    let brand = login(&app, "brand@demo.example.com").await;
    let campaigns = get(&app, &brand, "/v1/campaigns?limit=100", None).await;
    assert_eq!(
        statuses(&campaigns, "campaigns"),
        set(&["cancelled", "completed", "draft", "in_progress", "open"]),
        "the main brand has a campaign in every state"
    );

    // Over every account, threads, contracts and milestones reach every state
    // a deal stops at without an administrator.
    let (mut threads, mut contracts, mut milestones) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    let mut completed = Vec::new();
    let accounts = scenario.brands.iter().chain(scenario.creators.iter().map(|c| &c.account));
    for a in accounts {
        let token = login(&app, &a.email).await;
        threads.extend(statuses(&get(&app, &token, "/v1/negotiations?limit=100", None).await, "negotiations"));
        let list = get(&app, &token, "/v1/contracts", None).await;
        contracts.extend(statuses(&list, "contracts"));
        for k in list["contracts"].as_array().expect("contracts") {
            milestones.extend(statuses(k, "milestones"));
            if k["status"] == "completed" {
                completed.push((token.clone(), k["id"].as_i64().expect("id")));
            }
        }
    }
    assert_eq!(threads, set(&["accepted", "open", "rejected", "withdrawn"]));
    assert_eq!(contracts, set(&["active", "awaiting_signatures", "cancelled", "completed", "disputed"]));
    assert_eq!(milestones, set(&["approved", "disputed", "pending", "revision_requested", "submitted"]));
    // Completed contracts carry both sides' reviews.
    assert!(!completed.is_empty());
    for (token, id) in &completed {
        let reviews = get(&app, token, &format!("/v1/contracts/{id}/reviews"), None).await;
        assert_eq!(reviews["reviews"].as_array().map(Vec::len), Some(2), "{reviews}");
    }

    // The main creator finds listed work from every brand, with a fit, and
    // has unread notifications from the deals.
    let creator = login(&app, "creator@demo.example.com").await;
    let market = get(&app, &creator, "/v1/marketplace?limit=50", None).await;
    let brands: BTreeSet<&str> =
        market["campaigns"].as_array().expect("campaigns").iter().filter_map(|c| c["brand"].as_str()).collect();
    assert_eq!(brands.len(), scenario.brands.len(), "{brands:?}");
    assert!(market["campaigns"][0]["fit"].is_object(), "{}", market["campaigns"][0]);
    let inbox = get(&app, &creator, "/v1/notifications", None).await;
    assert!(inbox["unread"].as_i64().is_some_and(|n| n > 0), "{inbox}");

    // Their data export holds the deals: threads with every offer's terms,
    // contracts with the signed text, what they wrote, reviews both ways,
    // and their notifications.
    let export = get(&app, &creator, "/v1/me/export", None).await;
    let threads = get(&app, &creator, "/v1/negotiations?limit=100", None).await;
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    assert_eq!(count(&export["negotiations"]), count(&threads["negotiations"]), "{export}");
    assert!(export["negotiations"][0]["offers"][0]["terms"]["lines"].is_array(), "{}", export["negotiations"][0]);
    let mine = get(&app, &creator, "/v1/contracts", None).await;
    assert_eq!(count(&export["contracts"]), count(&mine["contracts"]));
    assert!(export["contracts"].as_array().expect("contracts").iter().all(|k| k["terms_hash"].as_str().is_some()));
    assert!(count(&export["reviews_written"]) >= 1 && count(&export["reviews_received"]) >= 1, "{export}");
    assert!(count(&export["notifications"]) >= count(&inbox["notifications"]).max(1));
    let claimed = export["claims"][0]["profile_id"].as_i64().expect("a claimed profile");

    // The brands' ratings of the creator rank them: a search that finds the
    // profile moves it by its rating and says so.
    app.wait_indexed().await;
    let profile = get(&app, &brand, &format!("/v1/profiles/{claimed}"), None).await;
    let followers = profile["followers"].as_u64().expect("followers");
    let filters = json!({"platforms": [profile["platform"]], "followers_min": followers, "followers_max": followers});
    let res = app.post_as(&brand, "/v1/search", &json!({"filters": filters, "limit": 100})).await;
    let found: Value = res.json().await.expect("search");
    let hit = found["results"].as_array().expect("results").iter().find(|h| h["profile"]["id"] == claimed);
    let hit = hit.unwrap_or_else(|| panic!("the creator is found: {found}"));
    let effect = &hit["explanation"]["rating"];
    assert_eq!((effect["reviews"].as_u64(), effect["rating"].as_f64()), (Some(1), Some(5.0)), "{hit}");
    assert!(effect["factor"].as_f64().is_some_and(|f| f > 1.0), "praise moves up: {effect}");
    let summary = hit["explanation"]["summary"].as_str().expect("summary");
    assert!(summary.contains("rated 5.0/5 on Scout (1 review") && summary.contains("moved up"), "{summary}");
    for other in found["results"].as_array().expect("results").iter().filter(|h| h["profile"]["id"] != claimed) {
        assert!(other["explanation"]["rating"].is_null() == other["rating"].is_null(), "{other}");
    }

    // The brand's people's messages are theirs too.
    let export = get(&app, &brand, "/v1/me/export", None).await;
    assert!(count(&export["messages_written"]) >= 1, "{}", export["messages_written"]);

    // The agency acts for its client brand.
    let agency = login(&app, "agency@demo.example.com").await;
    let org = get(&app, &brand, "/v1/orgs/current", None).await["id"].as_i64().expect("org id");
    let theirs = get(&app, &agency, "/v1/campaigns?limit=100", Some(org)).await;
    assert_eq!(theirs["total"], campaigns["total"]);
    app.cleanup().await;
}

#[tokio::test]
async fn the_demo_marketplace_holds_every_state_on_sqlite() {
    the_demo_marketplace_holds_every_state(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_demo_marketplace_holds_every_state_on_postgres() {
    the_demo_marketplace_holds_every_state(Backend::Postgres).await;
}
