//! The gRPC / Protocol Buffers reader: a `.proto` file (proto2 or proto3), parsed with
//! protox-parse, with the repository files it imports → services and their RPCs, messages and
//! enums (nested ones too), types linked to their items, comments as descriptions.

mod imports;
mod render;
mod symbols;
#[cfg(test)]
mod tests;

use super::model::{Fact, Item, ItemKind, Reference, Section};
use super::{Read, Source};
use crate::apis::html;
use crate::diag::Diagnostic;
use render::Renderer;
use std::collections::{HashMap, HashSet};
use symbols::{tag, Definition, ProtoFile, Symbols};

/// File options shown as facts, by their `.proto` name.
const FACT_OPTIONS: [&str; 9] = [
    "go_package",
    "java_package",
    "java_outer_classname",
    "java_multiple_files",
    "csharp_namespace",
    "objc_class_prefix",
    "php_namespace",
    "ruby_package",
    "swift_prefix",
];

/// Reads a protobuf definition into a reference.
pub fn read(source: &Source<'_>) -> Read {
    let mut diagnostics = Vec::new();
    let name = source
        .origin
        .path
        .as_deref()
        .and_then(|p| p.file_name())
        .map_or_else(
            || "definition.proto".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    let (parsed, refused) = imports::parse_refusing_escapes(&name, source.text);
    for (line, import) in refused {
        diagnostics.push(source.at(line, imports::refused_import(&import)));
    }
    let descriptor = match parsed {
        Ok(descriptor) => descriptor,
        Err(error) => {
            let line = error_line(source.text, error.span().map(|s| s.start));
            diagnostics.push(source.at(
                line,
                Diagnostic::error(format!("the protobuf definition does not parse: {error}")),
            ));
            return Read {
                reference: None,
                diagnostics,
            };
        }
    };
    let main = ProtoFile::new(descriptor, source.origin.path.clone());
    let loaded = imports::load(source, main, &mut diagnostics);
    let files = loaded.files;
    let mut symbols = Symbols::collect(&files);
    too_deep(source, &files, &symbols, &mut diagnostics);
    if loaded.complete {
        unknown_types(source, &files, &symbols, &mut diagnostics);
    }
    list_symbols(source, &files, &mut symbols, &mut diagnostics);
    let renderer = Renderer {
        files: &files,
        symbols: &symbols,
    };
    let Some(file) = files.first() else {
        return Read::default();
    };
    let mut sections = service_sections(source, file, &renderer, &mut diagnostics);
    sections.extend(type_sections(&renderer));
    let syntax = syntax_of(file);
    Read {
        reference: Some(Reference {
            format: format!("Protocol Buffers ({syntax})"),
            title: None,
            version: None,
            description: html::markdown(&file_comment(file)),
            facts: facts(file, &syntax),
            servers: Vec::new(),
            sections,
        }),
        diagnostics,
    }
}

/// The 1-based line of a byte offset of `text` (the last line when there is none).
pub(super) fn error_line(text: &str, offset: Option<usize>) -> usize {
    let end = offset.unwrap_or(text.len()).min(text.len());
    text.as_bytes().get(..end).map_or(1, |before| {
        before.iter().filter(|b| **b == b'\n').count() + 1
    })
}

/// `proto3`, or `proto2` (also when the file says nothing).
fn syntax_of(file: &ProtoFile) -> String {
    match file.descriptor.syntax.as_deref() {
        Some(syntax) if !syntax.is_empty() => syntax.to_string(),
        _ => "proto2".to_string(),
    }
}

/// The file's own description: the comment before `syntax`, else before `package`.
fn file_comment(file: &ProtoFile) -> String {
    let comment = file.comment(&[tag::SYNTAX]);
    if comment.is_empty() {
        file.comment(&[tag::PACKAGE])
    } else {
        comment
    }
}

/// Package, syntax, language options and imports.
fn facts(file: &ProtoFile, syntax: &str) -> Vec<Fact> {
    let fact = |label: &str, text: String| Fact {
        label: label.to_string(),
        text,
        href: None,
    };
    let mut facts = Vec::new();
    if !file.package().is_empty() {
        facts.push(fact("Package", file.package().to_string()));
    }
    facts.push(fact("Syntax", syntax.to_string()));
    if let Some(options) = &file.descriptor.options {
        for option in &options.uninterpreted_option {
            let name = render::option_name(option);
            if FACT_OPTIONS.contains(&name.as_str()) {
                let value = match &option.string_value {
                    Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                    None => render::option_value(option),
                };
                facts.push(fact(&name, value));
            }
        }
    }
    if !file.descriptor.dependency.is_empty() {
        facts.push(fact("Imports", file.descriptor.dependency.join(", ")));
    }
    facts
}

/// Marks the symbols the page lists with their anchors: every message and enum of the
/// definition (map entries aside), then the imported ones its types use, transitively.
fn list_symbols(
    source: &Source<'_>,
    files: &[ProtoFile],
    symbols: &mut Symbols<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut listed = vec![false; symbols.list.len()];
    let mut queue: Vec<usize> = Vec::new();
    for (index, symbol) in symbols.list.iter().enumerate() {
        if symbol.file == 0 && !symbol.is_map_entry() {
            listed[index] = true;
            queue.push(index);
        }
    }
    if let Some(file) = files.first() {
        for service in &file.descriptor.service {
            let scope = file.package();
            for method in &service.method {
                for written in [method.input_type(), method.output_type()] {
                    if let Some(index) = symbols.resolve(written, scope) {
                        mark(&mut listed, &mut queue, index);
                    }
                }
            }
        }
    }
    let mut next = 0;
    while let Some(&index) = queue.get(next) {
        next += 1;
        let Some(symbol) = symbols.list.get(index) else {
            continue;
        };
        let Definition::Message(message) = symbol.definition else {
            continue;
        };
        for field in &message.field {
            if let Some(written) = field.type_name.as_deref() {
                if let Some(target) = symbols.resolve(written, &symbol.full_name) {
                    mark(&mut listed, &mut queue, target);
                }
            }
        }
    }
    let mut used = Anchors::default();
    let first_declarations: Vec<bool> = (0..symbols.list.len())
        .map(|index| symbols.is_first(index))
        .collect();
    for ((symbol, is_listed), is_first) in
        symbols.list.iter_mut().zip(listed).zip(first_declarations)
    {
        if !is_listed || symbol.is_map_entry() {
            continue;
        }
        let prefix = match symbol.definition {
            Definition::Message(_) => "message",
            Definition::Enum(_) => "enum",
        };
        let anchor = used.claim(format!("{prefix}/{}", symbol.full_name));
        if !is_first || anchor.duplicate {
            if let Some(file) = files.get(symbol.file) {
                let line = file.line(&symbol.path);
                let d = Diagnostic::warning(format!(
                    "{prefix} {} is declared more than once; this one is at #{}",
                    symbol.full_name, anchor.id
                ));
                diagnostics.push(at_line(source, file, line, d));
            }
        }
        symbol.anchor = Some(anchor.id);
    }
}

/// A diagnostic at a line of one of the files.
fn at_line(source: &Source<'_>, file: &ProtoFile, line: usize, d: Diagnostic) -> Diagnostic {
    match &file.path {
        Some(path) => source.at_file(path, line, d),
        None => source.at(line, d),
    }
}

/// Warnings for messages nested deeper than greenroom walks (they are left out).
fn too_deep(
    source: &Source<'_>,
    files: &[ProtoFile],
    symbols: &Symbols<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (file, path) in &symbols.too_deep {
        if let Some(file) = files.get(*file) {
            diagnostics.push(at_line(
                source,
                file,
                file.line(path),
                Diagnostic::warning(format!(
                    "messages are nested more than {} levels deep here; the deeper ones are left out",
                    symbols::MAX_NESTING
                )),
            ));
        }
    }
}

/// Warnings for field and RPC types of the definition that no file declares (checked only
/// when every import was read; `google.*` types are well-known and never in the repository).
fn unknown_types(
    source: &Source<'_>,
    files: &[ProtoFile],
    symbols: &Symbols<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(file) = files.first() else {
        return;
    };
    let mut check = |written: &str, scope: &str, path: &[i32]| {
        let name = written.trim_start_matches('.');
        if name.starts_with("google.") || symbols.resolve(written, scope).is_some() {
            return;
        }
        diagnostics.push(at_line(
            source,
            file,
            file.line(path),
            Diagnostic::warning(format!(
                "type {name} is not declared in this file or its imports; it is shown unlinked"
            )),
        ));
    };
    for symbol in symbols.list.iter().filter(|s| s.file == 0) {
        let Definition::Message(message) = symbol.definition else {
            continue;
        };
        for (i, field) in message.field.iter().enumerate() {
            if let Some(written) = field.type_name.as_deref() {
                let mut path = symbol.path.clone();
                path.extend([tag::MEMBER, i as i32]);
                check(written, &symbol.full_name, &path);
            }
        }
    }
    for (s, service) in file.descriptor.service.iter().enumerate() {
        for (m, method) in service.method.iter().enumerate() {
            let path = [tag::SERVICE, s as i32, tag::MEMBER, m as i32];
            check(method.input_type(), file.package(), &path);
            check(method.output_type(), file.package(), &path);
        }
    }
}

/// Marks a symbol listed and queues it to list the types it uses.
fn mark(listed: &mut [bool], queue: &mut Vec<usize>, index: usize) {
    if let Some(flag) = listed.get_mut(index) {
        if !*flag {
            *flag = true;
            queue.push(index);
        }
    }
}

/// Anchors handed out so far: a second claim of one gets `-2`, `-3`…
#[derive(Default)]
struct Anchors {
    counts: HashMap<String, usize>,
    taken: HashSet<String>,
}

/// An anchor handed out, and whether it was wanted already.
struct Claimed {
    id: String,
    duplicate: bool,
}

impl Anchors {
    fn claim(&mut self, wanted: String) -> Claimed {
        if self.taken.insert(wanted.clone()) {
            self.counts.insert(wanted.clone(), 1);
            return Claimed {
                id: wanted,
                duplicate: false,
            };
        }
        let count = self.counts.entry(wanted.clone()).or_insert(1);
        loop {
            *count += 1;
            let id = format!("{wanted}-{count}");
            if self.taken.insert(id.clone()) {
                return Claimed {
                    id,
                    duplicate: true,
                };
            }
        }
    }
}

/// One section per service, its RPCs as items.
fn service_sections(
    source: &Source<'_>,
    file: &ProtoFile,
    renderer: &Renderer<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Section> {
    let mut anchors = Anchors::default();
    let mut section_ids = Anchors::default();
    let mut sections = Vec::new();
    for (s, service) in file.descriptor.service.iter().enumerate() {
        let full_name = symbols::qualify(file.package(), service.name());
        let service_path = [tag::SERVICE, s as i32];
        let mut items = Vec::with_capacity(service.method.len());
        for (m, method) in service.method.iter().enumerate() {
            let path = [tag::SERVICE, s as i32, tag::MEMBER, m as i32];
            let anchor = anchors.claim(format!("rpc/{full_name}/{}", method.name()));
            if anchor.duplicate {
                diagnostics.push(source.at(
                    file.line(&path),
                    Diagnostic::warning(format!(
                        "rpc {} is declared more than once in service {full_name}; this one is at #{}",
                        method.name(),
                        anchor.id
                    )),
                ));
            }
            items.push(renderer.rpc_item(&full_name, file.package(), method, &path, anchor.id));
        }
        sections.push(Section {
            id: section_ids.claim(format!("service/{full_name}")).id,
            title: format!("Service {}", service.name()),
            description: html::markdown(&file.comment(&service_path)),
            items,
        });
    }
    sections
}

/// `Messages`, `Enums` (of the definition, in file order) and `Imported types`.
fn type_sections(renderer: &Renderer<'_>) -> Vec<Section> {
    let mut messages: Vec<(usize, Item)> = Vec::new();
    let mut enums: Vec<(usize, Item)> = Vec::new();
    let mut imported = Vec::new();
    for symbol in &renderer.symbols.list {
        let Some(anchor) = &symbol.anchor else {
            continue;
        };
        let item = renderer.symbol_item(symbol, anchor.clone());
        let line = renderer
            .files
            .get(symbol.file)
            .map_or(0, |f| f.line(&symbol.path));
        match (symbol.file, item.kind) {
            (0, ItemKind::Enum) => enums.push((line, item)),
            (0, _) => messages.push((line, item)),
            _ => imported.push(item),
        }
    }
    messages.sort_by_key(|(line, _)| *line);
    enums.sort_by_key(|(line, _)| *line);
    let section = |id: &str, title: &str, items: Vec<Item>| Section {
        id: id.to_string(),
        title: title.to_string(),
        description: None,
        items,
    };
    [
        section(
            "messages",
            "Messages",
            messages.into_iter().map(|(_, i)| i).collect(),
        ),
        section(
            "enums",
            "Enums",
            enums.into_iter().map(|(_, i)| i).collect(),
        ),
        section("imported", "Imported types", imported),
    ]
    .into_iter()
    .filter(|s| !s.items.is_empty())
    .collect()
}
