//! Small lenient deserializers shared by the core types. None of them goes through
//! `serde_json::Value`, so they cost no more than the plain derive.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// `null` or a missing key decodes as `T::default()` (used for `errors: null`).
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An optional count: accepts unsigned and signed integers, integral floats (`1.0`), numeric
/// strings and `null`. Negative and fractional numbers decode as `None`; values above
/// `u32::MAX` saturate.
pub(crate) fn opt_u32<'de, D>(deserializer: D) -> Result<Option<u32>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_option(OptU32)
}

struct OptU32;

impl<'de> Visitor<'de> for OptU32 {
    type Value = Option<u32>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(u32::try_from(v).unwrap_or(u32::MAX)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(v)
            .ok()
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() && v.fract() == 0.0 {
            // `as` saturates: negative -> 0 is wrong, so handle the sign first.
            Ok((v >= 0.0).then_some(v as u32))
        } else {
            // The document types these counts as `number`, so `2.5` is a valid body: it says
            // no count, like a negative one (never an error, which would sink the response).
            Ok(None)
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        if let Ok(n) = v.parse::<u64>() {
            return self.visit_u64(n);
        }
        match v.parse::<f64>() {
            Ok(n) => self.visit_f64(n),
            Err(_) => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}
