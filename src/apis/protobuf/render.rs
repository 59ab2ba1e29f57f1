//! The items of a protobuf reference: RPCs, messages and enums, their types linked to the
//! items of the messages and enums the page lists.

use super::symbols::{tag, Definition, ProtoFile, Symbol, Symbols};
use crate::apis::html::{self, Body, Cell, Html};
use crate::apis::model::{Item, ItemKind};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, MethodDescriptorProto,
    UninterpretedOption,
};

/// Longest search text of one item, in bytes.
const MAX_SEARCH_TEXT: usize = 300;

/// Highest field number (`max` in `reserved 100 to max;`), plus one as descriptors store it.
const FIELD_NUMBER_END: i32 = 536_870_912;

/// Writes items of the files and symbols of one definition.
pub(super) struct Renderer<'a> {
    /// The files (0 is the definition).
    pub(super) files: &'a [ProtoFile],
    /// Their messages and enums, anchors set for those the page lists.
    pub(super) symbols: &'a Symbols<'a>,
}

/// A field's type as the page shows it.
struct FieldType {
    /// The type, linked when the page lists it.
    html: Html,
    /// Its name as text.
    text: String,
}

impl Renderer<'_> {
    /// The name a symbol is shown by: relative to the definition's package for its own
    /// types, the full name for imported ones.
    pub(super) fn display_name<'s>(&self, symbol: &'s Symbol<'_>) -> &'s str {
        let package = self.files.first().map_or("", |f| f.package());
        if symbol.file == 0 && !package.is_empty() {
            if let Some(rest) = symbol
                .full_name
                .strip_prefix(package)
                .and_then(|r| r.strip_prefix('.'))
            {
                return rest;
            }
        }
        &symbol.full_name
    }

    /// A type name written in `scope`, linked to its item when the page lists it.
    fn named_type(&self, written: &str, scope: &str) -> FieldType {
        let symbol = self
            .symbols
            .resolve(written, scope)
            .and_then(|i| self.symbols.list.get(i));
        match symbol {
            Some(symbol) => {
                let name = self.display_name(symbol).to_string();
                let html = match &symbol.anchor {
                    Some(anchor) => Html::code_link(&name, anchor),
                    None => Html::code(&symbol.full_name),
                };
                FieldType { html, text: name }
            }
            None => {
                let name = written.trim_start_matches('.');
                FieldType {
                    html: Html::code(name),
                    text: name.to_string(),
                }
            }
        }
    }

    /// A field's type: a scalar, or a message or enum resolved in the message's scope.
    fn field_type(&self, field: &FieldDescriptorProto, scope: &str) -> FieldType {
        match (
            field.r#type.and_then(|t| Type::try_from(t).ok()),
            &field.type_name,
        ) {
            (Some(scalar), None) => {
                let name = scalar_name(scalar);
                FieldType {
                    html: Html::code(name),
                    text: name.to_string(),
                }
            }
            (_, Some(written)) => self.named_type(written, scope),
            (None, None) => FieldType {
                html: Html::code("?"),
                text: "?".to_string(),
            },
        }
    }

    /// The key and value types of a `map<K, V>` field, when `field` is one.
    fn map_types(
        &self,
        field: &FieldDescriptorProto,
        scope: &str,
    ) -> Option<(FieldType, FieldType)> {
        if field.label() != Label::Repeated {
            return None;
        }
        let written = field.type_name.as_deref()?;
        let entry = self
            .symbols
            .list
            .get(self.symbols.resolve(written, scope)?)?;
        if !entry.is_map_entry() {
            return None;
        }
        let Definition::Message(message) = entry.definition else {
            return None;
        };
        let key = message.field.iter().find(|f| f.number() == 1)?;
        let value = message.field.iter().find(|f| f.number() == 2)?;
        Some((
            self.field_type(key, &entry.full_name),
            self.field_type(value, &entry.full_name),
        ))
    }

    /// The item of an RPC.
    pub(super) fn rpc_item(
        &self,
        service_name: &str,
        scope: &str,
        method: &MethodDescriptorProto,
        path: &[i32],
        anchor: String,
    ) -> Item {
        let file = &self.files[0];
        let client = method.client_streaming();
        let server = method.server_streaming();
        let badge = match (client, server) {
            (false, false) => "unary",
            (false, true) => "server stream",
            (true, false) => "client stream",
            (true, true) => "bidi stream",
        };
        let input = self.named_type(method.input_type(), scope);
        let output = self.named_type(method.output_type(), scope);
        let stream = |on: bool| if on { "stream " } else { "" };
        let label = format!(
            "({}{}) returns ({}{})",
            stream(client),
            method.input_type().trim_start_matches('.'),
            stream(server),
            method.output_type().trim_start_matches('.')
        );
        let mut body = Body::new();
        let typed = |on: bool, ty: &FieldType| {
            let mut cell = Html::default();
            if on {
                cell.push(&Html::code("stream"));
                cell.push_text(" ");
            }
            cell.push(&ty.html);
            Cell::Html(cell)
        };
        body.table(
            &["Message", "Type"],
            &[
                vec![Cell::Text("Request".into()), typed(client, &input)],
                vec![Cell::Text("Response".into()), typed(server, &output)],
            ],
        );
        let options = method
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        option_table(&mut body, options);
        let comment = file.comment(path);
        let mut search = SearchText::default();
        search.push(method.name());
        search.push(service_name);
        search.push(&input.text);
        search.push(&output.text);
        search.push_prose(&comment);
        Item {
            anchor,
            kind: ItemKind::Rpc,
            badge: Some(badge.to_string()),
            name: method.name().to_string(),
            label: Some(label),
            summary: None,
            description: html::markdown(&comment),
            deprecated: is_deprecated(options),
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    /// The item of a listed message or enum.
    pub(super) fn symbol_item(&self, symbol: &Symbol<'_>, anchor: String) -> Item {
        match symbol.definition {
            Definition::Message(message) => self.message_item(symbol, message, anchor),
            Definition::Enum(enumeration) => self.enum_item(symbol, enumeration, anchor),
        }
    }

    fn message_item(&self, symbol: &Symbol<'_>, message: &DescriptorProto, anchor: String) -> Item {
        let file = &self.files[symbol.file];
        let proto3 = file.descriptor.syntax() == "proto3";
        let comment = file.comment(&symbol.path);
        let mut search = SearchText::default();
        let mut rows = Vec::with_capacity(message.field.len());
        let oneof_of = |field: &FieldDescriptorProto| {
            field
                .oneof_index
                .filter(|_| !field.proto3_optional())
                .and_then(|o| usize::try_from(o).ok())
                .filter(|o| *o < message.oneof_decl.len())
        };
        // The members of each oneof, in order: the group is written where its first member is.
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); message.oneof_decl.len()];
        for (i, field) in message.field.iter().enumerate() {
            if let Some(oneof) = oneof_of(field) {
                members[oneof].push(i);
            }
        }
        for (i, field) in message.field.iter().enumerate() {
            let Some(oneof) = oneof_of(field) else {
                rows.push(self.field_row(symbol, field, i, proto3, None, &mut search));
                continue;
            };
            if members[oneof].first() != Some(&i) {
                continue;
            }
            let name = message.oneof_decl[oneof].name();
            search.push(name);
            for &j in &members[oneof] {
                if let Some(member) = message.field.get(j) {
                    rows.push(self.field_row(symbol, member, j, proto3, Some(name), &mut search));
                }
            }
        }
        search.push_prose(&comment);
        let mut body = Body::new();
        body.table(
            &["Number", "Name", "Type", "Label", "Default", "Description"],
            &rows,
        );
        if message.field.is_empty() {
            body.paragraph("No fields.");
        }
        reserved(
            &mut body,
            message.reserved_range.iter().map(|r| (r.start(), r.end())),
            &message.reserved_name,
        );
        let extensions = ranges(message.extension_range.iter().map(|r| (r.start(), r.end())));
        if !extensions.is_empty() {
            body.paragraph(&format!("Extensions: {extensions}"));
        }
        let options = message
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        Item {
            anchor,
            kind: ItemKind::Message,
            badge: None,
            name: self.display_name(symbol).to_string(),
            label: None,
            summary: None,
            description: html::markdown(&comment),
            deprecated: is_deprecated(options),
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    fn field_row(
        &self,
        symbol: &Symbol<'_>,
        field: &FieldDescriptorProto,
        index: usize,
        proto3: bool,
        oneof: Option<&str>,
        search: &mut SearchText,
    ) -> Vec<Cell> {
        let file = &self.files[symbol.file];
        let scope = &symbol.full_name;
        let mut path = symbol.path.clone();
        path.extend([tag::MEMBER, index as i32]);
        let (ty, label) = match self.map_types(field, scope) {
            Some((key, value)) => {
                let label = format!("map<{}, {}>", key.text, value.text);
                (value, label)
            }
            None => {
                let label = match (oneof, field.label()) {
                    (Some(name), _) => format!("oneof {name}"),
                    (None, Label::Repeated) => "repeated".into(),
                    (None, Label::Required) => "required".into(),
                    (None, Label::Optional) if !proto3 || field.proto3_optional() => {
                        "optional".into()
                    }
                    (None, Label::Optional) => String::new(),
                };
                (self.field_type(field, scope), label)
            }
        };
        search.push(field.name());
        let comment = file.comment(&path);
        let mut description = html::markdown(&comment).unwrap_or_default();
        let options = field
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        if is_deprecated(options) {
            description.push(&Html::badge("deprecated", "deprecated"));
        }
        vec![
            Cell::Text(field.number().to_string()),
            Cell::Code(field.name().to_string()),
            Cell::Html(ty.html),
            if label.is_empty() {
                Cell::Empty
            } else {
                Cell::Code(label)
            },
            field
                .default_value
                .as_ref()
                .map_or(Cell::Empty, |d| Cell::Code(d.clone())),
            Cell::Html(description),
        ]
    }

    fn enum_item(
        &self,
        symbol: &Symbol<'_>,
        enumeration: &EnumDescriptorProto,
        anchor: String,
    ) -> Item {
        let file = &self.files[symbol.file];
        let comment = file.comment(&symbol.path);
        let mut search = SearchText::default();
        let mut rows = Vec::with_capacity(enumeration.value.len());
        for (i, value) in enumeration.value.iter().enumerate() {
            let mut path = symbol.path.clone();
            path.extend([tag::MEMBER, i as i32]);
            search.push(value.name());
            let mut description = html::markdown(&file.comment(&path)).unwrap_or_default();
            let options = value
                .options
                .as_ref()
                .map_or(&[][..], |o| &o.uninterpreted_option[..]);
            if is_deprecated(options) {
                description.push(&Html::badge("deprecated", "deprecated"));
            }
            rows.push(vec![
                Cell::Code(value.name().to_string()),
                Cell::Text(value.number().to_string()),
                Cell::Html(description),
            ]);
        }
        search.push_prose(&comment);
        let mut body = Body::new();
        body.table(&["Name", "Number", "Description"], &rows);
        reserved(
            &mut body,
            // Enum reserved ranges are inclusive; fields' are exclusive at the end.
            enumeration
                .reserved_range
                .iter()
                .map(|r| (r.start(), r.end().saturating_add(1))),
            &enumeration.reserved_name,
        );
        let options = enumeration
            .options
            .as_ref()
            .map_or(&[][..], |o| &o.uninterpreted_option[..]);
        option_table(
            &mut body,
            &options
                .iter()
                .filter(|o| option_name(o) != "deprecated")
                .cloned()
                .collect::<Vec<_>>(),
        );
        Item {
            anchor,
            kind: ItemKind::Enum,
            badge: None,
            name: self.display_name(symbol).to_string(),
            label: None,
            summary: None,
            description: html::markdown(&comment),
            deprecated: is_deprecated(options),
            body: body.finish(),
            search_text: search.finish(),
        }
    }
}

/// `Reserved numbers: …` and `Reserved names: …` lines, when there are any.
fn reserved<'n>(
    body: &mut Body,
    numbers: impl Iterator<Item = (i32, i32)>,
    names: impl IntoIterator<Item = &'n String>,
) {
    let numbers = ranges(numbers);
    if !numbers.is_empty() {
        body.paragraph(&format!("Reserved numbers: {numbers}"));
    }
    let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
    if !names.is_empty() {
        body.paragraph(&format!("Reserved names: {}", names.join(", ")));
    }
}

/// Ranges `[start, end)` as written in a `.proto`: `2, 9 to 11, 100 to max`.
fn ranges(numbers: impl Iterator<Item = (i32, i32)>) -> String {
    let mut out = Vec::new();
    for (start, end) in numbers {
        let last = end.saturating_sub(1);
        out.push(if end >= FIELD_NUMBER_END {
            format!("{start} to max")
        } else if last <= start {
            start.to_string()
        } else {
            format!("{start} to {last}")
        });
    }
    out.join(", ")
}

/// A table of options as written (`deprecated = true`, `(google.api.http) = {…}`).
fn option_table(body: &mut Body, options: &[UninterpretedOption]) {
    let rows: Vec<Vec<Cell>> = options
        .iter()
        .map(|o| vec![Cell::Code(option_name(o)), Cell::Code(option_value(o))])
        .collect();
    body.table(&["Option", "Value"], &rows);
}

/// An option's name as written: `deprecated`, `(google.api.http)`, `(a.b).c`.
pub(super) fn option_name(option: &UninterpretedOption) -> String {
    let parts: Vec<String> = option
        .name
        .iter()
        .map(|part| {
            if part.is_extension {
                format!("({})", part.name_part)
            } else {
                part.name_part.clone()
            }
        })
        .collect();
    parts.join(".")
}

/// An option's value as written (strings quoted, aggregates in braces).
pub(super) fn option_value(option: &UninterpretedOption) -> String {
    if let Some(ident) = &option.identifier_value {
        ident.clone()
    } else if let Some(int) = option.positive_int_value {
        int.to_string()
    } else if let Some(int) = option.negative_int_value {
        int.to_string()
    } else if let Some(float) = option.double_value {
        float.to_string()
    } else if let Some(bytes) = &option.string_value {
        format!("{:?}", String::from_utf8_lossy(bytes))
    } else if let Some(aggregate) = &option.aggregate_value {
        format!("{{ {} }}", aggregate.trim())
    } else {
        String::new()
    }
}

/// Whether options say `deprecated = true`.
pub(super) fn is_deprecated(options: &[UninterpretedOption]) -> bool {
    options.iter().any(|o| {
        o.name.len() == 1
            && o.name
                .first()
                .is_some_and(|p| !p.is_extension && p.name_part == "deprecated")
            && o.identifier_value.as_deref() == Some("true")
    })
}

/// The `.proto` name of a scalar type.
fn scalar_name(scalar: Type) -> &'static str {
    match scalar {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

/// The words of an item for search, capped at [`MAX_SEARCH_TEXT`] bytes.
#[derive(Default)]
pub(super) struct SearchText(String);

impl SearchText {
    /// Adds a name.
    pub(super) fn push(&mut self, word: &str) {
        if word.is_empty() || self.0.len() + word.len() + 1 > MAX_SEARCH_TEXT {
            return;
        }
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(word);
    }

    /// Adds the words of a Markdown comment, without its punctuation, until the cap.
    pub(super) fn push_prose(&mut self, markdown: &str) {
        for word in markdown.split(|c: char| c.is_whitespace() || "*_`#[]()<>|~!".contains(c)) {
            if self.0.len() + word.len() + 1 > MAX_SEARCH_TEXT {
                return;
            }
            if word.chars().any(char::is_alphanumeric) {
                self.push(word);
            }
        }
    }

    /// The text.
    pub(super) fn finish(self) -> String {
        self.0
    }
}
