//! The ledger's records on both backends: 200 concurrent debits on one
//! wallet never overdraw it; a key replayed with the same request moves
//! nothing, with another is refused, and racing copies make one transfer;
//! every refused transfer leaves the sums as they were; verification finds
//! a tampered sum.

use scout_domain::money::Currency;
use scout_ledger::{AccountKind, Posting, Transfer, TransferKind, fingerprint};
use scout_store::{Error, Owner, Store};
use serde_json::json;

use crate::both_backends;

fn transfer(kind: TransferKind, from: i64, to: i64, amount: i64) -> Transfer {
    Transfer::new(kind, Currency::EUR, vec![Posting::debit(from, amount), Posting::credit(to, amount)])
        .expect("balanced")
}

both_backends!(concurrent_debits_never_overdraw_and_keys_move_money_once, |store: Store| async move {
    let ledger = store.ledger();
    let clearing = ledger.account(Owner::Provider(1), AccountKind::ProviderClearing, Currency::EUR).await.expect("a");
    let wallet = ledger.account(Owner::Org(7), AccountKind::BrandWallet, Currency::EUR).await.expect("a");
    let escrow = ledger.account(Owner::Contract(9), AccountKind::Escrow, Currency::EUR).await.expect("a");
    assert_eq!(wallet, ledger.account(Owner::Org(7), AccountKind::BrandWallet, Currency::EUR).await.expect("same"));

    // The brand funds 100.00 EUR; the same request again moves nothing.
    let fund = transfer(TransferKind::Funding, clearing, wallet, 10_000);
    let print = fingerprint(&json!({"fund": 10_000, "wallet": wallet}));
    let first = ledger.post("fund-1", &print, &fund, "card", None).await.expect("funded");
    let again = ledger.post("fund-1", &print, &fund, "card", None).await.expect("replayed");
    assert_eq!((again.transfer_id, again.replayed, first.replayed), (first.transfer_id, true, false));
    let other = fingerprint(&json!({"fund": 20_000, "wallet": wallet}));
    let e = ledger.post("fund-1", &other, &fund, "card", None).await.expect_err("another request");
    assert!(matches!(e, Error::Ledger(scout_ledger::Error::KeyReused)), "{e}");
    assert_eq!(ledger.account_state(wallet).await.expect("wallet").balance(), 10_000);

    // 200 debits of 1.00 EUR at once, each with its own key: exactly 100 go
    // through, the rest are refused for funds, and the wallet ends at zero.
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let t = transfer(TransferKind::EscrowHold, wallet, escrow, 100);
                let key = format!("hold-{i}");
                store.ledger().post(&key, &fingerprint(&key), &t, "", None).await
            })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(p) => {
                assert!(!p.replayed);
                ok += 1;
            }
            Err(Error::Ledger(scout_ledger::Error::InsufficientFunds { .. })) => refused += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((ok, refused), (100, 100));
    let w = ledger.account_state(wallet).await.expect("wallet");
    assert_eq!((w.balance(), w.debits_minor, w.credits_minor), (0, 10_000, 10_000));
    assert_eq!(ledger.account_state(escrow).await.expect("escrow").balance(), 10_000);

    // Twenty copies of one request racing with one key make one transfer.
    let refund = transfer(TransferKind::Refund, escrow, wallet, 3000);
    let print = fingerprint(&json!({"refund": 3000}));
    let racing: Vec<_> = (0..20)
        .map(|_| {
            let (store, refund, print) = (store.clone(), refund.clone(), print.clone());
            tokio::spawn(async move { store.ledger().post("refund-1", &print, &refund, "", None).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in racing {
        ids.push(task.await.expect("task").expect("posted or replayed"));
    }
    assert_eq!(ids.iter().filter(|p| !p.replayed).count(), 1, "{ids:?}");
    assert!(ids.iter().all(|p| p.transfer_id == ids[0].transfer_id));
    assert_eq!(ledger.account_state(wallet).await.expect("wallet").balance(), 3000);

    // A reversal undoes it; a second reversal of the same transfer is refused by the schema.
    let back = refund.reversal();
    let first_reversal = fingerprint(&"r1");
    ledger
        .post("reverse-refund-1", &first_reversal, &back, "correction", Some(ids[0].transfer_id))
        .await
        .expect("reversed");
    assert_eq!(ledger.account_state(wallet).await.expect("wallet").balance(), 0);
    let again = ledger.post("reverse-refund-2", &fingerprint(&"r2"), &back, "twice", Some(ids[0].transfer_id)).await;
    assert!(again.is_err(), "a transfer is reversed once");

    // A transfer in another currency than its accounts is refused; nothing moved.
    let usd = Transfer::new(
        TransferKind::EscrowHold,
        Currency::USD,
        vec![Posting::debit(escrow, 1), Posting::credit(wallet, 1)],
    )
    .expect("balanced");
    let e = ledger.post("usd-1", &fingerprint(&"usd"), &usd, "", None).await.expect_err("currency");
    assert!(matches!(e, Error::Ledger(scout_ledger::Error::CurrencyMismatch { .. })), "{e}");

    assert_eq!(ledger.verify().await.expect("verify"), Vec::<String>::new(), "the ledger is sound");
    // A sum changed behind the ledger's back is found.
    let tamper = "UPDATE ledger_accounts SET credits_minor = credits_minor + 1 WHERE kind = 'escrow'";
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(p), _) => sqlx::query(tamper).execute(p).await.map(|_| ()),
        (_, Some(p)) => sqlx::query(tamper).execute(p).await.map(|_| ()),
        _ => unreachable!("one backend or the other"),
    }
    .expect("tamper");
    let problems = ledger.verify().await.expect("verify");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with(&format!("account {escrow}:")), "{problems:?}");
    // Postings rewritten so the wallet gave more than it had: its overdraft is named.
    let overdraw = format!("UPDATE ledger_postings SET direction = 'debit' WHERE account_id = {wallet}");
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(p), _) => sqlx::query(&overdraw).execute(p).await.map(|_| ()),
        (_, Some(p)) => sqlx::query(&overdraw).execute(p).await.map(|_| ()),
        _ => unreachable!("one backend or the other"),
    }
    .expect("tamper");
    let problems = ledger.verify().await.expect("verify");
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("account {wallet} (brand_wallet)"))
                && p.ends_with("past what its kind allows")),
        "{problems:?}"
    );
});

both_backends!(exchange_rates_cross_through_the_euro_and_the_newest_import_wins, |store: Store| async move {
    let ledger = store.ledger();
    let usd = Currency::USD;
    let gbp = Currency::parse("GBP").expect("GBP");
    assert_eq!(ledger.rate(usd, gbp).await.expect("rate"), None, "no rates yet");
    let ecb = scout_ledger::parse_ecb_csv(scout_ledger::ECB_REFERENCE_CSV).expect("shipped rates");
    let n = ledger.import_rates(&ecb.date, "ECB reference rates", &ecb.per_eur_micros).await.expect("import");
    assert_eq!(n, 30);
    let rate = ledger.rate(usd, gbp).await.expect("rate").expect("both quoted");
    assert_eq!(rate.source, "ECB reference rates, 26 September 2024");
    let paid = scout_ledger::convert(scout_domain::money::Money::new(100_000, usd), &rate).expect("convert");
    assert_eq!(paid.amount_minor, 74_790, "1,000.00 USD is 747.90 GBP at the ECB's rates of that day");
    // To and from the euro itself.
    let eur = ledger.rate(Currency::EUR, usd).await.expect("rate").expect("par");
    assert_eq!((eur.numerator, eur.denominator), (1_115_500, 1_000_000));
    // A newer quote of one currency replaces it; the others stay.
    ledger.import_rates("27 September 2024", "ECB reference rates", &[(usd, 1_117_000)]).await.expect("import");
    let newer = ledger.rate(Currency::EUR, usd).await.expect("rate").expect("quoted");
    assert_eq!((newer.numerator, newer.source.as_str()), (1_117_000, "ECB reference rates, 27 September 2024"));
    assert!(ledger.rate(gbp, usd).await.expect("rate").is_some());
    assert_eq!(ledger.rate(Currency::parse("XAU").expect("code"), usd).await.expect("rate"), None);
});

both_backends!(the_group_commit_writer_keeps_every_rule_under_concurrency, |store: Store| async move {
    let ledger = store.ledger();
    let writer = scout_store::LedgerWriter::start(store.clone(), 64);
    let at = chrono::Utc::now();
    let clearing = ledger.account(Owner::Provider(1), AccountKind::ProviderClearing, Currency::EUR).await.expect("a");
    let wallet = ledger.account(Owner::Org(7), AccountKind::BrandWallet, Currency::EUR).await.expect("a");
    let escrow = ledger.account(Owner::Contract(9), AccountKind::Escrow, Currency::EUR).await.expect("a");
    let fund = transfer(TransferKind::Funding, clearing, wallet, 10_000);
    writer.post("fund-1", &fingerprint(&"fund"), &fund, "", at).await.expect("funded");
    // 200 debits of 1.00 through the writer at once, plus each sent twice with
    // its key: 100 go through once, the rest are refused, replays move nothing.
    let tasks: Vec<_> = (0..400)
        .map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move {
                let t = transfer(TransferKind::EscrowHold, wallet, escrow, 100);
                let key = format!("hold-{}", i % 200);
                writer.post(&key, &fingerprint(&key), &t, "", chrono::Utc::now()).await
            })
        })
        .collect();
    let (mut fresh, mut replayed, mut refused) = (0, 0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(p) if p.replayed => replayed += 1,
            Ok(_) => fresh += 1,
            Err(Error::Ledger(scout_ledger::Error::InsufficientFunds { .. })) => refused += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(fresh, 100, "exactly the wallet's 100.00 moved ({replayed} replays, {refused} refused)");
    assert_eq!(ledger.account_state(wallet).await.expect("wallet").balance(), 0);
    assert_eq!(ledger.account_state(escrow).await.expect("escrow").balance(), 10_000);
    // A key reused with another request is refused through the writer too.
    let e = writer.post("fund-1", &fingerprint(&"other"), &fund, "", at).await.expect_err("reused");
    assert!(matches!(e, Error::Ledger(scout_ledger::Error::KeyReused)), "{e}");
    // One request sent many times at once (a webhook and a poll booking the
    // same step), moving a whole balance: every copy answers the one
    // transfer, none is refused for lack of funds, whichever writer takes it.
    let pending = ledger.account(Owner::User(3), AccountKind::CreatorAvailable, Currency::EUR).await.expect("a");
    let in_transit = ledger.account(Owner::User(3), AccountKind::PayoutsInTransit, Currency::EUR).await.expect("a");
    for round in 0..20 {
        let earn = transfer(TransferKind::Funding, clearing, pending, 5_000);
        writer.post(&format!("earn-{round}"), &fingerprint(&round), &earn, "", at).await.expect("earned");
        // Other traffic keeps the writers busy, so the copies land in different batches.
        let busy: Vec<_> = (0..128)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    let t = transfer(TransferKind::Funding, clearing, wallet, 1);
                    let key = format!("busy-{round}-{i}");
                    writer.post(&key, &fingerprint(&key), &t, "", chrono::Utc::now()).await
                })
            })
            .collect();
        let tasks: Vec<_> = (0..32u64)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_micros(200 * (i % 8))).await;
                    let t = transfer(TransferKind::Payout, pending, in_transit, 5_000);
                    let key = format!("payout-{round}");
                    writer.post(&key, &fingerprint(&key), &t, "", chrono::Utc::now()).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            let posted = task.await.expect("task").unwrap_or_else(|e| panic!("round {round}: a copy was refused: {e}"));
            ids.push(posted.transfer_id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "round {round}: one transfer for every copy");
        for b in busy {
            b.await.expect("task").expect("busy traffic");
        }
    }
    assert_eq!(ledger.account_state(in_transit).await.expect("in transit").balance(), 100_000);
    assert_eq!(ledger.verify().await.expect("verify"), Vec::<String>::new());
});

both_backends!(invoices_are_numbered_per_organisation_without_gaps, |store: Store| async move {
    let org = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            let email = scout_domain::account::Email::parse(&format!("owner@{name}.test")).expect("email");
            let user = store
                .identity()
                .create_user(&email, "x", scout_domain::account::Role::Brand, "Owner")
                .await
                .expect("u");
            store.orgs().create_organisation(scout_domain::org::OrgKind::Brand, &name, user.id).await.expect("org").id
        }
    };
    let (a, b) = (org("oats").await, org("socks").await);
    // Sixty documents at once across two organisations, a few sent twice.
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let org = if i % 2 == 0 { a } else { b };
                let source = format!("funding:{}", i % 50);
                let new = scout_store::NewInvoice {
                    org_id: org,
                    kind: "receipt",
                    source: &source,
                    contract_id: None,
                    creator_id: None,
                    currency: Currency::EUR,
                    lines: "[]",
                    total_minor: 100,
                    vat_rate_bps: None,
                    vat_minor: 0,
                    buyer: "{}",
                    issued_at: chrono::Utc::now(),
                };
                store.payments().issue_invoice(&new).await.expect("issued")
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    for org in [a, b] {
        let mut numbers: Vec<i64> =
            store.payments().invoices(Some(org), None, 0, 500).await.expect("list").iter().map(|i| i.number).collect();
        numbers.sort_unstable();
        let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
        assert_eq!(numbers, expected, "organisation {org}: 1, 2, 3… with no gap and no repeat");
    }
    let total = store.payments().invoices(Some(a), None, 0, 500).await.expect("a").len()
        + store.payments().invoices(Some(b), None, 0, 500).await.expect("b").len();
    assert_eq!(total, 50, "a source is documented once");
});
