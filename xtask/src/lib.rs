//! The pages-api generator and project tooling behind `cargo xtask`. The pipeline's stages are
//! one module each and share only the IR (`ir`); `codegen` runs them in order.

pub mod bench_compile;
pub mod codegen;
pub mod diff;
pub mod emit_client;
pub mod emit_examples;
pub mod emit_types;
pub mod error;
pub mod format;
pub mod ident;
pub mod ir;
pub mod load;
pub mod mutate;
pub mod normalize;
pub mod overlay;
pub mod semver_agree;
pub mod spec_update;
pub mod surface;
pub mod test_cmd;
pub mod write;
