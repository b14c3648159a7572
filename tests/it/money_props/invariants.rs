//! The invariants checked after every step.

use proptest::test_runner::TestCaseError;
use scout_ledger::AccountKind;
use scout_store::Owner;
use scout_tests::TestApp;
use serde_json::Value;

use super::steps::Op;
use super::{Case, Check, balance};

impl Case<'_> {
    /// The invariants in the module documentation.
    pub(super) async fn check(&self, history: &[Op]) -> Check {
        let store = self.app.state.store();
        let problems = store.ledger().verify().await.expect("verify");
        ensure!(problems.is_empty(), "after {history:?}: {problems:?}");
        let mut owners = vec![Owner::User(self.creator_id), Owner::Platform];
        owners.extend(self.org.map(Owner::Org));
        owners.extend(self.contracts.iter().map(|&k| Owner::Contract(k)));
        for owner in owners {
            for a in store.ledger().accounts_of(owner).await.expect("accounts") {
                ensure!(a.within_limit(), "after {history:?}: {owner:?}'s {a:?} is past its limit");
            }
        }
        // What the contracts say, with the ledger's fee rule.
        let (mut taken, mut earned, mut fees) = (0i64, 0i64, 0i64);
        let mut contracts = Vec::new();
        for id in &self.contracts {
            let k = self.read(&self.brand, &format!("/v1/contracts/{id}")).await?;
            contracts.push((
                id,
                k["status"].clone(),
                k["funded"].clone(),
                k["money"]["in_escrow"]["amount_minor"].clone(),
            ));
            let bps = k["money"]["fee_bps"].as_u64().expect("fee") as u32;
            let fee = |x: i64| scout_ledger::fee_of(x, bps).expect("fee");
            let total = k["total"]["amount_minor"].as_i64().expect("total");
            let (mut released, mut refunded, mut settled) = (0i64, 0i64, 0i64);
            for m in k["milestones"].as_array().expect("milestones") {
                let amount = m["amount"]["amount_minor"].as_i64().expect("amount");
                let Some(to_creator) = settled_to_creator(m) else { continue };
                settled += amount;
                released += to_creator;
                refunded += amount - to_creator;
                earned += to_creator - fee(to_creator);
                fees += fee(to_creator);
            }
            let escrow = k["money"]["in_escrow"]["amount_minor"].as_i64().unwrap_or(0);
            let (expect_taken, expect_escrow) = match (k["status"].as_str(), k["funded"].as_bool()) {
                (Some("cancelled"), _) | (_, Some(false)) => (released, 0),
                _ => (total - refunded, total - settled),
            };
            ensure!(
                escrow == expect_escrow,
                "after {history:?}: contract {id} holds {escrow}, expected {expect_escrow}: {k}"
            );
            taken += expect_taken;
        }
        let fundings = self.read(&self.brand, "/v1/wallet/fundings?limit=100").await?;
        let funded: i64 = fundings["fundings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["status"] == "succeeded")
            .map(|f| f["amount"]["amount_minor"].as_i64().expect("amount"))
            .sum();
        let wallet = self.read(&self.brand, "/v1/wallet").await?;
        let in_wallet = balance(&wallet, "brand_wallet");
        ensure!(
            in_wallet == funded - taken,
            "after {history:?}: the wallet holds {in_wallet}, funded {funded} less {taken} taken by contracts: {wallet} {contracts:?}"
        );
        let mine = self.read(&self.creator, "/v1/me/balances").await?;
        let payouts = self.read(&self.creator, "/v1/me/payouts?limit=100").await?;
        let paid: i64 = payouts["payouts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["status"] == "paid")
            .map(|p| p["source"]["amount_minor"].as_i64().expect("source"))
            .sum();
        let held = balance(&mine, "creator_pending") + balance(&mine, "creator_available");
        let moving = balance(&mine, "payouts_in_transit");
        ensure!(
            held + moving + paid == earned,
            "after {history:?}: the creator holds {held}, has {moving} in transit and was paid {paid}; earned {earned}: {mine}"
        );
        let earlier: Vec<i64> = self.earlier.lock().expect("earlier").clone();
        for id in earlier {
            let k = self.read(&self.app.operator, &format!("/v1/contracts/{id}")).await?;
            let bps = k["money"]["fee_bps"].as_u64().expect("fee") as u32;
            for m in k["milestones"].as_array().expect("milestones") {
                let to_creator = settled_to_creator(m).unwrap_or(0);
                fees += scout_ledger::fee_of(to_creator, bps).expect("fee");
            }
        }
        let revenue = fee_revenue(self.app).await;
        ensure!(
            revenue == fees,
            "after {history:?}: fee revenue is {revenue}, the fees of every contract so far {fees}"
        );
        Ok(())
    }
}

/// What a settled milestone gave the creator before the fee (`None`: not settled).
fn settled_to_creator(m: &Value) -> Option<i64> {
    let amount = m["amount"]["amount_minor"].as_i64().expect("amount");
    match (m["status"].as_str(), m["resolution"].as_str()) {
        (Some("approved"), _) | (Some("resolved"), Some("release")) => Some(amount),
        (Some("resolved"), Some("refund")) => Some(0),
        (Some("resolved"), Some("split")) => m["creator_share_minor"].as_i64(),
        _ => None,
    }
}

async fn fee_revenue(app: &TestApp) -> i64 {
    let accounts = app.state.store().ledger().accounts_of(Owner::Platform).await.expect("accounts");
    accounts
        .iter()
        .filter(|a| a.kind == AccountKind::FeeRevenue && a.currency == scout_domain::money::Currency::EUR)
        .map(|a| i64::try_from(a.balance()).expect("i64"))
        .sum()
}
