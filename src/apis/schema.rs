//! JSON Schema (OpenAPI's and AsyncAPI's schema objects) as nested property trees.
//!
//! A tree is tables: an object's properties are rows (name, type, description with the
//! constraints), and what a property holds inside (its own properties, array items,
//! `oneOf`/`anyOf`/`allOf`/`not` branches) is a collapsible part of its row. Named schemas
//! (`#/components/schemas/Pet`) are never expanded below the top: they are links to their
//! permalink, so a schema that contains itself ends at a link. Other `$ref`s are expanded in
//! place, guarded by a stack of the refs being expanded, a depth limit and a node budget.

use super::html::{self, Body, Cell, Html};
use super::json::{Documents, FileId, MAIN};
use serde_json::Value;
use std::cell::RefCell;

/// Deepest nesting a tree shows; deeper parts are cut with a note.
const MAX_DEPTH: usize = 32;

/// Most schema nodes one tree writes, so refs that fan out cannot make it exponential.
const MAX_NODES: usize = 2_000;

/// Most enum values shown.
const MAX_ENUM_VALUES: usize = 50;

/// Longest example or default shown inline, in characters.
const MAX_INLINE_VALUE: usize = 200;

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

/// A schema after following the `$ref`s that are not named schemas.
enum Resolved<'d> {
    /// A named schema: shown as a link (and expanded only at the top of a tree).
    Named {
        name: &'d str,
        file: FileId,
        value: &'d Value,
        /// The description written beside the `$ref` (OpenAPI 3.1 allows it).
        sibling: &'d Value,
    },
    /// A schema to show in place.
    Inline { file: FileId, value: &'d Value },
    /// A `$ref` that cannot be followed, as written.
    Broken(&'d str),
    /// A `$ref` already being expanded further up (a cycle), as written.
    Cycle(&'d str),
}

/// The state of writing one tree: the refs being expanded and the nodes left.
struct Walk<'s, 'd> {
    schemas: &'s Schemas<'d>,
    /// The schemas whose insides are being written, by address: a `$ref` back to one of them
    /// is a cycle.
    stack: Vec<*const Value>,
    budget: usize,
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
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .map(|name| {
                let name = super::json::percent_decode(name);
                format!("schema/{}", name.replace("~1", "/").replace("~0", "~"))
            })
    }

    /// A schema's full tree: type, format, constraints and each property nested. A `$ref` to
    /// a named schema at the top is shown as its link and expanded once.
    pub fn tree(&self, file: FileId, schema: &'d Value) -> Html {
        self.walk().top(file, schema, true)
    }

    /// Like [`Schemas::tree`] for a schema whose item shows its description already (a named
    /// schema's own item).
    pub fn tree_in_item(&self, file: FileId, schema: &'d Value) -> Html {
        self.walk().top(file, schema, false)
    }

    /// A schema's type on one line (`string (uuid)`, `array of Pet`), named schemas linked.
    pub fn type_label(&self, file: FileId, schema: &'d Value) -> Html {
        self.walk().label(file, schema, 0)
    }

    /// Whether a schema allows `null` (3.0 `nullable: true`, 3.1 `type: [x, "null"]`).
    pub fn is_nullable(schema: &Value) -> bool {
        schema.get("nullable").and_then(Value::as_bool) == Some(true)
            || matches!(schema.get("type"), Some(Value::Array(types)) if types.iter().any(|t| t == "null"))
            || schema.get("x-nullable").and_then(Value::as_bool) == Some(true)
    }

    /// A schema's constraints and values on one line: enum, default, example, bounds,
    /// lengths, pattern (empty when it has none). Also fits OpenAPI 2.0 parameters and
    /// headers, which carry these fields themselves.
    pub fn constraints(&self, schema: &Value) -> Html {
        constraints(schema)
    }

    /// The `$ref`s that could not be followed so far.
    pub fn take_problems(&self) -> Vec<RefProblem> {
        std::mem::take(&mut self.problems.borrow_mut())
    }

    fn walk<'s>(&'s self) -> Walk<'s, 'd> {
        Walk {
            schemas: self,
            stack: Vec::new(),
            budget: MAX_NODES,
        }
    }

    fn problem(&self, file: FileId, reference: &str, message: String) {
        self.problems.borrow_mut().push(RefProblem {
            file,
            reference: reference.to_string(),
            message,
        });
    }
}

impl<'s, 'd> Walk<'s, 'd> {
    /// Follows `$ref`s until a named schema or a schema without one (at most [`MAX_DEPTH`] hops).
    fn resolve(&mut self, mut file: FileId, mut value: &'d Value) -> Resolved<'d> {
        let sibling = value;
        for _ in 0..MAX_DEPTH {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Resolved::Inline { file, value };
            };
            let target = match self.schemas.docs.resolve(file, reference) {
                Ok(target) => target,
                Err(message) => {
                    self.schemas.problem(file, reference, message);
                    return Resolved::Broken(reference);
                }
            };
            if target.file == MAIN {
                if let Some(name) = target.pointer.strip_prefix(self.schemas.named_prefix) {
                    if !name.is_empty() && !name.contains('/') {
                        return Resolved::Named {
                            name: target.name.unwrap_or(name),
                            file: target.file,
                            value: target.value,
                            sibling,
                        };
                    }
                }
            }
            if self.stack.contains(&(target.value as *const Value)) {
                return Resolved::Cycle(reference);
            }
            file = target.file;
            value = target.value;
        }
        Resolved::Cycle(value.get("$ref").and_then(Value::as_str).unwrap_or("$ref"))
    }

    /// The tree of a whole schema.
    fn top(&mut self, file: FileId, schema: &'d Value, with_description: bool) -> Html {
        let mut body = Body::new();
        match self.resolve(file, schema) {
            Resolved::Named {
                name,
                file,
                value,
                sibling,
            } => {
                let mut chain = vec![named_link(name)];
                let (mut file, mut value) = (file, value);
                // A named schema that is itself a `$ref` (A → B → C): follow to the end.
                let mut seen: Vec<*const Value> = vec![value];
                loop {
                    match self.resolve(file, value) {
                        Resolved::Named {
                            name,
                            file: next_file,
                            value: next,
                            ..
                        } if value.get("$ref").is_some()
                            && !seen.contains(&(next as *const Value))
                            && seen.len() < MAX_DEPTH =>
                        {
                            chain.push(named_link(name));
                            seen.push(next);
                            file = next_file;
                            value = next;
                        }
                        Resolved::Inline {
                            file: next_file,
                            value: next,
                        } => {
                            file = next_file;
                            value = next;
                            break;
                        }
                        _ => break,
                    }
                }
                let mut details = Html::default();
                let description = sibling
                    .get("description")
                    .or_else(|| value.get("description"));
                if with_description {
                    if let Some(text) = description.and_then(Value::as_str) {
                        details.push(&html::markdown(text).unwrap_or_default());
                    }
                }
                details.push(&constraints(value));
                let mut kind = html::join(chain, " → ");
                kind.push(&Html::text(" — "));
                kind.push(&self.label(file, value, 1));
                kind.push(&flags(value, sibling));
                body.table(
                    &["Type", "Description"],
                    &[vec![Cell::Html(kind), Cell::Html(details)]],
                );
                body.html(&self.children(file, value, 1));
            }
            Resolved::Inline { file, value } => {
                let is_plain_object = value.get("properties").is_some()
                    && !Schemas::is_nullable(value)
                    && value.get("discriminator").is_none();
                let description = value
                    .get("description")
                    .and_then(Value::as_str)
                    .filter(|_| with_description);
                let constraints = constraints(value);
                if !is_plain_object || description.is_some() || !constraints.is_empty() {
                    let mut details = description.and_then(html::markdown).unwrap_or_default();
                    details.push(&constraints);
                    let mut kind = self.label(file, value, 0);
                    kind.push(&flags(value, value));
                    body.table(
                        &["Type", "Description"],
                        &[vec![Cell::Html(kind), Cell::Html(details)]],
                    );
                }
                body.html(&self.children(file, value, 0));
            }
            Resolved::Broken(reference) => body.table(
                &["Type", "Description"],
                &[vec![
                    Cell::Code(reference.to_string()),
                    Cell::Text("This $ref cannot be followed.".into()),
                ]],
            ),
            Resolved::Cycle(reference) => body.table(
                &["Type", "Description"],
                &[vec![
                    Cell::Code(reference.to_string()),
                    Cell::Text("This $ref refers to itself.".into()),
                ]],
            ),
        }
        body.finish()
    }

    /// What an inline schema holds inside: properties, items, branches, discriminator.
    fn children(&mut self, file: FileId, value: &'d Value, depth: usize) -> Html {
        let mut body = Body::new();
        if depth >= MAX_DEPTH || self.budget == 0 {
            body.paragraph("… (nested too deeply to show)");
            return body.finish();
        }
        self.budget -= 1;
        self.stack.push(value);
        let html = self.insides(file, value, depth);
        self.stack.pop();
        html
    }

    fn insides(&mut self, file: FileId, value: &'d Value, depth: usize) -> Html {
        let mut body = Body::new();
        let mut rows = Vec::new();
        let required: Vec<&str> = value
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(Value::Object(properties)) = value.get("properties") {
            for (name, property) in properties {
                let mut name_cell = Html::code(name);
                if required.contains(&name.as_str()) {
                    name_cell.push_text(" ");
                    name_cell.push(&Html::badge("required", "required"));
                }
                rows.push(self.row(name_cell, file, property, depth));
                if self.budget == 0 {
                    break;
                }
            }
        }
        if let Some(Value::Object(patterns)) = value.get("patternProperties") {
            for (pattern, property) in patterns {
                let mut name_cell = Html::code(pattern);
                name_cell.push_text(" (names matching)");
                rows.push(self.row(name_cell, file, property, depth));
            }
        }
        match value.get("additionalProperties") {
            Some(Value::Bool(true)) => rows.push(vec![
                Cell::Text("other properties".into()),
                Cell::Text("any".into()),
                Cell::Text("Allowed.".into()),
            ]),
            Some(Value::Bool(false)) => rows.push(vec![
                Cell::Text("other properties".into()),
                Cell::Empty,
                Cell::Text("Not allowed.".into()),
            ]),
            Some(schema @ Value::Object(_)) => {
                rows.push(self.row(Html::text("other properties"), file, schema, depth))
            }
            _ => {}
        }
        body.table(&["Property", "Type", "Description"], &rows);
        if let Some(items) = value.get("items").filter(|i| i.is_object()) {
            if let Resolved::Inline { file, value: items } = self.resolve(file, items) {
                if has_children(items) || items.get("items").is_some_and(Value::is_object) {
                    let inner = self.children(file, items, depth + 1);
                    if !inner.is_empty() {
                        body.details(&Html::text("Items"), &inner, depth == 0);
                    }
                }
            }
        }
        for (keyword, title) in [
            ("allOf", "All of"),
            ("oneOf", "One of"),
            ("anyOf", "Any of"),
            ("prefixItems", "Items in order"),
        ] {
            if let Some(Value::Array(branches)) = value.get(keyword) {
                let mut rows: Vec<Vec<Cell>> = Vec::new();
                for branch in branches {
                    if self.budget == 0 {
                        break;
                    }
                    let row = self.row(Html::default(), file, branch, depth);
                    rows.push(row.into_iter().skip(1).collect());
                }
                body.table(&[title, "Description"], &rows);
            }
        }
        if let Some(not) = value.get("not").filter(|n| n.is_object()) {
            let row = self.row(Html::default(), file, not, depth);
            body.table(
                &["Not", "Description"],
                &[row.into_iter().skip(1).collect()],
            );
        }
        if let Some(discriminator) = value.get("discriminator") {
            body.html(&self.discriminator(file, discriminator));
        }
        body.finish()
    }

    /// A property (or branch) row: name, type with flags, description with constraints and
    /// what the property holds inside.
    fn row(&mut self, name: Html, file: FileId, property: &'d Value, depth: usize) -> Vec<Cell> {
        let mut kind = self.label(file, property, depth + 1);
        let mut details = Html::default();
        let own_description = property.get("description").and_then(Value::as_str);
        match self.resolve(file, property) {
            Resolved::Inline {
                file: inner_file,
                value,
            } => {
                kind.push(&flags(value, property));
                let description =
                    own_description.or_else(|| value.get("description").and_then(Value::as_str));
                if let Some(text) = description {
                    details.push(&html::markdown(text).unwrap_or_default());
                }
                details.push(&constraints(value));
                if has_children(value) || value.get("items").is_some_and(Value::is_object) {
                    let inner = self.children(inner_file, value, depth + 1);
                    if !inner.is_empty() {
                        let mut nested = Body::new();
                        nested.details(&Html::text("Contents"), &inner, depth < 1);
                        details.push(&nested.finish());
                    }
                }
            }
            Resolved::Named { sibling, .. } => {
                kind.push(&flags(sibling, sibling));
                if let Some(text) = own_description {
                    details.push(&html::markdown(text).unwrap_or_default());
                }
            }
            Resolved::Broken(_) => details.push_text("This $ref cannot be followed."),
            Resolved::Cycle(_) => details.push_text("Refers back to a schema that contains it."),
        }
        vec![Cell::Html(name), Cell::Html(kind), Cell::Html(details)]
    }

    /// A discriminator: the property that decides, and the schema each value selects.
    fn discriminator(&mut self, file: FileId, discriminator: &'d Value) -> Html {
        let mut body = Body::new();
        let property = match discriminator {
            Value::String(name) => Some(name.as_str()),
            _ => discriminator.get("propertyName").and_then(Value::as_str),
        };
        if let Some(property) = property {
            body.paragraph(&format!(
                "The property “{property}” decides which schema applies."
            ));
        }
        if let Some(Value::Object(mapping)) = discriminator.get("mapping") {
            let rows: Vec<Vec<Cell>> = mapping
                .iter()
                .map(|(value, target)| {
                    let target_cell = match target.as_str() {
                        Some(reference) => {
                            let reference = if reference.contains('#') || reference.contains('/') {
                                reference.to_string()
                            } else {
                                format!("#{}{reference}", self.schemas.named_prefix)
                            };
                            match self.schemas.anchor_of(&reference) {
                                Some(anchor) => {
                                    Html::code_link(anchor.trim_start_matches("schema/"), &anchor)
                                }
                                None => {
                                    if let Err(message) =
                                        self.schemas.docs.resolve(file, &reference)
                                    {
                                        self.schemas.problem(file, &reference, message);
                                    }
                                    Html::code(&reference)
                                }
                            }
                        }
                        None => Html::default(),
                    };
                    vec![Cell::Code(value.clone()), Cell::Html(target_cell)]
                })
                .collect();
            body.table(&["Value", "Schema"], &rows);
        }
        body.finish()
    }

    /// The one-line type of a schema.
    fn label(&mut self, file: FileId, schema: &'d Value, depth: usize) -> Html {
        if depth > MAX_DEPTH {
            return Html::text("…");
        }
        match self.resolve(file, schema) {
            Resolved::Named { name, .. } => named_link(name),
            Resolved::Broken(reference) | Resolved::Cycle(reference) => Html::code(reference),
            Resolved::Inline { file, value } => self.inline_label(file, value, depth),
        }
    }

    fn inline_label(&mut self, file: FileId, value: &'d Value, depth: usize) -> Html {
        let Value::Object(map) = value else {
            return Html::text(if value == &Value::Bool(false) {
                "nothing"
            } else {
                "any"
            });
        };
        let types: Vec<&str> = match map.get("type") {
            Some(Value::String(kind)) => vec![kind.as_str()],
            Some(Value::Array(kinds)) => kinds
                .iter()
                .filter_map(Value::as_str)
                .filter(|k| *k != "null")
                .collect(),
            _ => Vec::new(),
        };
        let format = map.get("format").and_then(Value::as_str);
        let mut parts = Vec::new();
        for kind in &types {
            let mut part = if *kind == "array" {
                let mut label = Html::text("array of ");
                match map.get("items") {
                    Some(items @ Value::Object(_)) => {
                        label.push(&self.label(file, items, depth + 1))
                    }
                    _ => label.push_text("any"),
                }
                label
            } else {
                Html::text(kind)
            };
            if let Some(format) = format.filter(|_| *kind != "array" && *kind != "object") {
                part.push_text(&format!(" ({format})"));
            }
            parts.push(part);
        }
        if !parts.is_empty() {
            return html::join(parts, " | ");
        }
        for (keyword, separator) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
            if let Some(Value::Array(branches)) = map.get(keyword) {
                let labels: Vec<Html> = branches
                    .iter()
                    .take(8)
                    .map(|b| self.label(file, b, depth + 1))
                    .collect();
                let mut joined = html::join(labels, separator);
                if branches.len() > 8 {
                    joined.push_text(&format!("{separator}…"));
                }
                return joined;
            }
        }
        if map.contains_key("properties") || map.contains_key("additionalProperties") {
            return Html::text("object");
        }
        if map.contains_key("items") {
            let mut label = Html::text("array of ");
            if let Some(items) = map.get("items").filter(|i| i.is_object()) {
                label.push(&self.label(file, items, depth + 1));
            }
            return label;
        }
        if let Some(constant) = map.get("const") {
            return Html::text(&format!("const {}", inline_value(constant)));
        }
        if map.contains_key("enum") {
            return Html::text("enum");
        }
        if map.contains_key("not") {
            return Html::text("not …");
        }
        Html::text("any")
    }
}

/// The link to a named schema.
fn named_link(name: &str) -> Html {
    Html::code_link(name, &format!("schema/{name}"))
}

/// Whether an inline schema has parts to show inside it.
fn has_children(value: &Value) -> bool {
    [
        "properties",
        "patternProperties",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "prefixItems",
        "discriminator",
    ]
    .iter()
    .any(|key| value.get(key).is_some())
        || value
            .get("additionalProperties")
            .is_some_and(Value::is_object)
}

/// The flag badges of a schema: nullable, read-only, write-only, deprecated.
fn flags(value: &Value, sibling: &Value) -> Html {
    let mut out = Html::default();
    let flag = |key: &str| {
        value.get(key).and_then(Value::as_bool) == Some(true)
            || sibling.get(key).and_then(Value::as_bool) == Some(true)
    };
    let mut push = |text: &str, class: &'static str| {
        out.push_text(" ");
        out.push(&Html::badge(text, class));
    };
    if Schemas::is_nullable(value) || Schemas::is_nullable(sibling) {
        push("nullable", "flag");
    }
    if flag("readOnly") {
        push("read-only", "flag");
    }
    if flag("writeOnly") {
        push("write-only", "flag");
    }
    if flag("deprecated") {
        push("deprecated", "deprecated");
    }
    out
}

/// A JSON value on one line, cut at [`MAX_INLINE_VALUE`] characters; strings as written.
fn inline_value(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    if text.chars().count() > MAX_INLINE_VALUE {
        let cut: String = text.chars().take(MAX_INLINE_VALUE).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The constraints line of a schema (see [`Schemas::constraints`]).
fn constraints(value: &Value) -> Html {
    let Value::Object(map) = value else {
        return Html::default();
    };
    let mut parts: Vec<Html> = Vec::new();
    let number = |key: &str| map.get(key).filter(|v| v.is_number()).map(inline_value);
    let labelled = |label: &str, value: &Value| {
        let mut part = Html::text(label);
        part.push(&Html::code(&inline_value(value)));
        part
    };
    if let Some(Value::Array(values)) = map.get("enum") {
        let mut part = Html::text("one of ");
        let codes = values
            .iter()
            .take(MAX_ENUM_VALUES)
            .map(|v| Html::code(&inline_value(v)));
        part.push(&html::join(codes, ", "));
        if values.len() > MAX_ENUM_VALUES {
            part.push_text(&format!(" and {} more", values.len() - MAX_ENUM_VALUES));
        }
        parts.push(part);
    }
    if let Some(constant) = map.get("const") {
        parts.push(labelled("always ", constant));
    }
    if let Some(default) = map.get("default") {
        parts.push(labelled("default ", default));
    }
    let minimum = number("minimum");
    let maximum = number("maximum");
    let exclusive = |flag: &str, numeric: &str, plain: &Option<String>| match map.get(flag) {
        Some(Value::Bool(true)) => plain.clone().map(|n| (true, n)),
        Some(v) if v.is_number() => Some((true, inline_value(v))),
        _ => number(numeric).map(|n| (false, n)),
    };
    if let Some((strict, n)) = exclusive("exclusiveMinimum", "minimum", &minimum) {
        parts.push(Html::text(&format!(
            "{} {n}",
            if strict { ">" } else { "≥" }
        )));
    }
    if let Some((strict, n)) = exclusive("exclusiveMaximum", "maximum", &maximum) {
        parts.push(Html::text(&format!(
            "{} {n}",
            if strict { "<" } else { "≤" }
        )));
    }
    if let Some(n) = number("multipleOf") {
        parts.push(Html::text(&format!("multiple of {n}")));
    }
    for (min, max, what) in [
        ("minLength", "maxLength", "characters"),
        ("minItems", "maxItems", "items"),
        ("minProperties", "maxProperties", "properties"),
    ] {
        match (number(min), number(max)) {
            (Some(low), Some(high)) if low == high => {
                parts.push(Html::text(&format!("exactly {low} {what}")))
            }
            (Some(low), Some(high)) => parts.push(Html::text(&format!("{low}–{high} {what}"))),
            (Some(low), None) => parts.push(Html::text(&format!("at least {low} {what}"))),
            (None, Some(high)) => parts.push(Html::text(&format!("at most {high} {what}"))),
            (None, None) => {}
        }
    }
    if map.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        parts.push(Html::text("unique items"));
    }
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
        let mut part = Html::text("matches ");
        part.push(&Html::code(pattern));
        parts.push(part);
    }
    if let Some(example) = map.get("example") {
        parts.push(labelled("example ", example));
    } else if let Some(Value::Array(examples)) = map.get("examples") {
        if let Some(first) = examples.first() {
            parts.push(labelled("example ", first));
        }
    }
    html::join(parts, " · ")
}
