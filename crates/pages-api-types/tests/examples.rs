//! Every `example` of the document round-trips through its generated type. The tests are
//! generated (`examples/generated.rs`, written by `cargo xtask codegen`); the comparison they
//! use is `examples/support.rs`.

#[path = "examples/support.rs"]
mod support;

#[rustfmt::skip]
#[path = "examples/generated.rs"]
mod generated;
