//! The server's input rules, written into the OpenAPI document's schemas.
//!
//! utoipa derives each schema's shape from its Rust type; the rules that
//! live in `parse` functions (an email's form, a name's length, which
//! currencies and niches exist, what an audience constraint's value may be
//! for each dimension) are added here, from the constants those functions
//! use. The aim is an exact contract: what a schema allows the server
//! accepts, and what it refuses the server refuses. Schemathesis checks both
//! directions in CI (`scripts/schemathesis.sh`).
//!
//! Patterns are written for both regular-expression dialects clients use
//! (ECMA 262 and Python's `re`): character classes and `\xHH`/`\uHHHH`
//! escapes only, and no `$` where a trailing line break would slip past it
//! (Python's `$` also matches before a final `\n`); "no control character"
//! is a `not` of a class instead.

use scout_domain::account::{CONTROL_CLASS, EMAIL_PATTERN, MAX_NAME_CHARS, WHITE_SPACE_CLASS};
use scout_domain::org::MAX_LIST_NAME_CHARS;
use serde_json::{Map, Value, json};

/// Adds the rules to a document's component schemas. A schema or property
/// this does not find is left alone (the test of the served document checks
/// that the rules landed).
pub fn tighten(doc: &mut Value) {
    tighten_parameters(doc);
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return };

    // Names people give things: as sent, at most N characters, one visible, no control characters.
    for (schema, field, max) in [
        ("RegisterRequest", "name", MAX_NAME_CHARS),
        ("NewClient", "name", MAX_NAME_CHARS),
        ("NameBody", "name", MAX_LIST_NAME_CHARS),
        ("NewSavedSearch", "name", MAX_LIST_NAME_CHARS),
        ("NewKeyRequest", "name", MAX_LIST_NAME_CHARS),
        ("CampaignSpec", "name", scout_market::campaign::MAX_NAME_CHARS),
    ] {
        if let Some(p) = property(schemas, schema, field) {
            p.insert("minLength".into(), json!(1));
            p.insert("maxLength".into(), json!(max));
            p.insert("pattern".into(), json!(format!("[^{WHITE_SPACE_CLASS}]")));
            p.insert("not".into(), json!({ "pattern": format!("[{CONTROL_CLASS}]") }));
        }
    }
    // Texts that must say something: a message, a dispute's reason.
    for (schema, field) in [("MessageBody", "body"), ("DisputeBody", "reason")] {
        if let Some(p) = property(schemas, schema, field) {
            p.insert("pattern".into(), json!(format!("[^{WHITE_SPACE_CLASS}]")));
        }
    }
    if let Some(p) = property(schemas, "CampaignSpec", "brief") {
        p.insert("maxLength".into(), json!(scout_market::campaign::MAX_BRIEF_CHARS));
    }
    if let Some(p) = property(schemas, "CampaignSpec", "deliverables") {
        p.insert("maxItems".into(), json!(scout_market::campaign::MAX_DELIVERABLES));
    }
    if let Some(p) = property(schemas, "Terms", "lines") {
        p.insert("minItems".into(), json!(1));
        p.insert("maxItems".into(), json!(scout_market::campaign::MAX_DELIVERABLES));
    }
    // Content links: http(s) addresses without white space, at most 2,048 characters.
    if let Some(item) = items(schemas, "SubmitBody", "links") {
        item.insert("pattern".into(), json!("^https?://"));
        item.insert("maxLength".into(), json!(scout_app::deals::MAX_LINK_CHARS));
        item.insert("not".into(), json!({ "pattern": format!("[{WHITE_SPACE_CLASS}]") }));
    }
    // Addresses where the server parses them (login and password reset take
    // any string: an unknown address is simply not an account).
    for schema in ["RegisterRequest", "AddMember"] {
        if let Some(p) = property(schemas, schema, "email") {
            p.insert("pattern".into(), json!(EMAIL_PATTERN));
        }
    }
    // A new password: a length, and not only white space.
    if let Some(p) = property(schemas, "RegisterRequest", "password") {
        p.insert("minLength".into(), json!(scout_domain::account::MIN_PASSWORD_CHARS));
        p.insert("maxLength".into(), json!(scout_domain::account::MAX_PASSWORD_CHARS));
        p.insert("pattern".into(), json!(format!("[^{WHITE_SPACE_CLASS}]")));
    }

    // Prices and budgets are compared through the reference table: only its
    // currencies are accepted there; budgets are positive amounts.
    let currency = json!({
        "type": "string",
        "description": "ISO 4217 code of a currency of the reference table",
        "enum": scout_domain::money::REFERENCE_CURRENCIES,
    });
    for schema in ["PriceRange", "Money"] {
        if let Some(props) = properties(schemas, schema) {
            props.insert("currency".into(), currency.clone());
        }
    }
    if let Some(p) = property(schemas, "Money", "amount_minor") {
        p.insert("minimum".into(), json!(1));
    }
    // Niches are the taxonomy's ids.
    let niches: Vec<&str> = scout_domain::taxonomy::NICHES.iter().map(|n| n.id).collect();
    for schema in ["SearchFilters", "CampaignBrief", "CampaignSpec"] {
        if let Some(item) = items(schemas, schema, "niches") {
            item.insert("enum".into(), json!(niches));
        }
    }
    // ISO codes in lists: countries upper-case, languages lower-case.
    for (schema, field, pattern) in [
        ("SearchFilters", "countries", "^[A-Z]{2}$"),
        ("SearchFilters", "languages", "^[a-z]{2}$"),
        ("Targeting", "countries", "^[A-Z]{2}$"),
        ("Targeting", "languages", "^[a-z]{2}$"),
    ] {
        if let Some(item) = items(schemas, schema, field) {
            item.insert("pattern".into(), json!(pattern));
        }
    }
    // Closed vocabularies the server parses from strings.
    let org_roles: Vec<&str> = scout_domain::org::OrgRole::ALL.iter().map(|r| r.as_str()).collect();
    for schema in ["AddMember", "ChangeMember"] {
        if let Some(p) = property(schemas, schema, "role") {
            p.insert("enum".into(), json!(org_roles));
        }
    }
    let scopes: Vec<&str> = scout_domain::org::Scope::ALL.iter().map(|s| s.as_str()).collect();
    if let Some(p) = property(schemas, "NewKeyRequest", "scopes") {
        p.insert("minItems".into(), json!(1));
        if let Some(item) = p.get_mut("items").and_then(Value::as_object_mut) {
            item.insert("enum".into(), json!(scopes));
        }
    }
    if let Some(item) = items(schemas, "Targeting", "age_bands") {
        item.insert("enum".into(), json!(scout_domain::profile::AGE_BANDS));
    }
    for field in ["engagement_min", "audience_quality_min"] {
        if let Some(p) = property(schemas, "SearchFilters", field) {
            p.insert("minimum".into(), json!(0));
            p.insert("maximum".into(), json!(1));
        }
    }
    if let Some(p) = property(schemas, "EntryBody", "tags") {
        p.insert("maxItems".into(), json!(scout_domain::org::MAX_TAGS));
        if let Some(item) = p.get_mut("items").and_then(Value::as_object_mut) {
            item.insert("maxLength".into(), json!(scout_domain::org::MAX_TAG_CHARS));
            let separator = scout_domain::org::TAG_SEPARATOR;
            item.insert("not".into(), json!({ "pattern": format!("[{CONTROL_CLASS}{separator}]") }));
        }
    }
    if let Some(p) = property(schemas, "Targeting", "gender") {
        p.insert("enum".into(), json!(["female", "male", null]));
    }
    // utoipa leaves a tagged enum's variants open; the server refuses unknown fields there.
    if let Some(variants) =
        schemas.get_mut("CampaignGoal").and_then(|g| g.get_mut("oneOf")).and_then(Value::as_array_mut)
    {
        for v in variants.iter_mut().filter_map(Value::as_object_mut) {
            v.insert("additionalProperties".into(), json!(false));
        }
    }
    // What an audience constraint's value may be depends on its dimension.
    if let Some(constraint) = schemas.get_mut("AudienceConstraint") {
        *constraint = audience_constraint(constraint);
    }
}

/// Query parameters whose values the server parses: the comma-separated
/// lists of the search form and of lookalikes (blank items are dropped), and
/// the search's price currency (empty is absent, as for the lists).
fn tighten_parameters(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else { continue };
        for op in ops.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else { continue };
            for p in params {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else { continue };
                match (path.as_str(), name.as_str()) {
                    ("/v1/profiles/{id}/similar" | "/v1/search", "country") => {
                        schema.insert("pattern".into(), json!(code_list_pattern("A-Z")));
                    }
                    ("/v1/campaigns", "status") => {
                        let words: Vec<String> =
                            scout_market::CampaignStatus::ALL.iter().map(|s| s.as_str().to_string()).collect();
                        schema.insert("pattern".into(), json!(word_list_pattern(&words, false)));
                    }
                    ("/v1/search", "language") => {
                        schema.insert("pattern".into(), json!(code_list_pattern("a-z")));
                    }
                    ("/v1/search", "niche") => {
                        let words: Vec<String> =
                            scout_domain::taxonomy::NICHES.iter().map(|n| n.id.to_string()).collect();
                        schema.insert("pattern".into(), json!(word_list_pattern(&words, false)));
                    }
                    ("/v1/search", "platform") => {
                        let mut words: Vec<String> =
                            scout_domain::Platform::ALL.iter().map(|p| p.as_str().to_string()).collect();
                        words.extend(scout_domain::profile::PLATFORM_ALIASES.iter().map(|(a, _)| a.to_string()));
                        schema.insert("pattern".into(), json!(word_list_pattern(&words, true)));
                    }
                    ("/v1/search", "tier") => {
                        let words: Vec<String> =
                            scout_domain::Tier::ALL.iter().map(|t| t.as_str().to_string()).collect();
                        schema.insert("pattern".into(), json!(word_list_pattern(&words, false)));
                    }
                    (_, "price_currency") => {
                        if let Some(list) = schema.get_mut("enum").and_then(Value::as_array_mut) {
                            list.push(json!(""));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// A comma-separated list of these words, each with optional ASCII white
/// space around it, blanks allowed; `any_case` when the server ignores case.
fn word_list_pattern(words: &[String], any_case: bool) -> String {
    let word = |w: &String| -> String {
        w.chars()
            .map(|c| {
                let (lo, up) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
                if any_case && lo != up { format!("[{lo}{up}]") } else { regex_escape(c) }
            })
            .collect()
    };
    let item = format!("[ \\t\\r\\n]*(?:{})?[ \\t\\r\\n]*", words.iter().map(word).collect::<Vec<_>>().join("|"));
    format!("^{item}(?:,{item})*$")
}

fn regex_escape(c: char) -> String {
    if c.is_ascii_alphanumeric() || c == '_' { c.to_string() } else { format!("\\{c}") }
}

/// A comma-separated list of two-letter codes from `class` (`A-Z` for
/// countries, `a-z` for languages), with ASCII white space around items and
/// blanks allowed.
fn code_list_pattern(class: &str) -> String {
    let item = format!("[ \\t\\r\\n]*(?:[{class}]{{2}})?[ \\t\\r\\n]*");
    format!("^{item}(?:,{item})*$")
}

/// `AudienceConstraint` as one schema per dimension: a country is an ISO
/// code, a gender one of three words, an age one of the bands.
fn audience_constraint(derived: &Value) -> Value {
    let min_share = derived.pointer("/properties/min_share").cloned().unwrap_or(json!({"type": "number"}));
    let one = |dimension: &str, value: Value| {
        json!({
            "type": "object",
            "required": ["dimension", "value", "min_share"],
            "additionalProperties": false,
            "properties": {
                "dimension": {"type": "string", "enum": [dimension]},
                "value": value,
                "min_share": min_share,
            },
        })
    };
    let mut schema = json!({
        "oneOf": [
            one("country", json!({"type": "string", "minLength": 2, "maxLength": 2, "pattern": "^[A-Z]{2}$",
                "description": "ISO 3166-1 alpha-2 code"})),
            one("gender", json!({"type": "string", "enum": scout_domain::query::AUDIENCE_GENDERS})),
            one("age", json!({"type": "string", "enum": scout_domain::profile::AGE_BANDS})),
        ],
    });
    if let Some(description) = derived.get("description") {
        schema["description"] = description.clone();
    }
    schema
}

fn properties<'a>(schemas: &'a mut Map<String, Value>, schema: &str) -> Option<&'a mut Map<String, Value>> {
    schemas.get_mut(schema)?.get_mut("properties")?.as_object_mut()
}

fn property<'a>(schemas: &'a mut Map<String, Value>, schema: &str, field: &str) -> Option<&'a mut Map<String, Value>> {
    properties(schemas, schema)?.get_mut(field)?.as_object_mut()
}

/// The item schema of an array property.
fn items<'a>(schemas: &'a mut Map<String, Value>, schema: &str, field: &str) -> Option<&'a mut Map<String, Value>> {
    property(schemas, schema, field)?.get_mut("items")?.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule lands on a schema that exists: a renamed type would
    /// otherwise drop its rule without a word.
    #[test]
    fn every_rule_finds_its_schema() {
        let mut doc =
            serde_json::to_value(<crate::routes::openapi::ApiDoc as utoipa::OpenApi>::openapi()).expect("doc");
        let before = doc.clone();
        tighten(&mut doc);
        let s = &doc["components"]["schemas"];
        for (schema, field) in [
            ("RegisterRequest", "name"),
            ("NewClient", "name"),
            ("NameBody", "name"),
            ("NewSavedSearch", "name"),
            ("NewKeyRequest", "name"),
        ] {
            assert!(s[schema]["properties"][field]["not"]["pattern"].is_string(), "{schema}.{field}");
        }
        for schema in ["RegisterRequest", "AddMember"] {
            assert_eq!(s[schema]["properties"]["email"]["pattern"], EMAIL_PATTERN, "{schema}");
        }
        assert_eq!(s["RegisterRequest"]["properties"]["password"]["minLength"], 10);
        for schema in ["PriceRange", "Money"] {
            assert!(s[schema]["properties"]["currency"]["enum"].is_array(), "{schema}");
        }
        for schema in ["SearchFilters", "CampaignBrief"] {
            assert!(s[schema]["properties"]["niches"]["items"]["enum"].is_array(), "{schema}");
        }
        for schema in ["SearchFilters", "Targeting"] {
            assert!(s[schema]["properties"]["countries"]["items"]["pattern"].is_string(), "{schema}");
        }
        assert_eq!(s["AudienceConstraint"]["oneOf"].as_array().map(Vec::len), Some(3));
        assert_eq!(s["CampaignGoal"]["oneOf"][0]["additionalProperties"], false);
        assert!(s["Targeting"]["properties"]["age_bands"]["items"]["enum"].is_array());
        assert!(s["EntryBody"]["properties"]["tags"]["maxItems"].is_number());
        assert_ne!(before, doc);
    }
}
