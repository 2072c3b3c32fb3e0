//! Decoding a 2xx body: the fast path (`serde_json::from_slice` straight into the types), and
//! only when that fails the lenient path, which drops the nodes that do not fit one by one until
//! the body decodes, so that one odd field never sinks a whole response (or a whole list).

use std::collections::HashMap;

use pages_api_types::{DroppedField, Envelope};
use serde::de::{DeserializeOwned, Error as _};
use serde_json::Value;
use serde_path_to_error::Segment;

/// The most nodes dropped from one body before giving up: every drop costs a decode of the
/// whole body, so a body that is wrong everywhere fails in bounded time.
const MAX_DROPS: usize = 256;

/// Decodes a 2xx body as `Envelope<T>`: as is when it fits (then `dropped` is empty), else with
/// the nodes that do not fit left out, listed in `dropped`. The error names the JSON path of
/// what could not be dropped (the `result` itself, or a top-level field of the envelope).
pub(crate) fn decode_success<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Envelope<T>, serde_json::Error> {
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(envelope) => Ok(envelope),
        Err(first) => decode_lenient(body, first),
    }
}

/// The lenient path. `first` is the fast path's error, returned when the body is not a JSON
/// object at all (nothing to drop).
#[cold]
#[inline(never)]
fn decode_lenient<T: DeserializeOwned>(
    body: &[u8],
    first: serde_json::Error,
) -> Result<Envelope<T>, serde_json::Error> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return Err(first);
    };
    if !value.is_object() {
        return Err(first);
    }
    let mut dropped: Vec<DroppedField> = Vec::new();
    // The original indices removed from each array, keyed by the array's original path: paths
    // are reported as they are in the body, not as they are after earlier removals.
    let mut removed: HashMap<String, Vec<usize>> = HashMap::new();
    let mut drops = 0;
    loop {
        let error = match serde_path_to_error::deserialize::<_, Envelope<T>>(&value) {
            Ok(mut envelope) => {
                envelope.dropped = dropped;
                return Ok(envelope);
            }
            Err(error) => error,
        };
        let segments: Vec<Segment> = error.path().iter().cloned().collect();
        let reason = error.into_inner().to_string();
        // Below an `Unknown` segment (a buffered union member) there is nothing to address:
        // the node holding it goes.
        let cut = segments
            .iter()
            .position(|s| matches!(s, Segment::Unknown))
            .unwrap_or(segments.len());
        let segments = &segments[..cut];
        let path = original_path(segments, &removed);
        if segments.len() < 2 {
            return Err(serde_json::Error::custom(format!(
                "at `{}`: {reason}",
                if path.is_empty() { "." } else { &path }
            )));
        }
        if drops >= MAX_DROPS {
            return Err(serde_json::Error::custom(format!(
                "at `{path}`: {reason} (gave up after dropping {MAX_DROPS} fields that did not \
                 decode)"
            )));
        }
        let Some(index) = remove(&mut value, segments) else {
            return Err(serde_json::Error::custom(format!("at `{path}`: {reason}")));
        };
        drops += 1;
        if let Some(index) = index {
            let array = original_path(&segments[..segments.len() - 1], &removed);
            let list = removed.entry(array).or_default();
            let at = list.partition_point(|&r| r < index);
            list.insert(at, index);
        }
        tracing::warn!(
            path = %path,
            reason = %reason,
            "pages API response: dropped a field that did not decode"
        );
        // What was dropped inside this node is now part of dropping this node.
        let inside = |p: &str| {
            p.strip_prefix(path.as_str())
                .is_some_and(|rest| rest.starts_with(['.', '[']))
        };
        let mut reason = reason;
        let mut kept = Vec::with_capacity(dropped.len());
        for d in dropped {
            if inside(&d.path) {
                reason = format!("{reason} (after dropping `{}`: {})", d.path, d.reason);
            } else {
                kept.push(d);
            }
        }
        dropped = kept;
        dropped.push(DroppedField { path, reason });
    }
}

/// Removes the node at `segments` from `value`. `None`: there was no such node; `Some(Some(i))`:
/// it was element `i` of its array (as indexed now); `Some(None)`: an object member.
fn remove(value: &mut Value, segments: &[Segment]) -> Option<Option<usize>> {
    let (last, parents) = segments.split_last()?;
    let mut node = value;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Seq { index }, Value::Array(items)) => items.get_mut(*index)?,
            (Segment::Map { key } | Segment::Enum { variant: key }, Value::Object(members)) => {
                members.get_mut(key)?
            }
            _ => return None,
        };
    }
    match (last, node) {
        (Segment::Seq { index }, Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            Some(Some(*index))
        }
        (Segment::Map { key } | Segment::Enum { variant: key }, Value::Object(members)) => {
            members.remove(key).map(|_| None)
        }
        _ => None,
    }
}

/// `result.latest_stage.status`, `result[2].name`: the path as it is in the body as sent, array
/// indices corrected for the elements already removed.
fn original_path(segments: &[Segment], removed: &HashMap<String, Vec<usize>>) -> String {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => {
                let mut index = *index;
                for &r in removed.get(&path).map(Vec::as_slice).unwrap_or_default() {
                    if r <= index {
                        index += 1;
                    }
                }
                path.push_str(&format!("[{index}]"));
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Segment::Unknown => break,
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        name: String,
        #[serde(default)]
        size: Option<u32>,
    }

    fn decode(body: &str) -> Result<Envelope<Vec<Item>>, String> {
        decode_success(body.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn good_bodies_take_the_fast_path() {
        let env = decode(r#"{"result":[{"name":"a"},{"name":"b","size":2}]}"#).unwrap();
        assert_eq!(env.result.unwrap().len(), 2);
        assert!(env.dropped.is_empty());
    }

    #[test]
    fn paths_are_those_of_the_body_as_sent() {
        let env = decode(
            r#"{"result":[{"name":1},{"name":"b","size":"x"},{"name":2},{"name":"d"},{"size":1}]}"#,
        )
        .unwrap();
        let paths: Vec<_> = env.dropped.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            ["result[0]", "result[1].size", "result[2]", "result[4]"]
        );
        assert!(env.dropped[0].reason.contains("missing field `name`"));
        assert!(
            env.dropped[0].reason.contains("result[0].name"),
            "{:?}",
            env.dropped[0]
        );
        let items = env.result.unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].name, "b");
        assert_eq!(items[1].name, "d");
    }

    #[test]
    fn the_result_itself_is_not_dropped() {
        let err = decode(r#"{"result":{"name":"a"}}"#).unwrap_err();
        assert!(err.contains("`result`"), "{err}");
        let err = decode(r#"{"success":"yes","result":[]}"#).unwrap_err();
        assert!(err.contains("`success`"), "{err}");
        // Not JSON: the parser's own error (line and column).
        let err = decode("<html>").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn drops_are_bounded() {
        let items: Vec<_> = (0..300).map(|_| r#"{"name":1}"#).collect();
        let body = format!(r#"{{"result":[{}]}}"#, items.join(","));
        let err = decode(&body).unwrap_err();
        assert!(err.contains("gave up"), "{err}");
    }
}
