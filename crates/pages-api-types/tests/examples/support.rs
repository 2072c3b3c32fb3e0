//! The round trip behind the generated examples test.

use std::sync::LazyLock;

use pages_api_types::Timestamp;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// The document's examples by pointer, each with what re-encoding it must give (written by
/// `cargo xtask codegen` beside the generated tests).
static EXAMPLES: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("examples.json")).expect("examples.json is JSON")
});

/// Decodes the example at `pointer` as `T`, encodes it again and compares with what it must
/// give: a missing key equals `null` (an unset `Option` is not serialized) and two timestamps
/// are equal when they name the same instant (`...045655` without an offset is UTC, written
/// back as `...045655Z`).
pub fn round_trip<T: DeserializeOwned + Serialize>(pointer: &str) {
    let entry = EXAMPLES
        .get(pointer)
        .unwrap_or_else(|| panic!("{pointer}: not in examples.json (run `cargo xtask codegen`)"));
    let (input, expected) = (&entry["value"], &entry["expected"]);
    let decoded: T = serde_json::from_value(input.clone()).unwrap_or_else(|e| {
        panic!(
            "{pointer}: the example does not decode into {}: {e}\n{input:#}",
            std::any::type_name::<T>()
        )
    });
    let output = serde_json::to_value(&decoded).expect("generated types serialize");
    if let Some(difference) = difference(&output, expected, "") {
        panic!(
            "{pointer}: re-encoded example differs at {difference}\nexpected: {expected:#}\nactual:   {output:#}"
        );
    }
}

fn difference(actual: &Value, expected: &Value, at: &str) -> Option<String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(e.keys()).collect();
            keys.into_iter().find_map(|key| {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    e.get(key).unwrap_or(&Value::Null),
                );
                difference(x, y, &format!("{at}/{key}"))
            })
        }
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{at}/{i}"))),
        (Value::String(a), Value::String(e)) if a != e => {
            match (a.parse::<Timestamp>(), e.parse::<Timestamp>()) {
                (Ok(x), Ok(y)) if x == y => None,
                _ => Some(format!("{at}: {actual} != {expected}")),
            }
        }
        (Value::Number(a), Value::Number(e)) if a.as_f64() == e.as_f64() => None,
        _ if actual == expected => None,
        _ => Some(format!("{at}: {actual} != {expected}")),
    }
}
