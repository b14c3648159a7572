//! Plays the demo marketplace ([`scout_fixtures::MarketScenario`]) through
//! the use cases: the accounts sign up, the creators claim their demo
//! profiles, the brands write and publish campaigns, and every deal takes its
//! steps as a user would, so each rule (and each notification) holds for the
//! demo as for real use.

use std::collections::HashMap;

use scout_domain::account::Email;
use scout_domain::org::ClientAccess;
use scout_fixtures::{DemoAccount, DemoDeal, MarketScenario, Side, Step};
use scout_market::{CampaignAction, CampaignSpec, Terms};
use scout_store::User;

use crate::access::{Caller, Via};
use crate::deals::Party;
use crate::error::{Error, Result};
use crate::{Application, SignUp};

/// What [`load_demo_market`] made.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoMarketReport {
    pub accounts: usize,
    pub campaigns: usize,
    pub negotiations: usize,
    pub contracts: usize,
}

/// Loads `scenario` unless its first brand's address already has an account
/// (then nothing is done and `None` comes back).
/// What each demo brand holds in each of its currencies before its deals
/// (50,000.00 in two-decimal currencies).
const DEMO_CREDIT_MINOR: i64 = 5_000_000;

pub async fn load_demo_market(app: &Application, scenario: &MarketScenario) -> Result<Option<DemoMarketReport>> {
    let Some(first) = scenario.brands.first() else { return Ok(None) };
    if app.store().identity().user_by_email(&Email::parse(&first.email)?).await?.is_some() {
        return Ok(None);
    }
    let mut report = DemoMarketReport::default();
    let mut brands = HashMap::new();
    for b in &scenario.brands {
        let user = open(app, b, "brand", &scenario.password).await?;
        let acting = app.acting_for(session(user), None).await?;
        brands.insert(b.key.clone(), acting);
        report.accounts += 1;
    }
    for a in &scenario.agencies {
        let user = open(app, &a.account, "agency", &scenario.password).await?;
        let agency = app.acting_for(session(user), None).await?.org.id;
        for client in &a.clients {
            let brand = brands.get(client).ok_or_else(|| unknown("brand", client))?;
            app.store().orgs().grant_agency(brand.org.id, agency, ClientAccess::Write).await?;
        }
        report.accounts += 1;
    }
    let mut creators = HashMap::new();
    for c in &scenario.creators {
        let user = open(app, &c.account, "creator", &scenario.password).await?;
        let (platform, external) = c.profile.split_once(':').ok_or_else(|| unknown("profile", &c.profile))?;
        let profile =
            app.store().profiles().find_id(platform, external).await?.ok_or_else(|| unknown("profile", &c.profile))?;
        app.store().privacy().claim_profile(profile, user.id, "DEMO").await?;
        app.store().privacy().verify_claim(profile, user.id).await?;
        creators.insert(c.account.key.clone(), (session(user), profile));
        report.accounts += 1;
    }

    for c in &scenario.campaigns {
        let acting = brands.get(&c.brand).ok_or_else(|| unknown("brand", &c.brand))?;
        let spec: CampaignSpec = parse("campaign spec", &c.spec)?;
        // Each brand starts with money in the currencies it contracts in.
        let credit = scout_domain::money::Money::new(DEMO_CREDIT_MINOR, spec.budget.currency);
        app.seed_demo_wallet(acting.org.id, acting.caller.id(), credit).await?;
        let campaign = app.create_campaign(acting, spec).await?;
        report.campaigns += 1;
        if c.publish {
            app.move_campaign(acting, campaign.id, CampaignAction::Publish).await?;
        }
        for deal in &c.deals {
            let (caller, profile) = creators.get(&deal.creator).ok_or_else(|| unknown("creator", &deal.creator))?;
            let brand = Party::Brand(acting.clone());
            let creator = Party::Creator(caller.clone());
            let made = play(app, deal, campaign.id, *profile, [&brand, &creator]).await?;
            report.negotiations += 1;
            report.contracts += usize::from(made);
        }
        for step in &c.then {
            let action = match step.as_str() {
                "start" => CampaignAction::Start,
                "complete" => CampaignAction::Complete,
                "cancel" => CampaignAction::Cancel,
                other => return Err(unknown("campaign move", other)),
            };
            app.move_campaign(acting, campaign.id, action).await?;
        }
    }
    Ok(Some(report))
}

/// One deal's steps; whether it made a contract.
async fn play(
    app: &Application,
    deal: &DemoDeal,
    campaign: i64,
    profile: i64,
    [brand, creator]: [&Party; 2],
) -> Result<bool> {
    let side = |s: Side| match s {
        Side::Brand => brand,
        Side::Creator => creator,
    };
    let terms: Terms = parse("terms", &deal.terms)?;
    let thread = match (deal.opened_by, brand) {
        (Side::Creator, _) => app.apply(creator.caller(), campaign, profile, terms, &deal.message).await?,
        (Side::Brand, Party::Brand(acting)) => app.invite(acting, campaign, profile, terms, &deal.message).await?,
        (Side::Brand, _) => return Err(Error::internal("loading the demo marketplace", "the brand is not a brand")),
    };
    let id = thread.id;
    let mut contract = None;
    let contract_id =
        |c: Option<i64>| c.ok_or_else(|| Error::internal("loading the demo marketplace", "no contract yet"));
    for step in &deal.steps {
        match step {
            Step::Message { by, body } => {
                app.post_message(side(*by), id, body).await?;
            }
            Step::Counter { by, terms, message } => {
                app.counter_offer(side(*by), id, parse("terms", terms)?, message).await?;
            }
            Step::Accept { by } => {
                let version = app.negotiation(side(*by), id).await?.negotiation.latest().version;
                contract = Some(app.accept_offer(side(*by), id, version).await?.1);
            }
            Step::Reject { by, reason } => {
                let version = app.negotiation(side(*by), id).await?.negotiation.latest().version;
                app.reject_offer(side(*by), id, version, reason).await?;
            }
            Step::Withdraw { by, reason } => {
                app.withdraw(side(*by), id, reason).await?;
            }
            Step::Sign { by } => {
                app.sign_contract(side(*by), contract_id(contract)?, None).await?;
            }
            Step::Submit { milestone, links, note } => {
                app.submit_milestone(creator, contract_id(contract)?, *milestone, links.clone(), note).await?;
            }
            Step::Approve { milestone } => {
                app.approve_milestone(brand, contract_id(contract)?, *milestone).await?;
            }
            Step::Revise { milestone, note } => {
                app.request_revision(brand, contract_id(contract)?, *milestone, note).await?;
            }
            Step::Dispute { by, milestone, reason } => {
                app.dispute_milestone(side(*by), contract_id(contract)?, *milestone, reason).await?;
            }
            Step::Cancel { by, reason } => {
                app.cancel_contract(side(*by), contract_id(contract)?, reason).await?;
            }
            Step::Review { by, rating, text } => {
                app.review_contract(side(*by), contract_id(contract)?, *rating, text).await?;
            }
        }
    }
    Ok(contract.is_some())
}

/// Opens a demo account with a verified address.
async fn open(app: &Application, a: &DemoAccount, role: &str, password: &str) -> Result<User> {
    let form = SignUp { email: &a.email, password: password.to_string(), role, name: &a.name, referral_code: None };
    let user = app.open_account(form, None).await?;
    app.store().identity().mark_email_verified(user.id).await?;
    Ok(user)
}

/// The account acting in this process, as in a login session.
fn session(account: User) -> Caller {
    Caller { account, via: Via::Session("demo-market".into()) }
}

fn parse<T: serde::de::DeserializeOwned>(what: &'static str, v: &serde_json::Value) -> Result<T> {
    serde_json::from_value(v.clone())
        .map_err(|e| Error::internal("reading the demo marketplace", format!("{what}: {e}")))
}

fn unknown(what: &str, key: &str) -> Error {
    Error::internal("loading the demo marketplace", format!("unknown {what} `{key}`"))
}
