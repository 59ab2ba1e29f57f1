//! A [`Schema`] as a [`Reference`]: the root types' fields as `query/…`, `mutation/…` and
//! `subscription/…` items, every other named type as a `type/<Name>` item in a section of its
//! kind, directive definitions as `directive/<name>`; type names linked to their permalinks.

use super::document::{
    DirectiveDef, EnumValue, Field, InputValue, NamedRef, Schema, TypeDef, TypeKind, TypeRef,
};
use crate::apis::html::{self, Body, Cell, Html};
use crate::apis::model::{Fact, Item, ItemKind, Reference, Section};
use crate::diag::Diagnostic;
use std::collections::{HashMap, HashSet};

/// Longest search text of one item, in bytes (about 300 characters).
const MAX_SEARCH_TEXT: usize = 300;

/// The scalars every schema has; they have no page of their own and are never linked.
const BUILT_IN_SCALARS: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];

/// The three root operation types: default name, item kind, permalink prefix, section.
const ROOTS: [(&str, ItemKind, &str, &str, &str); 3] = [
    ("Query", ItemKind::Query, "query", "queries", "Queries"),
    (
        "Mutation",
        ItemKind::Mutation,
        "mutation",
        "mutations",
        "Mutations",
    ),
    (
        "Subscription",
        ItemKind::Subscription,
        "subscription",
        "subscriptions",
        "Subscriptions",
    ),
];

/// The sections of named types, in page order, with their ids and titles.
const TYPE_SECTIONS: [(TypeKind, &str, &str); 6] = [
    (TypeKind::Object, "types-objects", "Objects"),
    (TypeKind::Interface, "types-interfaces", "Interfaces"),
    (TypeKind::Union, "types-unions", "Unions"),
    (TypeKind::Enum, "types-enums", "Enums"),
    (TypeKind::Input, "types-inputs", "Input types"),
    (TypeKind::Scalar, "types-scalars", "Scalars"),
];

/// Where a type name links to.
enum Target {
    /// A named type's permalink.
    Type(String),
    /// A root type: its section of fields.
    Root(&'static str),
}

/// Writes one reference; collects the names it could not link.
struct Renderer<'s> {
    targets: HashMap<&'s str, Target>,
    /// Each type defined nowhere: first line and number of references, in order of first use.
    unknown: Vec<(&'s str, usize, usize)>,
    unknown_index: HashMap<&'s str, usize>,
    /// Implementers of each interface, and unions of each type, in file order.
    implementers: HashMap<&'s str, Vec<&'s str>>,
    unions_of: HashMap<&'s str, Vec<&'s str>>,
    used_anchors: HashSet<String>,
    problems: Vec<(usize, Diagnostic)>,
}

/// The reference of a schema, and the problems found writing it (unknown types, duplicate
/// permalinks, roots that are not object types), each with its line.
pub(super) fn reference(schema: &Schema) -> (Reference, Vec<(usize, Diagnostic)>) {
    let mut problems = Vec::new();
    let roots = root_types(schema, &mut problems);
    let mut renderer = Renderer::new(schema, &roots);
    renderer.problems = problems;

    let mut sections = Vec::new();
    for (slot, root) in roots.iter().enumerate() {
        let (Some(root), Some(&(_, kind, prefix, id, title))) = (root, ROOTS.get(slot)) else {
            continue;
        };
        let items = root
            .fields
            .iter()
            .map(|field| renderer.root_field(field, kind, prefix))
            .collect();
        sections.push(Section {
            id: id.to_string(),
            title: title.to_string(),
            description: root.description.as_deref().and_then(html::markdown),
            items,
        });
    }
    let is_root = |t: &TypeDef| roots.iter().flatten().any(|r| std::ptr::eq(*r, t));
    let mut type_count = 0;
    for (kind, id, title) in TYPE_SECTIONS {
        let items: Vec<Item> = schema
            .types
            .iter()
            .filter(|t| t.kind == kind && !is_root(t))
            .map(|t| renderer.named_type(t))
            .collect();
        type_count += items.len();
        if !items.is_empty() {
            sections.push(Section {
                id: id.to_string(),
                title: title.to_string(),
                description: None,
                items,
            });
        }
    }
    if !schema.directives.is_empty() {
        let items = schema
            .directives
            .iter()
            .map(|d| renderer.directive(d))
            .collect();
        sections.push(Section {
            id: "directives".to_string(),
            title: "Directives".to_string(),
            description: None,
            items,
        });
    }

    let mut facts = vec![Fact {
        label: "Types".to_string(),
        text: type_count.to_string(),
        href: None,
    }];
    for (root, (default, ..)) in roots.iter().zip(ROOTS) {
        if let Some(root) = root.filter(|r| r.name != default) {
            facts.push(Fact {
                label: format!("{default} type"),
                text: root.name.clone(),
                href: None,
            });
        }
    }
    let reference = Reference {
        format: "GraphQL SDL".to_string(),
        title: None,
        version: None,
        description: schema.description.as_deref().and_then(html::markdown),
        facts,
        servers: Vec::new(),
        sections,
    };
    (reference, renderer.finish())
}

/// The query, mutation and subscription types: those `schema { … }` names, else the object
/// types named `Query`, `Mutation` and `Subscription`.
fn root_types<'s>(
    schema: &'s Schema,
    problems: &mut Vec<(usize, Diagnostic)>,
) -> [Option<&'s TypeDef>; 3] {
    let first_named = |name: &str| schema.types.iter().find(|t| t.name == name);
    let mut roots = [None; 3];
    for ((slot, declared), (default, ..)) in roots.iter_mut().zip(&schema.declared_roots).zip(ROOTS)
    {
        let Some(declared) = declared else {
            *slot = first_named(default).filter(|t| t.kind == TypeKind::Object);
            continue;
        };
        match first_named(&declared.name) {
            Some(t) if t.kind == TypeKind::Object => *slot = Some(t),
            Some(t) => problems.push((
                declared.line,
                Diagnostic::warning(format!(
                    "the {} root type {} is {} {}, not an object type",
                    default.to_ascii_lowercase(),
                    declared.name,
                    article(t.kind),
                    t.kind.keyword()
                )),
            )),
            None => problems.push((
                declared.line,
                Diagnostic::warning(format!(
                    "the {} root type {} is not defined in this schema",
                    default.to_ascii_lowercase(),
                    declared.name
                )),
            )),
        }
    }
    roots
}

fn article(kind: TypeKind) -> &'static str {
    match kind {
        TypeKind::Object | TypeKind::Union | TypeKind::Scalar => "a",
        TypeKind::Interface | TypeKind::Enum | TypeKind::Input => "an",
    }
}

impl<'s> Renderer<'s> {
    fn new(schema: &'s Schema, roots: &[Option<&'s TypeDef>; 3]) -> Self {
        let mut targets = HashMap::new();
        for (root, (.., section, _)) in roots.iter().zip(ROOTS) {
            if let Some(root) = root {
                targets.insert(root.name.as_str(), Target::Root(section));
            }
        }
        let mut implementers: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut unions_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for t in &schema.types {
            targets
                .entry(t.name.as_str())
                .or_insert_with(|| Target::Type(format!("type/{}", t.name)));
            for interface in &t.implements {
                implementers
                    .entry(interface.name.as_str())
                    .or_default()
                    .push(t.name.as_str());
            }
            for member in &t.members {
                unions_of
                    .entry(member.name.as_str())
                    .or_default()
                    .push(t.name.as_str());
            }
        }
        Renderer {
            targets,
            unknown: Vec::new(),
            unknown_index: HashMap::new(),
            implementers,
            unions_of,
            used_anchors: HashSet::new(),
            problems: Vec::new(),
        }
    }

    /// The problems, with one warning for each type defined nowhere.
    fn finish(mut self) -> Vec<(usize, Diagnostic)> {
        for (name, line, count) in std::mem::take(&mut self.unknown) {
            let more = match count {
                1 => String::new(),
                2 => " (and 1 more reference)".to_string(),
                n => format!(" (and {} more references)", n - 1),
            };
            self.problems.push((
                line,
                Diagnostic::warning(format!(
                    "type {name} is not defined in this schema{more}; it is shown without a link"
                )),
            ));
        }
        self.problems
    }

    /// `base`, or `base-2`, `base-3`… when an earlier item has it (with a warning).
    fn claim(&mut self, base: String, line: usize) -> String {
        if self.used_anchors.insert(base.clone()) {
            return base;
        }
        let mut n = 2;
        let anchor = loop {
            let candidate = format!("{base}-{n}");
            if !self.used_anchors.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        self.problems.push((
            line,
            Diagnostic::warning(format!(
                "two items would have the permalink #{base}; this one is #{anchor}"
            )),
        ));
        self.used_anchors.insert(anchor.clone());
        anchor
    }

    fn root_field(&mut self, field: &'s Field, kind: ItemKind, prefix: &str) -> Item {
        let anchor = self.claim(format!("{prefix}/{}", field.name), field.line);
        let mut body = Body::new();
        let mut search = SearchText::default();
        if let Some(reason) = &field.deprecated {
            deprecation_notice(&mut body, reason);
        }
        if !field.arguments.is_empty() {
            body.heading("Arguments");
            let rows = self.input_rows(&field.arguments, &mut search);
            body.table(&["Name", "Type", "Default", "Description"], &rows);
        }
        if let Some(ty) = &field.ty {
            body.heading("Returns");
            body.html(&self.type_html(ty));
            search.push(&ty.named.name);
        }
        search.push_description(field.description.as_deref());
        Item {
            anchor,
            kind,
            badge: Some(prefix.to_string()),
            name: field.name.clone(),
            label: field.ty.as_ref().map(TypeRef::text),
            summary: None,
            description: field.description.as_deref().and_then(html::markdown),
            deprecated: field.deprecated.is_some(),
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    fn named_type(&mut self, t: &'s TypeDef) -> Item {
        let anchor = self.claim(format!("type/{}", t.name), t.line);
        let mut body = Body::new();
        let mut search = SearchText::default();
        if !t.implements.is_empty() {
            body.heading("Implements");
            let links: Vec<Html> = t.implements.iter().map(|i| self.name_html(i)).collect();
            body.html(&html::join(links, ", "));
            for interface in &t.implements {
                search.push(&interface.name);
            }
        }
        match t.kind {
            TypeKind::Object | TypeKind::Interface => {
                if !t.fields.is_empty() {
                    body.heading("Fields");
                    let rows = self.field_rows(&t.fields, &mut search);
                    body.table(&["Name", "Type", "Arguments", "Description"], &rows);
                }
            }
            TypeKind::Input => {
                if !t.input_fields.is_empty() {
                    body.heading("Fields");
                    let rows = self.input_rows(&t.input_fields, &mut search);
                    body.table(&["Name", "Type", "Default", "Description"], &rows);
                }
            }
            TypeKind::Union => {
                body.heading("Members");
                let links: Vec<Html> = t.members.iter().map(|m| self.name_html(m)).collect();
                body.html(&html::join(links, " | "));
                for member in &t.members {
                    search.push(&member.name);
                }
            }
            TypeKind::Enum => {
                body.heading("Values");
                body.table(
                    &["Value", "Description"],
                    &enum_rows(&t.values, &mut search),
                );
            }
            TypeKind::Scalar => {
                if let Some(url) = &t.specified_by {
                    body.heading("Specified by");
                    body.html(&Html::external_link(url, url).unwrap_or_else(|| Html::code(url)));
                }
            }
        }
        self.related(&mut body, t);
        search.push_description(t.description.as_deref());
        Item {
            anchor,
            kind: ItemKind::Type,
            badge: Some(t.kind.keyword().to_string()),
            name: t.name.clone(),
            label: None,
            summary: None,
            description: t.description.as_deref().and_then(html::markdown),
            deprecated: false,
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    /// The types implementing an interface, and the unions a type is a member of.
    fn related(&mut self, body: &mut Body, t: &'s TypeDef) {
        let lists = [
            ("Implemented by", self.implementers.get(t.name.as_str())),
            ("Member of", self.unions_of.get(t.name.as_str())),
        ];
        let mut rendered = Vec::new();
        for (heading, names) in lists {
            let Some(names) = names.filter(|n| !n.is_empty()) else {
                continue;
            };
            let links: Vec<Html> = names.iter().map(|n| self.defined_name_html(n)).collect();
            rendered.push((heading, html::join(links, ", ")));
        }
        for (heading, links) in rendered {
            body.heading(heading);
            body.html(&links);
        }
    }

    fn directive(&mut self, directive: &'s DirectiveDef) -> Item {
        let anchor = self.claim(format!("directive/{}", directive.name), directive.line);
        let mut body = Body::new();
        let mut search = SearchText::default();
        if !directive.arguments.is_empty() {
            body.heading("Arguments");
            let rows = self.input_rows(&directive.arguments, &mut search);
            body.table(&["Name", "Type", "Default", "Description"], &rows);
        }
        if !directive.locations.is_empty() {
            body.heading(if directive.repeatable {
                "Locations (repeatable)"
            } else {
                "Locations"
            });
            body.html(&html::join(
                directive.locations.iter().map(|l| Html::code(l)),
                " | ",
            ));
            for location in &directive.locations {
                search.push(location);
            }
        }
        search.push_description(directive.description.as_deref());
        Item {
            anchor,
            kind: ItemKind::Type,
            badge: Some("directive".to_string()),
            name: format!("@{}", directive.name),
            label: None,
            summary: None,
            description: directive.description.as_deref().and_then(html::markdown),
            deprecated: false,
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    fn field_rows(&mut self, fields: &'s [Field], search: &mut SearchText) -> Vec<Vec<Cell>> {
        fields
            .iter()
            .map(|field| {
                search.push(&field.name);
                let arguments: Vec<Html> = field
                    .arguments
                    .iter()
                    .map(|argument| {
                        search.push(&argument.name);
                        self.argument_html(argument)
                    })
                    .collect();
                vec![
                    name_cell(&field.name, field.deprecated.is_some()),
                    self.type_cell(field.ty.as_ref()),
                    Cell::Html(html::join(arguments, ", ")),
                    description_cell(field.description.as_deref(), field.deprecated.as_deref()),
                ]
            })
            .collect()
    }

    fn input_rows(&mut self, values: &'s [InputValue], search: &mut SearchText) -> Vec<Vec<Cell>> {
        values
            .iter()
            .map(|value| {
                search.push(&value.name);
                if let Some(ty) = &value.ty {
                    search.push(&ty.named.name);
                }
                vec![
                    name_cell(&value.name, value.deprecated.is_some()),
                    self.type_cell(value.ty.as_ref()),
                    value.default.clone().map_or(Cell::Empty, Cell::Code),
                    description_cell(value.description.as_deref(), value.deprecated.as_deref()),
                ]
            })
            .collect()
    }

    /// `name: Type = default`, the type linked.
    fn argument_html(&mut self, argument: &'s InputValue) -> Html {
        let mut out = Html::code(&argument.name);
        if let Some(ty) = &argument.ty {
            out.push_text(": ");
            out.push(&self.type_html(ty));
        }
        if let Some(default) = &argument.default {
            out.push_text(" = ");
            out.push(&Html::code(default));
        }
        out
    }

    fn type_cell(&mut self, ty: Option<&'s TypeRef>) -> Cell {
        ty.map_or(Cell::Empty, |ty| Cell::Html(self.type_html(ty)))
    }

    /// `[Film!]!` with `Film` linked and the wrappers as text.
    fn type_html(&mut self, ty: &'s TypeRef) -> Html {
        let mut inner = Html::text(&ty.prefix);
        self.name_html(&ty.named);
        let name = ty.named.name.as_str();
        inner.push(&match self.targets.get(name) {
            Some(Target::Type(anchor)) => Html::anchor_link(name, anchor),
            Some(Target::Root(section)) => Html::anchor_link(name, section),
            None => Html::text(name),
        });
        inner.push_text(&ty.suffix);
        Html::in_code(&inner)
    }

    /// A type name, linked to its permalink (or its root section); built-in scalars and
    /// types defined nowhere are plain code, the latter remembered for a warning.
    fn name_html(&mut self, named: &'s NamedRef) -> Html {
        let name = named.name.as_str();
        if !self.targets.contains_key(name) && !BUILT_IN_SCALARS.contains(&name) {
            match self.unknown_index.get(name) {
                Some(&index) => {
                    if let Some(entry) = self.unknown.get_mut(index) {
                        entry.2 += 1;
                    }
                }
                None => {
                    self.unknown_index.insert(name, self.unknown.len());
                    self.unknown.push((name, named.line, 1));
                }
            }
        }
        self.defined_name_html(name)
    }

    fn defined_name_html(&self, name: &str) -> Html {
        match self.targets.get(name) {
            Some(Target::Type(anchor)) => Html::code_link(name, anchor),
            Some(Target::Root(section)) => Html::anchor_link(name, section),
            None => Html::code(name),
        }
    }
}

fn enum_rows(values: &[EnumValue], search: &mut SearchText) -> Vec<Vec<Cell>> {
    values
        .iter()
        .map(|value| {
            search.push(&value.name);
            vec![
                name_cell(&value.name, value.deprecated.is_some()),
                description_cell(value.description.as_deref(), value.deprecated.as_deref()),
            ]
        })
        .collect()
}

fn name_cell(name: &str, deprecated: bool) -> Cell {
    let mut out = Html::code(name);
    if deprecated {
        out.push_text(" ");
        out.push(&Html::badge("deprecated", "deprecated"));
    }
    Cell::Html(out)
}

/// A description in a table, then the deprecation reason.
fn description_cell(description: Option<&str>, deprecated: Option<&str>) -> Cell {
    let mut out = description.and_then(inline_markdown).unwrap_or_default();
    if let Some(reason) = deprecated {
        if !out.is_empty() {
            out.push_text(" ");
        }
        let mut notice = Html::badge("deprecated", "deprecated");
        notice.push_text(" ");
        notice.push(&inline_markdown(reason).unwrap_or_default());
        out.push(&notice);
    }
    if out.is_empty() {
        Cell::Empty
    } else {
        Cell::Html(out)
    }
}

fn deprecation_notice(body: &mut Body, reason: &str) {
    body.heading("Deprecated");
    if let Some(reason) = html::markdown(reason) {
        body.html(&reason);
    }
}

/// A short description as cell markup: one line that Markdown would not change is written as
/// escaped text without a Markdown parse (most field descriptions); the rest is Markdown.
fn inline_markdown(text: &str) -> Option<Html> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let special = |c: char| {
        matches!(
            c,
            '\n' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '\\' | '~' | '&'
        )
    };
    let starts_block = trimmed.starts_with([
        '-', '+', '=', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
    ]);
    if !trimmed.contains(special) && !starts_block && !trimmed.contains("://") {
        return Some(Html::text(trimmed));
    }
    html::markdown(trimmed)
}

/// The words a search should find an item by, cut at [`MAX_SEARCH_TEXT`].
#[derive(Default)]
struct SearchText {
    text: String,
    seen: HashSet<String>,
}

impl SearchText {
    fn push(&mut self, word: &str) {
        if self.text.len() >= MAX_SEARCH_TEXT || !self.seen.insert(word.to_string()) {
            return;
        }
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(word);
    }

    /// The description's words without Markdown punctuation.
    fn push_description(&mut self, description: Option<&str>) {
        let Some(description) = description else {
            return;
        };
        for word in without_tags(description).split_whitespace() {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
            if word.is_empty() || word.starts_with("http") {
                continue;
            }
            if self.text.len() + word.len() >= MAX_SEARCH_TEXT {
                break;
            }
            if !self.text.is_empty() {
                self.text.push(' ');
            }
            self.text.push_str(word);
        }
    }

    fn finish(self) -> String {
        let mut text = self.text;
        if text.len() > MAX_SEARCH_TEXT {
            let mut cut = MAX_SEARCH_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        text
    }
}

/// Text with `<…>` tags removed, for search.
fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
