//! The ML engineer's path on a small dataset: export features and labels,
//! train, publish, reload the running service without a restart, and see the
//! new version score profiles, with evidence; a version whose feature list
//! does not match is refused.

use std::path::PathBuf;

use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

/// A service whose models folder is a fresh, empty temporary one (no shipped
/// model in use), with the per-account request budget off: these tests read
/// hundreds of scores, and the budget is tested elsewhere.
async fn app_with_own_models() -> (TestApp, tempfile::TempDir, PathBuf) {
    let models = tempfile::tempdir().expect("models dir");
    let models_dir = models.path().to_path_buf();
    let dir = models_dir.clone();
    let app = TestApp::spawn_with(Backend::Sqlite, move |s| {
        s.models_dir = Some(dir.clone());
        s.account_requests_per_minute = 0;
    })
    .await;
    (app, models, models_dir)
}

#[tokio::test]
async fn train_publish_reload_and_score() {
    let (app, models, models_dir) = app_with_own_models().await;
    let (n, seed) = (3000u64, 11u64);
    app.import_fixtures(n, seed).await;
    let brand = app.login_as("brand", "ml@brand.test").await;

    // Before any model: the built-in rules, and no model score to show.
    let listed: Value = app.get_as(&brand, "/v1/models").await.json().await.expect("models");
    assert_eq!(listed["models"][0]["name"], "audience-quality");
    assert!(listed["models"][0]["active"].is_null());
    let res = app.get_as(&brand, "/v1/profiles/1/quality").await;
    assert_eq!(res.status(), 503);
    assert_eq!(app.get_as(&brand, "/v1/profiles/1/price").await.status(), 503);

    // Export (through the same CSV an engineer gets), train, publish.
    let g = scout_fixtures::Generator::new(seed);
    let (profiles, truths): (Vec<_>, Vec<_>) = (0..n).map(|i| g.profile(i)).unzip();
    let labels = truths.iter().map(|t| (t.key.clone(), scout_fixtures::Labels::from(t))).collect();
    let rows = scout_training::dataset::quality_rows(&profiles, &labels, 3, 0);
    let csv = models.path().join("quality.csv");
    scout_training::dataset::write_csv(&rows, std::fs::File::create(&csv).expect("csv")).expect("write");
    let rows = scout_training::dataset::read_csv(&csv).expect("read back");
    let config = scout_training::BoostConfig { seed: 3, iterations: 40, ..scout_training::quality::DEFAULTS };
    let (model, eval) = scout_training::quality::train(&rows, config, "fixtures").expect("train");
    assert!(eval.auc > 0.8, "{eval:?}");
    let candidate = models.path().join("candidate");
    model.save(&candidate).expect("save");
    let v1 = scout_training::publish(&candidate, &models_dir).expect("publish");
    assert!(v1.ends_with("audience-quality/v1"));
    // The fair-price model learns from the published rates themselves.
    let price_rows = scout_training::price::price_rows(&profiles, 3);
    let price_config = scout_training::BoostConfig { seed: 3, iterations: 40, ..scout_training::price::DEFAULTS };
    let (price_model, price_eval) = scout_training::price::train(&price_rows, price_config, "fixtures").expect("train");
    assert!((price_eval.coverage_80 - 0.8).abs() < 0.08, "{price_eval:?}");
    let price_candidate = models.path().join("price-candidate");
    price_model.save(&price_candidate).expect("save");
    let price_v1 = scout_training::publish(&price_candidate, &models_dir).expect("publish");
    assert!(price_v1.ends_with("fair-price/v1"));

    // Only platform admins reload; then v1 is active and every profile was rescored.
    assert_eq!(app.post_as(&brand, "/v1/admin/models/reload", &json!({})).await.status(), 403);
    let res = app.post_as(&app.operator, "/v1/admin/models/reload", &json!({})).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.expect("report");
    assert_eq!(report["reloaded"][0]["active"], "v1", "{report}");
    assert_eq!(report["reloaded"][0]["rescored"], n, "{report}");
    assert_eq!(report["reloaded"][1]["model"], "fair-price", "{report}");
    assert_eq!(report["reloaded"][1]["active"], "v1", "{report}");
    let listed: Value = app.get_as(&brand, "/v1/models").await.json().await.expect("models");
    assert_eq!(listed["models"][0]["active"], "v1");
    assert!(listed["models"][0]["versions"][0]["metrics"]["auc"].as_f64().expect("auc") > 0.8);
    assert_eq!(listed["models"][1]["active"], "v1", "{listed}");

    // The scores: buyers come out worse, with evidence from their own numbers.
    let key_of = |i: usize| format!("{}:{}", profiles[i].platform.as_str(), profiles[i].external_id);
    let bought: Vec<usize> = (0..n as usize).filter(|i| truths[*i].bought_followers).collect();
    let clean: Vec<usize> = (0..n as usize).filter(|i| !truths[*i].bought_followers).take(bought.len()).collect();
    assert!(bought.len() >= 20, "{}", bought.len());
    // Profile ids by key, from the store (handles are unique per platform in the fixtures).
    let mut ids = std::collections::HashMap::new();
    for i in bought.iter().chain(&clean) {
        let p = &profiles[*i];
        let found =
            app.state.store().privacy().profiles_by_handle(p.platform.as_str(), &p.handle).await.expect("lookup");
        ids.insert(key_of(*i), found[0]);
    }
    let mean = |group: &[usize]| {
        let group = group.to_vec();
        let (app, brand, ids) = (&app, &brand, &ids);
        let keys: Vec<String> = group.iter().map(|i| key_of(*i)).collect();
        async move {
            let mut total = 0.0;
            let mut with_evidence = 0;
            for key in &keys {
                let id = ids[key];
                let score: Value =
                    app.get_as(brand, &format!("/v1/profiles/{id}/quality")).await.json().await.expect("score");
                assert_eq!(score["model_version"], "v1", "{score}");
                total += score["p_bought"].as_f64().expect("p");
                with_evidence += usize::from(!score["evidence"].as_array().expect("evidence").is_empty());
            }
            (total / keys.len() as f64, with_evidence)
        }
    };
    let (bought_p, bought_evidence) = mean(&bought).await;
    let (clean_p, _) = mean(&clean).await;
    assert!(bought_p > clean_p + 0.3, "bought {bought_p:.3} vs clean {clean_p:.3}");
    assert!(bought_evidence * 10 >= bought.len() * 8, "{bought_evidence} of {} buyers have evidence", bought.len());

    // Search ranks with the model's quality: a buyer's audience_quality is 1 - p_bought.
    let id = ids[&key_of(bought[0])];
    let f = app.state.index().features(id).expect("indexed");
    let score: Value = app.get_as(&brand, &format!("/v1/profiles/{id}/quality")).await.json().await.expect("score");
    assert!((f.audience_quality as f64 - score["quality"].as_f64().expect("q")).abs() < 0.02);

    // Fair prices in the creator's currency, with ranges around them and a verdict on the asking price.
    let p = &profiles[clean[0]];
    let price: Value = app
        .get_as(&brand, &format!("/v1/profiles/{}/price", ids[&key_of(clean[0])]))
        .await
        .json()
        .await
        .expect("price");
    let deliverables = price["deliverables"].as_array().expect("deliverables");
    assert_eq!(deliverables.len(), 4, "{price}");
    let currency = &p.rates.as_ref().expect("rates").currency;
    for d in deliverables {
        assert_eq!(d["fair"]["currency"], json!(currency), "{d}");
        let amount = |k: &str| d[k]["amount_minor"].as_i64().expect("minor units");
        assert!(amount("range_low") <= amount("likely_low") && amount("likely_low") <= amount("fair"), "{d}");
        assert!(amount("fair") <= amount("likely_high") && amount("likely_high") <= amount("range_high"), "{d}");
        assert!(["below", "fair", "above"].contains(&d["verdict"].as_str().expect("verdict")), "{d}");
    }
    let asking_post = p.rates.as_ref().and_then(|r| r.post).expect("post price") as i64;
    assert_eq!(deliverables[0]["deliverable"], "post");
    assert_eq!(deliverables[0]["asking"]["amount_minor"], asking_post);

    // A version whose features differ is refused; v1 stays in use.
    let v2 = models_dir.join("audience-quality/v2");
    std::fs::create_dir_all(&v2).expect("v2");
    let mut card: Value =
        serde_json::from_str(&std::fs::read_to_string(v1.join("card.json")).expect("card")).expect("json");
    card["version"] = json!("v2");
    card["features"][0] = json!("something_else");
    std::fs::write(v2.join("card.json"), card.to_string()).expect("write");
    std::fs::copy(v1.join("model.json"), v2.join("model.json")).expect("copy");
    let report: Value =
        app.post_as(&app.operator, "/v1/admin/models/reload", &json!({})).await.json().await.expect("report");
    assert_eq!(report["reloaded"][0]["active"], "v1");
    assert!(report["reloaded"][0]["refused"][0].as_str().expect("reason").contains("feature list"), "{report}");
    let listed: Value = app.get_as(&brand, "/v1/models").await.json().await.expect("models");
    assert!(listed["models"][0]["versions"][0]["refused"].is_string(), "{listed}");
    app.cleanup().await;
}

#[tokio::test]
async fn sentiment_of_captions_and_comments() {
    // No published models: the lexicon scorer answers.
    let (app, _models, _) = app_with_own_models().await;
    let line = json!({"platform": "instagram", "external_id": "s1", "handle": "moody.cook", "followers": 12000,
        "recent_posts": [
            {"posted_at": "2026-09-01T10:00:00Z", "caption": "Trying a new bread recipe",
             "top_comments": ["this is awful", "not good at all", "boring"]},
            {"posted_at": "2026-10-01T10:00:00Z", "caption": "I love how this turned out!",
             "top_comments": ["amazing, thank you!", "so helpful 😍", "where did you buy the pan?"]}]});
    let report = app.import_raw(format!("{line}\n").into_bytes()).await;
    assert_eq!(report["inserted"], 1, "{report}");
    let id = app.state.store().privacy().profiles_by_handle("instagram", "moody.cook").await.expect("lookup")[0];
    let brand = app.login_as("brand", "feel@brand.test").await;
    let s: Value = app.get_as(&brand, &format!("/v1/profiles/{id}/sentiment")).await.json().await.expect("sentiment");
    assert_eq!(s["comments"]["count"], 6, "{s}");
    assert!((s["comments"]["negative"].as_f64().expect("share") - 0.5).abs() < 1e-9, "{s}");
    assert!(s["comments"]["positive"].as_f64().expect("share") >= 1.0 / 3.0, "{s}");
    assert!(s["trend"].as_f64().expect("trend") > 0.5, "the newer post is warmer: {s}");
    assert_eq!(s["posts"][0]["caption"]["polarity"], "positive", "{s}");
    assert_eq!(s["scorer"], "vader-lexicon");
    // Scored once, stored against this version of the profile, then read back as it was.
    let kept = app.state.store().profiles().sentiment(id).await.expect("read").expect("stored on first read");
    assert_eq!((kept.profile_version, kept.scorer.as_str()), (1, "vader-lexicon"));
    let again: Value = app.get_as(&brand, &format!("/v1/profiles/{id}/sentiment")).await.json().await.expect("again");
    assert_eq!(again, s);
    // A new version of the profile is scored anew, never served the old summary.
    let mut changed = line.clone();
    changed["recent_posts"][1]["top_comments"] = json!(["love it", "great", "wonderful", "so good"]);
    app.import_raw(
        format!(
            "{changed}
"
        )
        .into_bytes(),
    )
    .await;
    let fresh: Value = app.get_as(&brand, &format!("/v1/profiles/{id}/sentiment")).await.json().await.expect("fresh");
    assert_eq!(fresh["comments"]["count"], 7, "{fresh}");
    assert_eq!(app.state.store().profiles().sentiment(id).await.expect("read").map(|k| k.profile_version), Some(2));
    // Creators without access to others' profiles are refused like any profile read.
    let creator = app.login_as("influencer", "someone@creator.test").await;
    assert_eq!(app.get_as(&creator, &format!("/v1/profiles/{id}/sentiment")).await.status(), 403);
    app.cleanup().await;
}

/// Learned ranking: candidates of labelled queries exported from the running
/// service's own ranker, a pairwise fit, published and reloaded; searches then
/// weigh features with the learned weights, and explanations show them.
#[tokio::test]
async fn learned_ranking_trains_publishes_and_ranks() {
    let (app, models, models_dir) = app_with_own_models().await;
    let (n, seed) = (4000u64, 21u64);
    app.import_fixtures(n, seed).await;
    let g = scout_fixtures::Generator::new(seed);
    let truths: Vec<_> = (0..n).map(|i| g.profile(i).1).collect();
    let queries = scout_fixtures::generate_queries(&g, &truths, 80);
    assert!(queries.len() >= 60, "{}", queries.len());

    let search = |q: &str| app.search(json!({"query": q, "limit": 10}));
    let probe = &queries[0].text;
    let before = search(probe).await;
    let hand_weights: Vec<f64> = before["results"][0]["explanation"]["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .map(|c| c["weight"].as_f64().expect("weight"))
        .collect();

    let judged: Vec<scout_training::ranking::Judged> = queries.iter().map(Into::into).collect();
    let rows = scout_training::ranking::export_rows(app.state.engine(), app.state.store(), &judged, 5, || {})
        .await
        .expect("export");
    assert!(rows.iter().any(|r| r.grade == 3) && rows.iter().any(|r| r.grade == 0));
    let csv = models.path().join("ranking.csv");
    scout_training::ranking::write_csv(&rows, std::fs::File::create(&csv).expect("csv")).expect("write");
    let rows = scout_training::ranking::read_csv(&csv).expect("read back");
    let config = scout_training::ranking::RankConfig { epochs: 40, ..scout_training::ranking::DEFAULTS };
    let (model, report) = scout_training::ranking::train(&rows, config, "fixtures").expect("train");
    // Chosen on the calibration split, starting from the hand blend: never worse there.
    assert!(report.learned_validation >= report.hand_validation, "{report:?}");
    assert!(report.learned_test.queries > 0 && report.learned_test.ndcg > 0.3, "{report:?}");
    let candidate = models.path().join("ranking-candidate");
    model.save(&candidate).expect("save");
    let v1 = scout_training::publish(&candidate, &models_dir).expect("publish");
    assert!(v1.ends_with("ranking/v1"));

    let res = app.post_as(&app.operator, "/v1/admin/models/reload", &json!({})).await;
    let reloaded: Value = res.json().await.expect("report");
    let ranking = reloaded["reloaded"].as_array().expect("list").iter().find(|r| r["model"] == "ranking").cloned();
    assert_eq!(ranking.expect("ranking reloaded")["active"], "v1", "{reloaded}");
    let brand = app.login_as("brand", "rank@brand.test").await;
    let listed: Value = app.get_as(&brand, "/v1/models").await.json().await.expect("models");
    let entry = listed["models"].as_array().expect("models").iter().find(|m| m["name"] == "ranking").cloned();
    let entry = entry.expect("ranking listed");
    assert_eq!(entry["active"], "v1");
    assert!(entry["versions"][0]["metrics"]["ndcg10_test"].as_f64().is_some(), "{entry}");

    // The service now uses the learned weights: the explanation of the same
    // search shows them, each result's contributions still add up to its score.
    let after = search(probe).await;
    let results = after["results"].as_array().expect("results");
    let learned: Vec<f64> = results[0]["explanation"]["contributions"]
        .as_array()
        .expect("contributions")
        .iter()
        .map(|c| c["weight"].as_f64().expect("weight"))
        .collect();
    let w_mid = model.blend.weights(0.5);
    if model.blend != scout_models::ranking::Blend::HAND.normalised() {
        assert_ne!(learned, hand_weights, "weights did not change after the reload");
    }
    assert!(learned.iter().all(|w| *w >= 0.0) && w_mid.iter().all(|w| *w >= 0.0));
    for r in results {
        let sum: f64 = r["explanation"]["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .map(|c| c["contribution"].as_f64().expect("c"))
            .sum();
        assert!((sum - r["score"].as_f64().expect("score")).abs() < 0.01, "{r}");
    }
    app.cleanup().await;
}

/// The trained sentiment scorer: fitted on rated sentences with real MiniLM
/// vectors, published, reloaded; the sentiment endpoint then names it and
/// scores with it.
#[tokio::test]
async fn trained_sentiment_replaces_the_lexicon_after_a_reload() {
    use scout_training::sentiment::{SentenceRow, SentimentConfig, train};
    let (app, models, models_dir) = app_with_own_models().await;
    let encoder = app.state.minilm().cloned().expect("MiniLM installed by the set-up");

    let subjects = ["this recipe", "the video", "your outfit", "the new song", "this review", "the ending"];
    let mut rows = Vec::new();
    for (rating, words) in [
        (2.5f32, ["wonderful", "great", "lovely", "amazing", "brilliant"]),
        (-2.5, ["terrible", "awful", "boring", "disappointing", "useless"]),
    ] {
        for s in subjects {
            for w in words {
                rows.push((rating, format!("{s} is {w}")));
            }
        }
    }
    for s in subjects {
        for n in 1..=5 {
            rows.push((0.0, format!("{s} was posted {n} days ago")));
        }
    }
    let rows: Vec<SentenceRow> = rows
        .into_iter()
        .map(|(rating, text)| SentenceRow {
            source: "test".into(),
            split: scout_training::dataset::Split::of(3, &text),
            rating,
            text,
        })
        .collect();
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let vectors = scout_training::sentiment::encode_all(encoder.as_ref(), &texts, |_| {}).expect("encode");
    let config = SentimentConfig { epochs: 100, ..scout_training::sentiment::DEFAULTS };
    let (model, report) = train(&rows, &vectors, encoder.name(), config, "test sentences").expect("train");
    assert!(report.trained.rows > 0 && report.trained.binary_accuracy >= 0.9, "{report:?}");
    let candidate = models.path().join("sentiment-candidate");
    model.save(&candidate).expect("save");
    scout_training::publish(&candidate, &models_dir).expect("publish");
    let reloaded: Value =
        app.post_as(&app.operator, "/v1/admin/models/reload", &json!({})).await.json().await.expect("report");
    assert!(
        reloaded["reloaded"].as_array().expect("list").iter().any(|r| r["model"] == "sentiment" && r["active"] == "v1"),
        "{reloaded}"
    );

    let line = json!({"platform": "instagram", "external_id": "t1", "handle": "trained.cook", "followers": 9000,
        "recent_posts": [{"posted_at": "2026-10-01T10:00:00Z", "caption": "the new video is amazing",
             "top_comments": ["this outfit is wonderful", "the recipe is awful"]}]});
    app.import_raw(format!("{line}\n").into_bytes()).await;
    let id = app.state.store().privacy().profiles_by_handle("instagram", "trained.cook").await.expect("lookup")[0];
    let brand = app.login_as("brand", "senti@brand.test").await;
    let s: Value = app.get_as(&brand, &format!("/v1/profiles/{id}/sentiment")).await.json().await.expect("sentiment");
    assert_eq!(s["scorer"], "sentiment v1", "{s}");
    assert_eq!(s["posts"][0]["caption"]["polarity"], "positive", "{s}");
    assert_eq!(s["comments"]["count"], 2, "{s}");
    assert!((s["comments"]["positive"].as_f64().expect("share") - 0.5).abs() < 1e-9, "{s}");
    app.cleanup().await;
}

/// Campaign success: bookings with outcomes from the fixtures, exported to
/// CSV, trained, published and reloaded; campaign matching then predicts each
/// creator's engagement with intervals and orders by the chance of meeting the
/// goal; before the model it falls back to the search's order.
#[tokio::test]
async fn campaign_success_trains_publishes_and_orders_matches() {
    let (app, models, models_dir) = app_with_own_models().await;
    let (n, seed) = (4000u64, 23u64);
    app.import_fixtures(n, seed).await;
    let brand = app.login_as("brand", "campaigns@brand.test").await;
    let brief = json!({
        "description": "workout gear launch for people who train at home",
        "niches": ["fitness"],
        "deliverable": "reel",
        "target": {"countries": ["US", "GB"], "age_bands": ["18-24", "25-34"]},
        "goal": {"kind": "engagements", "min": 400}
    });
    let match_for = |body: Value| {
        let (app, brand) = (&app, &brand);
        async move {
            let res = app.post_as(brand, "/v1/campaigns/match", &body).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.expect("matches")
        }
    };

    // Before any model: matches in the search's order, without predictions.
    let before = match_for(json!({"brief": brief, "limit": 10})).await;
    assert_eq!(before["order"], "relevance", "{before}");
    assert!(before["model_version"].is_null());
    let matches = before["matches"].as_array().expect("matches");
    assert!(!matches.is_empty(), "{before}");
    assert!(matches.iter().all(|m| m["prediction"].is_null()));

    // The engineer's path: campaigns file → rows → CSV → train → publish → reload.
    let g = scout_fixtures::Generator::new(seed);
    let (profiles, truths): (Vec<_>, Vec<_>) = (0..n).map(|i| g.profile(i)).unzip();
    let records = scout_fixtures::generate_campaigns(&g, &truths, 1500);
    let file = models.path().join("f.campaigns.jsonl");
    let lines: Vec<String> = records.iter().map(|r| serde_json::to_string(r).expect("json")).collect();
    std::fs::write(&file, lines.join("\n")).expect("write campaigns");
    let records = scout_training::success::read_campaigns(&file).expect("read campaigns");
    let rows = scout_training::success::success_rows(&profiles, &scout_training::success::by_creator(&records), 4);
    let csv = models.path().join("success.csv");
    scout_training::success::write_csv(&rows, std::fs::File::create(&csv).expect("csv")).expect("write");
    let rows = scout_training::success::read_csv(&csv).expect("read back");
    let config = scout_training::BoostConfig { seed: 4, iterations: 120, ..scout_training::success::DEFAULTS };
    let (model, eval) = scout_training::success::train(&rows, config, "fixtures").expect("train");
    assert!(eval.auc > 0.75 && (eval.coverage_80 - 0.8).abs() < 0.08, "{eval:?}");
    let candidate = models.path().join("success-candidate");
    model.save(&candidate).expect("save");
    let v1 = scout_training::publish(&candidate, &models_dir).expect("publish");
    assert!(v1.ends_with("campaign-success/v1"));
    let reloaded: Value =
        app.post_as(&app.operator, "/v1/admin/models/reload", &json!({})).await.json().await.expect("report");
    let entry =
        reloaded["reloaded"].as_array().expect("list").iter().find(|r| r["model"] == "campaign-success").cloned();
    assert_eq!(entry.expect("campaign-success reloaded")["active"], "v1", "{reloaded}");
    let listed: Value = app.get_as(&brand, "/v1/models").await.json().await.expect("models");
    let entry = listed["models"].as_array().expect("models").iter().find(|m| m["name"] == "campaign-success").cloned();
    let entry = entry.expect("listed");
    assert_eq!(entry["active"], "v1");
    assert!(entry["versions"][0]["metrics"]["goal_auc"].as_f64().expect("auc") > 0.75, "{entry}");

    // Now every match carries a prediction with consistent intervals, best chance first.
    let after = match_for(json!({"brief": brief, "limit": 20})).await;
    assert_eq!(after["order"], "success", "{after}");
    assert_eq!(after["model_version"], "v1");
    let matches = after["matches"].as_array().expect("matches");
    assert!(matches.len() >= 5, "{after}");
    let mut last = f64::INFINITY;
    for m in matches {
        let p = &m["prediction"];
        let prob = p["probability_meets_goal"].as_f64().expect("probability");
        assert!(prob > 0.0 && prob < 1.0 && prob <= last + 1e-12, "not ordered by chance: {after}");
        last = prob;
        let er = |k: &str| p["engagement_rate"][k].as_f64().expect("rate");
        assert!(er("low") <= er("median") && er("median") <= er("high"), "{p}");
        let eng = |k: &str| p["engagements"][k].as_u64().expect("count");
        assert!(eng("low") <= eng("median") && eng("median") <= eng("high"), "{p}");
        let followers = m["profile"]["followers"].as_f64().expect("followers");
        assert_eq!(p["goal_engagements"], 400, "{p}");
        assert!((eng("median") as f64 - er("median") * followers).abs() <= 1.0, "{p}");
        if let Some(cpe) = p["cost_per_engagement"].as_object() {
            let at = |k: &str| cpe[k]["amount_minor"].as_i64().expect("minor");
            assert!(at("low") <= at("median") && at("median") <= at("high"), "{p}");
            assert_eq!(cpe["median"]["currency"], m["profile"]["rates"]["currency"]);
        }
        assert_eq!(p["deliverable"], "reel");
    }
    assert!(
        matches.iter().any(|m| !m["prediction"]["drivers"].as_array().expect("drivers").is_empty()),
        "no match explains its prediction: {after}"
    );
    // A creator with many more followers than the goal needs is far likelier to meet it.
    let chance = |m: &Value| m["prediction"]["probability_meets_goal"].as_f64().unwrap_or(0.0);
    let big = matches.iter().filter(|m| m["profile"]["followers"].as_u64().unwrap_or(0) > 100_000).map(chance);
    let small = matches.iter().filter(|m| m["profile"]["followers"].as_u64().unwrap_or(u64::MAX) < 5_000).map(chance);
    if let (Some(big), Some(small)) = (big.reduce(f64::min), small.reduce(f64::max)) {
        assert!(big > small, "big {big} vs small {small}");
    }

    // Relevance order on request; a budget sets expensive creators aside.
    let relevance = match_for(json!({"brief": brief, "order": "relevance", "limit": 20})).await;
    let scores: Vec<f64> =
        relevance["matches"].as_array().expect("m").iter().map(|m| m["relevance"].as_f64().expect("r")).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let mut cheap = brief.clone();
    cheap["budget_per_creator"] = json!({"amount_minor": 5000, "currency": "USD"});
    let budgeted = match_for(json!({"brief": cheap, "limit": 50})).await;
    assert!(budgeted["over_budget"].as_u64().expect("count") > 0, "{budgeted}");
    assert!(budgeted["matches"].as_array().expect("m").iter().all(|m| m["within_budget"] != false));

    // Bad briefs are refused with problem+json naming the field.
    let res = app
        .post_as(
            &brand,
            "/v1/campaigns/match",
            &json!({"brief": {"deliverable": "reel", "niches": ["underwater chess"]}}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.expect("problem");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("brief.niches"), "{problem}");
    let res = app.post_as(&brand, "/v1/campaigns/match", &json!({"brief": {"deliverable": "podcast"}})).await;
    assert_eq!(res.status(), 400);
    app.cleanup().await;
}

/// Implicit feedback: brands shortlist creators after searches (the client
/// sends the search with the entry); `export ranking --feedback` turns those
/// into judged queries, and the ranking model trains on them with every
/// feature's weight free.
#[tokio::test]
async fn shortlists_become_ranking_feedback() {
    let (app, models, _models_dir) = app_with_own_models().await;
    let (n, seed) = (3000u64, 29u64);
    app.import_fixtures(n, seed).await;
    let g = scout_fixtures::Generator::new(seed);
    let truths: Vec<_> = (0..n).map(|i| g.profile(i).1).collect();
    let queries = scout_fixtures::generate_queries(&g, &truths, 60);
    let brand = app.login_as("brand", "feedback@brand.test").await;
    let list = app.post_as(&brand, "/v1/shortlists", &json!({"name": "Q4 launch"})).await;
    let list = list.json::<Value>().await.expect("list")["id"].as_i64().expect("id");

    // For each search the brand shortlists the results that truly fit (per the
    // generator's judgments), wherever they ranked on the first page.
    let mut shortlisted = 0;
    let mut profiles = std::collections::HashSet::new();
    for q in &queries {
        let page = app.search(json!({"query": q.text, "limit": 20})).await;
        for r in page["results"].as_array().expect("results") {
            let key = format!(
                "{}:{}",
                r["profile"]["platform"].as_str().unwrap_or(""),
                r["profile"]["external_id"].as_str().unwrap_or("")
            );
            if q.judgments.get(&key).copied().unwrap_or(0) >= 2 {
                let id = r["profile"]["id"].as_i64().expect("id");
                let body = json!({"note": "fits", "query": format!("  {}  ", q.text)});
                let path = format!("/v1/shortlists/{list}/entries/{id}");
                let res = app.call(reqwest::Method::PUT, &brand, &path, Some(&body), None).await;
                assert_eq!(res.status(), 200);
                let entry: Value = res.json().await.expect("entry");
                assert_eq!(entry["query"], json!(q.text), "trimmed and kept: {entry}");
                shortlisted += 1;
                profiles.insert(id);
            }
        }
    }
    assert!(shortlisted >= 40, "{shortlisted}");
    // Replacing the note without a query keeps the recorded one.
    let detail: Value = app.get_as(&brand, &format!("/v1/shortlists/{list}")).await.json().await.expect("list");
    let first = detail["items"][0]["profile_id"].as_i64().expect("first");
    let path = format!("/v1/shortlists/{list}/entries/{first}");
    let res = app.call(reqwest::Method::PUT, &brand, &path, Some(&json!({"note": "call them"})), None).await;
    assert!(!res.json::<Value>().await.expect("entry")["query"].is_null());
    let long = json!({"query": "x".repeat(501)});
    assert_eq!(app.call(reqwest::Method::PUT, &brand, &path, Some(&long), None).await.status(), 400);

    // The engineer's path: feedback → judged queries → rows → CSV → train (all features free).
    let feedback = app.state.store().shortlist_feedback().await.expect("feedback");
    // One entry per creator and list: a creator shortlisted again from another search keeps the latest.
    assert_eq!(feedback.iter().map(|f| f.lists).sum::<i64>(), profiles.len() as i64);
    let judged = scout_training::ranking::feedback_queries(&feedback);
    assert!(judged.len() >= 20 && judged.iter().all(|q| q.kind == "feedback"), "{}", judged.len());
    assert!(judged.iter().all(|q| q.judgments.values().all(|g| *g == 2)), "one list each: grade 2");
    let rows = scout_training::ranking::export_rows(app.state.engine(), app.state.store(), &judged, 5, || {})
        .await
        .expect("export");
    let relevant = rows.iter().filter(|r| r.grade == 2).count();
    assert!(
        relevant >= profiles.len() * 9 / 10,
        "{relevant} of {} shortlisted creators are candidates again",
        profiles.len()
    );
    let csv = models.path().join("feedback.csv");
    scout_training::ranking::write_csv(&rows, std::fs::File::create(&csv).expect("csv")).expect("write");
    let rows = scout_training::ranking::read_csv(&csv).expect("read back");
    assert!(rows.iter().all(|r| r.kind == "feedback"));
    let config = scout_training::ranking::RankConfig {
        epochs: 30,
        learned: scout_training::ranking::ALL_FEATURES,
        ..scout_training::ranking::DEFAULTS
    };
    let (model, report) = scout_training::ranking::train(&rows, config, "shortlist feedback").expect("train");
    assert!(report.learned_validation >= report.hand_validation, "{report:?}");
    assert!(model.blend.weights(0.5).iter().all(|w| *w >= 0.0));
    app.cleanup().await;
}
