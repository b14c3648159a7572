//! How well a campaign fits a creator, seen from the creator's side of the
//! marketplace: a 0–100 score with the reasons a creator reads ("62 % of your
//! audience lives in DE") and the gaps ("the campaign runs on YouTube; you
//! post on Instagram").
//!
//! The score is a weighted mean of six factors, each in [0, 1]:
//!
//! | factor   | weight | value |
//! |----------|--------|-------|
//! | niche    | 0.25   | best taxonomy relation between the campaign's niches and the creator's (same 1, related 0.5) |
//! | topic    | 0.15   | cosine of the brief and the creator's text in the encoder's space, mapped from 0.15–0.65 to 0–1 |
//! | platform | 0.15   | 1 when the campaign runs where the creator posts |
//! | audience | 0.20   | share of the audience in the targeted countries, age bands and gender, each against 35 % |
//! | language | 0.10   | 1 when the creator or 20 % of their audience speaks a targeted language |
//! | budget   | 0.15   | the campaign's budget against the creator's fee for its deliverables (1 when it covers it) |
//!
//! A factor the campaign leaves open counts [`OPEN`] (nothing against, nothing
//! for); one the creator's profile has no data for counts [`UNKNOWN`]. The
//! weights follow what creators say decides whether they apply (fit with
//! their content and audience first, then pay), and stay readable: every
//! factor's part of the score is reported.

use scout_domain::Profile;
use scout_domain::money::Money;
use scout_domain::taxonomy;
use serde::Serialize;

use crate::agreement::amount_text;
use crate::campaign::CampaignSpec;

/// A factor the campaign leaves open.
pub const OPEN: f64 = 0.6;
/// A factor the creator's profile has no data for.
pub const UNKNOWN: f64 = 0.4;
/// Audience share that counts as a full match on one dimension.
const FULL_SHARE: f64 = 0.35;
/// Audience share of a language that counts as speaking it.
const LANGUAGE_SHARE: f64 = 0.2;

/// The parts of the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    Niche,
    Topic,
    Platform,
    Audience,
    Language,
    Budget,
}

impl Factor {
    pub const ALL: [Factor; 6] =
        [Factor::Niche, Factor::Topic, Factor::Platform, Factor::Audience, Factor::Language, Factor::Budget];

    pub fn weight(self) -> f64 {
        match self {
            Factor::Niche => 0.25,
            Factor::Topic => 0.15,
            Factor::Platform => 0.15,
            Factor::Audience => 0.20,
            Factor::Language => 0.10,
            Factor::Budget => 0.15,
        }
    }
}

/// What the caller measured outside these rules: the encoder's similarity
/// of the brief and the creator's text, and the creator's fee for all the
/// campaign's deliverables in the campaign's currency (asking, else fair).
#[derive(Debug, Clone, Copy, Default)]
pub struct Measured {
    pub similarity: Option<f32>,
    pub fee: Option<Money>,
}

/// One sentence about one factor.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    pub factor: Factor,
    pub text: String,
}

/// How well a campaign fits a creator.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Fit {
    /// 0–100.
    pub score: u8,
    /// What speaks for applying, strongest first.
    pub why: Vec<Reason>,
    /// What speaks against.
    pub gaps: Vec<Reason>,
    /// Each factor's value in [0, 1], in [`Factor::ALL`] order.
    #[serde(skip)]
    pub factors: Vec<(Factor, f64)>,
}

/// Scores `spec` for the creator of `profile`.
pub fn fit(spec: &CampaignSpec, profile: &Profile, measured: Measured) -> Fit {
    let mut why: Vec<(f64, Reason)> = Vec::new();
    let mut gaps = Vec::new();
    let mut factors = Vec::with_capacity(Factor::ALL.len());
    for factor in Factor::ALL {
        let (value, said) = match factor {
            Factor::Niche => niche(spec, profile),
            Factor::Topic => topic(measured.similarity),
            Factor::Platform => platform(spec, profile),
            Factor::Audience => audience(spec, profile),
            Factor::Language => language(spec, profile),
            Factor::Budget => budget(spec, measured.fee),
        };
        match said {
            Said::For(text) => why.push((value * factor.weight(), Reason { factor, text })),
            Said::Against(text) => gaps.push(Reason { factor, text }),
            Said::Nothing => {}
        }
        factors.push((factor, value.clamp(0.0, 1.0)));
    }
    let total: f64 = factors.iter().map(|(f, v)| f.weight() * v).sum();
    why.sort_by(|a, b| b.0.total_cmp(&a.0));
    Fit {
        score: (total * 100.0).round().clamp(0.0, 100.0) as u8,
        why: why.into_iter().map(|(_, r)| r).collect(),
        gaps,
        factors,
    }
}

enum Said {
    For(String),
    Against(String),
    Nothing,
}

fn niche(spec: &CampaignSpec, profile: &Profile) -> (f64, Said) {
    if spec.niches.is_empty() {
        return (OPEN, Said::Nothing);
    }
    let own = taxonomy::normalise_categories(profile.categories.as_deref().unwrap_or(&[]));
    if own.is_empty() {
        return (UNKNOWN, Said::Nothing);
    }
    let mut best = (0u8, "", "");
    for wanted in &spec.niches {
        for mine in &own {
            let r = taxonomy::relation(wanted, mine);
            if r > best.0 {
                best = (r, wanted.as_str(), mine);
            }
        }
    }
    let label = |id: &str| taxonomy::niche(id).map_or(id.to_string(), |n| n.label.to_string());
    match best {
        (2, wanted, _) => {
            (1.0, Said::For(format!("You create {} content, which the campaign asks for", label(wanted))))
        }
        (1, wanted, mine) => (
            0.5,
            Said::For(format!("Your {} content is close to the {} the campaign asks for", label(mine), label(wanted))),
        ),
        _ => {
            let wanted: Vec<String> = spec.niches.iter().map(|n| label(n)).collect();
            (0.0, Said::Against(format!("The campaign looks for {} creators", wanted.join(", "))))
        }
    }
}

fn topic(similarity: Option<f32>) -> (f64, Said) {
    let Some(s) = similarity else {
        return (UNKNOWN, Said::Nothing);
    };
    let value = ((f64::from(s) - 0.15) / 0.5).clamp(0.0, 1.0);
    if value >= 0.6 { (value, Said::For("What you post is close to the brief".into())) } else { (value, Said::Nothing) }
}

fn platform(spec: &CampaignSpec, profile: &Profile) -> (f64, Said) {
    if spec.platforms.is_empty() {
        return (OPEN, Said::Nothing);
    }
    let names: Vec<&str> = spec.platforms.iter().map(|p| p.as_str()).collect();
    if spec.platforms.contains(&profile.platform) {
        (1.0, Said::For(format!("It runs on {}, where you post", profile.platform.as_str())))
    } else {
        (0.0, Said::Against(format!("It runs on {}; you post on {}", names.join(", "), profile.platform.as_str())))
    }
}

/// Share of the audience in `wanted`, when the profile has that dimension.
fn share(map: Option<&std::collections::BTreeMap<String, f64>>, wanted: &[String]) -> Option<f64> {
    let map = map?;
    Some(wanted.iter().filter_map(|w| map.get(w)).sum::<f64>().clamp(0.0, 1.0))
}

fn percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

fn audience(spec: &CampaignSpec, profile: &Profile) -> (f64, Said) {
    let target = &spec.target;
    let a = profile.audience.as_ref();
    let gender: Vec<String> = target.gender.iter().cloned().collect();
    let dimensions = [
        (&target.countries, a.and_then(|a| a.countries.as_ref()), "lives in"),
        (&target.age_bands, a.and_then(|a| a.age.as_ref()), "is aged"),
        (&gender, a.and_then(|a| a.gender.as_ref()), "is"),
    ];
    let mut values = Vec::new();
    let mut best: Option<(f64, String)> = None;
    let mut worst: Option<(f64, String)> = None;
    for (wanted, map, verb) in dimensions {
        if wanted.is_empty() {
            continue;
        }
        let Some(s) = share(map, wanted) else {
            values.push(UNKNOWN);
            continue;
        };
        values.push((s / FULL_SHARE).min(1.0));
        let text = format!("{} % of your audience {verb} {}", percent(s), wanted.join(", "));
        if best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, text.clone()));
        }
        if worst.as_ref().is_none_or(|(w, _)| s < *w) {
            worst = Some((s, text));
        }
    }
    if values.is_empty() {
        return (OPEN, Said::Nothing);
    }
    let value = values.iter().sum::<f64>() / values.len() as f64;
    match (best, worst) {
        (Some((b, text)), _) if b >= 0.2 => (value, Said::For(text)),
        (_, Some((_, text))) => (value, Said::Against(format!("Only {}", lowercase_first(&text)))),
        _ => (value, Said::Nothing),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

fn language(spec: &CampaignSpec, profile: &Profile) -> (f64, Said) {
    let wanted = &spec.target.languages;
    if wanted.is_empty() {
        return (OPEN, Said::Nothing);
    }
    let own = profile.languages.as_deref().unwrap_or(&[]);
    let heard = profile.audience.as_ref().and_then(|a| a.languages.as_ref());
    if own.is_empty() && heard.is_none() {
        return (UNKNOWN, Said::Nothing);
    }
    let spoken = wanted.iter().find(|w| {
        own.iter().any(|l| l.eq_ignore_ascii_case(w))
            || heard.and_then(|h| h.get(*w)).is_some_and(|s| *s >= LANGUAGE_SHARE)
    });
    match spoken {
        Some(l) => (1.0, Said::For(format!("You and your audience speak {l}"))),
        None => (0.0, Said::Against(format!("It targets speakers of {}", wanted.join(", ")))),
    }
}

fn budget(spec: &CampaignSpec, fee: Option<Money>) -> (f64, Said) {
    let Some(fee) = fee.filter(|f| f.currency == spec.budget.currency && f.amount_minor > 0) else {
        return (UNKNOWN, Said::Nothing);
    };
    let budget = spec.budget;
    if budget.amount_minor >= fee.amount_minor {
        (1.0, Said::For(format!("The budget, {}, covers your fee of about {}", amount_text(budget), amount_text(fee))))
    } else {
        // A ratio for a score, never an amount: floats stay off money paths.
        let ratio = budget.amount_minor as f64 / fee.amount_minor as f64;
        (
            ratio,
            Said::Against(format!(
                "Your fee of about {} is above the whole budget, {}",
                amount_text(fee),
                amount_text(budget)
            )),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: serde_json::Value) -> CampaignSpec {
        let mut v = serde_json::json!({
            "name": "Protein bar launch", "objective": "awareness", "brief": "A plant-based protein bar",
            "budget": {"amount_minor": 500_000, "currency": "EUR"},
            "starts_on": "2027-03-01", "ends_on": "2027-04-30", "visibility": "listed",
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(v).expect("valid")
    }

    fn profile(v: serde_json::Value) -> Profile {
        let mut base =
            serde_json::json!({"platform": "instagram", "external_id": "1", "handle": "lifts", "followers": 50_000});
        if let (Some(o), Some(e)) = (base.as_object_mut(), v.as_object()) {
            o.extend(e.clone());
        }
        serde_json::from_value(base).expect("valid")
    }

    fn eur(minor: i64) -> Money {
        Money::new(minor, "EUR".parse().expect("valid"))
    }

    #[test]
    fn a_creator_who_matches_every_factor_scores_high_and_is_told_why() {
        let s = spec(serde_json::json!({
            "niches": ["fitness"], "platforms": ["instagram"],
            "target": {"countries": ["DE"], "languages": ["de"]},
        }));
        let p = profile(serde_json::json!({
            "categories": ["fitness"], "languages": ["de"],
            "audience": {"countries": {"DE": 0.62, "AT": 0.1}},
        }));
        let f = fit(&s, &p, Measured { similarity: Some(0.6), fee: Some(eur(120_000)) });
        assert!(f.score >= 90, "{f:?}");
        assert!(f.gaps.is_empty(), "{f:?}");
        let texts: Vec<&str> = f.why.iter().map(|r| r.text.as_str()).collect();
        assert!(texts.contains(&"62 % of your audience lives in DE"), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("5,000.00 EUR") && t.contains("1,200.00 EUR")), "{texts:?}");
        // The strongest reason comes first: the niche carries the largest weight.
        assert_eq!(f.why[0].factor, Factor::Niche);
    }

    #[test]
    fn a_creator_who_misses_scores_low_and_is_told_the_gaps() {
        let s = spec(serde_json::json!({
            "niches": ["fitness"], "platforms": ["youtube"],
            "target": {"countries": ["US"], "languages": ["en"]},
        }));
        let p = profile(serde_json::json!({
            "categories": ["gaming"], "languages": ["de"],
            "audience": {"countries": {"DE": 0.9, "US": 0.01}},
        }));
        let f = fit(&s, &p, Measured { similarity: Some(0.1), fee: Some(eur(1_000_000)) });
        assert!(f.score <= 20, "{f:?}");
        let factors: Vec<Factor> = f.gaps.iter().map(|r| r.factor).collect();
        for wanted in [Factor::Niche, Factor::Platform, Factor::Audience, Factor::Language, Factor::Budget] {
            assert!(factors.contains(&wanted), "{wanted:?} missing from {factors:?}");
        }
        assert!(f.gaps.iter().any(|g| g.text == "Only 1 % of your audience lives in US"), "{:?}", f.gaps);
    }

    #[test]
    fn open_campaigns_and_thin_profiles_sit_between() {
        let open = fit(&spec(serde_json::json!({})), &profile(serde_json::json!({})), Measured::default());
        let expected = (Factor::Topic.weight() + Factor::Budget.weight()) * UNKNOWN
            + (1.0 - Factor::Topic.weight() - Factor::Budget.weight()) * OPEN;
        assert_eq!(open.score, (expected * 100.0).round() as u8);
        assert!(open.why.is_empty() && open.gaps.is_empty());
    }

    #[test]
    fn related_niches_count_half_and_the_score_grows_with_the_fee_covered() {
        let s = spec(serde_json::json!({"niches": ["fitness"]}));
        let related = fit(&s, &profile(serde_json::json!({"categories": ["running"]})), Measured::default());
        let niche = related.factors.iter().find(|(f, _)| *f == Factor::Niche).expect("valid").1;
        assert!((niche - 0.5).abs() < 1e-9, "{related:?}");
        let p = profile(serde_json::json!({"categories": ["fitness"]}));
        let cheap = fit(&s, &p, Measured { similarity: None, fee: Some(eur(100_000)) });
        let dear = fit(&s, &p, Measured { similarity: None, fee: Some(eur(1_000_000)) });
        let foreign =
            fit(&s, &p, Measured { similarity: None, fee: Some(Money::new(100, "USD".parse().expect("valid"))) });
        assert!(cheap.score > dear.score, "{} vs {}", cheap.score, dear.score);
        let value = |f: &Fit| f.factors.iter().find(|(x, _)| *x == Factor::Budget).expect("valid").1;
        assert!((value(&dear) - 0.5).abs() < 1e-9);
        assert_eq!(value(&foreign), UNKNOWN, "a fee in another currency is converted by the caller, never guessed");
    }
}
