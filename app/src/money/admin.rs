//! What platform administrators change about money: exchange rates (a day
//! of ECB reference rates, as `scout fx import` loads them) and an
//! organisation's plan (its fee on contracts made from then on).

use scout_ledger::Plan;

use crate::Application;
use crate::access::Caller;
use crate::error::{Error, Result};

impl Application {
    /// Imports a day of rates in the ECB's `eurofxref.csv` layout; the
    /// quote's date and how many currencies it held.
    pub async fn import_rates(&self, caller: &Caller, csv: &str, source: &str) -> Result<(String, usize)> {
        caller.require_platform_admin()?;
        let rates = scout_ledger::parse_ecb_csv(csv)?;
        let n = self.store.ledger().import_rates(&rates.date, source, &rates.per_eur_micros).await?;
        tracing::info!(rates = n, date = %rates.date, by = caller.id(), "exchange rates imported");
        Ok((rates.date, n))
    }

    /// Sets `org`'s plan; contracts made later carry its fee (signed ones keep theirs).
    pub async fn set_plan(&self, caller: &Caller, org: i64, plan: &str) -> Result<Plan> {
        caller.require_platform_admin()?;
        let plan = Plan::parse(plan).ok_or_else(|| Error::bad_parameter("plan", "starter, growth or enterprise"))?;
        if self.store.orgs().organisation(org).await?.is_none() {
            return Err(Error::refused(scout_domain::ErrorCode::OrganisationNotFound, "no such organisation"));
        }
        self.store.payments().set_plan(org, plan.as_str()).await?;
        Ok(plan)
    }
}
