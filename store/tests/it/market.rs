//! Campaigns, threads and contracts: tenant and party views, optimistic
//! writes, and the races the rules promise to survive (two accepts of one
//! offer make one contract; two signatures racing are both kept).

use chrono::{NaiveDate, Utc};
use scout_domain::account::{Email, Role};
use scout_domain::campaign::Targeting;
use scout_domain::money::{Currency, Money};
use scout_domain::org::OrgKind;
use scout_domain::{Platform, Profile};
use scout_market::{
    Actor, CampaignAction, CampaignSpec, CampaignStatus, Contract, ContractStatus, DeliverableKind, DeliverableSpec,
    Negotiation, NegotiationStatus, Objective, Origin, Side, TermLine, Terms, UsageRights, Visibility,
};
use scout_store::{
    CampaignOrder, CampaignQuery, ContractStep, Error, NewContract, NewNegotiation, Signature, Store, ThreadStep,
    Viewer,
};

use crate::both_backends;

async fn user(store: &Store, email: &str, role: Role) -> i64 {
    store.identity().create_user(&Email::parse(email).expect("email"), "h", role, "Someone").await.expect("user").id
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, d).expect("a date")
}

fn spec(name: &str, budget: i64, niche: &str) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        objective: Objective::Engagement,
        brief: format!("{name}: creators who cook at home"),
        niches: vec![niche.into()],
        platforms: vec![Platform::Instagram],
        target: Targeting { countries: vec!["FR".into()], ..Targeting::default() },
        deliverables: vec![DeliverableSpec { kind: DeliverableKind::Reel, platform: None, count: 1, due_on: None }],
        budget: Money::new(budget, Currency::EUR),
        starts_on: day(1),
        ends_on: day(31),
        visibility: Visibility::Listed,
    }
}

fn terms(fee: i64) -> Terms {
    Terms {
        lines: vec![TermLine {
            kind: DeliverableKind::Reel,
            platform: Some(Platform::Instagram),
            count: 2,
            fee: Money::new(fee, Currency::EUR),
            due_on: day(20),
        }],
        usage: UsageRights::default(),
        exclusivity_days: 0,
    }
}

struct World {
    brand: i64,
    creator: i64,
    org: i64,
    other_org: i64,
    profile: i64,
}

async fn world(store: &Store) -> World {
    let brand = user(store, "brand@a.test", Role::Brand).await;
    let rival = user(store, "brand@b.test", Role::Brand).await;
    let creator = user(store, "creator@c.test", Role::Influencer).await;
    let org = store.orgs().create_organisation(OrgKind::Brand, "A", brand).await.expect("org a").id;
    let other_org = store.orgs().create_organisation(OrgKind::Brand, "B", rival).await.expect("org b").id;
    let line = r#"{"platform":"instagram","external_id":"77","handle":"cook","followers":50000,"bio":"home cooking"}"#;
    store.profiles().upsert_profiles(&[Profile::parse(line).expect("profile").profile]).await.expect("upsert");
    let profile = store.profiles().find_id("instagram", "77").await.expect("find").expect("id");
    World { brand, creator, org, other_org, profile }
}

/// A published campaign of org A.
async fn open_campaign(store: &Store, w: &World, name: &str) -> i64 {
    let t = store.tenant(w.org);
    let c = t.create_campaign(&spec(name, 500_000, "food"), w.brand).await.expect("create");
    let next = c
        .status
        .after(CampaignAction::Publish, Actor::BRAND, Default::default(), &c.spec, day(1))
        .expect("publishable");
    t.update_campaign(c.id, c.revision, &c.spec, next).await.expect("publish").id
}

both_backends!(campaigns_belong_to_their_organisation, |store: Store| async move {
    let w = world(&store).await;
    let (a, b) = (store.tenant(w.org), store.tenant(w.other_org));
    let first = a.create_campaign(&spec("Spring bakes", 300_000, "food"), w.brand).await.expect("create");
    a.create_campaign(&spec("Summer grill", 900_000, "food"), w.brand).await.expect("create");
    a.create_campaign(&spec("Winter yoga", 100_000, "yoga"), w.brand).await.expect("create");
    assert_eq!(first.status, CampaignStatus::Draft);
    assert_eq!(first.spec, spec("Spring bakes", 300_000, "food"));

    // Another organisation finds nothing by id, lists nothing, changes nothing.
    assert!(matches!(b.campaign(first.id).await, Err(Error::Missing { .. })));
    let hijack = spec("Hijacked", 1, "food");
    assert!(matches!(
        b.update_campaign(first.id, first.revision, &hijack, CampaignStatus::Open).await,
        Err(Error::Missing { .. })
    ));
    assert_eq!(b.campaigns(&CampaignQuery { limit: 10, ..Default::default() }).await.expect("list").1, 0);

    // Filters, order, paging and the total.
    let food = CampaignQuery {
        niche: Some("food".into()),
        order: CampaignOrder::LargestBudget,
        limit: 1,
        ..Default::default()
    };
    let (page, total) = a.campaigns(&food).await.expect("list");
    assert_eq!(total, 2);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].spec.name, "Summer grill");
    let text = CampaignQuery { text: Some("YOGA".into()), limit: 10, ..Default::default() };
    assert_eq!(a.campaigns(&text).await.expect("list").0[0].spec.name, "Winter yoga");
    let wildcard = CampaignQuery { text: Some("%".into()), limit: 10, ..Default::default() };
    assert_eq!(a.campaigns(&wildcard).await.expect("list").1, 0, "a % is a character, not a wildcard");

    // An edit from a stale revision is refused and changes nothing.
    let second = spec("Spring bakes II", 300_000, "food");
    let renamed = a.update_campaign(first.id, first.revision, &second, first.status).await.expect("rename");
    assert_eq!(renamed.revision, first.revision + 1);
    let late = a.update_campaign(first.id, first.revision, &spec("Lost edit", 300_000, "food"), first.status).await;
    assert!(matches!(late, Err(Error::Stale { .. })), "{late:?}");
    assert_eq!(a.campaign(first.id).await.expect("read").spec.name, "Spring bakes II");

    // Only listed, open campaigns reach the marketplace.
    let market = CampaignQuery { limit: 10, ..Default::default() };
    assert_eq!(store.market().list_campaigns(None, true, &market).await.expect("market").1, 0);
    open_campaign(&store, &w, "Autumn soups").await;
    let (listed, n) = store.market().list_campaigns(None, true, &market).await.expect("market");
    assert_eq!((n, listed[0].spec.name.as_str()), (1, "Autumn soups"));
});

both_backends!(one_open_thread_per_campaign_and_creator_and_each_side_sees_its_own, |store: Store| async move {
    let w = world(&store).await;
    let campaign = open_campaign(&store, &w, "Autumn soups").await;
    let listed = (CampaignStatus::Open, Visibility::Listed);
    let thread =
        Negotiation::start(Origin::Application, Actor::CREATOR, terms(40_000), listed, Currency::EUR).expect("apply");
    let new = NewNegotiation {
        campaign_id: campaign,
        profile_id: w.profile,
        creator_id: Some(w.creator),
        negotiation: &thread,
        message: "I cook soups every week",
        by: w.creator,
    };
    let id = store.market().open_negotiation(new.clone()).await.expect("open");
    let again = store.market().open_negotiation(new.clone()).await;
    assert!(matches!(again, Err(Error::NegotiationExists { .. })), "{again:?}");

    // The brand's organisation and the creator see it; another organisation does not.
    let seen = store.market().negotiation(id, Viewer::Org(w.org)).await.expect("brand view");
    assert_eq!(seen.negotiation, thread);
    assert_eq!(seen.offers_made[0].by, Some(w.creator));
    store.market().negotiation(id, Viewer::Creator(w.creator)).await.expect("creator view");
    assert!(matches!(store.market().negotiation(id, Viewer::Org(w.other_org)).await, Err(Error::Missing { .. })));
    assert!(matches!(store.market().negotiation(id, Viewer::Creator(w.brand)).await, Err(Error::Missing { .. })));
    assert!(store.market().negotiations(Viewer::Org(w.other_org), None, 0, 50).await.expect("list").is_empty());

    // A counter-offer and a message land in the thread, in order, with who.
    let mut after = thread.clone();
    after.counter(Actor::BRAND, terms(30_000), Currency::EUR).expect("counter");
    let step = ThreadStep { kind: "offer", side: Side::Brand, body: "Two reels at 300", by: w.brand };
    store.market().record_negotiation(id, &thread, &after, step, None).await.expect("record");
    store.market().post_message(id, Side::Creator, w.creator, "Could we say 350?").await.expect("message");
    let entries = store.market().thread(id, Viewer::Creator(w.creator), 0).await.expect("thread");
    let kinds: Vec<(&str, Side)> = entries.iter().map(|e| (e.kind.as_str(), e.side)).collect();
    assert_eq!(kinds, vec![("offer", Side::Creator), ("offer", Side::Brand), ("message", Side::Creator)]);
    assert_eq!(store.market().negotiation(id, Viewer::Admin).await.expect("read").negotiation.latest().version, 2);

    // Once the thread is closed, a new one may open.
    let mut gone = after.clone();
    gone.withdraw(Actor::CREATOR).expect("withdraw");
    let step = ThreadStep { kind: "withdraw", side: Side::Creator, body: "", by: w.creator };
    store.market().record_negotiation(id, &after, &gone, step, None).await.expect("record");
    store.market().open_negotiation(new).await.expect("a new thread after the old one closed");
});

both_backends!(two_accepts_make_one_contract_and_two_signatures_are_both_kept, |store: Store| async move {
    let w = world(&store).await;
    let campaign = open_campaign(&store, &w, "Autumn soups").await;
    let listed = (CampaignStatus::Open, Visibility::Listed);
    let thread =
        Negotiation::start(Origin::Invitation, Actor::BRAND, terms(40_000), listed, Currency::EUR).expect("invite");
    let id = store
        .market()
        .open_negotiation(NewNegotiation {
            campaign_id: campaign,
            profile_id: w.profile,
            creator_id: Some(w.creator),
            negotiation: &thread,
            message: "Join us",
            by: w.brand,
        })
        .await
        .expect("open");

    // The creator's two devices accept the same offer at once.
    let creator = w.creator;
    let accept = |store: Store| {
        let thread = thread.clone();
        async move {
            let mut after = thread.clone();
            let offer = after.accept(Actor::CREATOR, 1).expect("accept").clone();
            let contract = Contract::from_offer(&offer, 7).expect("contract");
            let new = NewContract {
                contract: &contract,
                terms: &offer.terms,
                offer_version: offer.version,
                terms_text: "terms",
                terms_version: "2027-01",
                terms_hash: "h",
                fee_bps: 1_000,
            };
            let step = ThreadStep { kind: "accept", side: Side::Creator, body: "", by: creator };
            store.market().record_negotiation(id, &thread, &after, step, Some(new)).await
        }
    };
    let (one, two) = tokio::join!(accept(store.clone()), accept(store.clone()));
    let made: Vec<i64> = [&one, &two].iter().filter_map(|r| r.as_ref().ok().copied().flatten()).collect();
    assert_eq!(made.len(), 1, "exactly one contract: {one:?} {two:?}");
    assert!([&one, &two].iter().any(|r| matches!(r, Err(Error::Stale { .. }))), "the other accept is refused");
    let contract_id = made[0];
    let n = store.market().negotiation(id, Viewer::Creator(w.creator)).await.expect("thread");
    assert_eq!((n.negotiation.status, n.contract_id), (NegotiationStatus::Accepted, Some(contract_id)));
    assert_eq!(store.market().contracts(Viewer::Org(w.org), Some(campaign), 0, 50).await.expect("list").len(), 1);

    // Both sides sign at the same moment: each retries on a stale read, as the
    // application does, and both signatures are kept.
    let sign = |store: Store, side: Side, user: i64| async move {
        for _ in 0..10 {
            let k = store.market().contract(contract_id, Viewer::Admin).await.expect("read");
            let mut after = k.contract.clone();
            after.sign(Actor::Party(side)).expect("sign");
            let step = ContractStep {
                kind: "sign",
                milestone: None,
                actor: side.as_str(),
                by: Some(user),
                detail: "",
                signature: Some(Signature {
                    side,
                    user_id: Some(user),
                    name: "Someone".into(),
                    ip: Some("192.0.2.1".into()),
                    signed_at: Utc::now(),
                }),
                submission: None,
            };
            match store.market().record_contract(contract_id, k.revision, &after, step).await {
                Ok(()) => return,
                Err(Error::Stale { .. }) => continue,
                Err(e) => panic!("signing failed: {e}"),
            }
        }
        panic!("signing kept losing the race");
    };
    tokio::join!(sign(store.clone(), Side::Brand, w.brand), sign(store.clone(), Side::Creator, w.creator));
    let k = store.market().contract(contract_id, Viewer::Creator(w.creator)).await.expect("read");
    assert_eq!(k.signatures.len(), 2);
    assert_eq!(k.contract.status, ContractStatus::AwaitingFunding);
    assert_eq!(k.contract.milestones[0].amount, Money::new(80_000, Currency::EUR));
    assert!(matches!(store.market().contract(contract_id, Viewer::Org(w.other_org)).await, Err(Error::Missing { .. })));
    let steps = store.market().contract_steps(contract_id, Viewer::Org(w.org)).await.expect("steps");
    assert_eq!(steps.iter().filter(|s| s.kind == "sign").count(), 2);
    let (deals, committed) = store.tenant(w.org).campaign_deals(campaign).await.expect("deals");
    assert_eq!((deals.live_contracts, deals.contracts, committed), (1, 1, 80_000));
});
