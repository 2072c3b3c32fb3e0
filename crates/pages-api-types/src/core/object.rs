//! Objects decode from JSON objects only. serde's derive also accepts an array for a struct,
//! field by field in declaration order, so `"result": [...]` where one project is expected
//! would decode position by position into a `Project`. Every generated struct decodes through
//! [`object_serde!`](crate::object_serde): its derived code runs behind [`ObjectsOnly`], which
//! refuses an array (an empty one stands for an empty object). The cost is one visitor
//! indirection per object.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// A deserializer that hands its visitor objects only. Everything but `deserialize_struct`
/// goes to the inner deserializer unchanged.
#[doc(hidden)]
pub struct ObjectsOnly<D>(pub D);

/// Wraps the derived struct visitor: maps pass through, arrays are refused.
struct ObjectVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for ObjectVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Some endpoints send `[]` for an empty object.
        if seq.next_element::<de::IgnoredAny>()?.is_none() {
            return self.0.visit_map(de::value::MapDeserializer::<
                std::iter::Empty<((), ())>,
                A::Error,
            >::new(std::iter::empty()));
        }
        Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
    }
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
    type Error = D::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(ObjectVisitor(visitor))
    }

    forward! {
        deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
        deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
        deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The serde impls of a generated struct, whose derives are `#[serde(remote = "Self")]`
/// (inherent `serialize`/`deserialize`): serialization as derived, deserialization through
/// [`ObjectsOnly`].
#[doc(hidden)]
#[macro_export]
macro_rules! object_serde {
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $name::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $name::deserialize($crate::ObjectsOnly(deserializer))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self")]
    struct Inner {
        #[serde(default)]
        n: Option<u32>,
    }
    crate::object_serde!(Inner);

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self")]
    struct Outer {
        #[serde(default)]
        a: Option<u32>,
        #[serde(default)]
        inner: Option<Inner>,
    }
    crate::object_serde!(Outer);

    fn decode(json: &str) -> Result<Outer, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn objects_decode_and_encode_as_derived() {
        let outer = decode(r#"{"a": 1, "inner": {"n": 2}, "extra": true}"#).unwrap();
        assert_eq!(outer.a, Some(1));
        assert_eq!(outer.inner, Some(Inner { n: Some(2) }));
        assert_eq!(
            serde_json::to_value(&outer).unwrap(),
            serde_json::json!({"a": 1, "inner": {"n": 2}})
        );
    }

    #[test]
    fn arrays_are_not_decoded_position_by_position() {
        let err = decode("[1, null]").unwrap_err();
        assert!(err.contains("invalid type: sequence"), "{err}");
        let err = decode(r#"{"inner": [3]}"#).unwrap_err();
        assert!(err.contains("invalid type: sequence"), "{err}");
    }

    #[test]
    fn an_empty_array_is_an_empty_object() {
        assert_eq!(decode("[]").unwrap(), Outer::default());
        assert_eq!(
            decode(r#"{"inner": []}"#).unwrap().inner,
            Some(Inner::default())
        );
    }
}
