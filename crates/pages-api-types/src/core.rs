//! The hand-written core every generated type stands on.
//!
//! * [`Envelope`]: the `{success, errors, messages, result, result_info}` wrapper around every
//!   Cloudflare response, with [`ApiMessage`] and [`ResultInfo`].
//! * [`ApiFailure`]: the failure envelope of `4XX`/`5XX` responses, decoded from any JSON object.
//! * [`Patch`]: keep / set to null / set to a value, for JSON merge-patch request bodies.
//! * [`Timestamp`]: an RFC 3339 date-time that also accepts a missing offset (taken as UTC).
//! * [`NoResult`]: the `result` type of operations that return nothing useful.

mod envelope;
mod lenient;
pub(crate) mod object;
mod patch;
mod timestamp;

pub use self::envelope::{ApiFailure, ApiMessage, DroppedField, Envelope, NoResult, ResultInfo};
pub use self::patch::Patch;
pub use self::timestamp::{Timestamp, TimestampParseError};
