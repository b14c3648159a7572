//! The text index's schema: weighted free-text fields (stemmed, folded),
//! keyword fields for filters and facets (named as the domain names them),
//! fast numeric fields for ranges and sorts, and the feature record; how a
//! profile's [`IndexDoc`] becomes a tantivy document.

use scout_domain::{KeywordField, NumericField};
use tantivy::TantivyDocument;
use tantivy::schema::{
    BytesOptions, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

use super::{ANALYZER, TextIndex};
use crate::document::IndexDoc;
use crate::error::{Error, Result};

/// The fast column of the feature records.
pub(crate) const FEATURES_FIELD: &str = "features";
/// The fast column of profile ids.
pub(crate) const ID_FIELD: &str = "id";
/// The fast column sorted by "growth" (the 90-day follower growth).
pub(crate) const GROWTH_FIELD: &str = "growth";

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub id: Field,
    pub name: Field,
    pub categories: Field,
    pub bio: Field,
    pub posts: Field,
    pub platform: Field,
    pub country: Field,
    pub city: Field,
    pub region: Field,
    pub language: Field,
    pub niche: Field,
    pub tier: Field,
    pub audience: Field,
    pub followers: Field,
    pub engagement_rate: Field,
    pub growth: Field,
    pub verified: Field,
    pub price_usd: Field,
    pub features: Field,
}

pub(super) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Term frequencies without positions: no query matches phrases, and positions
    // would be most of the posting data of the long `posts` field.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    let keyword = STRING | FAST;
    let f = Fields {
        id: b.add_u64_field(ID_FIELD, INDEXED | FAST | STORED),
        name: b.add_text_field("name", text.clone()),
        categories: b.add_text_field("categories", text.clone()),
        bio: b.add_text_field("bio", text.clone()),
        posts: b.add_text_field("posts", text),
        platform: b.add_text_field(KeywordField::Platform.name(), keyword.clone()),
        country: b.add_text_field(KeywordField::Country.name(), keyword.clone()),
        city: b.add_text_field(KeywordField::City.name(), keyword.clone()),
        region: b.add_text_field(KeywordField::Region.name(), STRING),
        language: b.add_text_field(KeywordField::Language.name(), keyword.clone()),
        niche: b.add_text_field(KeywordField::Niche.name(), keyword.clone()),
        tier: b.add_text_field(KeywordField::Tier.name(), keyword.clone()),
        audience: b.add_text_field(KeywordField::Audience.name(), STRING),
        followers: b.add_u64_field(NumericField::Followers.name(), INDEXED | FAST),
        engagement_rate: b.add_f64_field(NumericField::EngagementRate.name(), INDEXED | FAST),
        growth: b.add_f64_field(GROWTH_FIELD, FAST),
        verified: b.add_bool_field("verified", INDEXED | FAST),
        // The headline rate in US cents; absent without a stated rate.
        price_usd: b.add_u64_field(NumericField::PriceUsd.name(), INDEXED | FAST),
        features: b.add_bytes_field(FEATURES_FIELD, BytesOptions::default().set_fast()),
    };
    (b.build(), f)
}

impl TextIndex {
    pub(super) fn keyword_field(&self, field: KeywordField) -> Field {
        match field {
            KeywordField::Platform => self.f.platform,
            KeywordField::Country => self.f.country,
            KeywordField::City => self.f.city,
            KeywordField::Region => self.f.region,
            KeywordField::Language => self.f.language,
            KeywordField::Niche => self.f.niche,
            KeywordField::Tier => self.f.tier,
            KeywordField::Audience => self.f.audience,
        }
    }

    pub(super) fn to_document(&self, d: &IndexDoc) -> Result<TantivyDocument> {
        let f = &self.f;
        let feat = &d.features;
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.id, d.id as u64);
        doc.add_text(f.name, &d.name);
        doc.add_text(f.categories, &d.categories);
        doc.add_text(f.bio, &d.bio);
        doc.add_text(f.posts, &d.posts);
        doc.add_text(f.platform, feat.platform);
        if let Some(c) = &feat.country {
            doc.add_text(f.country, c);
        }
        if let Some(c) = &d.city {
            doc.add_text(f.city, c);
        }
        if let Some(r) = &d.facts.region {
            doc.add_text(f.region, r);
        }
        for l in &feat.languages {
            doc.add_text(f.language, l);
        }
        for n in &feat.niches {
            doc.add_text(f.niche, n);
        }
        doc.add_text(f.tier, feat.tier.as_str());
        for t in &d.facts.audience_terms {
            doc.add_text(f.audience, t);
        }
        doc.add_u64(f.followers, feat.followers);
        doc.add_f64(f.engagement_rate, feat.engagement_rate as f64);
        doc.add_f64(f.growth, if feat.growth_90d.is_nan() { -1.0 } else { feat.growth_90d as f64 });
        doc.add_bool(f.verified, feat.verified);
        if let Some(cents) = d.price_usd {
            doc.add_u64(f.price_usd, cents);
        }
        let record = serde_json::to_vec(feat)
            .map_err(|e| Error::Io { path: format!("feature record of profile {}", d.id), message: e.to_string() })?;
        doc.add_bytes(f.features, &record);
        Ok(doc)
    }
}
