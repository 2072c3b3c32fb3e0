//! Serde for the generated unions (`anyOf`/`oneOf` of several types): each value is written as
//! its variant's own JSON, and read as the first variant that accepts it, in order, as serde's
//! `#[serde(untagged)]` does, without making users build serde's derive macro for it.

/// Implements `Serialize` and `Deserialize` for a generated union
/// `enum Name { First(A), Second(B) }`: `untagged_serde! { Name; First, Second }`.
#[doc(hidden)]
#[macro_export]
macro_rules! untagged_serde {
    // Its own generic names start with `__`, which no generated type name does.
    ($name:ident; $($variant:ident),* $(,)?) => {
        impl ::serde::Serialize for $name {
            // (A union whose members were all left out has no variants, and uses neither.)
            #[allow(unused_variables)]
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                match *self {
                    $($name::$variant(ref value) => ::serde::Serialize::serialize(value, serializer),)*
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            #[allow(unused_variables)]
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                // Unions are rare and small: a `Value` lets each variant try the same input.
                let value: $crate::__private::Value = ::serde::Deserialize::deserialize(deserializer)?;
                $(if let ::core::result::Result::Ok(inner) = ::serde::Deserialize::deserialize(&value) {
                    return ::core::result::Result::Ok($name::$variant(inner));
                })*
                ::core::result::Result::Err(::serde::de::Error::custom(::core::concat!(
                    "data did not match any variant of untagged enum ",
                    ::core::stringify!($name)
                )))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq)]
    struct Named {
        name: String,
    }
    crate::object_serde! { Named; required name; }

    // Named like the impls' generics.
    #[derive(Debug, PartialEq)]
    enum D {
        Count(u32),
        Object(Named),
        Map(BTreeMap<String, u32>),
        Text(String),
    }
    crate::untagged_serde! { D; Count, Object, Map, Text }

    #[derive(Debug)]
    enum Never {}
    crate::untagged_serde! { Never; }

    #[test]
    fn the_first_variant_that_fits_wins() {
        let decode = |json| serde_json::from_str::<D>(json).unwrap();
        assert_eq!(decode("3"), D::Count(3));
        assert_eq!(
            decode(r#"{"name":"a"}"#),
            D::Object(Named { name: "a".into() })
        );
        assert_eq!(decode(r#"{"n":1}"#), D::Map([("n".into(), 1)].into()));
        assert_eq!(decode(r#""x""#), D::Text("x".into()));
        let err = serde_json::from_str::<D>("[true]").unwrap_err().to_string();
        assert_eq!(err, "data did not match any variant of untagged enum D");
        assert!(serde_json::from_str::<Never>("1").is_err());
    }

    #[test]
    fn each_variant_is_written_as_itself() {
        let text = |value: &D| serde_json::to_string(value).unwrap();
        assert_eq!(text(&D::Count(3)), "3");
        assert_eq!(
            text(&D::Object(Named { name: "a".into() })),
            r#"{"name":"a"}"#
        );
        assert_eq!(text(&D::Text("x".into())), r#""x""#);
    }
}
