//! Sentiment of captions and comments: the fast default is VADER (Hutto &
//! Gilbert 2014), a lexicon of ~7,500 rated words and emoji with rules for
//! negation ("not good"), intensifiers ("very", "extremely"), contrast
//! ("but"), capitals and punctuation ("GREAT!!!"), through the
//! `vader_sentiment` crate (MIT; the lexicon it embeds is VADER's own, MIT).
//!
//! Languages: the lexicon is English. Emoji and emoticons score in any
//! language; other words are unknown to it, so non-English text mostly comes
//! out neutral. The trained scorer ([`trained`]) reads MiniLM sentence vectors
//! (English-trained as well; other languages get what little it transfers) and
//! the lexicon's scores; each result names the scorer that produced it.

pub mod trained;

use std::sync::OnceLock;

use scout_domain::Profile;
use serde::{Deserialize, Serialize};
use vader_sentiment::SentimentIntensityAnalyzer;

/// VADER's conventional cut-offs on the compound score.
pub const POSITIVE_FROM: f64 = 0.05;
pub const NEGATIVE_TO: f64 = -0.05;

fn analyzer() -> &'static SentimentIntensityAnalyzer<'static> {
    static ANALYZER: OnceLock<SentimentIntensityAnalyzer<'static>> = OnceLock::new();
    ANALYZER.get_or_init(SentimentIntensityAnalyzer::new)
}

/// Positive, neutral or negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Positive,
    Neutral,
    Negative,
}

/// One text's sentiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// In [-1, 1]: VADER's normalised sum of the rated words, after the rules.
    pub compound: f64,
    pub polarity: Polarity,
}

/// Scores one text.
pub fn score(text: &str) -> Sentiment {
    let compound = analyzer().polarity_scores(text).get("compound").copied().unwrap_or(0.0);
    let polarity = if compound >= POSITIVE_FROM {
        Polarity::Positive
    } else if compound <= NEGATIVE_TO {
        Polarity::Negative
    } else {
        Polarity::Neutral
    };
    Sentiment { compound, polarity }
}

/// The lexicon's compound, positive, neutral and negative scores of a text
/// (the trained scorer's first inputs).
pub fn lexicon_scores(text: &str) -> [f32; 4] {
    let s = analyzer().polarity_scores(text);
    let get = |k: &str| s.get(k).copied().unwrap_or(0.0) as f32;
    [get("compound"), get("pos"), get("neu"), get("neg")]
}

/// Shares of positive, neutral and negative texts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shares {
    pub count: usize,
    pub positive: f64,
    pub neutral: f64,
    pub negative: f64,
    /// Mean compound score.
    pub mean: f64,
}

impl Shares {
    pub fn of(scores: &[Sentiment]) -> Shares {
        if scores.is_empty() {
            return Shares::default();
        }
        let n = scores.len() as f64;
        let share = |p: Polarity| scores.iter().filter(|s| s.polarity == p).count() as f64 / n;
        Shares {
            count: scores.len(),
            positive: share(Polarity::Positive),
            neutral: share(Polarity::Neutral),
            negative: share(Polarity::Negative),
            mean: scores.iter().map(|s| s.compound).sum::<f64>() / n,
        }
    }
}

/// One post's caption and comments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSentiment {
    pub posted_at: String,
    pub caption: Option<Sentiment>,
    pub comments: Shares,
}

/// A creator's sentiment over their recent posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorSentiment {
    /// What the audience says: every recent comment.
    pub comments: Shares,
    /// What the creator says: every recent caption.
    pub captions: Shares,
    /// Mean comment score of the newer half of posts minus the older half
    /// (positive: warming); none with fewer than two posts with comments.
    pub trend: Option<f64>,
    /// Newest first.
    pub posts: Vec<PostSentiment>,
    /// `vader-lexicon`, or the trained model and its version.
    pub scorer: String,
}

/// Which scorer turns texts into sentiment.
#[derive(Clone, Copy)]
pub enum Scorer<'a> {
    /// VADER's lexicon and rules: fast, English words and any emoji.
    Lexicon,
    /// The trained regression over MiniLM vectors and the lexicon's scores.
    Trained { model: &'a trained::SentimentModel, encoder: &'a dyn crate::TextEncoder },
}

impl Scorer<'_> {
    /// Scores texts in one batch.
    pub fn score_all(&self, texts: &[&str]) -> crate::Result<Vec<Sentiment>> {
        match self {
            Scorer::Lexicon => Ok(texts.iter().map(|t| score(t)).collect()),
            Scorer::Trained { model, encoder } => model.score_texts(*encoder, texts),
        }
    }

    /// How results name it: `vader-lexicon` or `sentiment v1`.
    pub fn name(&self) -> String {
        match self {
            Scorer::Lexicon => "vader-lexicon".into(),
            Scorer::Trained { model, .. } => format!("{} {}", trained::NAME, model.card.version),
        }
    }
}

/// Scores a profile's recent posts and comments (all texts in one batch).
pub fn creator_sentiment(p: &Profile, scorer: Scorer<'_>) -> crate::Result<CreatorSentiment> {
    let mut posts: Vec<&scout_domain::Post> = p.recent_posts.iter().flatten().collect();
    posts.sort_by(|a, b| b.posted_at.cmp(&a.posted_at));
    let mut texts: Vec<&str> = Vec::new();
    for post in &posts {
        texts.extend(post.caption.as_deref());
        texts.extend(post.top_comments.iter().flatten().map(String::as_str));
    }
    let mut scored = scorer.score_all(&texts)?.into_iter();
    let mut all_comments = Vec::new();
    let mut captions = Vec::new();
    let mut per_post = Vec::new();
    for post in &posts {
        let caption = post.caption.as_ref().and_then(|_| scored.next());
        if let Some(c) = &caption {
            captions.push(c.clone());
        }
        let comments: Vec<Sentiment> = post.top_comments.iter().flatten().filter_map(|_| scored.next()).collect();
        all_comments.extend(comments.iter().cloned());
        per_post.push(PostSentiment { posted_at: post.posted_at.clone(), caption, comments: Shares::of(&comments) });
    }
    let with_comments: Vec<f64> = per_post.iter().filter(|p| p.comments.count > 0).map(|p| p.comments.mean).collect();
    let trend = (with_comments.len() >= 2).then(|| {
        let half = with_comments.len() / 2;
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        mean(&with_comments[..half]) - mean(&with_comments[with_comments.len() - half..])
    });
    Ok(CreatorSentiment {
        comments: Shares::of(&all_comments),
        captions: Shares::of(&captions),
        trend,
        posts: per_post,
        scorer: scorer.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_the_lexicon_scorer() {
        assert_eq!(score("I love this, it is wonderful").polarity, Polarity::Positive);
        assert_eq!(score("this is terrible and I hate it").polarity, Polarity::Negative);
        assert_eq!(score("the video is ten minutes long").polarity, Polarity::Neutral);
        // Negation flips, intensifiers and exclamation marks strengthen.
        assert_eq!(score("this is not good").polarity, Polarity::Negative);
        assert!(score("this is extremely good!!!").compound > score("this is good").compound);
        assert!(score("😍😍").compound > 0.3, "emoji score in any language");
    }

    #[test]
    fn a_creator_summary_with_a_trend() {
        let line = r#"{"platform":"instagram","external_id":"1","handle":"a","followers":1000,"recent_posts":[
            {"posted_at":"2026-10-01T10:00:00Z","caption":"New recipe!","top_comments":["awful","boring and bad"]},
            {"posted_at":"2026-10-20T10:00:00Z","caption":"So happy with this","top_comments":["love it!","amazing, thank you"]}]}"#;
        let p = Profile::parse(line).expect("valid").profile;
        let s = creator_sentiment(&p, Scorer::Lexicon).expect("scored");
        assert_eq!(s.comments.count, 4);
        assert_eq!((s.comments.positive, s.comments.negative), (0.5, 0.5));
        assert_eq!(s.posts[0].posted_at, "2026-10-20T10:00:00Z", "newest first");
        assert!(s.trend.expect("two posts") > 0.5, "comments warmed up");
    }
}
