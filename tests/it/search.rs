use scout_tests::{Backend, TestApp};
use serde_json::{Value, json};

fn results(v: &Value) -> &Vec<Value> {
    v["results"].as_array().expect("results")
}

#[tokio::test]
async fn free_text_becomes_filters_and_results_are_explained() {
    let app = TestApp::spawn().await;
    app.import_fixtures(3000, 7).await;
    let res = app.search(json!({"query": "fitness creators in Germany over 10k followers", "limit": 10})).await;
    let pq = &res["parsed_query"];
    assert_eq!(pq["filters"]["countries"], json!(["DE"]));
    assert_eq!(pq["filters"]["followers_min"], json!(10000));
    assert_eq!(pq["niches"], json!(["fitness"]));
    let hits = results(&res);
    assert!(!hits.is_empty(), "{res}");
    for h in hits {
        assert_eq!(h["profile"]["country"], "DE");
        assert!(h["profile"]["followers"].as_u64().expect("followers") >= 10_000);
        // The explanation's contributions add up to the score.
        let sum: f64 = h["explanation"]["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .map(|c| c["contribution"].as_f64().unwrap_or(0.0))
            .sum();
        assert!((sum - h["score"].as_f64().expect("score")).abs() < 0.02, "{h}");
        assert!(h["profile"]["id"].as_i64().is_some());
    }
    // Results are ordered by score, and the top one is a fitness creator.
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap_or(0.0)).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    assert!(
        hits[0]["explanation"]["matched"].as_array().expect("matched").iter().any(|m| m == "fitness"),
        "{}",
        hits[0]
    );
    // Facets describe the filtered set.
    let countries = res["facets"]["country"].as_array().expect("country facet");
    assert_eq!(countries.len(), 1);
    assert_eq!(countries[0]["value"], "DE");
    app.cleanup().await;
}

#[tokio::test]
async fn structured_filters_sorts_and_pages() {
    let app = TestApp::spawn().await;
    app.import_fixtures(2000, 3).await;
    let f = json!({"countries": ["US", "GB"], "tiers": ["micro", "mid"], "platforms": ["instagram", "tiktok"]});
    let res = app.search(json!({"filters": f, "sort": "followers_desc", "limit": 50})).await;
    let hits = results(&res);
    assert!(hits.len() > 5, "{res}");
    let followers: Vec<u64> = hits.iter().map(|h| h["profile"]["followers"].as_u64().unwrap_or(0)).collect();
    assert!(followers.windows(2).all(|w| w[0] >= w[1]), "not sorted: {followers:?}");
    for h in hits {
        let p = &h["profile"];
        assert!(["US", "GB"].contains(&p["country"].as_str().unwrap_or("")));
        assert!((10_000..500_000).contains(&p["followers"].as_u64().unwrap_or(0)));
        assert!(["instagram", "tiktok"].contains(&p["platform"].as_str().unwrap_or("")));
    }
    let total = res["total"].as_u64().expect("total");
    let facet_sum: u64 =
        res["facets"]["country"].as_array().expect("facet").iter().map(|c| c["count"].as_u64().unwrap_or(0)).sum();
    assert_eq!(facet_sum, total);
    // Pages do not overlap and together give the first page of a bigger limit.
    let p1 = app.search(json!({"filters": f, "sort": "followers_desc", "limit": 10, "offset": 0})).await;
    let p2 = app.search(json!({"filters": f, "sort": "followers_desc", "limit": 10, "offset": 10})).await;
    let ids = |v: &Value| results(v).iter().map(|h| h["profile"]["id"].as_i64().unwrap_or(0)).collect::<Vec<_>>();
    let mut both = ids(&p1);
    both.extend(ids(&p2));
    assert_eq!(both, ids(&res)[..20].to_vec());
    app.cleanup().await;
}

/// A sort reorders the result set and never changes it (issue 25): over
/// queries drawn at random from creator words, places and made-up words,
/// every sort answers the relevance order's `total` and facets, a full first
/// page when there is one, and field order.
#[tokio::test]
async fn every_sort_keeps_the_relevance_result_set() {
    let app = TestApp::spawn().await;
    app.import_fixtures(600, 11).await;
    let words = [
        "yoga", "vegan", "fitness", "teachers", "creators", "cooks", "home", "travel", "gaming", "beauty", "tech",
        "fashion", "music", "pets", "in", "berlin", "lisbon", "lyon", "paris", "london", "french", "who", "post",
        "zzqxj", "blorf",
    ];
    // A fixed xorshift stream: the same queries every run, none written by hand.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let followers = |v: &Value| -> Vec<u64> {
        results(v).iter().map(|h| h["profile"]["followers"].as_u64().unwrap_or(0)).collect()
    };
    for _ in 0..10 {
        let n = 1 + next(4);
        let query: Vec<&str> = (0..n).map(|_| words[next(words.len())]).collect();
        let query = query.join(" ");
        let relevance = app.search(json!({"query": query, "limit": 20})).await;
        let total = relevance["total"].as_u64().expect("total");
        for sort in ["followers_desc", "followers_asc", "engagement_desc", "growth_desc"] {
            let sorted = app.search(json!({"query": query, "sort": sort, "limit": 20})).await;
            assert_eq!(sorted["total"].as_u64(), Some(total), "{query:?} sorted by {sort}");
            assert_eq!(sorted["facets"], relevance["facets"], "{query:?} sorted by {sort}: facets");
            assert_eq!(results(&sorted).len() as u64, total.min(20), "{query:?} sorted by {sort}: a full page");
            let f = followers(&sorted);
            match sort {
                "followers_desc" => assert!(f.windows(2).all(|w| w[0] >= w[1]), "{query:?}: {f:?}"),
                "followers_asc" => assert!(f.windows(2).all(|w| w[0] <= w[1]), "{query:?}: {f:?}"),
                _ => {}
            }
        }
    }
    app.cleanup().await;
}

#[tokio::test]
async fn get_search_takes_query_parameters() {
    let app = TestApp::spawn().await;
    app.import_fixtures(1500, 5).await;
    let res = app.get_json("/v1/search?q=travel%20photography&country=FR,ES&limit=5").await;
    assert!(results(&res).len() <= 5);
    for h in results(&res) {
        assert!(["FR", "ES"].contains(&h["profile"]["country"].as_str().unwrap_or("")));
    }
    let bad = app.get_as(&app.operator, "/v1/search?q=x&colour=red").await;
    assert_eq!(bad.status(), 400);
    app.cleanup().await;
}

#[tokio::test]
async fn semantic_retrieval_finds_profiles_without_the_query_words() {
    let app = TestApp::spawn().await;
    app.import_fixtures(3000, 9).await;
    // "cruelty-free" and "dairy-free" appear in vegan bios; the query names neither the niche nor those words.
    let res = app.search(json!({"query": "meals made without meat or milk", "limit": 20})).await;
    let hits = results(&res);
    let food_like = hits
        .iter()
        .filter(|h| {
            let cats =
                h["profile"]["categories"].to_string().to_lowercase() + &h["profile"]["bio"].to_string().to_lowercase();
            ["vegan", "plant", "food", "cook", "meal", "recipe", "vegetar", "dairy"].iter().any(|w| cats.contains(w))
        })
        .count();
    assert!(food_like >= 10, "only {food_like}/20 food-related results: {res}");
    app.cleanup().await;
}

#[tokio::test]
async fn lookalikes_exclude_the_seed_and_share_its_niche() {
    let app = TestApp::spawn().await;
    app.import_fixtures(2000, 11).await;
    let seed = app.search(json!({"query": "skincare", "limit": 1})).await;
    let seed = &results(&seed)[0]["profile"];
    let id = seed["id"].as_i64().expect("id");
    let res = app.get_json(&format!("/v1/profiles/{id}/similar?limit=10")).await;
    let hits = results(&res);
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|h| h["profile"]["id"].as_i64() != Some(id)));
    let sharing = hits
        .iter()
        .filter(|h| {
            let text =
                h["profile"]["categories"].to_string().to_lowercase() + &h["profile"]["bio"].to_string().to_lowercase();
            ["skin", "beauty", "makeup", "derma", "serum", "acne", "glow", "spf"].iter().any(|w| text.contains(w))
        })
        .count();
    assert!(sharing >= 7, "{sharing}/10 lookalikes share the niche: {res}");
    assert_eq!(app.get_as(&app.operator, "/v1/profiles/999999/similar").await.status(), 404);
    app.cleanup().await;
}

#[tokio::test]
async fn search_works_on_postgres_too() {
    let app = TestApp::spawn_on(Backend::Postgres).await;
    app.import_fixtures(800, 13).await;
    let res = app.search(json!({"query": "gaming creators in the UK", "limit": 5})).await;
    assert_eq!(res["parsed_query"]["filters"]["countries"], json!(["GB"]));
    for h in results(&res) {
        assert_eq!(h["profile"]["country"], "GB");
    }
    assert!(res["total"].as_u64().expect("total") > 0);
    app.cleanup().await;
}

#[tokio::test]
async fn price_and_audience_quality_filters_over_http() {
    let app = TestApp::spawn().await;
    app.import_fixtures(2000, 13).await;
    let usd_cents = |p: &Value| -> Option<u64> {
        let rates: scout_domain::Rates = serde_json::from_value(p["rates"].clone()).ok()?;
        rates.headline_usd_cents()
    };
    // A budget in euros, from the structured filter and from the words.
    let f = json!({"price": {"currency": "EUR", "max": 30000}, "audience_quality_min": 0.8});
    let res = app.search(json!({"query": "fitness", "filters": f, "limit": 100})).await;
    let hits = results(&res);
    assert!(hits.len() > 5, "{res}");
    let cap = scout_domain::money::convert_minor(30_000, "EUR", "USD").expect("EUR");
    for h in hits {
        let cents = usd_cents(&h["profile"]).expect("a profile without a rate never matches a price range");
        assert!(cents <= cap, "{cents} > {cap}: {}", h["profile"]["rates"]);
        let quality = h["explanation"]["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .find(|c| c["feature"] == "audience_quality")
            .and_then(|c| c["value"].as_f64())
            .expect("audience quality in the explanation");
        assert!(quality >= 0.8, "{quality}");
    }
    // Without the filters the same search returns creators outside them.
    let unfiltered = app.search(json!({"query": "fitness", "limit": 100})).await;
    let outside = results(&unfiltered).iter().filter(|h| usd_cents(&h["profile"]).is_none_or(|c| c > cap)).count();
    assert!(outside > 0, "{unfiltered}");
    let words = app.search(json!({"query": "fitness creators under €300 per post", "limit": 100})).await;
    assert_eq!(words["parsed_query"]["filters"]["price"], json!({"currency": "EUR", "max": 30000}), "{words}");
    assert_eq!(words["parsed_query"]["text"], "fitness");
    assert!(!results(&words).is_empty(), "{words}");
    assert!(results(&words).iter().all(|h| usd_cents(&h["profile"]).is_some_and(|c| c <= cap)), "{words}");
    // The GET form takes the same filters.
    let get = app
        .get_json("/v1/search?q=fitness&price_max=30000&price_currency=EUR&audience_quality_min=0.8&limit=100")
        .await;
    assert_eq!(get["total"], res["total"]);
    app.cleanup().await;
}

#[tokio::test]
async fn a_creators_handle_finds_that_creator_first() {
    let app = TestApp::spawn().await;
    app.import_fixtures(2000, 17).await;
    // A known-item search: the learned ranking gives text relevance no weight,
    // yet a word only a few profiles contain must bring them to the top.
    for id in [3, 250, 1999] {
        let p = app.get_json(&format!("/v1/profiles/{id}")).await;
        let handle = p["handle"].as_str().expect("handle").to_string();
        let res = app.search(json!({"query": handle, "limit": 5})).await;
        assert_eq!(results(&res)[0]["profile"]["id"], id, "{handle}: {res}");
        let text = results(&res)[0]["explanation"]["contributions"][0].clone();
        assert_eq!(text["feature"], "text_relevance");
        assert!(text["weight"].as_f64() > Some(0.3), "{text}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn a_likely_buyers_own_handle_still_finds_them_first() {
    let app = TestApp::spawn().await;
    app.import_fixtures(3000, 29).await;
    // Likely buyers among the fitness creators, as the model sees them.
    let res = app.search(json!({"query": "fitness", "limit": 100, "demote_bought_followers": false})).await;
    let buyers: Vec<i64> = results(&res)
        .iter()
        .filter(|h| {
            h["explanation"]["contributions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["feature"] == "audience_quality" && c["value"].as_f64().is_some_and(|q| q < 0.5))
        })
        .filter_map(|h| h["profile"]["id"].as_i64())
        .take(3)
        .collect();
    assert!(!buyers.is_empty(), "the fixtures hold likely buyers: {res}");
    for id in buyers {
        let handle = app.get_json(&format!("/v1/profiles/{id}")).await["handle"].as_str().expect("handle").to_string();
        let res = app.search(json!({"query": handle, "limit": 5})).await;
        let first = &results(&res)[0];
        assert_eq!(first["profile"]["id"], id, "{handle}: {res}");
        assert!(first["explanation"]["moved_down"].is_null(), "a named creator is not moved down: {first}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn regions_ranges_and_moving_bought_followers_down_over_http() {
    let app = TestApp::spawn().await;
    app.import_fixtures(3000, 23).await;
    // A region in the words becomes a region filter; every result lives there.
    let res = app.search(json!({"query": "food creators in Bavaria with 1k-500k followers", "limit": 50})).await;
    let pq = &res["parsed_query"];
    assert_eq!(pq["filters"]["regions"], json!(["DE:Bavaria"]), "{pq}");
    assert_eq!(
        (pq["filters"]["followers_min"].as_u64(), pq["filters"]["followers_max"].as_u64()),
        (Some(1000), Some(500_000))
    );
    let hits = results(&res);
    assert!(!hits.is_empty(), "{res}");
    for h in hits {
        assert_eq!(h["profile"]["city"], "Munich", "the generator's only Bavarian city: {}", h["profile"]);
        let f = h["profile"]["followers"].as_u64().expect("followers");
        assert!((1000..=500_000).contains(&f));
    }
    // The same filter, structured; an unknown region matches nobody.
    let structured = app.search(json!({"query": "food", "filters": {"regions": ["DE:Bavaria"]}, "limit": 50})).await;
    assert!(results(&structured).iter().all(|h| h["profile"]["city"] == "Munich"), "{structured}");
    let unknown = app.post_as(&app.operator, "/v1/search", &json!({"filters": {"regions": ["DE:Atlantis"]}})).await;
    assert_eq!(unknown.status(), 200);
    let unknown: Value = unknown.json().await.expect("json");
    assert_eq!(unknown["total"], 0, "{unknown}");
    // The region box's suggestions: ids the filter takes, biggest first, one country if asked.
    let typed = app.get_json("/v1/search/regions?q=bay").await;
    let ids: Vec<&str> =
        typed["regions"].as_array().expect("regions").iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(ids.contains(&"DE:Bavaria"), "{typed}");
    let in_us = app.get_json("/v1/search/regions?q=new&country=us&limit=3").await;
    let us = in_us["regions"].as_array().expect("regions");
    assert_eq!(us.len(), 3, "{in_us}");
    assert!(us.iter().all(|r| r["country"] == "US"), "{in_us}");
    for id in us.iter().filter_map(|r| r["id"].as_str()) {
        let filtered = app.search(json!({"filters": {"regions": [id]}, "limit": 1})).await;
        assert!(filtered["total"].is_u64(), "a suggestion is a valid filter: {id} {filtered}");
    }
    let refused = app.get_as(&app.operator, "/v1/search/regions?q=x&limit=0").await;
    assert_eq!(refused.status(), 400);
    // Likely bought followers (p_bought over 0.25: quality under 0.75) are moved down and say
    // so; asked for, they rank as before.
    // Every fitness creator, in three pages, ranked both ways.
    let mut ranked = Vec::new();
    for demote in [true, false] {
        let mut all = Vec::new();
        for offset in [0, 100, 200] {
            let body = json!({"query": "fitness", "limit": 100, "offset": offset, "demote_bought_followers": demote});
            all.extend(results(&app.search(body).await).iter().cloned());
        }
        ranked.push(all);
    }
    let (moved, plain) = (&ranked[0], &ranked[1]);
    let quality = |h: &Value| {
        h["explanation"]["contributions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["feature"] == "audience_quality"))
            .and_then(|c| c["value"].as_f64())
            .expect("audience quality")
    };
    assert!(plain.iter().all(|h| h["explanation"]["moved_down"].is_null()), "asked not to move anyone");
    let suspects: Vec<&Value> = moved.iter().filter(|h| quality(h) < 0.75).collect();
    assert!(!suspects.is_empty(), "the fixtures hold likely buyers among {} fitness creators", moved.len());
    for h in &suspects {
        let m = &h["explanation"]["moved_down"];
        assert_eq!(m["reason"], "likely_bought_followers", "{h}");
        assert!(m["factor"].as_f64().expect("factor") < 1.0, "{m}");
        assert!(h["explanation"]["summary"].as_str().expect("summary").contains("likely bought followers"));
    }
    assert!(moved.iter().filter(|h| quality(h) >= 0.75).all(|h| h["explanation"]["moved_down"].is_null()));
    // A moved creator scores its contributions' sum (the unmoved score) times the factor.
    for h in &suspects {
        let factor = h["explanation"]["moved_down"]["factor"].as_f64().expect("factor");
        let unmoved: f64 = h["explanation"]["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .map(|c| c["contribution"].as_f64().unwrap_or(0.0))
            .sum();
        let score = h["score"].as_f64().expect("score");
        assert!((score - unmoved * factor).abs() < 0.02, "{score} vs {unmoved} × {factor}");
    }
    app.cleanup().await;
}

/// A query whose words no profile has and whose meaning is no nearer to any
/// profile than gibberish finds nothing, and says so; a slip of the keyboard
/// gets a respelling to try; real queries are untouched.
#[tokio::test]
async fn nonsense_finds_nothing_and_a_slip_gets_a_respelling() {
    let app = TestApp::spawn().await;
    app.import_fixtures(1500, 12).await;
    let nothing = app.search(json!({"query": "zzqxj"})).await;
    assert_eq!(nothing["total"], 0, "{nothing}");
    assert!(results(&nothing).is_empty());
    assert_eq!(nothing["suggestions"], json!([]), "nothing near it to suggest");
    // Random letter strings (a fixed stream, none written by hand): the floor is
    // the 95th percentile of such strings' nearest profile, so few get through.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut found = 0;
    for _ in 0..30 {
        let word: String = (0..4 + next(6)).map(|_| char::from(b'a' + next(26) as u8)).collect();
        found += u32::from(app.search(json!({"query": word})).await["total"].as_u64() > Some(0));
    }
    assert!(found <= 6, "{found} of 30 random strings still found creators");
    // Every labelled query of the fixture set still finds creators.
    let g = scout_fixtures::Generator::new(12);
    let truths: Vec<_> = (0..1500).map(|i| g.profile(i).1).collect();
    for q in scout_fixtures::generate_queries(&g, &truths, 40) {
        let res = app.search(json!({"query": q.text})).await;
        assert!(res["total"].as_u64() > Some(0), "nothing for {:?}", q.text);
    }
    // A slip: found anyway, or nothing with the respelling to try, which finds creators.
    for (slip, meant) in
        [("yogga", "yoga"), ("vegn cookng", "vegan cooking"), ("Instagarm fitnes", "Instagram fitness")]
    {
        let res = app.search(json!({"query": slip})).await;
        if res["total"] == 0 {
            let s = &res["suggestions"][0];
            assert_eq!((s["query"].as_str(), s["reason"].as_str()), (Some(meant), Some("spelling")), "{res}");
            let respelt = app.search(json!({"query": meant})).await;
            assert_eq!(s["total"], respelt["total"], "the suggestion's count is the respelt search's");
        } else {
            assert_eq!(res["suggestions"], json!([]), "suggestions only when nothing matched");
        }
    }
    app.cleanup().await;
}

/// The landing page's sample search: no account, five creators with headline
/// figures only, limited per address.
#[tokio::test]
async fn visitors_try_a_sample_search_without_an_account() {
    let app = TestApp::spawn().await;
    app.import_fixtures(800, 13).await;
    let res = app.get("/v1/preview?q=fitness%20creators%20in%20Germany").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    let cards = body["results"].as_array().expect("results");
    assert!(!cards.is_empty() && cards.len() <= 5, "{body}");
    assert!(body["total"].as_u64() >= Some(cards.len() as u64));
    for c in cards {
        assert_eq!(c["country"], "DE", "{c}");
        assert!(c["handle"].is_string() && c["followers"].is_u64());
        assert!(
            c.get("bio").is_none() && c.get("rates").is_none() && c.get("audience").is_none(),
            "headline figures only"
        );
    }
    assert_eq!(app.get(&format!("/v1/preview?q={}", "x".repeat(501))).await.status(), 400);
    // Each address has a small budget; then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..40 {
        let res = app.get("/v1/preview?q=yoga").await;
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("the address is limited");
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(res.json::<Value>().await.expect("problem")["code"], "rate_limited");
    app.cleanup().await;
}
