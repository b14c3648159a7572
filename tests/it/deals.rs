//! From an application to a completed contract over HTTP: a creator applies,
//! the brand counters, a stale answer is refused, the creator accepts, both
//! sign at once, milestones are handed in, revised, approved, and the last
//! one is approved by Scout once the review window has passed on a moved
//! clock. Alongside: an invitation accepted twice at once makes one contract,
//! a dispute is settled by an administrator, and nobody outside a deal sees it.

use reqwest::Method;
use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A creator account that has claimed and verified the profile `handle`.
async fn creator_with_profile(app: &TestApp, email: &str, handle: &str) -> (String, i64) {
    let profile = json!({"platform": "instagram", "external_id": handle, "handle": handle, "followers": 52000,
        "bio": "Home cooking", "country": "FR", "categories": ["food"]});
    app.creator_with(email, &profile).await
}

fn terms(reel_fee: i64) -> Value {
    json!({"lines": [
        {"kind": "reel", "platform": "instagram", "count": 2, "fee": {"amount_minor": reel_fee, "currency": "EUR"}, "due_on": "2099-01-20"},
        {"kind": "story", "count": 3, "fee": {"amount_minor": 5000, "currency": "EUR"}, "due_on": "2099-01-25"}
    ], "usage": {"organic": true, "months": 3}, "exclusivity_days": 14})
}

async fn from_application_to_a_completed_contract(backend: Backend) {
    let app = TestApp::spawn_on(backend).await;
    let brand = app.login_as("brand", "owner@oats.test").await;
    let rival = app.login_as("brand", "owner@rival.test").await;
    let (creator, profile) = creator_with_profile(&app, "cook@creator.test", "weeknight_cook").await;
    let (other_creator, other_profile) = creator_with_profile(&app, "baker@creator.test", "sunday_baker").await;
    let as_ = |token: &str, method: Method, path: String, body: Option<Value>| {
        let (app, token) = (&app, token.to_string());
        async move { answer(app.call(method, &token, &path, body.as_ref(), None).await).await }
    };

    let spec = json!({"name": "Autumn soups", "objective": "engagement", "brief": "Soups in twenty minutes",
        "niches": ["food"], "deliverables": [{"kind": "reel", "count": 2}, {"kind": "story", "count": 3}],
        "budget": {"amount_minor": 500000, "currency": "EUR"},
        "starts_on": "2099-01-01", "ends_on": "2099-02-28", "visibility": "listed"});
    let (s, campaign) = as_(&brand, Method::POST, "/v1/campaigns".into(), Some(spec)).await;
    assert_eq!(s, 201, "{campaign}");
    let cid = campaign["id"].as_i64().expect("id");
    // A draft takes no applications: for a creator it does not exist.
    let apply = json!({"profile_id": profile, "terms": terms(40_000), "pitch": "I cook soups every week"});
    let (s, _) = as_(&creator, Method::POST, format!("/v1/campaigns/{cid}/applications"), Some(apply.clone())).await;
    assert_eq!(s, 404);
    as_(&brand, Method::POST, format!("/v1/campaigns/{cid}/publish"), None).await;

    // The creator applies; a second application while the first is open is refused.
    let (s, thread) =
        as_(&creator, Method::POST, format!("/v1/campaigns/{cid}/applications"), Some(apply.clone())).await;
    assert_eq!(
        (s, thread["status"].as_str(), thread["latest_version"].as_u64()),
        (201, Some("open"), Some(1)),
        "{thread}"
    );
    assert_eq!(thread["offers"][0]["total"]["amount_minor"], 2 * 40_000 + 3 * 5_000);
    let nid = thread["id"].as_i64().expect("id");
    let (s, body) = as_(&creator, Method::POST, format!("/v1/campaigns/{cid}/applications"), Some(apply)).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("negotiation_exists")));
    // Someone else's profile is not the creator's to apply with.
    let theirs = json!({"profile_id": other_profile, "terms": terms(40_000)});
    let (s, body) = as_(&creator, Method::POST, format!("/v1/campaigns/{cid}/applications"), Some(theirs)).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("claim_not_verified")));
    // Outsiders see nothing.
    for (who, token) in [("rival brand", &rival), ("other creator", &other_creator)] {
        let (s, _) = as_(token, Method::GET, format!("/v1/negotiations/{nid}"), None).await;
        assert_eq!(s, 404, "{who}");
        let (_, list) = as_(token, Method::GET, "/v1/negotiations".into(), None).await;
        assert_eq!(list["negotiations"].as_array().map(Vec::len), Some(0), "{who}: {list}");
    }

    // The brand counters; the creator's answer to the old version is stale;
    // nobody accepts their own offer.
    let counter = json!({"terms": terms(30_000), "message": "Two reels at 300?"});
    let (s, thread) = as_(&brand, Method::POST, format!("/v1/negotiations/{nid}/offers"), Some(counter)).await;
    assert_eq!((s, thread["latest_version"].as_u64()), (201, Some(2)), "{thread}");
    // Each side's inbox holds the other's steps, never its own.
    let (_, inbox) = as_(&brand, Method::GET, "/v1/notifications".into(), None).await;
    let kinds = |inbox: &Value| -> Vec<String> {
        inbox["notifications"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|n| n["kind"].as_str().map(String::from))
            .collect()
    };
    assert_eq!((kinds(&inbox), inbox["unread"].as_i64()), (vec!["application".to_string()], Some(1)), "{inbox}");
    assert_eq!(inbox["notifications"][0]["link"], format!("/threads/{nid}"));
    assert!(inbox["notifications"][0]["title"].as_str().is_some_and(|t| t.contains("Autumn soups")), "{inbox}");
    let (_, inbox) = as_(&creator, Method::GET, "/v1/notifications?unread=true".into(), None).await;
    assert_eq!(kinds(&inbox), vec!["offer".to_string()], "{inbox}");
    let up_to = inbox["notifications"][0]["id"].as_i64().expect("id");
    let (s, read) = as_(&creator, Method::POST, "/v1/notifications/read".into(), Some(json!({"up_to": up_to}))).await;
    assert_eq!((s, read["unread"].as_i64()), (200, Some(0)), "{read}");
    let (_, inbox) = as_(&rival, Method::GET, "/v1/notifications".into(), None).await;
    assert_eq!(inbox["notifications"].as_array().map(Vec::len), Some(0), "outsiders hear nothing: {inbox}");
    let (s, _) = as_(&creator, Method::GET, "/v1/notifications?limit=0".into(), None).await;
    assert_eq!(s, 400);
    let (s, body) =
        as_(&creator, Method::POST, format!("/v1/negotiations/{nid}/accept"), Some(json!({"version": 1}))).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("stale_offer")), "{body}");
    let (s, body) =
        as_(&brand, Method::POST, format!("/v1/negotiations/{nid}/accept"), Some(json!({"version": 2}))).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("invalid_transition")), "{body}");
    let (s, _) =
        as_(&creator, Method::POST, format!("/v1/negotiations/{nid}/messages"), Some(json!({"body": "Deal"}))).await;
    assert_eq!(s, 201);
    let (s, thread) =
        as_(&creator, Method::POST, format!("/v1/negotiations/{nid}/accept"), Some(json!({"version": 2}))).await;
    assert_eq!((s, thread["status"].as_str()), (200, Some("accepted")), "{thread}");
    let kid = thread["contract_id"].as_i64().expect("a contract");
    let (_, log) = as_(&brand, Method::GET, format!("/v1/negotiations/{nid}/thread"), None).await;
    let kinds: Vec<&str> =
        log["entries"].as_array().expect("entries").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, vec!["offer", "offer", "message", "accept"]);

    // The contract: awaiting both signatures; its text names the terms.
    let (s, contract) = as_(&creator, Method::GET, format!("/v1/contracts/{kid}"), None).await;
    assert_eq!((s, contract["status"].as_str()), (200, Some("awaiting_signatures")), "{contract}");
    assert_eq!(contract["total"]["amount_minor"], 2 * 30_000 + 3 * 5_000);
    assert_eq!(contract["milestones"].as_array().map(Vec::len), Some(2));
    let text = app.call(Method::GET, &brand, &format!("/v1/contracts/{kid}/terms.txt"), None, None).await;
    let text = text.text().await.expect("text");
    assert!(text.contains("Autumn soups") && text.contains("Total: 750.00 EUR") && text.contains("14 days"), "{text}");
    assert_eq!(contract["terms_hash"].as_str().map(str::len), Some(64));
    assert_eq!(as_(&rival, Method::GET, format!("/v1/contracts/{kid}"), None).await.0, 404);
    assert_eq!(as_(&other_creator, Method::GET, format!("/v1/contracts/{kid}"), None).await.0, 404);
    // Work cannot start before the signatures.
    let submit = json!({"links": ["https://instagram.com/p/abc"], "note": "First reel"});
    let (s, body) =
        as_(&creator, Method::POST, format!("/v1/contracts/{kid}/milestones/0/submit"), Some(submit.clone())).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("invalid_transition")), "{body}");

    // The brand's wallet holds the money (the escrow takes it at the second signature).
    app.fund_wallet(&brand, None, 1_000_000, "EUR").await;
    // Both sign at the same moment: both signatures are kept; the campaign is under way.
    let (brand_signs, creator_signs) = tokio::join!(
        as_(&brand, Method::POST, format!("/v1/contracts/{kid}/sign"), None),
        as_(&creator, Method::POST, format!("/v1/contracts/{kid}/sign"), None)
    );
    assert_eq!((brand_signs.0, creator_signs.0), (200, 200), "{brand_signs:?} {creator_signs:?}");
    let (_, contract) = as_(&brand, Method::GET, format!("/v1/contracts/{kid}"), None).await;
    assert_eq!(contract["signatures"].as_array().map(Vec::len), Some(2), "{contract}");
    assert_eq!((contract["status"].as_str(), contract["funded"].as_bool()), (Some("active"), Some(true)));
    let (s, body) = as_(&brand, Method::POST, format!("/v1/contracts/{kid}/sign"), None).await;
    assert_eq!(s, 409, "signing twice: {body}");
    // The signed contract as a PDF, for both sides and nobody else: the
    // terms' hash and both signers' names are in it.
    for token in [&brand, &creator] {
        let res = app.call(Method::GET, token, &format!("/v1/contracts/{kid}/contract.pdf"), None, None).await;
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let pdf = res.bytes().await.expect("pdf");
        let has = |needle: &str| pdf.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(pdf.starts_with(b"%PDF-"));
        let hash = contract["terms_hash"].as_str().expect("hash");
        let names = contract["signatures"].as_array().expect("signatures");
        assert!(has(hash) && has("Autumn soups") && has("For the brand: "), "the PDF names the deal");
        assert!(names.iter().all(|s| has(s["name"].as_str().expect("name"))), "{names:?}");
    }
    let res = app.call(Method::GET, &rival, &format!("/v1/contracts/{kid}/contract.pdf"), None, None).await;
    assert_eq!(res.status(), 404);
    let (_, campaign) = as_(&brand, Method::GET, format!("/v1/campaigns/{cid}"), None).await;
    assert_eq!(campaign["status"], "in_progress");

    // Milestone 0: handed in, sent back once, handed in again, approved.
    let path = |m: u32, step: &str| format!("/v1/contracts/{kid}/milestones/{m}/{step}");
    let (s, body) = as_(&brand, Method::POST, path(0, "submit"), Some(submit.clone())).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("not_a_party")), "only the creator submits: {body}");
    let bad = json!({"links": ["javascript:alert(1)"]});
    assert_eq!(as_(&creator, Method::POST, path(0, "submit"), Some(bad)).await.0, 400);
    assert_eq!(as_(&creator, Method::POST, path(0, "submit"), Some(submit.clone())).await.0, 200);
    let (s, k) = as_(&brand, Method::POST, path(0, "request-revision"), Some(json!({"note": "Show the bowl"}))).await;
    assert_eq!((s, k["milestones"][0]["status"].as_str()), (200, Some("revision_requested")), "{k}");
    assert_eq!(as_(&creator, Method::POST, path(0, "submit"), Some(submit.clone())).await.0, 200);
    let (s, k) = as_(&brand, Method::POST, path(0, "approve"), Some(json!({}))).await;
    assert_eq!((s, k["milestones"][0]["status"].as_str()), (200, Some("approved")), "{k}");
    assert_eq!(k["milestones"][0]["links"][0], "https://instagram.com/p/abc");
    assert_eq!(k["unreleased_minor"], 3 * 5_000);

    // Milestone 1: handed in and left alone; after the review window Scout approves it.
    let (_, k) =
        as_(&creator, Method::POST, path(1, "submit"), Some(json!({"links": ["https://instagram.com/s/1"]}))).await;
    assert!(k["milestones"][1]["auto_approves_at"].is_string(), "{k}");
    assert_eq!(app.state.auto_approve_due().await.expect("auto approval"), 0, "not before the window");
    app.state.clock().advance(chrono::Duration::days(8));
    assert_eq!(app.state.auto_approve_due().await.expect("auto approval"), 1);
    let (_, k) = as_(&creator, Method::GET, format!("/v1/contracts/{kid}"), None).await;
    assert_eq!(
        (k["status"].as_str(), k["milestones"][1]["status"].as_str()),
        (Some("completed"), Some("approved")),
        "{k}"
    );
    let (_, steps) = as_(&brand, Method::GET, format!("/v1/contracts/{kid}/steps"), None).await;
    let steps: Vec<(String, String)> = steps["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| (s["kind"].as_str().unwrap_or("").to_string(), s["actor"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(steps.iter().filter(|(k, _)| k == "sign").count(), 2, "{steps:?}");
    assert!(steps.contains(&("fund".into(), "system".into())), "{steps:?}");
    assert_eq!(steps.last(), Some(&("auto_approve".into(), "system".into())), "{steps:?}");

    // Reviews: each side once; whether the other kept its dates comes from the milestones.
    let review = |rating: u8, text: &str| Some(json!({"rating": rating, "text": text}));
    let (s, body) = as_(&rival, Method::POST, format!("/v1/contracts/{kid}/reviews"), review(1, "x")).await;
    assert_eq!((s, body["code"].as_str()), (404, Some("contract_not_found")), "{body}");
    let (s, body) = as_(&brand, Method::POST, format!("/v1/contracts/{kid}/reviews"), review(6, "x")).await;
    assert_eq!((s, body["code"].as_str()), (400, Some("bad_parameter")), "{body}");
    let (s, by_brand) =
        as_(&brand, Method::POST, format!("/v1/contracts/{kid}/reviews"), review(5, "Lovely soups")).await;
    assert_eq!(
        (s, by_brand["by"].as_str(), by_brand["on_time"].as_bool()),
        (201, Some("brand"), Some(true)),
        "{by_brand}"
    );
    let (s, body) = as_(&brand, Method::POST, format!("/v1/contracts/{kid}/reviews"), review(4, "again")).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("review_exists")), "{body}");
    let (s, by_creator) = as_(&creator, Method::POST, format!("/v1/contracts/{kid}/reviews"), review(3, "Slow")).await;
    // The brand let the review window run out on milestone 1: not on time.
    assert_eq!((s, by_creator["on_time"].as_bool()), (201, Some(false)), "{by_creator}");
    let rid = by_creator["id"].as_i64().expect("id");
    let (s, edited) = as_(&creator, Method::PUT, format!("/v1/reviews/{rid}"), review(4, "Slow, but fair")).await;
    assert_eq!((s, edited["rating"].as_u64()), (200, Some(4)), "{edited}");
    let (s, body) = as_(&brand, Method::PUT, format!("/v1/reviews/{rid}"), review(5, "mine now")).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("not_a_party")), "only the author edits: {body}");
    let (_, profile_reviews) = as_(&rival, Method::GET, format!("/v1/profiles/{profile}/reviews"), None).await;
    assert_eq!(profile_reviews["rating"]["count"], 1, "{profile_reviews}");
    assert_eq!(
        (profile_reviews["rating"]["mean"].as_f64(), profile_reviews["rating"]["on_time_rate"].as_f64()),
        (Some(5.0), Some(1.0))
    );
    let org = contract["brand_org_id"].as_i64().expect("org");
    let (_, brand_reviews) = as_(&other_creator, Method::GET, format!("/v1/brands/{org}/reviews"), None).await;
    assert_eq!(brand_reviews["reviews"][0]["text"], "Slow, but fair", "{brand_reviews}");
    let (_, inbox) = as_(&brand, Method::GET, "/v1/notifications?limit=5".into(), None).await;
    assert!(inbox["notifications"].as_array().expect("list").iter().any(|n| n["kind"] == "review"), "{inbox}");
    // Fourteen days on, a review is final; an administrator may still remove it.
    app.state.clock().advance(chrono::Duration::days(15));
    let (s, body) = as_(&creator, Method::PUT, format!("/v1/reviews/{rid}"), review(2, "later")).await;
    assert_eq!((s, body["code"].as_str()), (409, Some("review_locked")), "{body}");
    assert_eq!(as_(&brand, Method::DELETE, format!("/v1/reviews/{rid}"), None).await.0, 403);
    assert_eq!(as_(&app.operator, Method::DELETE, format!("/v1/reviews/{rid}"), None).await.0, 204);
    assert_eq!(as_(&app.operator, Method::DELETE, format!("/v1/reviews/{rid}"), None).await.0, 404);

    // An invitation accepted from two devices at once makes one contract.
    let invite = json!({"profile_id": other_profile, "terms": terms(35_000), "message": "Bake with us"});
    let (s, thread) = as_(&brand, Method::POST, format!("/v1/campaigns/{cid}/invitations"), Some(invite)).await;
    assert_eq!(s, 201, "{thread}");
    let nid = thread["id"].as_i64().expect("id");
    let accept =
        || as_(&other_creator, Method::POST, format!("/v1/negotiations/{nid}/accept"), Some(json!({"version": 1})));
    let (one, two) = tokio::join!(accept(), accept());
    let mut statuses = [one.0, two.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{one:?} {two:?}");
    let (_, contracts) = as_(&brand, Method::GET, format!("/v1/contracts?campaign={cid}"), None).await;
    assert_eq!(contracts["contracts"].as_array().map(Vec::len), Some(2), "{contracts}");

    // A dispute: only an administrator settles it.
    let kid = [one, two].into_iter().find_map(|(_, b)| b["contract_id"].as_i64()).expect("contract");
    as_(&brand, Method::POST, format!("/v1/contracts/{kid}/sign"), None).await;
    as_(&other_creator, Method::POST, format!("/v1/contracts/{kid}/sign"), None).await;
    let path = |m: u32, step: &str| format!("/v1/contracts/{kid}/milestones/{m}/{step}");
    as_(&other_creator, Method::POST, path(0, "submit"), Some(json!({"links": ["https://instagram.com/p/x"]}))).await;
    let (s, k) = as_(&brand, Method::POST, path(0, "dispute"), Some(json!({"reason": "Wrong product shown"}))).await;
    assert_eq!((s, k["status"].as_str()), (200, Some("disputed")), "{k}");
    let settle = json!({"resolution": "refund", "note": "The reel showed a competitor"});
    let (s, body) = as_(&brand, Method::POST, path(0, "resolve"), Some(settle.clone())).await;
    assert_eq!((s, body["code"].as_str()), (403, Some("not_a_party")), "{body}");
    let (s, k) = as_(&app.operator, Method::POST, path(0, "resolve"), Some(settle)).await;
    assert_eq!(
        (s, k["status"].as_str(), k["milestones"][0]["resolution"].as_str()),
        (200, Some("active"), Some("refund")),
        "{k}"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn from_application_to_a_completed_contract_on_sqlite() {
    from_application_to_a_completed_contract(Backend::Sqlite).await;
}

#[tokio::test]
async fn from_application_to_a_completed_contract_on_postgres() {
    from_application_to_a_completed_contract(Backend::Postgres).await;
}
