//! A GraphQL schema document as the reader needs it: apollo-parser's syntax tree reduced to
//! named types (extensions merged in), directive definitions and the root operation types,
//! each with the line it is written on.

use crate::diag::Diagnostic;
use apollo_parser::cst::{self, CstNode};
use apollo_parser::SyntaxToken;
use std::collections::HashMap;

/// Most list and non-null wrappers one type reference is read through.
const MAX_TYPE_DEPTH: usize = 100;

/// Longest default value shown, in characters; longer ones are cut with `…`.
const MAX_DEFAULT_CHARS: usize = 200;

/// The reason `@deprecated` gives when it names none (the GraphQL spec's default).
const DEFAULT_DEPRECATION: &str = "No longer supported";

/// What a schema document defines.
#[derive(Debug, Default)]
pub(super) struct Schema {
    /// The `schema { … }` definition's description.
    pub description: Option<String>,
    /// The root operation types named by `schema { … }` / `extend schema`, with their lines.
    pub declared_roots: [Option<NamedRef>; 3],
    /// Named types in file order, extensions merged into the type they extend.
    pub types: Vec<TypeDef>,
    /// Directive definitions in file order.
    pub directives: Vec<DirectiveDef>,
    /// Problems found while reading, each with its 1-based line.
    pub problems: Vec<(usize, Diagnostic)>,
}

/// The kinds of named types, in the order the reference shows their sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TypeKind {
    /// `type`.
    Object,
    /// `interface`.
    Interface,
    /// `union`.
    Union,
    /// `enum`.
    Enum,
    /// `input`.
    Input,
    /// `scalar`.
    Scalar,
}

impl TypeKind {
    /// The keyword that defines a type of this kind, used as its badge.
    pub fn keyword(self) -> &'static str {
        match self {
            TypeKind::Object => "type",
            TypeKind::Interface => "interface",
            TypeKind::Union => "union",
            TypeKind::Enum => "enum",
            TypeKind::Input => "input",
            TypeKind::Scalar => "scalar",
        }
    }
}

/// A name written at a line: a type reference, an interface, a union member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NamedRef {
    /// The name.
    pub name: String,
    /// Its 1-based line.
    pub line: usize,
}

/// A field's or argument's type: `[Film!]!` is `[`, `Film`, `!]!`.
#[derive(Debug, Clone)]
pub(super) struct TypeRef {
    /// The list brackets before the name.
    pub prefix: String,
    /// The named type inside the wrappers.
    pub named: NamedRef,
    /// The `!` and `]` after the name.
    pub suffix: String,
}

impl TypeRef {
    /// The type as written, without spaces.
    pub fn text(&self) -> String {
        format!("{}{}{}", self.prefix, self.named.name, self.suffix)
    }
}

/// A named type with everything its definition and extensions say.
#[derive(Debug)]
pub(super) struct TypeDef {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: TypeKind,
    /// The line of its definition (or of its first extension, when it has no definition).
    pub line: usize,
    /// Its description, block strings dedented.
    pub description: Option<String>,
    /// Interfaces it implements (objects and interfaces).
    pub implements: Vec<NamedRef>,
    /// Its fields (objects and interfaces).
    pub fields: Vec<Field>,
    /// Its input fields (input objects).
    pub input_fields: Vec<InputValue>,
    /// Its members (unions).
    pub members: Vec<NamedRef>,
    /// Its values (enums).
    pub values: Vec<EnumValue>,
    /// The `@specifiedBy(url:)` of a scalar.
    pub specified_by: Option<String>,
}

/// A field of an object or interface.
#[derive(Debug)]
pub(super) struct Field {
    /// Its name.
    pub name: String,
    /// The line of its name.
    pub line: usize,
    /// Its description.
    pub description: Option<String>,
    /// Its arguments.
    pub arguments: Vec<InputValue>,
    /// Its type, unless the definition lacks a readable one.
    pub ty: Option<TypeRef>,
    /// The `@deprecated` reason, when deprecated.
    pub deprecated: Option<String>,
}

/// An argument or input field.
#[derive(Debug)]
pub(super) struct InputValue {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its type.
    pub ty: Option<TypeRef>,
    /// Its default value as written (whitespace collapsed).
    pub default: Option<String>,
    /// The `@deprecated` reason, when deprecated.
    pub deprecated: Option<String>,
}

/// A value of an enum.
#[derive(Debug)]
pub(super) struct EnumValue {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The `@deprecated` reason, when deprecated.
    pub deprecated: Option<String>,
}

/// A `directive @name(…) on …` definition.
#[derive(Debug)]
pub(super) struct DirectiveDef {
    /// Its name, without `@`.
    pub name: String,
    /// Its line.
    pub line: usize,
    /// Its description.
    pub description: Option<String>,
    /// Its arguments.
    pub arguments: Vec<InputValue>,
    /// Whether it may be repeated.
    pub repeatable: bool,
    /// Where it may be used (`FIELD_DEFINITION`).
    pub locations: Vec<String>,
}

/// Byte offsets → 1-based lines.
pub(super) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).max(1)
    }

    fn of_token(&self, token: &SyntaxToken) -> usize {
        self.line(u32::from(token.text_range().start()) as usize)
    }
}

/// Reads the definitions of a parsed document into a [`Schema`].
pub(super) fn collect(document: &cst::Document, lines: &Lines) -> Schema {
    let mut reader = Reader {
        lines,
        schema: Schema::default(),
        by_name: HashMap::new(),
        extensions: Vec::new(),
    };
    for definition in document.definitions() {
        reader.definition(definition);
    }
    for extension in std::mem::take(&mut reader.extensions) {
        reader.extension(extension);
    }
    reader.schema
}

struct Reader<'l> {
    lines: &'l Lines,
    schema: Schema,
    /// Index in `schema.types` of the first definition of each name.
    by_name: HashMap<String, usize>,
    /// Type extensions, applied once every definition is known (an extension may come first).
    extensions: Vec<cst::Definition>,
}

/// The parts of a type definition or extension, whatever its kind.
#[derive(Default)]
struct Parts {
    description: Option<String>,
    implements: Vec<NamedRef>,
    fields: Vec<Field>,
    input_fields: Vec<InputValue>,
    members: Vec<NamedRef>,
    values: Vec<EnumValue>,
    specified_by: Option<String>,
}

impl Reader<'_> {
    fn problem(&mut self, line: usize, diagnostic: Diagnostic) {
        self.schema.problems.push((line, diagnostic));
    }

    fn definition(&mut self, definition: cst::Definition) {
        use cst::Definition as D;
        match definition {
            D::SchemaDefinition(schema) => {
                self.schema.description = description(schema.description());
                self.roots(schema.root_operation_type_definitions());
            }
            D::SchemaExtension(schema) => self.roots(schema.root_operation_type_definitions()),
            D::DirectiveDefinition(directive) => self.directive(&directive),
            D::OperationDefinition(_) | D::FragmentDefinition(_) => {
                let line = self.lines.line(offset_of(definition.syntax()));
                self.problem(
                    line,
                    Diagnostic::warning(
                        "a query or fragment is not part of a schema; the reference leaves it out",
                    ),
                );
            }
            D::ScalarTypeDefinition(_)
            | D::ObjectTypeDefinition(_)
            | D::InterfaceTypeDefinition(_)
            | D::UnionTypeDefinition(_)
            | D::EnumTypeDefinition(_)
            | D::InputObjectTypeDefinition(_) => self.type_definition(&definition),
            _ => self.extensions.push(definition),
        }
    }

    fn roots(&mut self, roots: cst::CstChildren<cst::RootOperationTypeDefinition>) {
        for root in roots {
            let Some(operation) = root.operation_type() else {
                continue;
            };
            let slot = if operation.query_token().is_some() {
                0
            } else if operation.mutation_token().is_some() {
                1
            } else {
                2
            };
            let Some(named) = root.named_type().and_then(|n| self.named(&n)) else {
                continue;
            };
            if let Some(slot) = self.schema.declared_roots.get_mut(slot) {
                *slot = Some(named);
            }
        }
    }

    fn type_definition(&mut self, definition: &cst::Definition) {
        use cst::Definition as D;
        let (kind, name, parts) = match definition {
            D::ScalarTypeDefinition(d) => (
                TypeKind::Scalar,
                d.name(),
                Parts {
                    description: description(d.description()),
                    specified_by: specified_by(d.directives()),
                    ..Parts::default()
                },
            ),
            D::ObjectTypeDefinition(d) => (
                TypeKind::Object,
                d.name(),
                Parts {
                    description: description(d.description()),
                    implements: self.implements(d.implements_interfaces()),
                    fields: self.fields(d.fields_definition()),
                    ..Parts::default()
                },
            ),
            D::InterfaceTypeDefinition(d) => (
                TypeKind::Interface,
                d.name(),
                Parts {
                    description: description(d.description()),
                    implements: self.implements(d.implements_interfaces()),
                    fields: self.fields(d.fields_definition()),
                    ..Parts::default()
                },
            ),
            D::UnionTypeDefinition(d) => (
                TypeKind::Union,
                d.name(),
                Parts {
                    description: description(d.description()),
                    members: self.members(d.union_member_types()),
                    ..Parts::default()
                },
            ),
            D::EnumTypeDefinition(d) => (
                TypeKind::Enum,
                d.name(),
                Parts {
                    description: description(d.description()),
                    values: enum_values(d.enum_values_definition()),
                    ..Parts::default()
                },
            ),
            D::InputObjectTypeDefinition(d) => (
                TypeKind::Input,
                d.name(),
                Parts {
                    description: description(d.description()),
                    input_fields: self.input_values(
                        d.input_fields_definition()
                            .map(|f| f.input_value_definitions()),
                    ),
                    ..Parts::default()
                },
            ),
            _ => return,
        };
        let Some(name) = name.and_then(|n| self.name_at(&n)) else {
            return;
        };
        if let Some(&first) = self.by_name.get(&name.name) {
            let first_line = self.schema.types.get(first).map_or(0, |t| t.line);
            self.problem(
                name.line,
                Diagnostic::warning(format!(
                    "type {} is defined twice (first on line {first_line}); use `extend {} {}` to add to it",
                    name.name,
                    kind.keyword(),
                    name.name
                )),
            );
        } else {
            self.by_name
                .insert(name.name.clone(), self.schema.types.len());
        }
        self.schema.types.push(TypeDef {
            name: name.name,
            kind,
            line: name.line,
            description: parts.description,
            implements: parts.implements,
            fields: parts.fields,
            input_fields: parts.input_fields,
            members: parts.members,
            values: parts.values,
            specified_by: parts.specified_by,
        });
    }

    fn extension(&mut self, definition: cst::Definition) {
        use cst::Definition as D;
        let (kind, name, parts) = match &definition {
            D::ScalarTypeExtension(d) => (
                TypeKind::Scalar,
                d.name(),
                Parts {
                    specified_by: specified_by(d.directives()),
                    ..Parts::default()
                },
            ),
            D::ObjectTypeExtension(d) => (
                TypeKind::Object,
                d.name(),
                Parts {
                    implements: self.implements(d.implements_interfaces()),
                    fields: self.fields(d.fields_definition()),
                    ..Parts::default()
                },
            ),
            D::InterfaceTypeExtension(d) => (
                TypeKind::Interface,
                d.name(),
                Parts {
                    implements: self.implements(d.implements_interfaces()),
                    fields: self.fields(d.fields_definition()),
                    ..Parts::default()
                },
            ),
            D::UnionTypeExtension(d) => (
                TypeKind::Union,
                d.name(),
                Parts {
                    members: self.members(d.union_member_types()),
                    ..Parts::default()
                },
            ),
            D::EnumTypeExtension(d) => (
                TypeKind::Enum,
                d.name(),
                Parts {
                    values: enum_values(d.enum_values_definition()),
                    ..Parts::default()
                },
            ),
            D::InputObjectTypeExtension(d) => (
                TypeKind::Input,
                d.name(),
                Parts {
                    input_fields: self.input_values(
                        d.input_fields_definition()
                            .map(|f| f.input_value_definitions()),
                    ),
                    ..Parts::default()
                },
            ),
            _ => return,
        };
        let Some(name) = name.and_then(|n| self.name_at(&n)) else {
            return;
        };
        let index = match self.by_name.get(&name.name) {
            Some(&index) => index,
            None => {
                // An extension of a type defined elsewhere (a federated subgraph's
                // `extend type Query`): the reference shows what this document adds.
                self.by_name
                    .insert(name.name.clone(), self.schema.types.len());
                self.schema.types.push(TypeDef {
                    name: name.name.clone(),
                    kind,
                    line: name.line,
                    description: None,
                    implements: Vec::new(),
                    fields: Vec::new(),
                    input_fields: Vec::new(),
                    members: Vec::new(),
                    values: Vec::new(),
                    specified_by: None,
                });
                self.schema.types.len() - 1
            }
        };
        let Some(target) = self.schema.types.get_mut(index) else {
            return;
        };
        if target.kind != kind {
            let message = format!(
                "`extend {} {}` extends a type defined as {} {}; the extension is left out",
                kind.keyword(),
                name.name,
                target.kind.keyword(),
                name.name
            );
            self.problem(name.line, Diagnostic::warning(message));
            return;
        }
        target.implements.extend(parts.implements);
        target.fields.extend(parts.fields);
        target.input_fields.extend(parts.input_fields);
        target.members.extend(parts.members);
        target.values.extend(parts.values);
        if parts.specified_by.is_some() {
            target.specified_by = parts.specified_by;
        }
    }

    fn directive(&mut self, directive: &cst::DirectiveDefinition) {
        let Some(name) = directive.name().and_then(|n| self.name_at(&n)) else {
            return;
        };
        let arguments = self.input_values(
            directive
                .arguments_definition()
                .map(|a| a.input_value_definitions()),
        );
        let locations = directive
            .directive_locations()
            .map(|locations| {
                locations
                    .directive_locations()
                    .filter_map(|l| l.text().map(|t| t.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        self.schema.directives.push(DirectiveDef {
            name: name.name,
            line: name.line,
            description: description(directive.description()),
            arguments,
            repeatable: directive.repeatable_token().is_some(),
            locations,
        });
    }

    fn implements(&self, implements: Option<cst::ImplementsInterfaces>) -> Vec<NamedRef> {
        implements
            .map(|i| i.named_types().filter_map(|n| self.named(&n)).collect())
            .unwrap_or_default()
    }

    fn members(&self, members: Option<cst::UnionMemberTypes>) -> Vec<NamedRef> {
        members
            .map(|m| m.named_types().filter_map(|n| self.named(&n)).collect())
            .unwrap_or_default()
    }

    fn fields(&mut self, fields: Option<cst::FieldsDefinition>) -> Vec<Field> {
        let Some(fields) = fields else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for field in fields.field_definitions() {
            let Some(name) = field.name().and_then(|n| self.name_at(&n)) else {
                continue;
            };
            let arguments = self.input_values(
                field
                    .arguments_definition()
                    .map(|a| a.input_value_definitions()),
            );
            out.push(Field {
                name: name.name,
                line: name.line,
                description: description(field.description()),
                arguments,
                ty: field.ty().and_then(|t| self.type_ref(t)),
                deprecated: deprecation(field.directives()),
            });
        }
        out
    }

    fn input_values(
        &mut self,
        values: Option<cst::CstChildren<cst::InputValueDefinition>>,
    ) -> Vec<InputValue> {
        let Some(values) = values else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for value in values {
            let Some(name) = value.name().and_then(|n| name_text(&n)) else {
                continue;
            };
            out.push(InputValue {
                name,
                description: description(value.description()),
                ty: value.ty().and_then(|t| self.type_ref(t)),
                default: value
                    .default_value()
                    .and_then(|d| d.value())
                    .map(|v| value_text(&v)),
                deprecated: deprecation(value.directives()),
            });
        }
        out
    }

    /// Unwraps list and non-null wrappers iteratively, so no nesting can exhaust the stack.
    fn type_ref(&mut self, ty: cst::Type) -> Option<TypeRef> {
        let mut prefix = String::new();
        let mut closers = Vec::new();
        let mut current = ty;
        for _ in 0..MAX_TYPE_DEPTH {
            let next = match current {
                cst::Type::NamedType(named) => {
                    let named = self.named(&named)?;
                    closers.reverse();
                    return Some(TypeRef {
                        prefix,
                        named,
                        suffix: closers.concat(),
                    });
                }
                cst::Type::ListType(list) => {
                    prefix.push('[');
                    closers.push("]");
                    list.ty()?
                }
                cst::Type::NonNullType(non_null) => {
                    closers.push("!");
                    match (non_null.named_type(), non_null.list_type()) {
                        (Some(named), _) => cst::Type::NamedType(named),
                        (None, Some(list)) => cst::Type::ListType(list),
                        (None, None) => return None,
                    }
                }
            };
            current = next;
        }
        let line = self.lines.line(offset_of(current.syntax()));
        self.problem(
            line,
            Diagnostic::warning(format!(
                "a type is wrapped in more than {MAX_TYPE_DEPTH} lists; the reference leaves it out"
            )),
        );
        None
    }

    fn named(&self, named: &cst::NamedType) -> Option<NamedRef> {
        self.name_at(&named.name()?)
    }

    fn name_at(&self, name: &cst::Name) -> Option<NamedRef> {
        let token = name.ident_token()?;
        Some(NamedRef {
            name: token.text().to_string(),
            line: self.lines.of_token(&token),
        })
    }
}

fn offset_of(node: &apollo_parser::SyntaxNode) -> usize {
    u32::from(node.text_range().start()) as usize
}

fn name_text(name: &cst::Name) -> Option<String> {
    Some(name.ident_token()?.text().to_string())
}

fn enum_values(values: Option<cst::EnumValuesDefinition>) -> Vec<EnumValue> {
    let Some(values) = values else {
        return Vec::new();
    };
    values
        .enum_value_definitions()
        .filter_map(|value| {
            Some(EnumValue {
                name: name_text(&value.enum_value()?.name()?)?,
                description: description(value.description()),
                deprecated: deprecation(value.directives()),
            })
        })
        .collect()
}

fn description(description: Option<cst::Description>) -> Option<String> {
    string_value(&description?.string_value()?)
}

/// The reason of a `@deprecated` among `directives`, when there is one.
fn deprecation(directives: Option<cst::Directives>) -> Option<String> {
    let directive = find_directive(directives, "deprecated")?;
    Some(
        directive_argument(&directive, "reason")
            .and_then(|value| match value {
                cst::Value::StringValue(s) => string_value(&s),
                _ => None,
            })
            .unwrap_or_else(|| DEFAULT_DEPRECATION.to_string()),
    )
}

fn specified_by(directives: Option<cst::Directives>) -> Option<String> {
    match directive_argument(&find_directive(directives, "specifiedBy")?, "url")? {
        cst::Value::StringValue(s) => string_value(&s),
        _ => None,
    }
}

fn find_directive(directives: Option<cst::Directives>, name: &str) -> Option<cst::Directive> {
    directives?.directives().find(|d| {
        d.name()
            .and_then(|n| n.ident_token())
            .is_some_and(|t| t.text() == name)
    })
}

fn directive_argument(directive: &cst::Directive, name: &str) -> Option<cst::Value> {
    directive
        .arguments()?
        .arguments()
        .find(|a| {
            a.name()
                .and_then(|n| n.ident_token())
                .is_some_and(|t| t.text() == name)
        })?
        .value()
}

/// A value as written, whitespace runs collapsed to one space and cut when very long.
fn value_text(value: &cst::Value) -> String {
    let written = value.syntax().text().to_string();
    let mut out = String::with_capacity(written.len().min(MAX_DEFAULT_CHARS + 4));
    for (count, word) in written.split_whitespace().enumerate() {
        if out.chars().count() > MAX_DEFAULT_CHARS {
            out.push('…');
            break;
        }
        if count > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The value of a string or block string token, escapes decoded and block strings dedented
/// as the spec's `BlockStringValue()` says; `None` for a token that is not a whole string.
fn string_value(value: &cst::StringValue) -> Option<String> {
    let token = value.syntax().first_token()?;
    let raw = token.text();
    if let Some(inner) = raw
        .strip_prefix("\"\"\"")
        .and_then(|r| r.strip_suffix("\"\"\""))
    {
        return Some(block_string_value(&inner.replace("\\\"\"\"", "\"\"\"")));
    }
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    Some(unescape(inner))
}

/// The spec's `BlockStringValue(rawValue)`: the common indentation of all lines but the first
/// removed, leading and trailing blank lines dropped.
fn block_string_value(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let indent_of = |line: &str| line.chars().take_while(|c| matches!(c, ' ' | '\t')).count();
    let common = lines
        .iter()
        .skip(1)
        .filter(|line| indent_of(line) < line.len())
        .map(|line| indent_of(line))
        .min()
        .unwrap_or(0);
    let blank = |line: &&str| line.chars().all(|c| matches!(c, ' ' | '\t'));
    let dedented: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                line
            } else {
                line.get(common..).unwrap_or("")
            }
        })
        .collect();
    let first = dedented.iter().position(|l| !blank(l));
    let last = dedented.iter().rposition(|l| !blank(l));
    match (first, last) {
        (Some(first), Some(last)) => dedented
            .get(first..=last)
            .map(|kept| kept.join("\n"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Decodes the escapes of a quoted string; an invalid escape is kept as written.
fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let rest = chars.as_str();
                let (digits, used) = match rest.strip_prefix('{') {
                    Some(braced) => match braced.find('}') {
                        Some(end) => (braced.get(..end).unwrap_or(""), end + 2),
                        None => ("", 0),
                    },
                    None => (rest.get(..4).unwrap_or(""), 4),
                };
                match u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(decoded) if used > 0 => {
                        out.push(decoded);
                        chars = rest.get(used..).unwrap_or("").chars();
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
