//! JSON and YAML definition documents (OpenAPI, AsyncAPI) and their `$ref`s.
//!
//! STUB: the public items below are the contract the format readers code against; their
//! bodies are a first version (local refs only) to be completed.

use super::Source;
use crate::diag::Diagnostic;
use serde_json::Value;

/// Index of a file among a definition's documents; [`MAIN`] is the definition itself.
pub type FileId = usize;

/// The definition's own document.
pub const MAIN: FileId = 0;

/// A definition's documents: the definition itself and every file its `$ref`s reach.
pub struct Documents {
    files: Vec<Value>,
}

/// What a `$ref` points at.
#[derive(Debug, Clone, Copy)]
pub struct Target<'d> {
    /// The file holding it.
    pub file: FileId,
    /// The value.
    pub value: &'d Value,
    /// The last segment of the pointer (`Pet` for `#/components/schemas/Pet`), when the target
    /// is a member of a mapping.
    pub name: Option<&'d str>,
    /// The JSON pointer within the file, without `#` (`/components/schemas/Pet`).
    pub pointer: &'d str,
}

impl Documents {
    /// Parses the definition (JSON or YAML). `Err` is the diagnostic of a text that is neither.
    pub fn open(source: &Source<'_>) -> Result<Documents, Diagnostic> {
        let value = crate::yaml::parse_documents(source.text)
            .into_iter()
            .next()
            .ok_or_else(|| source.at(1, Diagnostic::error("the API definition is empty")))?
            .map_err(|e| {
                source.at(
                    e.line.unwrap_or(1),
                    Diagnostic::error(format!(
                        "the API definition is not valid YAML or JSON: {}",
                        e.message
                    )),
                )
            })?
            .value;
        Ok(Documents { files: vec![value] })
    }

    /// The root value of a file.
    pub fn root(&self, file: FileId) -> &Value {
        &self.files[file]
    }

    /// 1-based line of the value at `path` (mapping keys and sequence indexes as strings) in
    /// a file, for diagnostics; the file's first line when it cannot be found.
    pub fn line(&self, _file: FileId, _path: &[&str]) -> usize {
        1
    }

    /// Follows a `$ref` written in `from`: local (`#/…`), or to another file of the same
    /// repository (`./pet.yaml`, `schemas.json#/Pet`). `Err` says why it cannot be followed
    /// (missing target, outside the repository, not a file greenroom read).
    pub fn resolve<'d>(&'d self, from: FileId, reference: &'d str) -> Result<Target<'d>, String> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            format!("$ref \"{reference}\" names another file, which greenroom does not read yet")
        })?;
        let value = self.files[from]
            .pointer(pointer)
            .ok_or_else(|| format!("$ref \"{reference}\" points at nothing"))?;
        Ok(Target {
            file: from,
            value,
            name: pointer.rsplit('/').next().filter(|n| !n.is_empty()),
            pointer,
        })
    }

    /// Problems found while reading the files `$ref`s reach (unreadable, escaping the
    /// repository, not parsing), each with its file and line.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        Vec::new()
    }
}
