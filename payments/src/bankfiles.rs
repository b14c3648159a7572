//! Payout files for banks: a NACHA file of ACH credits (US accounts) and a
//! SEPA credit transfer initiation, ISO 20022 `pain.001.001.03` (IBANs in
//! euro). A run's bank payouts are written to one file per rail, which the
//! platform's bank takes in.
//!
//! NACHA (the ACH Rules' file format): 94-character records in blocks of
//! ten — file header `1`, batch header `5`, one entry `6` per credit, batch
//! control `8` with the entry count, the entry hash (the sum of the
//! receiving banks' 8-digit routing prefixes, its last ten digits) and the
//! credit total in cents, file control `9` with the same over the file, and
//! filler records of `9`s to complete the last block.

use chrono::{DateTime, NaiveDate, Utc};
use scout_domain::money::{Currency, Money};

use crate::provider::PayoutDestination;

/// One payout for a bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankPayout {
    /// Our reference (`payout:12`), carried to the creator's statement.
    pub reference: String,
    pub amount: Money,
    pub destination: PayoutDestination,
}

/// Who pays, as the ACH network knows it.
#[derive(Debug, Clone)]
pub struct AchOriginator {
    /// Company name (16 characters used).
    pub company_name: String,
    /// Company identification (10 characters, often `1` + EIN).
    pub company_id: String,
    /// Our bank's routing number (9 digits).
    pub routing: String,
    pub bank_name: String,
}

/// Who pays, as SEPA knows it.
#[derive(Debug, Clone)]
pub struct SepaOriginator {
    pub name: String,
    pub iban: String,
    pub bic: String,
}

/// Why a file could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("payout {reference}: {reason}")]
    Payout { reference: String, reason: String },
    #[error("a file needs at least one payout")]
    Empty,
}

/// Left-justified, space-padded (or cut) to `width`, upper-case ASCII only.
fn alpha(s: &str, width: usize) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c.to_ascii_uppercase() } else { ' ' })
        .take(width)
        .collect();
    format!("{clean:<width$}")
}

/// Right-justified, zero-padded to `width`.
fn numeric(n: u64, width: usize) -> String {
    let s = n.to_string();
    let s = if s.len() > width { s[s.len() - width..].to_string() } else { s };
    format!("{s:0>width$}")
}

/// A NACHA file of PPD credits (transaction code 22, checking) to each
/// payout's US account, in one batch, effective on `effective`.
pub fn nacha_file(
    originator: &AchOriginator,
    payouts: &[BankPayout],
    created: DateTime<Utc>,
    effective: NaiveDate,
) -> Result<String, FileError> {
    if payouts.is_empty() {
        return Err(FileError::Empty);
    }
    let odfi = &originator.routing[..8.min(originator.routing.len())];
    let mut records = Vec::new();
    records.push(format!(
        "101 {}{}{}{}A094101{}{}{}",
        numeric(originator.routing.parse().unwrap_or(0), 9),
        alpha(&originator.company_id, 10),
        created.format("%y%m%d"),
        created.format("%H%M"),
        alpha(&originator.bank_name, 23),
        alpha(&originator.company_name, 23),
        alpha("", 8),
    ));
    records.push(format!(
        "5220{}{}{}PPD{}{}{}   1{}{}",
        alpha(&originator.company_name, 16),
        alpha("", 20),
        alpha(&originator.company_id, 10),
        alpha("PAYOUT", 10),
        alpha("", 6),
        effective.format("%y%m%d"),
        alpha(odfi, 8),
        numeric(1, 7),
    ));
    let (mut hash, mut total) = (0u64, 0u64);
    for (i, p) in payouts.iter().enumerate() {
        let bad = |reason: &str| FileError::Payout { reference: p.reference.clone(), reason: reason.into() };
        let PayoutDestination::UsBank { routing, account, holder } = &p.destination else {
            return Err(bad("not a US bank account"));
        };
        if p.amount.currency != Currency::USD || p.amount.amount_minor <= 0 {
            return Err(bad("ACH credits are positive USD amounts"));
        }
        if routing.len() != 9 || !routing.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("a 9-digit routing number"));
        }
        let cents = u64::try_from(p.amount.amount_minor).map_err(|_| bad("amount"))?;
        if cents > 9_999_999_999 {
            return Err(bad("an ACH entry holds at most 99,999,999.99"));
        }
        let rdfi: u64 = routing[..8].parse().map_err(|_| bad("routing"))?;
        hash += rdfi;
        total += cents;
        records.push(format!(
            "622{}{}{}{}{}{}  0{}{}",
            &routing[..8],
            &routing[8..9],
            alpha(account, 17),
            numeric(cents, 10),
            alpha(&p.reference, 15),
            alpha(holder, 22),
            alpha(odfi, 8),
            numeric(i as u64 + 1, 7),
        ));
    }
    let entries = payouts.len() as u64;
    records.push(format!(
        "8220{}{}{}{}{}{}{}{}{}",
        numeric(entries, 6),
        numeric(hash, 10),
        numeric(0, 12),
        numeric(total, 12),
        alpha(&originator.company_id, 10),
        alpha("", 19),
        alpha("", 6),
        alpha(odfi, 8),
        numeric(1, 7),
    ));
    // Records so far plus the file control, in blocks of ten.
    let blocks = (records.len() as u64 + 1).div_ceil(10);
    records.push(format!(
        "9{}{}{}{}{}{}{}",
        numeric(1, 6),
        numeric(blocks, 6),
        numeric(entries, 8),
        numeric(hash, 10),
        numeric(0, 12),
        numeric(total, 12),
        alpha("", 39),
    ));
    while records.len() % 10 != 0 {
        records.push("9".repeat(94));
    }
    let mut out = records.join("\n");
    out.push('\n');
    Ok(out)
}

fn xml(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// `12345` cents as "123.45".
fn decimal(m: Money) -> String {
    let e = m.currency.exponent();
    let scale = 10i64.pow(e);
    if e == 0 {
        return m.amount_minor.to_string();
    }
    format!("{}.{:0width$}", m.amount_minor / scale, m.amount_minor % scale, width = e as usize)
}

/// A SEPA credit transfer initiation (`pain.001.001.03`, as the EPC's
/// implementation guidelines use it): one payment information block from
/// the originator's account, one transaction per payout to its IBAN, in euro.
pub fn sepa_credit_transfer(
    originator: &SepaOriginator,
    payouts: &[BankPayout],
    message_id: &str,
    created: DateTime<Utc>,
    execution: NaiveDate,
) -> Result<String, FileError> {
    if payouts.is_empty() {
        return Err(FileError::Empty);
    }
    let mut total = 0i64;
    let mut transactions = String::new();
    for p in payouts {
        let bad = |reason: &str| FileError::Payout { reference: p.reference.clone(), reason: reason.into() };
        let PayoutDestination::Iban { iban, bic, holder } = &p.destination else {
            return Err(bad("not an IBAN"));
        };
        if p.amount.currency != Currency::EUR || p.amount.amount_minor <= 0 {
            return Err(bad("SEPA credit transfers are positive euro amounts"));
        }
        total += p.amount.amount_minor;
        let holder: String = holder.chars().take(70).collect();
        let reference: String = p.reference.chars().take(35).collect();
        transactions.push_str(&format!(
            "      <CdtTrfTxInf>
        <PmtId><EndToEndId>{r}</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy=\"EUR\">{amount}</InstdAmt></Amt>
        <CdtrAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></CdtrAgt>
        <Cdtr><Nm>{holder}</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>Scout {r}</Ustrd></RmtInf>
      </CdtTrfTxInf>
",
            r = xml(&reference),
            amount = decimal(p.amount),
            bic = xml(bic),
            holder = xml(&holder),
            iban = xml(iban),
        ));
    }
    let n = payouts.len();
    let sum = decimal(Money::new(total, Currency::EUR));
    let id: String = message_id.chars().take(35).collect();
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>{id}</MsgId>
      <CreDtTm>{created}</CreDtTm>
      <NbOfTxs>{n}</NbOfTxs>
      <CtrlSum>{sum}</CtrlSum>
      <InitgPty><Nm>{name}</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>{id}-1</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <NbOfTxs>{n}</NbOfTxs>
      <CtrlSum>{sum}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt>{execution}</ReqdExctnDt>
      <Dbtr><Nm>{name}</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><BIC>{bic}</BIC></FinInstnId></DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
{transactions}    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
",
        id = xml(&id),
        created = created.format("%Y-%m-%dT%H:%M:%S"),
        name = xml(&originator.name.chars().take(70).collect::<String>()),
        execution = execution.format("%Y-%m-%d"),
        iban = xml(&originator.iban),
        bic = xml(&originator.bic),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-06T09:30:00Z").expect("time").with_timezone(&Utc)
    }

    fn us(reference: &str, cents: i64, routing: &str, account: &str) -> BankPayout {
        BankPayout {
            reference: reference.into(),
            amount: Money::new(cents, Currency::USD),
            destination: PayoutDestination::UsBank {
                routing: routing.into(),
                account: account.into(),
                holder: "Weeknight Cook".into(),
            },
        }
    }

    fn sepa(reference: &str, cents: i64, iban: &str, holder: &str) -> BankPayout {
        BankPayout {
            reference: reference.into(),
            amount: Money::new(cents, Currency::EUR),
            destination: PayoutDestination::Iban {
                iban: iban.into(),
                bic: "COBADEFFXXX".into(),
                holder: holder.into(),
            },
        }
    }

    #[test]
    fn a_nacha_file_has_94_character_records_in_blocks_and_totals_that_add_up() {
        let originator = AchOriginator {
            company_name: "Scout Payouts".into(),
            company_id: "1234567890".into(),
            routing: "021000021".into(),
            bank_name: "JPMorgan Chase".into(),
        };
        let payouts =
            [us("payout:1", 59_936, "110000000", "000123456789"), us("payout:2", 1_000_001, "021000021", "987654")];
        let effective = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let file = nacha_file(&originator, &payouts, at(), effective).expect("file");
        let lines: Vec<&str> = file.lines().collect();
        assert!(lines.iter().all(|l| l.len() == 94), "every record is 94 characters");
        assert_eq!(lines.len() % 10, 0, "blocked by ten");
        let kinds: String = lines.iter().map(|l| &l[..1]).collect();
        assert_eq!(&kinds[..6], "156689", "header, batch, two entries, batch control, file control: {kinds}");
        assert!(lines[6..].iter().all(|l| l.chars().all(|c| c == '9')), "filler");
        // Recompute the controls from the entries, as a bank does.
        let entries: Vec<&&str> = lines.iter().filter(|l| l.starts_with('6')).collect();
        let hash: u64 = entries.iter().map(|l| l[3..11].parse::<u64>().expect("rdfi")).sum();
        let credits: u64 = entries.iter().map(|l| l[29..39].parse::<u64>().expect("amount")).sum();
        assert_eq!(credits, 59_936 + 1_000_001);
        let batch = lines[4];
        assert_eq!(&batch[4..10], "000002");
        assert_eq!(batch[10..20].parse::<u64>().expect("hash"), hash % 10_000_000_000);
        assert_eq!(batch[20..32].parse::<u64>().expect("debits"), 0);
        assert_eq!(batch[32..44].parse::<u64>().expect("credits"), credits);
        let control = lines[5];
        assert_eq!((&control[1..7], &control[7..13], &control[13..21]), ("000001", "000001", "00000002"));
        assert_eq!(control[21..31].parse::<u64>().expect("hash"), hash);
        assert_eq!(control[43..55].parse::<u64>().expect("credits"), credits);
        assert_eq!(&entries[0][1..3], "22", "checking credits");
        assert_eq!(entries[0][12..29].trim_end(), "000123456789");
        assert_eq!(&entries[1][79..94], "021000020000002", "trace: our routing prefix and the entry's sequence");
        assert_eq!(&lines[0][13..23], "1234567890");
        // Only USD credits to US accounts.
        let euro = BankPayout { amount: Money::new(5, Currency::EUR), ..payouts[0].clone() };
        assert!(matches!(nacha_file(&originator, &[euro], at(), effective), Err(FileError::Payout { .. })));
        assert_eq!(nacha_file(&originator, &[], at(), effective), Err(FileError::Empty));
    }

    /// Validates with xmllint against the published pain.001.001.03 schema
    /// (shipped in `payments/xsd/`); the test setup installs xmllint.
    fn validate(xml: &str) -> Result<(), String> {
        let dir = std::env::temp_dir().join(format!("scout-sepa-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let file = dir.join("pain.xml");
        std::fs::write(&file, xml).map_err(|e| e.to_string())?;
        let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/pain.001.001.03.xsd");
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .arg(&file)
            .output()
            .map_err(|e| format!("xmllint must be installed (libxml2-utils): {e}"))?;
        let _ = std::fs::remove_dir_all(&dir);
        if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
    }

    #[test]
    fn a_sepa_credit_transfer_validates_against_the_published_schema() {
        let originator = SepaOriginator {
            name: "Scout Payouts GmbH".into(),
            iban: "DE89370400440532013000".into(),
            bic: "COBADEFFXXX".into(),
        };
        let payouts = [
            sepa("payout:1", 54_000, "FR1420041010050500013M02606", "Élodie & Co <Paris>"),
            sepa("payout:2", 1_999, "GB82WEST12345698765432", "Sam O'Neil"),
        ];
        let execution = NaiveDate::from_ymd_opt(2026, 12, 8).expect("date");
        let doc = sepa_credit_transfer(&originator, &payouts, "SCOUT-RUN-42", at(), execution).expect("file");
        validate(&doc).expect("the file follows pain.001.001.03");
        assert!(doc.contains("<NbOfTxs>2</NbOfTxs>") && doc.contains("<CtrlSum>559.99</CtrlSum>"), "{doc}");
        assert!(doc.contains("<Nm>Élodie &amp; Co &lt;Paris&gt;</Nm>"), "names are escaped");
        // The validator is real: a file with a malformed BIC fails it.
        let broken = doc.replace("<BIC>COBADEFFXXX</BIC>", "<BIC>not a bic</BIC>");
        assert!(validate(&broken).is_err(), "a bad BIC must fail the schema");
        // Only euro credits to IBANs.
        let dollars = BankPayout { amount: Money::new(5, Currency::USD), ..payouts[0].clone() };
        assert!(sepa_credit_transfer(&originator, &[dollars], "X", at(), execution).is_err());
    }
}
