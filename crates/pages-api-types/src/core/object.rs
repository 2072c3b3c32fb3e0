//! How a generated struct is encoded and decoded: [`object_serde!`](crate::object_serde), the
//! serde impls written once here instead of serde's derives in every struct.
//!
//! The derive would also accept an array for a struct, field by field in declaration order, so
//! `"result": [...]` where one project is expected would decode position by position into a
//! `Project`; this impl refuses any array but an empty one, which some endpoints send for an
//! empty object. It also leaves out what these types never use (field indices, byte keys,
//! positional decoding, a field count), which was most of the types crate's compile time.
//! Unknown keys are skipped, a duplicate key is an error, and a missing key is an error only
//! for a required field, as with the derives.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The serde impls of a generated struct: `object_serde! { Name; required id; optional
/// content_type = "contentType"; patch branch; }`. Each field says how it is present, which
/// [`required`], [`optional`] and [`patch`] implement, and its JSON key when that is not the
/// field's name. `object_serde! { @serialize Name; ... }` writes the `Serialize` impl alone (the
/// client's request bodies, which are never decoded).
#[doc(hidden)]
#[macro_export]
macro_rules! object_serde {
    // Its own item and generic names start with `__`, which no generated type name does: macro
    // hygiene keeps local variables apart, not items and generics.
    (@serialize $name:ident; $($presence:ident $field:ident $(= $wire:literal)?;)*) => {
        impl ::serde::Serialize for $name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                // (Not written to at all by a struct without fields.)
                #[allow(unused_mut)]
                let mut map = ::serde::Serializer::serialize_map(serializer, ::core::option::Option::None)?;
                $($crate::__private::$presence::put(
                    &mut map,
                    $crate::object_serde!(@wire $field $($wire)?),
                    &self.$field,
                )?;)*
                ::serde::ser::SerializeMap::end(map)
            }
        }
    };
    ($name:ident; $($presence:ident $field:ident $(= $wire:literal)?;)*) => {
        $crate::object_serde! { @serialize $name; $($presence $field $(= $wire)?;)* }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                struct __ObjectVisitor;

                impl<'de> ::serde::de::Visitor<'de> for __ObjectVisitor {
                    type Value = $name;

                    fn expecting(
                        &self,
                        f: &mut ::core::fmt::Formatter<'_>,
                    ) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("struct ", ::core::stringify!($name)))
                    }

                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: __A,
                    ) -> ::core::result::Result<$name, __A::Error> {
                        $(let mut $field = ::core::option::Option::None;)*
                        while let ::core::option::Option::Some(key) =
                            map.next_key::<$crate::__private::FieldKey<'de>>()?
                        {
                            // One `?` for every arm, and below one check for every missing
                            // field: early returns are what makes these impls slow to
                            // borrow-check, which was most of the types crate's compile time.
                            let step = match key.as_str() {
                                $($crate::object_serde!(@wire $field $($wire)?) => {
                                    $crate::__private::take_field(
                                        &mut map,
                                        &mut $field,
                                        $crate::object_serde!(@wire $field $($wire)?),
                                    )
                                })*
                                _ => $crate::__private::skip_field(&mut map),
                            };
                            step?;
                        }
                        $crate::object_serde!(@finish $name; $($presence $field $(= $wire)?;)*)
                    }

                    fn visit_seq<__A: ::serde::de::SeqAccess<'de>>(
                        self,
                        seq: __A,
                    ) -> ::core::result::Result<$name, __A::Error> {
                        $crate::__private::refuse_items(seq, &self)?;
                        $(let $field = ::core::option::Option::None;)*
                        $crate::object_serde!(@finish $name; $($presence $field $(= $wire)?;)*)
                    }
                }

                deserializer.deserialize_struct(
                    ::core::stringify!($name),
                    &[$($crate::object_serde!(@wire $field $($wire)?)),*],
                    __ObjectVisitor,
                )
            }
        }
    };
    // The value from the slots: the first required field that is missing is the error.
    (@finish $name:ident; $($presence:ident $field:ident $(= $wire:literal)?;)*) => {
        match ::core::option::Option::None
            $(.or($crate::__private::$presence::missing(
                &$field,
                $crate::object_serde!(@wire $field $($wire)?),
            )))*
        {
            ::core::option::Option::Some(wire) => {
                ::core::result::Result::Err(::serde::de::Error::missing_field(wire))
            }
            ::core::option::Option::None => ::core::result::Result::Ok($name {
                $($field: $crate::__private::$presence::take($field),)*
            }),
        }
    };
    // The JSON key: the one given, else the field's name.
    (@wire $field:ident $wire:literal) => { $wire };
    (@wire $field:ident) => { ::core::stringify!($field) };
}

/// A field that is always there: written as it is; missing on input is an error.
#[doc(hidden)]
pub mod required {
    use serde::ser::{Serialize, SerializeMap};

    #[doc(hidden)]
    #[inline]
    pub fn put<M: SerializeMap, T: Serialize>(
        map: &mut M,
        wire: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        map.serialize_entry(wire, value)
    }

    #[doc(hidden)]
    #[inline]
    pub fn missing<T>(slot: &Option<T>, wire: &'static str) -> Option<&'static str> {
        slot.is_none().then_some(wire)
    }

    /// (Only called once `missing` said the slot is filled.)
    #[doc(hidden)]
    #[inline]
    pub fn take<T>(slot: Option<T>) -> T {
        slot.expect("a required field's slot is filled")
    }
}

/// An `Option` field: `None` is left out; missing or `null` on input is `None`.
#[doc(hidden)]
pub mod optional {
    use serde::ser::{Serialize, SerializeMap};

    #[doc(hidden)]
    #[inline]
    pub fn put<M: SerializeMap, T: Serialize>(
        map: &mut M,
        wire: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        match value {
            Some(value) => map.serialize_entry(wire, value),
            None => Ok(()),
        }
    }

    #[doc(hidden)]
    #[inline]
    pub fn missing<T>(_slot: &Option<T>, _wire: &'static str) -> Option<&'static str> {
        None
    }

    #[doc(hidden)]
    #[inline]
    pub fn take<T: Default>(slot: Option<T>) -> T {
        slot.unwrap_or_default()
    }
}

/// A [`Patch`](crate::Patch) field: `Keep` is left out (and is what a missing key decodes to),
/// `Null` is written as `null`.
#[doc(hidden)]
pub mod patch {
    use serde::ser::{Serialize, SerializeMap};

    use crate::Patch;

    #[doc(hidden)]
    #[inline]
    pub fn put<M: SerializeMap, T: Serialize>(
        map: &mut M,
        wire: &'static str,
        value: &Patch<T>,
    ) -> Result<(), M::Error> {
        if value.is_keep() {
            return Ok(());
        }
        map.serialize_entry(wire, value)
    }

    pub use super::optional::{missing, take};
}

/// An object key, borrowed from the input when it can be (serde_json: unless it has escapes).
#[doc(hidden)]
pub struct FieldKey<'de>(Cow<'de, str>);

impl FieldKey<'_> {
    #[doc(hidden)]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for FieldKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldKeyVisitor)
    }
}

struct FieldKeyVisitor;

impl<'de> Visitor<'de> for FieldKeyVisitor {
    type Value = FieldKey<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(FieldKey(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(FieldKey(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(FieldKey(Cow::Owned(v)))
    }
}

/// Decodes a known key's value into its slot; a second occurrence of the key is an error.
#[doc(hidden)]
#[inline]
pub fn take_field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Walks an object for a hand-written impl: `field` takes the value of each key it knows and
/// says so; the values of the others are skipped.
pub(crate) fn visit_fields<'de, A: MapAccess<'de>>(
    map: &mut A,
    mut field: impl FnMut(&str, &mut A) -> Result<bool, A::Error>,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key::<FieldKey<'de>>()? {
        if !field(key.as_str(), map)? {
            skip_field(map)?;
        }
    }
    Ok(())
}

/// Skips an unknown key's value, so a field Cloudflare adds breaks no older client.
#[doc(hidden)]
#[inline]
pub fn skip_field<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

/// Accepts `[]` (an empty object, as some endpoints spell it) and refuses any other array as a
/// whole. The array is read to its end first, so serde_json places the error after it: the
/// position the client's lenient decoding takes for the node that did not fit (after the first
/// element, it would take that element instead).
#[doc(hidden)]
pub fn refuse_items<'de, A: SeqAccess<'de>>(
    mut seq: A,
    expected: &dyn de::Expected,
) -> Result<(), A::Error> {
    if seq.next_element::<IgnoredAny>()?.is_none() {
        return Ok(());
    }
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Err(de::Error::invalid_type(de::Unexpected::Seq, expected))
}

#[cfg(test)]
mod tests {
    use crate::Patch;

    #[derive(Debug, Default, PartialEq)]
    struct Inner {
        n: Option<u32>,
    }
    crate::object_serde! { Inner; optional n; }

    #[derive(Debug, PartialEq)]
    struct Outer {
        id: String,
        a: Option<u32>,
        inner_value: Option<Inner>,
        branch: Patch<String>,
        // Named like the impls' own locals: the macro's hygiene keeps them apart.
        map: Option<bool>,
        key: Option<bool>,
        step: Option<bool>,
        wire: Option<bool>,
    }
    crate::object_serde! {
        Outer;
        required id;
        optional a;
        optional inner_value = "inner";
        patch branch;
        optional map;
        optional key;
        optional step;
        optional wire;
    }

    // Types named like generics or items an impl could use.
    #[derive(Debug, PartialEq)]
    struct A {
        d: Option<u8>,
    }
    crate::object_serde! { A; optional d; }
    #[derive(Debug, PartialEq)]
    struct D {
        a: A,
    }
    crate::object_serde! { D; required a; }
    #[derive(Debug, PartialEq)]
    struct S {
        s: u8,
    }
    crate::object_serde! { S; required s; }
    #[derive(Debug, PartialEq)]
    struct ObjectVisitor {
        object_visitor: Option<bool>,
    }
    crate::object_serde! { ObjectVisitor; optional object_visitor; }

    // A request body: written, never read, so its fields need not decode.
    struct WriteOnly;
    impl serde::Serialize for WriteOnly {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_str("w")
        }
    }
    struct Body {
        value: WriteOnly,
        kind: Option<WriteOnly>,
        branch: Patch<u8>,
    }
    crate::object_serde! { @serialize Body; required value; optional kind = "type"; patch branch; }

    #[test]
    fn a_body_is_written_without_a_decoder() {
        let body = |kind, branch| {
            serde_json::to_string(&Body {
                value: WriteOnly,
                kind,
                branch,
            })
        };
        assert_eq!(body(None, Patch::Keep).unwrap(), r#"{"value":"w"}"#);
        assert_eq!(
            body(Some(WriteOnly), Patch::Null).unwrap(),
            r#"{"value":"w","type":"w","branch":null}"#
        );
    }

    // A schema with no properties gives a struct with no fields.
    #[derive(Debug, Default, PartialEq)]
    struct Nothing {}
    crate::object_serde! { Nothing; }

    fn decode(json: &str) -> Result<Outer, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn objects_decode_and_encode_as_derived() {
        let outer = decode(
            r#"{"id": "x", "a": 1, "inner": {"n": 2}, "extra": [true], "map": false, "key": true,
                "step": true, "wire": false}"#,
        )
        .unwrap();
        assert_eq!(outer.id, "x");
        assert_eq!(outer.a, Some(1));
        assert_eq!(outer.inner_value, Some(Inner { n: Some(2) }));
        assert_eq!(outer.branch, Patch::Keep);
        assert_eq!((outer.map, outer.key), (Some(false), Some(true)));
        assert_eq!((outer.step, outer.wire), (Some(true), Some(false)));
        let encoded = serde_json::to_value(&outer).unwrap();
        assert_eq!(
            encoded,
            serde_json::json!({"id": "x", "a": 1, "inner": {"n": 2}, "map": false, "key": true,
                "step": true, "wire": false})
        );
        assert_eq!(serde_json::from_value::<Outer>(encoded).unwrap(), outer);
    }

    #[test]
    fn absent_values_are_left_out_and_patch_null_is_written() {
        let mut outer = decode(r#"{"id": "x", "branch": null}"#).unwrap();
        assert_eq!(outer.branch, Patch::Null);
        assert_eq!(
            serde_json::to_string(&outer).unwrap(),
            r#"{"id":"x","branch":null}"#
        );
        outer.branch = Patch::Set("main".into());
        assert_eq!(
            serde_json::to_string(&outer).unwrap(),
            r#"{"id":"x","branch":"main"}"#
        );
        assert_eq!(serde_json::to_string(&Inner::default()).unwrap(), "{}");
    }

    #[test]
    fn a_struct_without_fields_is_an_object() {
        assert_eq!(serde_json::to_string(&Nothing {}).unwrap(), "{}");
        assert_eq!(
            serde_json::from_str::<Nothing>(r#"{"any": 1}"#).unwrap(),
            Nothing {}
        );
        assert_eq!(serde_json::from_str::<Nothing>("[]").unwrap(), Nothing {});
    }

    #[test]
    fn type_names_like_the_impls_own_names_compile_and_work() {
        let d: D = serde_json::from_str(r#"{"a": {"d": 1}}"#).unwrap();
        assert_eq!(
            d,
            D {
                a: A { d: Some(1) }
            }
        );
        assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"a":{"d":1}}"#);
        let s: S = serde_json::from_str(r#"{"s": 2}"#).unwrap();
        assert_eq!(s, S { s: 2 });
        let visitor: ObjectVisitor = serde_json::from_str(r#"{"object_visitor": true}"#).unwrap();
        assert_eq!(visitor.object_visitor, Some(true));
    }

    #[test]
    fn an_escaped_key_is_still_recognised() {
        assert_eq!(decode(r#"{"\u0069d": "x"}"#).unwrap().id, "x");
    }

    #[test]
    fn missing_null_and_duplicate_keys_are_as_derived() {
        let outer = decode(r#"{"id": "x", "a": null}"#).unwrap();
        assert_eq!((outer.a, outer.inner_value), (None, None));
        let err = decode(r#"{"a": 1}"#).unwrap_err();
        assert!(err.contains("missing field `id`"), "{err}");
        let err = decode(r#"{"id": "x", "a": 1, "a": 2}"#).unwrap_err();
        assert!(err.contains("duplicate field `a`"), "{err}");
        let err = decode(r#"{"id": 7}"#).unwrap_err();
        assert!(
            err.contains("invalid type: integer `7`, expected a string"),
            "{err}"
        );
    }

    #[test]
    fn arrays_are_not_decoded_position_by_position() {
        let err = decode(r#"["x", 1, null]"#).unwrap_err();
        assert!(
            err.contains("invalid type: sequence, expected struct Outer"),
            "{err}"
        );
        let err = decode(r#"{"id": "x", "inner": [3, 4]}"#).unwrap_err();
        assert!(
            err.contains("invalid type: sequence, expected struct Inner at line 1 column 27"),
            "the error is placed after the whole array: {err}"
        );
    }

    #[test]
    fn an_empty_array_is_an_empty_object() {
        let err = decode("[]").unwrap_err();
        assert!(err.contains("missing field `id`"), "{err}");
        assert_eq!(
            decode(r#"{"id": "x", "inner": []}"#).unwrap().inner_value,
            Some(Inner::default())
        );
    }
}
