//! The generator on input it has not seen: over a thousand mutations of the real documents
//! (`spec/pages.json` and Cloudflare's in `../shared/upstream`), each either generates or fails
//! with an error that names a JSON pointer; none panics. Every tenth is also emitted and
//! formatted. `cargo xtask mutate --compile N` (in CI) compiles a sample of the outputs.

use std::panic::{AssertUnwindSafe, catch_unwind};

use xtask::mutate::{self, Outcome};

#[test]
fn a_thousand_mutations_never_panic_and_errors_name_a_pointer() {
    let root = xtask::codegen::workspace_root();
    let documents =
        mutate::documents(&root).expect("spec/pages.json and ../shared/upstream are readable");
    let overlay = mutate::overlay(&root).expect("spec/overlay.json is readable");
    assert_eq!(
        documents.len(),
        4,
        "spec/pages.json and the three upstream documents"
    );
    let cases = mutate::cases(&documents, 1_000, 0x5eed);
    assert_eq!(cases.len(), 1_000);
    // Two threads (the machine's cores), with the stack a thread gets by default (2 MiB): the
    // generator must not need more.
    let outcomes: Vec<Result<Outcome, String>> = std::thread::scope(|scope| {
        let halves: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|chunk| {
                let overlay = &overlay;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(n, case)| {
                            // Rendering (emit + prettyplease) is most of the time: every tenth
                            // case is rendered.
                            catch_unwind(AssertUnwindSafe(|| {
                                mutate::run(case, overlay, n % 10 == 0)
                            }))
                            .map_err(|_| case.label.clone())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().expect("no thread dies"))
            .collect()
    });
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    let mut panics = Vec::new();
    for (case, outcome) in cases.iter().zip(outcomes) {
        match outcome {
            Ok(Outcome::Generated(_)) => *counts.entry("generated").or_default() += 1,
            Ok(Outcome::Refused(message)) => {
                assert!(
                    message.contains(": #"),
                    "{}: the error names no JSON pointer: {message}",
                    case.label
                );
                *counts.entry("refused").or_default() += 1;
            }
            Err(label) => panics.push(label),
        }
    }
    println!("{} cases: {counts:?}, {} panics", cases.len(), panics.len());
    assert!(panics.is_empty(), "{} panics: {panics:#?}", panics.len());
    assert!(
        counts.get("generated").copied().unwrap_or(0) > 100,
        "{counts:?}"
    );
    assert!(
        counts.get("refused").copied().unwrap_or(0) > 10,
        "{counts:?}"
    );
}

#[test]
fn names_the_generator_uses_cannot_be_shadowed() {
    let root = xtask::codegen::workspace_root();
    let documents = mutate::documents(&root).unwrap();
    let overlay = mutate::overlay(&root).unwrap();
    for case in mutate::collisions(&documents[0]) {
        match mutate::run(&case, &overlay, true) {
            Outcome::Generated(files) => {
                // The runtime is named by path in the generated code; std and serde names are
                // imported, and a schema titled after one gets another name.
                let types = files
                    .iter()
                    .find(|f| f.path.ends_with("pages-api-types/src/generated.rs"))
                    .expect("the types module");
                if case.label.contains("titled") {
                    for (name, _) in xtask::ident::IMPORTED_NAMES {
                        assert!(
                            types
                                .contents
                                .contains(&format!("pub struct {name}Type {{")),
                            "{}: no `{name}Type`",
                            case.label
                        );
                    }
                }
                let client = files
                    .iter()
                    .find(|f| f.path.ends_with("pages-api-client/src/generated.rs"))
                    .expect("the client module");
                assert!(
                    !client.contents.contains("use crate::{"),
                    "{}: imports by short name",
                    case.label
                );
            }
            Outcome::Refused(message) => panic!("{}: refused: {message}", case.label),
        }
    }
}
