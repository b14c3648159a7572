//! Nested request values that must be JSON objects. serde builds a struct
//! from an array too (`"filters": ["DE"]` fills the first field), which no
//! client means and the OpenAPI document does not allow; these
//! `deserialize_with` helpers refuse anything but an object (or `null` where
//! the field is optional). The API's body extractor does the same for the
//! top level.

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn from_object<T: DeserializeOwned, E: Error>(v: Value) -> Result<T, E> {
    if !v.is_object() {
        return Err(E::custom(format!("invalid type: {}, expected a JSON object", kind(&v))));
    }
    T::deserialize(v).map_err(E::custom)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field that must be an object.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    from_object(Value::deserialize(d)?)
}

/// An optional field: absent or `null`, else an object.
pub fn optional_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => from_object(v).map(Some),
    }
}

/// A list whose items must be objects.
pub fn objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().map(from_object).collect(),
        v => Err(D::Error::custom(format!("invalid type: {}, expected an array of objects", kind(&v)))),
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        a: Option<u8>,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "super::optional_object")]
        one: Option<Inner>,
        #[serde(default, deserialize_with = "super::objects")]
        many: Vec<Inner>,
    }

    #[test]
    fn arrays_do_not_pass_for_objects() {
        let both: Outer = serde_json::from_str(r#"{"one": {"a": 1}, "many": [{"a": 2}]}"#).expect("objects");
        assert_eq!((both.one.and_then(|i| i.a), both.many.first().and_then(|i| i.a)), (Some(1), Some(2)));
        let none: Outer = serde_json::from_str(r#"{"one": null}"#).expect("null");
        assert!(none.one.is_none() && none.many.is_empty());
        let err = serde_json::from_str::<Outer>(r#"{"one": [1]}"#).expect_err("array").to_string();
        assert!(err.contains("expected a JSON object"), "{err}");
        assert!(serde_json::from_str::<Outer>(r#"{"many": [[2]]}"#).is_err());
    }
}
