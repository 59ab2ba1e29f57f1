//! The API reference stage: every API entity's definition → a [`Reference`] (its operations,
//! channels, types, RPCs and schemas as linkable, searchable items), between the catalog and
//! the site model. Each format has a reader with a typed model of its own document
//! (`openapi`, `asyncapi`, `graphql`, `protobuf`); all of them produce the format-neutral
//! [`model`] and write markup through [`html`].
//!
//! A definition that cannot be read is a diagnostic with file and line, and its API still gets
//! a page showing the source: no input removes a page or stops the build.

pub mod html;
pub mod model;

mod asyncapi;
mod graphql;
mod json;
mod openapi;
mod protobuf;
mod schema;

use crate::catalog::entity::{DefinitionSource, Entity, Kind};
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
pub use model::{Item, ItemKind, Reference, Section};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Largest definition read into a reference, in bytes: a 5 MB OpenAPI file builds in well
/// under a second; anything bigger (or a file over the 10 MiB read cap) shows as source.
pub const MAX_DEFINITION_BYTES: usize = 8 * 1024 * 1024;

/// Most items one reference holds; the rest are left out with a warning, so one generated
/// definition cannot make a page of hundreds of megabytes.
pub const MAX_ITEMS: usize = 20_000;

/// The references of every API whose format greenroom reads, by entity.
#[derive(Debug, Clone, Default)]
pub struct ApiSet {
    /// Each API's reference, or why it has none (the page then shows the source).
    pub references: BTreeMap<EntityRef, ApiReference>,
}

/// One API's reference page content.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiReference {
    /// What the reader made of it; `None` when the definition did not parse at all.
    pub reference: Option<Reference>,
    /// Whether the reader found problems (they are in the build's diagnostics).
    pub problems: usize,
}

impl ApiSet {
    /// The reference of one API, when its format has a reader.
    pub fn get(&self, entity: &EntityRef) -> Option<&ApiReference> {
        self.references.get(entity)
    }
}

/// The spec types that get a reference page.
pub fn has_reader(spec_type: &str) -> bool {
    matches!(
        spec_type.to_ascii_lowercase().as_str(),
        "openapi" | "asyncapi" | "graphql" | "grpc"
    )
}

/// One definition as a reader sees it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The definition text.
    pub text: &'a str,
    /// Where it came from (file on disk, display path, first line, repository root).
    pub origin: &'a DefinitionSource,
    /// The portal root, for display paths of files the definition refers to.
    pub portal_root: &'a Path,
    /// Canonical ref of the API, for diagnostics.
    pub entity: &'a EntityRef,
}

impl Source<'_> {
    /// A diagnostic at a 1-based line of the definition text.
    pub fn at(&self, line: usize, diagnostic: Diagnostic) -> Diagnostic {
        diagnostic
            .at(
                &self.origin.display,
                self.origin.first_line + line.saturating_sub(1),
            )
            .entity(self.entity)
    }

    /// A diagnostic at a 1-based line of another file the definition refers to.
    pub fn at_file(&self, file: &Path, line: usize, diagnostic: Diagnostic) -> Diagnostic {
        if Some(file) == self.origin.path.as_deref() {
            return self.at(line, diagnostic);
        }
        diagnostic
            .at(&crate::paths::display(self.portal_root, file), line)
            .entity(self.entity)
    }
}

/// What a reader returns: the reference (unless nothing could be read) and its problems.
#[derive(Debug, Default)]
pub struct Read {
    /// The reference.
    pub reference: Option<Reference>,
    /// Problems, each with file and line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the definition of every API whose type has a reader, in parallel.
pub fn build(catalog: &Catalog, portal_root: &Path) -> (ApiSet, Vec<Diagnostic>) {
    let apis: Vec<&Entity> = catalog
        .of_kind(Kind::Api)
        .filter(|e| e.spec_type.as_deref().is_some_and(has_reader))
        .filter(|e| e.definition.is_some() && e.definition_source.is_some())
        .collect();
    let read: Vec<(EntityRef, ApiReference, Vec<Diagnostic>)> = apis
        .par_iter()
        .filter_map(|entity| {
            let text = entity.definition.as_deref()?;
            let origin = entity.definition_source.as_ref()?;
            let source = Source {
                text,
                origin,
                portal_root,
                entity: &entity.entity_ref,
            };
            let read = read_definition(entity.spec_type.as_deref().unwrap_or(""), &source);
            let problems = read.diagnostics.len();
            Some((
                entity.entity_ref.clone(),
                ApiReference {
                    reference: read.reference,
                    problems,
                },
                read.diagnostics,
            ))
        })
        .collect();
    let mut set = ApiSet::default();
    let mut diagnostics = Vec::new();
    for (entity, reference, problems) in read {
        diagnostics.extend(problems);
        set.references.insert(entity, reference);
    }
    (set, diagnostics)
}

/// Reads one definition with the reader of its type, guarded by the size budget and against a
/// reader's panic (a bug must cost one page its reference, not the build).
pub fn read_definition(spec_type: &str, source: &Source<'_>) -> Read {
    if source.text.len() > MAX_DEFINITION_BYTES {
        return Read {
            reference: None,
            diagnostics: vec![source.at(
                1,
                Diagnostic::warning(format!(
                    "the API definition is {:.1} MB; greenroom builds references of definitions up to {} MB and shows this one as source",
                    source.text.len() as f64 / 1_048_576.0,
                    MAX_DEFINITION_BYTES / 1_048_576
                )),
            )],
        };
    }
    if source.text.trim().is_empty() {
        // Backstage accepts a blank definition; there is only nothing to show.
        return Read {
            reference: None,
            diagnostics: vec![source.at(
                1,
                Diagnostic::warning("the API definition is empty: there is no reference to show"),
            )],
        };
    }
    let kind = spec_type.to_ascii_lowercase();
    let run = std::panic::AssertUnwindSafe(|| match kind.as_str() {
        "openapi" => openapi::read(source),
        "asyncapi" => asyncapi::read(source),
        "graphql" => graphql::read(source),
        "grpc" => protobuf::read(source),
        _ => Read::default(),
    });
    let mut read = std::panic::catch_unwind(run).unwrap_or_else(|_| Read {
        reference: None,
        diagnostics: vec![source.at(
            1,
            Diagnostic::error(
                "greenroom's reader failed on this API definition (a bug; please report it); the page shows the source",
            ),
        )],
    });
    if let Some(reference) = &mut read.reference {
        let total: usize = reference.sections.iter().map(|s| s.items.len()).sum();
        if total > MAX_ITEMS {
            let mut left = MAX_ITEMS;
            for section in &mut reference.sections {
                let keep = section.items.len().min(left);
                section.items.truncate(keep);
                left -= keep;
            }
            reference.sections.retain(|s| !s.items.is_empty());
            read.diagnostics.push(source.at(
                1,
                Diagnostic::warning(format!(
                    "the API definition has {total} items; the reference shows the first {MAX_ITEMS}"
                )),
            ));
        }
    }
    read
}

/// Test support: reads a definition file of `tests/fixtures/apis/` as an API of `spec_type`
/// whose descriptor said `$text: ./<file>`.
#[cfg(test)]
pub(crate) fn read_fixture(spec_type: &str, relative: &str) -> Read {
    let portal = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apis")
        .canonicalize()
        .expect("tests/fixtures/apis exists");
    let path = portal.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let repo = relative.split('/').take(2).collect::<Vec<_>>().join("/");
    let origin = DefinitionSource {
        path: Some(path.clone()),
        display: relative.to_string(),
        first_line: 1,
        root: portal.join(repo),
    };
    let entity = EntityRef {
        kind: "api".to_string(),
        namespace: "default".to_string(),
        name: "fixture".to_string(),
    };
    read_definition(
        spec_type,
        &Source {
            text: &text,
            origin: &origin,
            portal_root: &portal,
            entity: &entity,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_definition_is_a_warning_with_no_reference_in_every_format() {
        let origin = DefinitionSource {
            path: None,
            display: "catalog-info.yaml".to_string(),
            first_line: 9,
            root: std::path::PathBuf::from("/portal"),
        };
        let entity = EntityRef {
            kind: "api".to_string(),
            namespace: "default".to_string(),
            name: "blank".to_string(),
        };
        for spec_type in ["openapi", "asyncapi", "graphql", "grpc"] {
            for text in ["", "  \n\t\n", "null\n"] {
                let source = Source {
                    text,
                    origin: &origin,
                    portal_root: Path::new("/portal"),
                    entity: &entity,
                };
                let read = read_definition(spec_type, &source);
                assert!(read.reference.is_none(), "{spec_type} {text:?}");
                if text.trim().is_empty() || matches!(spec_type, "openapi" | "asyncapi") {
                    assert_eq!(read.diagnostics.len(), 1, "{spec_type} {text:?}");
                    assert_eq!(
                        read.diagnostics[0].severity,
                        crate::diag::Severity::Warning,
                        "{spec_type} {text:?}"
                    );
                }
            }
        }
    }
}
