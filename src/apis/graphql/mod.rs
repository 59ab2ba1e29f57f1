//! The GraphQL reader: a schema in SDL → a reference of its root fields (`query/<field>`,
//! `mutation/<field>`, `subscription/<field>`), named types (`type/<Name>`) and directives.
//!
//! Parsing is apollo-parser's: error-tolerant, so a syntax error costs the definitions it
//! breaks and the rest still renders, and each error has a byte offset that becomes a line.
//! [`document`] reduces the syntax tree to the schema's types (extensions merged);
//! [`render`] writes them through [`super::html`].

mod document;
mod render;
#[cfg(test)]
mod tests;

use super::{Read, Source};
use crate::diag::Diagnostic;

/// Deepest nesting the parser follows (lists in types and values); GraphQL schemas need a
/// handful, and a low limit keeps the parser's recursion well inside a worker thread's stack.
const PARSER_RECURSION_LIMIT: usize = 128;

/// Most syntax errors reported for one definition; the rest are counted in one more.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Reads a GraphQL schema definition into a reference.
pub fn read(source: &Source<'_>) -> Read {
    let lines = document::Lines::new(source.text);
    let tree = apollo_parser::Parser::new(source.text)
        .recursion_limit(PARSER_RECURSION_LIMIT)
        .parse();
    let mut diagnostics = syntax_errors(source, &tree, &lines);
    let schema = document::collect(&tree.document(), &lines);
    let defines_nothing = schema.types.is_empty() && schema.directives.is_empty();
    diagnostics.extend(
        schema
            .problems
            .iter()
            .map(|(line, d)| source.at(*line, d.clone())),
    );
    if defines_nothing {
        if diagnostics.is_empty() {
            diagnostics.push(source.at(
                1,
                Diagnostic::error(
                    "the GraphQL definition defines no types; the page shows the source",
                ),
            ));
        }
        return Read {
            reference: None,
            diagnostics,
        };
    }
    let (reference, problems) = render::reference(&schema);
    diagnostics.extend(problems.into_iter().map(|(line, d)| source.at(line, d)));
    Read {
        reference: Some(reference),
        diagnostics,
    }
}

/// The parser's errors as diagnostics at their lines, at most [`MAX_SYNTAX_ERRORS`]. An error
/// the parser meets while recovering from the previous one (before the next definition
/// starts) is left out: one mistake is one diagnostic.
fn syntax_errors(
    source: &Source<'_>,
    tree: &apollo_parser::SyntaxTree,
    lines: &document::Lines,
) -> Vec<Diagnostic> {
    let definition_starts: Vec<usize> = tree
        .document()
        .definitions()
        .map(|d| u32::from(apollo_parser::cst::CstNode::syntax(&d).text_range().start()) as usize)
        .collect();
    let mut kept: Vec<&apollo_parser::Error> = Vec::new();
    for error in tree.errors() {
        let cascades = kept.last().is_some_and(|previous| {
            let after_previous = definition_starts.partition_point(|&s| s <= previous.index());
            definition_starts
                .get(after_previous)
                .is_none_or(|&next| next > error.index())
        });
        if !cascades {
            kept.push(error);
        }
    }
    let mut diagnostics = Vec::new();
    for error in kept.iter().take(MAX_SYNTAX_ERRORS) {
        let found = error.data().trim();
        let message = if error.is_limit() {
            format!(
                "GraphQL syntax: {} (nested more than {PARSER_RECURSION_LIMIT} deep); the rest of the definition is not read",
                error.message()
            )
        } else if found.is_empty() {
            format!(
                "GraphQL syntax error: {}; the reference misses what follows up to the next definition",
                error.message()
            )
        } else {
            let found: String = found.chars().take(40).collect();
            format!(
                "GraphQL syntax error: {} (found `{found}`); the reference misses what follows up to the next definition",
                error.message()
            )
        };
        diagnostics.push(source.at(lines.line(error.index()), Diagnostic::error(message)));
    }
    if let Some(first_left_out) = kept.get(MAX_SYNTAX_ERRORS) {
        diagnostics.push(source.at(
            lines.line(first_left_out.index()),
            Diagnostic::error(format!(
                "{} more GraphQL syntax errors from here on",
                kept.len() - MAX_SYNTAX_ERRORS
            )),
        ));
    }
    diagnostics
}
