//! Three-state fields for JSON merge-patch bodies.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a JSON merge-patch (`PATCH`) request body: leave it as it is, clear it, or set it.
///
/// | value | JSON |
/// |---|---|
/// | `Patch::Keep` | the key is absent |
/// | `Patch::Null` | `"key": null` (clears the stored value) |
/// | `Patch::Set(v)` | `"key": v` |
///
/// The generated structs leave a `Keep` field out (as `skip_serializing_if = "Patch::is_keep"`
/// does in the example below), so `Keep` never reaches the serializer (serializing a bare `Keep`
/// writes `null`). Decoding maps a missing key to `Keep` (`default` in the example), `null` to
/// `Null` and anything else to `Set`.
///
/// ```
/// use pages_api_types::Patch;
///
/// #[derive(serde::Serialize, Default)]
/// struct ProjectPatch {
///     #[serde(default, skip_serializing_if = "Patch::is_keep")]
///     production_branch: Patch<String>,
/// }
///
/// let keep = ProjectPatch::default();
/// let clear = ProjectPatch { production_branch: Patch::Null };
/// let set = ProjectPatch { production_branch: "main".to_string().into() };
/// assert_eq!(serde_json::to_string(&keep).unwrap(), "{}");
/// assert_eq!(serde_json::to_string(&clear).unwrap(), r#"{"production_branch":null}"#);
/// assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"production_branch":"main"}"#);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Leave the stored value unchanged (the key is not sent).
    #[default]
    Keep,
    /// Clear the stored value (`null` is sent).
    Null,
    /// Replace the stored value.
    Set(T),
}

impl<T> Patch<T> {
    /// `true` for [`Patch::Keep`]; the `skip_serializing_if` predicate of patch fields.
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// `true` for [`Patch::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Patch::Null)
    }

    /// `true` for [`Patch::Set`].
    pub fn is_set(&self) -> bool {
        matches!(self, Patch::Set(_))
    }

    /// `None` → `Null`, `Some(v)` → `Set(v)`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Set)
    }

    /// The value when it is [`Patch::Set`].
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Borrows the value: `Patch<&T>`.
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Null => Patch::Null,
            Patch::Set(v) => Patch::Set(v),
        }
    }

    /// Transforms the value of [`Patch::Set`].
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Keep => Patch::Keep,
            Patch::Null => Patch::Null,
            Patch::Set(v) => Patch::Set(f(v)),
        }
    }

    /// `Keep` → `None`, `Null` → `Some(None)`, `Set(v)` → `Some(Some(v))`.
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Patch::Keep => None,
            Patch::Null => Some(None),
            Patch::Set(v) => Some(Some(v)),
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(serializer),
            Patch::Keep | Patch::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::from_option)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        name: Patch<String>,
        #[serde(default, skip_serializing_if = "Patch::is_keep")]
        limit: Patch<u32>,
    }

    #[test]
    fn serializes_absent_null_value() {
        let body = Body::default();
        assert_eq!(serde_json::to_string(&body).unwrap(), "{}");
        let body = Body {
            name: Patch::Null,
            limit: 3.into(),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"name":null,"limit":3}"#
        );
        // A bare Keep (never reached through a field) writes null.
        assert_eq!(serde_json::to_string(&Patch::<u32>::Keep).unwrap(), "null");
    }

    #[test]
    fn deserializes_absent_null_value() {
        let body: Body = serde_json::from_str(r#"{"name":null}"#).unwrap();
        assert_eq!(body.name, Patch::Null);
        assert_eq!(body.limit, Patch::Keep);
        let body: Body = serde_json::from_str(r#"{"name":"x","limit":5}"#).unwrap();
        assert_eq!(body.name, Patch::Set("x".to_string()));
        assert_eq!(body.limit, Patch::Set(5));
    }

    #[test]
    fn round_trips() {
        for body in [
            Body::default(),
            Body {
                name: Patch::Null,
                limit: Patch::Keep,
            },
            Body {
                name: "a".to_string().into(),
                limit: Patch::Null,
            },
        ] {
            let json = serde_json::to_string(&body).unwrap();
            let back: Body = serde_json::from_str(&json).unwrap();
            assert_eq!(back, body, "{json}");
        }
    }

    #[test]
    fn helpers() {
        assert!(Patch::<u8>::default().is_keep());
        assert!(Patch::<u8>::from_option(None).is_null());
        assert_eq!(Patch::from(2).map(|v| v * 2), Patch::Set(4));
        assert_eq!(Patch::Set(1).as_set(), Some(&1));
        assert_eq!(Patch::<u8>::Null.into_option(), Some(None));
        assert_eq!(Patch::<u8>::Keep.into_option(), None);
        assert!(Patch::Set(1).is_set());
    }
}
