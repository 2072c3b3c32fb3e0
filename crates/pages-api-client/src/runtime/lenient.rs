//! Decoding a 2xx body: the fast path (`serde_json::from_slice` straight into the types), and
//! only when that fails the lenient path, which drops the nodes that do not fit one by one until
//! the body decodes, so that one odd field never sinks a whole response (or a whole list).
//!
//! The lenient path decodes with the fast path's own code, from the body written out compactly
//! again, and finds the node that failed from where serde_json stopped (see [`failed_node`]).
//! So a program compiles the decoding of each response type once, not a second time for a
//! path-tracking deserializer.

use std::collections::HashMap;

use pages_api_types::{DroppedField, Envelope};
use serde::de::{DeserializeOwned, Error as _};
use serde_json::Value;

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
/// object at all (nothing to drop). Only the decoding is generic: the pruning between attempts
/// ([`Pruning`]) is compiled once, not once for every response type a program decodes.
#[cold]
#[inline(never)]
fn decode_lenient<T: DeserializeOwned>(
    body: &[u8],
    first: serde_json::Error,
) -> Result<Envelope<T>, serde_json::Error> {
    let mut pruning = Pruning::of(body, first)?;
    loop {
        let compact = pruning.compact()?;
        match serde_json::from_slice::<Envelope<T>>(&compact) {
            Ok(mut envelope) => {
                envelope.dropped = pruning.dropped;
                return Ok(envelope);
            }
            Err(error) => pruning.drop_failed_node(&error)?,
        }
    }
}

/// The body as a `Value` with the nodes that did not decode taken out so far.
struct Pruning {
    value: Value,
    dropped: Vec<DroppedField>,
    /// The original indices removed from each array, keyed by the array's original path: paths
    /// are reported as they are in the body, not as they are after earlier removals.
    removed: HashMap<String, Vec<usize>>,
    drops: usize,
}

impl Pruning {
    fn of(body: &[u8], first: serde_json::Error) -> Result<Self, serde_json::Error> {
        match serde_json::from_slice::<Value>(body) {
            Ok(value) if value.is_object() => Ok(Pruning {
                value,
                dropped: Vec::new(),
                removed: HashMap::new(),
                drops: 0,
            }),
            _ => Err(first),
        }
    }

    /// The body as it is now, written out compactly: on one line, so an error's column is its
    /// byte offset.
    fn compact(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(&self.value)
    }

    /// Takes out the node that `error` (from decoding [`Self::compact`]) failed at, or says why
    /// the body cannot decode.
    fn drop_failed_node(&mut self, error: &serde_json::Error) -> Result<(), serde_json::Error> {
        let reason = error.to_string();
        let reason = reason
            .strip_suffix(&format!(
                " at line {} column {}",
                error.line(),
                error.column()
            ))
            .unwrap_or(&reason)
            .to_string();
        let segments = if error.line() == 1 {
            failed_node(&self.value, error.column())
        } else {
            Vec::new()
        };
        let path = original_path(&segments, &self.removed);
        if segments.len() < 2 {
            return Err(serde_json::Error::custom(format!(
                "at `{}`: {reason}",
                if path.is_empty() { "." } else { &path }
            )));
        }
        if self.drops >= MAX_DROPS {
            return Err(serde_json::Error::custom(format!(
                "at `{path}`: {reason} (gave up after dropping {MAX_DROPS} fields that did not \
                 decode)"
            )));
        }
        let Some(index) = remove(&mut self.value, &segments) else {
            return Err(serde_json::Error::custom(format!("at `{path}`: {reason}")));
        };
        self.drops += 1;
        if let Some(index) = index {
            let array = original_path(&segments[..segments.len() - 1], &self.removed);
            let list = self.removed.entry(array).or_default();
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
        let mut kept = Vec::with_capacity(self.dropped.len());
        for d in std::mem::take(&mut self.dropped) {
            if inside(&d.path) {
                reason = format!("{reason} (after dropping `{}`: {})", d.path, d.reason);
            } else {
                kept.push(d);
            }
        }
        self.dropped = kept;
        self.dropped.push(DroppedField { path, reason });
        Ok(())
    }
}

/// One step of the path to a node: an array element or an object member.
#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Index(usize),
    Key(String),
}

/// The node of `value` that serde_json was decoding when it stopped at byte `offset` of
/// `serde_json::to_vec(value)`. serde_json stops just after a node it refused as a whole (a
/// scalar it read, an object missing a field, an array refused for an object), at the opening
/// bracket of an array or object it refused unread, and just inside the bracket of one whose
/// visitor refused it on sight (serde's default `visit_seq`); past a key it refused, the node is
/// the object around it. So: the node ending at `offset`, else the array or object starting
/// there, else the innermost node around it.
fn failed_node(value: &Value, offset: usize) -> Vec<Segment> {
    let mut finder = NodeFinder {
        offset,
        path: Vec::new(),
        ending: None,
        starting: None,
        around: None,
    };
    finder.walk(value, 0);
    finder
        .ending
        .or(finder.starting)
        .or(finder.around)
        .unwrap_or_default()
}

/// The walk of [`failed_node`]: the compact JSON's byte spans, node by node.
struct NodeFinder {
    offset: usize,
    path: Vec<Segment>,
    ending: Option<Vec<Segment>>,
    starting: Option<Vec<Segment>>,
    /// The innermost node so far with the offset inside it.
    around: Option<Vec<Segment>>,
}

impl NodeFinder {
    /// Walks the node written from byte `start`; returns the byte after it.
    fn walk(&mut self, value: &Value, start: usize) -> usize {
        // Only an array or object can be refused unread; serde_json reads a scalar first.
        let container = value.is_array() || value.is_object();
        if start == self.offset && container && self.starting.is_none() {
            self.starting = Some(self.path.clone());
        }
        let end = match value {
            Value::Array(items) => {
                let mut at = start + 1;
                for (index, item) in items.iter().enumerate() {
                    at += usize::from(index > 0);
                    self.path.push(Segment::Index(index));
                    at = self.walk(item, at);
                    self.path.pop();
                }
                at + 1
            }
            Value::Object(members) => {
                let mut at = start + 1;
                for (index, (key, member)) in members.iter().enumerate() {
                    at += usize::from(index > 0) + compact_len(key) + 1;
                    self.path.push(Segment::Key(key.clone()));
                    at = self.walk(member, at);
                    self.path.pop();
                }
                at + 1
            }
            scalar => start + compact_len(scalar),
        };
        if end == self.offset && self.ending.is_none() {
            self.ending = Some(self.path.clone());
        }
        // Children are walked first: the first node found around the offset is the innermost.
        if start < self.offset && self.offset < end && self.around.is_none() {
            self.around = Some(self.path.clone());
        }
        end
    }
}

/// How many bytes `serde_json::to_vec` writes for a scalar or a key.
fn compact_len(scalar: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a scalar or a string to a sink that cannot fail does not fail.
    let _ = serde_json::to_writer(&mut count, scalar);
    count.0
}

/// Removes the node at `segments` from `value`. `None`: there was no such node; `Some(Some(i))`:
/// it was element `i` of its array (as indexed now); `Some(None)`: an object member.
fn remove(value: &mut Value, segments: &[Segment]) -> Option<Option<usize>> {
    let (last, parents) = segments.split_last()?;
    let mut node = value;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            (Segment::Key(key), Value::Object(members)) => members.get_mut(key)?,
            _ => return None,
        };
    }
    match (last, node) {
        (Segment::Index(index), Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            Some(Some(*index))
        }
        (Segment::Key(key), Value::Object(members)) => members.remove(key).map(|_| None),
        _ => None,
    }
}

/// `result.latest_stage.status`, `result[2].name`: the path as it is in the body as sent, array
/// indices corrected for the elements already removed.
fn original_path(segments: &[Segment], removed: &HashMap<String, Vec<usize>>) -> String {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Index(index) => {
                let mut index = *index;
                for &r in removed.get(&path).map(Vec::as_slice).unwrap_or_default() {
                    if r <= index {
                        index += 1;
                    }
                }
                path.push_str(&format!("[{index}]"));
            }
            Segment::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
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
    fn the_failed_node_is_found_from_where_serde_json_stopped() {
        let value: Value = serde_json::from_str(r#"{"a":[1,{"b":"x"}],"c":{"d":null}}"#).unwrap();
        let text = serde_json::to_string(&value).unwrap();
        let at = |needle: &str| text.find(needle).unwrap();
        let key = |k: &str| Segment::Key(k.into());
        // Just after a scalar, an object and an array: that node.
        let after_x = at(r#""x""#) + 3;
        assert_eq!(
            failed_node(&value, after_x),
            [key("a"), Segment::Index(1), key("b")]
        );
        assert_eq!(
            failed_node(&value, at("}]") + 1),
            [key("a"), Segment::Index(1)]
        );
        assert_eq!(failed_node(&value, at("],") + 1), [key("a")]);
        // At an opening bracket: the node it opens.
        assert_eq!(failed_node(&value, at(r#"{"d""#)), [key("c")]);
        // Just after a key: the object around it.
        assert_eq!(failed_node(&value, at(r#""d""#) + 3), [key("c")]);
        // Just inside a bracket, where a scalar starts: the array.
        assert_eq!(failed_node(&value, at("[1") + 1), [key("a")]);
        // The end of the whole body: the body itself (nothing to drop).
        assert_eq!(failed_node(&value, text.len()), []);
    }

    #[test]
    fn escaped_text_keeps_the_offsets_right() {
        let body = r#"{"result":[{"name":"a\"\n\u00e9"},{"name":"b","size":"x"}]}"#;
        let env = decode(body).unwrap();
        assert_eq!(env.dropped.len(), 1, "{:?}", env.dropped);
        assert_eq!(env.dropped[0].path, "result[1].size");
        assert_eq!(env.result.unwrap()[0].name, "a\"\n\u{e9}");
    }

    #[test]
    fn drops_are_bounded() {
        let items: Vec<_> = (0..300).map(|_| r#"{"name":1}"#).collect();
        let body = format!(r#"{{"result":[{}]}}"#, items.join(","));
        let err = decode(&body).unwrap_err();
        assert!(err.contains("gave up"), "{err}");
    }
}
