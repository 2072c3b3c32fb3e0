//! Serde and `Display` for the generated open enums: string enums that keep values they do not
//! know (`Unknown(String)`), so a value Cloudflare adds tomorrow never breaks decoding.
//!
//! Each generated enum provides `as_str(&self) -> &str` and `From<&str>`; this macro adds the
//! rest in one line per enum, decoding from a borrowed `&str` where the input allows it.

/// Implements `Serialize`, `Deserialize` and `Display` for a generated open enum.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum_serde {
    // Its own item and generic names start with `__`, which no generated type name does.
    ($name:ident) => {
        impl ::serde::Serialize for $name {
            fn serialize<__S: ::serde::Serializer>(
                &self,
                serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                struct __OpenEnumVisitor;
                impl ::serde::de::Visitor<'_> for __OpenEnumVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<__E: ::serde::de::Error>(
                        self,
                        value: &str,
                    ) -> ::core::result::Result<$name, __E> {
                        ::core::result::Result::Ok(<$name as ::core::convert::From<&str>>::from(
                            value,
                        ))
                    }
                }
                deserializer.deserialize_str(__OpenEnumVisitor)
            }
        }

        impl $name {
            /// Whether this is one of the values this version of the crate knows (not
            /// `Unknown`).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(<$name as ::core::convert::From<&str>>::from(value))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    // Open enums named like the impls' own generics and visitor, as a spec could name them.
    macro_rules! open_enum {
        ($($name:ident),*) => {$(
            #[derive(Debug, PartialEq)]
            enum $name {
                Known,
                Unknown(String),
            }

            impl $name {
                fn as_str(&self) -> &str {
                    match self {
                        Self::Known => "known",
                        Self::Unknown(value) => value,
                    }
                }
            }

            impl From<&str> for $name {
                fn from(value: &str) -> Self {
                    match value {
                        "known" => Self::Known,
                        other => Self::Unknown(other.to_owned()),
                    }
                }
            }

            crate::open_enum_serde!($name);
        )*};
    }
    open_enum!(Visitor, S, D, E);

    #[test]
    fn names_like_the_impls_own_compile_and_work() {
        assert_eq!(
            serde_json::from_str::<Visitor>(r#""known""#).unwrap(),
            Visitor::Known
        );
        assert_eq!(
            serde_json::from_str::<S>(r#""new""#).unwrap(),
            S::Unknown("new".into())
        );
        assert_eq!(serde_json::to_string(&D::Known).unwrap(), r#""known""#);
        assert_eq!(E::Unknown("x".into()).to_string(), "x");
        assert!(Visitor::Known.is_known() && S::Known.is_known() && D::Known.is_known());
        assert!(!E::Unknown("x".into()).is_known());
    }
}
