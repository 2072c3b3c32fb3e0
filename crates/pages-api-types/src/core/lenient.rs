//! A lenient deserializer of the core types. It does not go through `serde_json::Value`, so it
//! costs no more than a plain `u32`.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// An optional count: accepts unsigned and signed integers, integral floats (`1.0`), numeric
/// strings and `null`. Negative and fractional numbers decode as `None`; values above
/// `u32::MAX` saturate.
pub(crate) struct Count(pub(crate) Option<u32>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptU32).map(Count)
    }
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
