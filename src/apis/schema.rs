//! JSON Schema (OpenAPI's and AsyncAPI's schema objects) as nested property trees.
//!
//! STUB: the public items below are the contract the format readers code against; their
//! bodies are a first version to be completed.

use super::html::Html;
use super::json::{Documents, FileId};
use serde_json::Value;
use std::cell::RefCell;

/// A `$ref` the tree could not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefProblem {
    /// The file the `$ref` is written in.
    pub file: FileId,
    /// The `$ref` as written.
    pub reference: String,
    /// Why it was not followed.
    pub message: String,
}

/// Writes schema trees of one definition. Named schemas (those under `named_prefix`, e.g.
/// `/components/schemas/`) are linked to their permalink `schema/<Name>`.
pub struct Schemas<'d> {
    docs: &'d Documents,
    named_prefix: &'static str,
    problems: RefCell<Vec<RefProblem>>,
}

impl<'d> Schemas<'d> {
    /// A writer for `docs`, whose named schemas live under the JSON pointer prefix
    /// `named_prefix` of the main document (`/components/schemas/`, `/definitions/`).
    pub fn new(docs: &'d Documents, named_prefix: &'static str) -> Self {
        Schemas {
            docs,
            named_prefix,
            problems: RefCell::new(Vec::new()),
        }
    }

    /// The permalink of the named schema a `$ref` points at (`schema/Pet`), if it names one.
    pub fn anchor_of(&self, reference: &str) -> Option<String> {
        reference
            .strip_prefix('#')
            .and_then(|p| p.strip_prefix(self.named_prefix))
            .map(|name| format!("schema/{name}"))
    }

    /// A schema's full tree: type, format, constraints and each property nested.
    pub fn tree(&self, file: FileId, schema: &'d Value) -> Html {
        let _ = (self.docs, file);
        Html::code(&serde_json::to_string(schema).unwrap_or_default())
    }

    /// A schema's type on one line (`string (uuid)`, `array of Pet`), named schemas linked.
    pub fn type_label(&self, file: FileId, schema: &'d Value) -> Html {
        let _ = file;
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(anchor) = self.anchor_of(reference) {
                let name = anchor.trim_start_matches("schema/").to_string();
                return Html::code_link(&name, &anchor);
            }
        }
        Html::text(schema.get("type").and_then(Value::as_str).unwrap_or("any"))
    }

    /// The `$ref`s that could not be followed so far.
    pub fn take_problems(&self) -> Vec<RefProblem> {
        std::mem::take(&mut self.problems.borrow_mut())
    }
}
