//! Diagnostics as `serve` uses them: which errors are new since the last good build (those
//! block publishing), which entities' problems changed (their pages are rebuilt), and the
//! problems shown in the browser overlay.

use super::http::Problem;
use crate::catalog::EntityRef;
use crate::diag::{Diagnostic, Severity};
use std::collections::{BTreeSet, HashSet};

/// Errors in `new` that `old` did not have. Lines are ignored, so an error that moved because
/// lines were added above it is not new.
pub fn new_errors(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| (d.file.clone(), d.entity.clone(), d.message.clone());
    let known: HashSet<_> = old
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(key)
        .collect();
    new.iter()
        .filter(|d| d.severity == Severity::Error && !known.contains(&key(d)))
        .cloned()
        .collect()
}

/// Entities (by ref) whose list of diagnostics differs between two builds.
pub fn entities_with_changed_diagnostics(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<EntityRef> {
    let before: HashSet<&Diagnostic> = old.iter().collect();
    let after: HashSet<&Diagnostic> = new.iter().collect();
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for d in old.iter().filter(|d| !after.contains(d)) {
        names.extend(d.entity.as_deref());
    }
    for d in new.iter().filter(|d| !before.contains(d)) {
        names.extend(d.entity.as_deref());
    }
    names
        .into_iter()
        .filter_map(|name| crate::catalog::refs::parse(name, None, "default").ok())
        .collect()
}

/// The problems of an outcome or error, for the overlay.
pub fn problems(diagnostics: &[Diagnostic]) -> Vec<Problem> {
    diagnostics
        .iter()
        .map(|d| Problem {
            file: d.file.clone(),
            line: d.line,
            message: match &d.entity {
                Some(entity) => format!("{} [{entity}]", d.message),
                None => d.message.clone(),
            },
        })
        .collect()
}

/// The overlay's one problem for an error that stopped a build (its whole context chain).
pub fn error_problem(error: &anyhow::Error) -> Vec<Problem> {
    vec![Problem {
        file: None,
        line: None,
        message: format!("{error:#}"),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unknown_errors_block() {
        let old = vec![Diagnostic::error("bad owner").at("a.yaml", 3)];
        let moved = vec![Diagnostic::error("bad owner").at("a.yaml", 4)];
        assert!(new_errors(&old, &moved).is_empty());
        let warned = vec![Diagnostic::warning("dangling").at("b.yaml", 1)];
        assert!(new_errors(&old, &warned).is_empty());
        let broken = vec![Diagnostic::error("invalid YAML").at("b.yaml", 1)];
        assert_eq!(new_errors(&old, &broken).len(), 1);
    }
}
