//! The Cloudflare response envelope and its parts.
//!
//! Their serde impls are written here rather than derived, so that no program using the crates
//! builds serde's derive macro (with `syn`, a few seconds of every clean build).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::Count;
use super::object::{take_field, visit_fields};

/// The envelope Cloudflare wraps around every response body:
/// `{"success": .., "errors": [..], "messages": [..], "result": .., "result_info": {..}}`.
///
/// Decoding is lenient so that a body that is *almost* an envelope still decodes: every field
/// may be missing (`success` then defaults to `true`, since the HTTP status already said whether
/// the call worked; the lists default to empty and `null` lists are read as empty), unknown
/// fields are ignored, and `"result": null` decodes as `None`. Whether a decoded envelope is an
/// error is decided by the client (`success == false` on a 2xx is an API error).
///
/// A field of an unexpected type never sinks a whole response: when a 2xx body does not decode
/// as is, the client drops the offending nodes one by one (a field, a map entry, an array
/// element, or the object that lacks a required field) until it does, and lists each in
/// [`dropped`](Self::dropped) (also logged as a `tracing` warning). A body that decoded as sent
/// has an empty list.
///
/// ```
/// use pages_api_types::Envelope;
///
/// let body = r#"{"success":true,"errors":[],"messages":[],"result":[1,2,3],
///                "result_info":{"page":1,"per_page":25,"count":3,"total_count":3}}"#;
/// let envelope: Envelope<Vec<u32>> = serde_json::from_str(body).unwrap();
/// assert!(envelope.success);
/// assert_eq!(envelope.result_ref(), Some(&vec![1, 2, 3]));
/// assert_eq!(envelope.result_info.unwrap().total_count, Some(3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope<T> {
    /// Whether the API call succeeded (missing → `true`).
    pub success: bool,
    /// Errors reported by the API; empty on success.
    pub errors: Vec<ApiMessage>,
    /// Informational messages reported by the API.
    pub messages: Vec<ApiMessage>,
    /// The payload; `None` when the body has `"result": null` or no `result` at all.
    pub result: Option<T>,
    /// Paging information of list operations.
    pub result_info: Option<ResultInfo>,
    /// What the client left out to decode the body: empty when the body decoded as sent. Not
    /// part of the JSON (never read nor written); filled by the client's lenient decoding.
    pub dropped: Vec<DroppedField>,
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("success", &self.success)?;
        map.serialize_entry("errors", &self.errors)?;
        map.serialize_entry("messages", &self.messages)?;
        map.serialize_entry("result", &self.result)?;
        if let Some(info) = &self.result_info {
            map.serialize_entry("result_info", info)?;
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct Envelope")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<T>, A::Error> {
                // The inner `Option`s read `null` as missing (`"errors": null`).
                let mut success: Option<bool> = None;
                let mut errors: Option<Option<Vec<ApiMessage>>> = None;
                let mut messages: Option<Option<Vec<ApiMessage>>> = None;
                let mut result: Option<Option<T>> = None;
                let mut result_info: Option<Option<ResultInfo>> = None;
                visit_fields(&mut map, |key, map| {
                    match key {
                        "success" => take_field(map, &mut success, "success")?,
                        "errors" => take_field(map, &mut errors, "errors")?,
                        "messages" => take_field(map, &mut messages, "messages")?,
                        "result" => take_field(map, &mut result, "result")?,
                        "result_info" => take_field(map, &mut result_info, "result_info")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                Ok(Envelope {
                    success: success.unwrap_or(true),
                    errors: errors.flatten().unwrap_or_default(),
                    messages: messages.flatten().unwrap_or_default(),
                    result: result.flatten(),
                    result_info: result_info.flatten(),
                    dropped: Vec::new(),
                })
            }
        }

        deserializer.deserialize_struct(
            "Envelope",
            &["success", "errors", "messages", "result", "result_info"],
            EnvelopeVisitor(PhantomData),
        )
    }
}

/// One node of a response body the client dropped because it did not fit the expected type
/// (see [`Envelope::dropped`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DroppedField {
    /// Where it was in the body, as a JSON path from the envelope (`result.latest_stage.status`,
    /// `result[1]`, `result.env_vars.API_KEY`).
    pub path: String,
    /// Why it did not decode (the decoder's message, e.g. `invalid type: integer `5`, expected
    /// a string`; `missing field `name`` when an object lacked a required field).
    pub reason: String,
}

crate::object_serde! { DroppedField; required path; required reason; }

impl fmt::Display for DroppedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl<T> Default for Envelope<T> {
    fn default() -> Self {
        Self {
            success: true,
            errors: Vec::new(),
            messages: Vec::new(),
            result: None,
            result_info: None,
            dropped: Vec::new(),
        }
    }
}

impl<T> Envelope<T> {
    /// A successful envelope holding `result` (handy for tests and mocks).
    pub fn new(result: T) -> Self {
        Self {
            result: Some(result),
            ..Self::default()
        }
    }

    /// Whether the API reported success.
    pub fn is_success(&self) -> bool {
        self.success
    }

    /// The payload, by reference.
    pub fn result_ref(&self) -> Option<&T> {
        self.result.as_ref()
    }

    /// The payload, consuming the envelope.
    pub fn into_result(self) -> Option<T> {
        self.result
    }

    /// The payload and the paging information, consuming the envelope.
    pub fn into_parts(self) -> (Option<T>, Option<ResultInfo>) {
        (self.result, self.result_info)
    }

    /// Transforms the payload, keeping everything else.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Envelope<U> {
        Envelope {
            success: self.success,
            errors: self.errors,
            messages: self.messages,
            result: self.result.map(f),
            result_info: self.result_info,
            dropped: self.dropped,
        }
    }
}

/// One entry of an envelope's `errors` or `messages` list.
///
/// Lenient: a missing `code` is `0`, a missing `message` is `""`, and a bare string
/// (`"errors": ["something broke"]`) decodes as a message with code `0`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiMessage {
    /// Cloudflare's numeric code (for example `8000007` "project not found", `10000`
    /// "authentication error"); `0` when the API sent none.
    pub code: i64,
    /// The human-readable text.
    pub message: String,
    /// A link to documentation about this message, when the API sends one.
    pub documentation_url: Option<String>,
    /// Where the problem is (for example `{"pointer": "/name"}`), when the API sends it.
    pub source: Option<serde_json::Value>,
}

crate::object_serde! {
    @serialize ApiMessage; required code; required message; optional documentation_url;
    optional source;
}

impl ApiMessage {
    /// A message with a code and text.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            documentation_url: None,
            source: None,
        }
    }
}

impl fmt::Display for ApiMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code, self.message.is_empty()) {
            (0, _) => f.write_str(&self.message),
            (code, true) => write!(f, "code {code}"),
            (code, false) => write!(f, "{} (code {code})", self.message),
        }
    }
}

impl<'de> Deserialize<'de> for ApiMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageVisitor;

        impl<'de> Visitor<'de> for MessageVisitor {
            type Value = ApiMessage;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with `code` and `message`, or a string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ApiMessage::new(0, v))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(ApiMessage::new(0, v))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // The inner `Option`s read `null` as missing.
                let mut code: Option<i64> = None;
                let mut message: Option<Option<String>> = None;
                let mut documentation_url: Option<Option<String>> = None;
                let mut source: Option<Option<serde_json::Value>> = None;
                visit_fields(&mut map, |key, map| {
                    match key {
                        "code" => take_field(map, &mut code, "code")?,
                        "message" => take_field(map, &mut message, "message")?,
                        "documentation_url" => {
                            take_field(map, &mut documentation_url, "documentation_url")?
                        }
                        "source" => take_field(map, &mut source, "source")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                Ok(ApiMessage {
                    code: code.unwrap_or_default(),
                    message: message.flatten().unwrap_or_default(),
                    documentation_url: documentation_url.flatten(),
                    source: source.flatten(),
                })
            }
        }

        deserializer.deserialize_any(MessageVisitor)
    }
}

/// Paging information of list responses (`result_info`).
///
/// Every field is optional; numbers are accepted as integers, integral floats (`1.0`) or
/// numeric strings (negative and fractional ones read as `None`), and unknown fields (cursors
/// and the like) are ignored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResultInfo {
    /// The page this response holds (1-based).
    pub page: Option<u32>,
    /// The page size that was asked for.
    pub per_page: Option<u32>,
    /// How many items this page holds.
    pub count: Option<u32>,
    /// How many items there are across all pages.
    pub total_count: Option<u32>,
    /// How many pages there are.
    pub total_pages: Option<u32>,
}

crate::object_serde! {
    @serialize ResultInfo; optional page; optional per_page; optional count; optional
    total_count; optional total_pages;
}

impl<'de> Deserialize<'de> for ResultInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ResultInfoVisitor;

        impl<'de> Visitor<'de> for ResultInfoVisitor {
            type Value = ResultInfo;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("struct ResultInfo")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ResultInfo, A::Error> {
                let [
                    mut page,
                    mut per_page,
                    mut count,
                    mut total_count,
                    mut total_pages,
                ] = [const { None::<Count> }; 5];
                visit_fields(&mut map, |key, map| {
                    match key {
                        "page" => take_field(map, &mut page, "page")?,
                        "per_page" => take_field(map, &mut per_page, "per_page")?,
                        "count" => take_field(map, &mut count, "count")?,
                        "total_count" => take_field(map, &mut total_count, "total_count")?,
                        "total_pages" => take_field(map, &mut total_pages, "total_pages")?,
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                let count_of = |slot: Option<Count>| slot.and_then(|c| c.0);
                Ok(ResultInfo {
                    page: count_of(page),
                    per_page: count_of(per_page),
                    count: count_of(count),
                    total_count: count_of(total_count),
                    total_pages: count_of(total_pages),
                })
            }
        }

        deserializer.deserialize_struct(
            "ResultInfo",
            &["page", "per_page", "count", "total_count", "total_pages"],
            ResultInfoVisitor,
        )
    }
}

/// The body of a failed call (`4XX`, `5XX`), decoded from any JSON object.
///
/// Upstream documents contradictory failure schemas, so this type takes whatever it gets: a
/// missing or mistyped field is left at its default, list entries that are not message objects
/// become messages holding their JSON text, and a single object or string where a list was
/// expected becomes a one-entry list. Only a body that is not a JSON object fails to decode.
///
/// ```
/// use pages_api_types::ApiFailure;
///
/// let failure: ApiFailure =
///     serde_json::from_str(r#"{"errors":[{"code":8000007,"message":"Project not found"}]}"#).unwrap();
/// assert!(!failure.success);
/// assert_eq!(failure.errors[0].code, 8000007);
/// let odd: ApiFailure = serde_json::from_str(r#"{"success":"no","errors":"boom"}"#).unwrap();
/// assert_eq!(odd.errors[0].message, "boom");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiFailure {
    /// Normally `false` (missing or not a boolean → `false`).
    pub success: bool,
    /// The errors the API reported.
    pub errors: Vec<ApiMessage>,
    /// Informational messages.
    pub messages: Vec<ApiMessage>,
    /// Whatever `result` held (usually `null` → `None`).
    pub result: Option<serde_json::Value>,
}

crate::object_serde! {
    @serialize ApiFailure; required success; required errors; required messages; optional result;
}

impl<'de> Deserialize<'de> for ApiFailure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Failure bodies are small and rare, so a `Value` detour is fine here: it buys
        // tolerance of every shape upstream has been seen to send.
        struct ObjectOnly;

        impl<'de> Visitor<'de> for ObjectOnly {
            type Value = serde_json::Map<String, serde_json::Value>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        let mut raw = deserializer.deserialize_map(ObjectOnly)?;
        let mut take = |key| raw.remove(key).unwrap_or_default();
        Ok(ApiFailure {
            success: take("success").as_bool().unwrap_or(false),
            errors: messages_from_value(take("errors")),
            messages: messages_from_value(take("messages")),
            result: Some(take("result")).filter(|v| !v.is_null()),
        })
    }
}

fn messages_from_value(value: serde_json::Value) -> Vec<ApiMessage> {
    use serde_json::Value;

    fn one(value: Value) -> ApiMessage {
        match value {
            Value::String(s) => ApiMessage::new(0, s),
            other => ApiMessage::deserialize(&other)
                .unwrap_or_else(|_| ApiMessage::new(0, other.to_string())),
        }
    }

    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.into_iter().map(one).collect(),
        other => vec![one(other)],
    }
}

/// The `result` type of operations whose result carries nothing useful (untyped or absent in the
/// API description): decodes from any JSON value, serializes as `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NoResult;

impl Serialize for NoResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for NoResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| NoResult)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_decodes_full_body() {
        let body = r#"{"success":true,"errors":[],"messages":[{"code":1,"message":"hi"}],
            "result":{"a":1},"result_info":{"page":2,"per_page":10,"count":10,"total_count":30,
            "total_pages":3,"cursor":"x"},"extra":true}"#;
        let env: Envelope<serde_json::Value> = serde_json::from_str(body).unwrap();
        assert!(env.success);
        assert_eq!(env.messages, vec![ApiMessage::new(1, "hi")]);
        assert_eq!(env.result, Some(serde_json::json!({"a": 1})));
        assert_eq!(
            env.result_info,
            Some(ResultInfo {
                page: Some(2),
                per_page: Some(10),
                count: Some(10),
                total_count: Some(30),
                total_pages: Some(3),
            })
        );
    }

    #[test]
    fn envelope_is_lenient() {
        let env: Envelope<u32> = serde_json::from_str("{}").unwrap();
        assert_eq!(env, Envelope::default());
        assert!(env.success);

        let env: Envelope<u32> = serde_json::from_str(
            r#"{"success":false,"errors":null,"messages":null,"result":null}"#,
        )
        .unwrap();
        assert!(!env.success);
        assert!(env.errors.is_empty() && env.messages.is_empty());
        assert_eq!(env.result, None);
    }

    #[test]
    fn envelope_round_trips() {
        let env = Envelope::new(vec![1u32, 2]);
        let json = serde_json::to_string(&env).unwrap();
        assert_eq!(
            json,
            r#"{"success":true,"errors":[],"messages":[],"result":[1,2]}"#
        );
        let back: Envelope<Vec<u32>> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, env);
    }

    #[test]
    fn api_message_forms() {
        let m: ApiMessage = serde_json::from_str(r#"{"message":"x"}"#).unwrap();
        assert_eq!(m, ApiMessage::new(0, "x"));
        let m: ApiMessage = serde_json::from_str(r#""plain""#).unwrap();
        assert_eq!(m, ApiMessage::new(0, "plain"));
        let m: ApiMessage = serde_json::from_str(
            r#"{"code":7003,"message":"No route","documentation_url":"https://x","source":{"pointer":"/a"},"z":1}"#,
        )
        .unwrap();
        assert_eq!(m.code, 7003);
        assert_eq!(m.documentation_url.as_deref(), Some("https://x"));
        assert_eq!(m.source, Some(serde_json::json!({"pointer": "/a"})));
        assert_eq!(m.to_string(), "No route (code 7003)");
        // Optional parts are skipped when absent.
        assert_eq!(
            serde_json::to_string(&ApiMessage::new(1, "a")).unwrap(),
            r#"{"code":1,"message":"a"}"#
        );
        assert!(serde_json::from_str::<ApiMessage>("12").is_err());
    }

    #[test]
    fn result_info_numbers() {
        let info: ResultInfo = serde_json::from_str(
            r#"{"page":1.0,"per_page":"25","count":-1,"total_count":null,"total_pages":99999999999}"#,
        )
        .unwrap();
        assert_eq!(info.page, Some(1));
        assert_eq!(info.per_page, Some(25));
        assert_eq!(info.count, None);
        assert_eq!(info.total_count, None);
        assert_eq!(info.total_pages, Some(u32::MAX));
        // `number` in the document: a fraction is valid there, and says no count.
        assert_eq!(
            serde_json::from_str::<ResultInfo>(r#"{"page":1.5,"count":"2.5"}"#).unwrap(),
            ResultInfo::default()
        );
        assert!(serde_json::from_str::<ResultInfo>(r#"{"page":"many"}"#).is_err());
        assert_eq!(
            serde_json::to_string(&ResultInfo {
                page: Some(1),
                ..ResultInfo::default()
            })
            .unwrap(),
            r#"{"page":1}"#
        );
    }

    #[test]
    fn api_failure_takes_any_object() {
        let f: ApiFailure = serde_json::from_str("{}").unwrap();
        assert_eq!(f, ApiFailure::default());

        let f: ApiFailure = serde_json::from_str(
            r#"{"success":false,"errors":[{"code":8000007,"message":"Project not found"},"bare",5],
                "messages":{"code":1,"message":"single"},"result":null,"other":[]}"#,
        )
        .unwrap();
        assert_eq!(f.errors.len(), 3);
        assert_eq!(f.errors[0], ApiMessage::new(8000007, "Project not found"));
        assert_eq!(f.errors[1], ApiMessage::new(0, "bare"));
        assert_eq!(f.errors[2], ApiMessage::new(0, "5"));
        assert_eq!(f.messages, vec![ApiMessage::new(1, "single")]);
        assert_eq!(f.result, None);

        let f: ApiFailure =
            serde_json::from_str(r#"{"success":"yes","errors":{"code":"x"},"result":{"a":1}}"#)
                .unwrap();
        assert!(!f.success);
        assert_eq!(f.errors.len(), 1);
        assert_eq!(f.result, Some(serde_json::json!({"a": 1})));

        assert!(serde_json::from_str::<ApiFailure>("[]").is_err());
        assert!(serde_json::from_str::<ApiFailure>("\"x\"").is_err());
    }

    #[test]
    fn no_result_accepts_anything() {
        for body in [
            r#"{"result":null}"#,
            r#"{"result":{"id":"x"}}"#,
            r#"{"result":[1,"a"]}"#,
        ] {
            let env: Envelope<NoResult> = serde_json::from_str(body).unwrap();
            assert!(env.success);
        }
        assert_eq!(serde_json::to_string(&NoResult).unwrap(), "null");
    }
}
