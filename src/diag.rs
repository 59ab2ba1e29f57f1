//! Problems found in user data: collected as values, never thrown.
//!
//! Fatal errors (an unreadable portal root, a failed write) are `anyhow::Error`s. Everything that
//! is wrong with a descriptor, a reference or a config value is a [`Diagnostic`]: it names the
//! file, line and entity, and the rest of the build goes on without the broken piece.

use serde::Serialize;
use std::fmt;

/// How bad a problem is. Errors leave something out of the site; warnings keep it but flag it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The entity, file or setting was rejected.
    Error,
    /// Published, but something looks wrong (for example a dangling reference).
    Warning,
}

impl Severity {
    /// The lowercase word used in terminal and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem in the user's input, with enough context to find and fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Path of the file, relative to the portal root, with `/` separators.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// Canonical ref (`kind:namespace/name`) of the entity concerned, when known.
    pub entity: Option<String>,
    /// What is wrong, and where it helps, how to fix it.
    pub message: String,
    /// Canonical ref of the owner the document names (`spec.owner`), when known: lets the
    /// problems page file a *rejected* entity's problems under its team. Not part of the JSON.
    #[serde(skip)]
    pub owner: Option<String>,
}

impl Diagnostic {
    /// An error with only a message; chain [`Diagnostic::at`] and [`Diagnostic::entity`].
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            entity: None,
            message: message.into(),
            owner: None,
        }
    }

    /// A warning with only a message; chain [`Diagnostic::at`] and [`Diagnostic::entity`].
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Sets the file and line the problem was found at.
    pub fn at(mut self, file: &str, line: usize) -> Self {
        self.file = Some(file.to_string());
        self.line = Some(line);
        self
    }

    /// Sets the file without a line (for whole-file problems).
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_string());
        self
    }

    /// Sets the entity the problem belongs to.
    pub fn entity(mut self, entity_ref: impl fmt::Display) -> Self {
        self.entity = Some(entity_ref.to_string());
        self
    }

    /// Sets the entity only when one is known.
    pub fn maybe_entity(mut self, entity_ref: Option<impl fmt::Display>) -> Self {
        self.entity = entity_ref.map(|r| r.to_string());
        self
    }

    /// Sets the owner named by the document the problem is in, when known.
    pub fn maybe_owner(mut self, owner_ref: Option<impl fmt::Display>) -> Self {
        self.owner = owner_ref.map(|r| r.to_string());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line: severity: message [entity]`, the shape editors and CI logs recognise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            _ => {}
        }
        write!(f, "{}: {}", self.severity.as_str(), self.message)?;
        if let Some(entity) = &self.entity {
            write!(f, " [{entity}]")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics into the stable order used everywhere they are shown: by file, line,
/// severity and message, so identical input always reports identically.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.severity, &a.entity, &a.message)
            .cmp(&(&b.file, b.line, b.severity, &b.entity, &b.message))
    });
    diagnostics.dedup();
}

/// Counts of errors and warnings in a list of diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
}

impl Counts {
    /// Tallies a list of diagnostics.
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        Counts {
            errors,
            warnings: diagnostics.len() - errors,
        }
    }
}

/// The closest candidate to `word` by edit distance, for "did you mean" hints.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&lowered, &c.to_lowercase()), c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// Appends ` (did you mean 'x'?)` when a close candidate exists.
pub fn hint(word: &str, candidates: &[&str]) -> String {
    match did_you_mean(word, candidates.iter().copied()) {
        Some(best) => format!(" (did you mean '{best}'?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let kinds = ["Component", "API", "Resource"];
        assert_eq!(did_you_mean("Componnet", kinds), Some("Component"));
        assert_eq!(did_you_mean("component", kinds), Some("Component"));
        assert_eq!(did_you_mean("Banana", kinds), None);
    }

    #[test]
    fn displays_like_a_compiler() {
        let d = Diagnostic::error("bad")
            .at("a.yaml", 3)
            .entity("component:default/x");
        assert_eq!(d.to_string(), "a.yaml:3: error: bad [component:default/x]");
    }
}
