//! The parsed files of one definition and the messages and enums they declare, by full name:
//! what field and RPC types are resolved against (protobuf's scoping: innermost scope first).

use prost_types::source_code_info::Location;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};
use std::collections::HashMap;
use std::path::PathBuf;

/// Field numbers of the descriptor messages, as they appear in source-code-info paths.
pub(super) mod tag {
    /// `FileDescriptorProto.package`.
    pub const PACKAGE: i32 = 2;
    /// `FileDescriptorProto.dependency`.
    pub const DEPENDENCY: i32 = 3;
    /// `FileDescriptorProto.message_type`.
    pub const MESSAGE: i32 = 4;
    /// `FileDescriptorProto.enum_type`.
    pub const ENUM: i32 = 5;
    /// `FileDescriptorProto.service`.
    pub const SERVICE: i32 = 6;
    /// `FileDescriptorProto.syntax`.
    pub const SYNTAX: i32 = 12;
    /// `DescriptorProto.field`, `EnumDescriptorProto.value`, `ServiceDescriptorProto.method`.
    pub const MEMBER: i32 = 2;
    /// `DescriptorProto.nested_type`.
    pub const NESTED_MESSAGE: i32 = 3;
    /// `DescriptorProto.enum_type`.
    pub const NESTED_ENUM: i32 = 4;
}

/// Deepest nesting of messages greenroom walks; deeper ones are left out.
pub(super) const MAX_NESTING: usize = 64;

/// One parsed `.proto` file: the definition itself or a file it imports.
#[derive(Debug)]
pub(super) struct ProtoFile {
    /// What protox-parse made of it (source-code info moved into `locations`).
    pub(super) descriptor: FileDescriptorProto,
    /// The file on disk (for the definition itself, its origin, when it has one).
    pub(super) path: Option<PathBuf>,
    /// Source locations by descriptor path: lines and comments.
    locations: HashMap<Vec<i32>, Location>,
}

impl ProtoFile {
    /// A parsed file, its locations indexed by path.
    pub(super) fn new(mut descriptor: FileDescriptorProto, path: Option<PathBuf>) -> Self {
        let mut locations = HashMap::new();
        if let Some(info) = descriptor.source_code_info.take() {
            for location in info.location {
                locations.entry(location.path.clone()).or_insert(location);
            }
        }
        ProtoFile {
            descriptor,
            path,
            locations,
        }
    }

    /// The package, empty when the file declares none.
    pub(super) fn package(&self) -> &str {
        self.descriptor.package.as_deref().unwrap_or("")
    }

    /// The 1-based line where the element at `path` starts (1 when unknown).
    pub(super) fn line(&self, path: &[i32]) -> usize {
        self.locations
            .get(path)
            .and_then(|l| l.span.first())
            .and_then(|line| usize::try_from(*line).ok())
            .map_or(1, |line| line + 1)
    }

    /// The comments of the element at `path` (leading, then trailing), as Markdown.
    pub(super) fn comment(&self, path: &[i32]) -> String {
        let Some(location) = self.locations.get(path) else {
            return String::new();
        };
        let mut text = String::new();
        for comment in [&location.leading_comments, &location.trailing_comments]
            .into_iter()
            .flatten()
        {
            let dedented = dedent(comment);
            if dedented.trim().is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(dedented.trim_end());
        }
        text
    }
}

/// A comment's lines without the one space that follows `//`.
fn dedent(comment: &str) -> String {
    let mut out = String::with_capacity(comment.len());
    for line in comment.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out
}

/// What a symbol declares.
#[derive(Debug, Clone, Copy)]
pub(super) enum Definition<'a> {
    /// A message (map entries included, marked by their option).
    Message(&'a DescriptorProto),
    /// An enum.
    Enum(&'a EnumDescriptorProto),
}

/// A message or enum of one of the files.
#[derive(Debug)]
pub(super) struct Symbol<'a> {
    /// Index of its file in the file list (0 is the definition itself).
    pub(super) file: usize,
    /// Its full name without the leading dot: `acme.greeter.v1.HelloRequest.Kind`.
    pub(super) full_name: String,
    /// What it declares.
    pub(super) definition: Definition<'a>,
    /// Its source-code-info path in its file.
    pub(super) path: Vec<i32>,
    /// Its permalink once it is listed on the page.
    pub(super) anchor: Option<String>,
}

impl Symbol<'_> {
    /// Whether this is the synthetic entry message of a `map<K, V>` field.
    pub(super) fn is_map_entry(&self) -> bool {
        matches!(self.definition, Definition::Message(m)
            if m.options.as_ref().and_then(|o| o.map_entry).unwrap_or(false))
    }
}

/// Every message and enum of the files, in file and declaration order, by full name.
#[derive(Debug, Default)]
pub(super) struct Symbols<'a> {
    /// The symbols in order (file by file, each message before its nested types).
    pub(super) list: Vec<Symbol<'a>>,
    /// Index in `list` by full name (the first declaration wins).
    by_name: HashMap<String, usize>,
    /// Messages (file index and path) whose nested types are too deep to walk.
    pub(super) too_deep: Vec<(usize, Vec<i32>)>,
}

impl<'a> Symbols<'a> {
    /// Collects the messages and enums of every file.
    pub(super) fn collect(files: &'a [ProtoFile]) -> Self {
        let mut symbols = Symbols::default();
        for (index, file) in files.iter().enumerate() {
            let package = file.package();
            for (i, message) in file.descriptor.message_type.iter().enumerate() {
                symbols.add_message(index, package, message, vec![tag::MESSAGE, i as i32], 0);
            }
            for (i, enumeration) in file.descriptor.enum_type.iter().enumerate() {
                symbols.add(
                    index,
                    qualify(package, enumeration.name()),
                    Definition::Enum(enumeration),
                    vec![tag::ENUM, i as i32],
                );
            }
        }
        symbols
    }

    fn add_message(
        &mut self,
        file: usize,
        scope: &str,
        message: &'a DescriptorProto,
        path: Vec<i32>,
        depth: usize,
    ) {
        if depth > MAX_NESTING {
            self.too_deep.push((file, path));
            return;
        }
        let full_name = qualify(scope, message.name());
        self.add(
            file,
            full_name.clone(),
            Definition::Message(message),
            path.clone(),
        );
        for (i, nested) in message.nested_type.iter().enumerate() {
            let mut nested_path = path.clone();
            nested_path.extend([tag::NESTED_MESSAGE, i as i32]);
            self.add_message(file, &full_name, nested, nested_path, depth + 1);
        }
        for (i, enumeration) in message.enum_type.iter().enumerate() {
            let mut nested_path = path.clone();
            nested_path.extend([tag::NESTED_ENUM, i as i32]);
            self.add(
                file,
                qualify(&full_name, enumeration.name()),
                Definition::Enum(enumeration),
                nested_path,
            );
        }
    }

    fn add(&mut self, file: usize, full_name: String, definition: Definition<'a>, path: Vec<i32>) {
        let index = self.list.len();
        self.by_name.entry(full_name.clone()).or_insert(index);
        self.list.push(Symbol {
            file,
            full_name,
            definition,
            path,
            anchor: None,
        });
    }

    /// The symbol a type name written in `scope` (a package or message full name) means:
    /// `.a.B` is absolute; otherwise the innermost enclosing scope that has it wins.
    pub(super) fn resolve(&self, type_name: &str, scope: &str) -> Option<usize> {
        if let Some(absolute) = type_name.strip_prefix('.') {
            return self.by_name.get(absolute).copied();
        }
        let mut scope = scope;
        loop {
            let found = if scope.is_empty() {
                self.by_name.get(type_name)
            } else {
                self.by_name.get(&format!("{scope}.{type_name}"))
            };
            if let Some(index) = found {
                return Some(*index);
            }
            if scope.is_empty() {
                return None;
            }
            scope = scope.rfind('.').map_or("", |dot| &scope[..dot]);
        }
    }

    /// The symbol of a full name, when the first declaration of that name is `index`.
    pub(super) fn is_first(&self, index: usize) -> bool {
        self.list
            .get(index)
            .and_then(|s| self.by_name.get(&s.full_name))
            == Some(&index)
    }
}

/// `scope.name`, or `name` at the top of a file without package.
pub(super) fn qualify(scope: &str, name: &str) -> String {
    if scope.is_empty() {
        name.to_string()
    } else {
        format!("{scope}.{name}")
    }
}
