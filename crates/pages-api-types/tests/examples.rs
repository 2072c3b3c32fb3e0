//! Every `example` of the document round-trips through its generated type. The tests and the
//! examples they read are generated (`examples/generated.rs` and `examples/examples.json`,
//! written by `cargo xtask codegen`); the comparison they use is `examples/support.rs`.

#[path = "examples/support.rs"]
mod support;

#[rustfmt::skip]
#[path = "examples/generated.rs"]
mod generated;
