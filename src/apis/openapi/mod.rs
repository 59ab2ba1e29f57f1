//! The OpenAPI reader: Swagger 2.0, OpenAPI 3.0 and 3.1 definitions (JSON or YAML) into a
//! reference of operations grouped by tag, webhooks, security schemes and named schemas.
//!
//! This file reads the document's frame (version, info, servers, security schemes, schemas);
//! [`operations`] writes each operation's body.

mod operations;
#[cfg(test)]
mod tests;

use super::html::{self, Body, Cell, Html};
use super::json::{Documents, FileId, MAIN};
use super::model::{Fact, Item, ItemKind, Reference, Section, Server};
use super::schema::Schemas;
use super::{Read, Source};
use crate::diag::Diagnostic;
use serde_json::Value;
use std::collections::HashSet;

/// Longest chain of `$ref`s followed to a parameter, response or path item.
const MAX_REF_HOPS: usize = 32;

/// Longest search text of an item, in characters.
const MAX_SEARCH_TEXT: usize = 300;

/// The generation of OpenAPI a definition is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    /// Swagger 2.0: `definitions`, `in: body` parameters, `produces`/`consumes`.
    Swagger2,
    /// OpenAPI 3.0: `components`, `requestBody`, `content`, `nullable`.
    OpenApi30,
    /// OpenAPI 3.1: like 3.0, with JSON Schema 2020-12 and `webhooks`.
    OpenApi31,
}

/// Reads an OpenAPI or Swagger definition into a reference; `reference` is `None` when the
/// text does not parse or is not Swagger 2.0 or OpenAPI 3.0/3.1.
pub fn read(source: &Source<'_>) -> Read {
    let mut docs = match Documents::open(source) {
        Ok(docs) => docs,
        Err(diagnostic) => {
            return Read {
                reference: None,
                diagnostics: vec![diagnostic],
            }
        }
    };
    let root = docs.root(MAIN);
    if !root.is_object() {
        return unreadable(
            source,
            1,
            "the OpenAPI definition is not a mapping of fields".into(),
        );
    }
    let (version, format) = match version_of(root) {
        Ok(found) => found,
        Err(message) => {
            let key = if root.get("swagger").is_some() {
                "swagger"
            } else {
                "openapi"
            };
            return unreadable(source, docs.line(MAIN, &[key]), message);
        }
    };
    let mut reader = Reader::new(*source, &docs, version);
    let reference = reader.reference(format);
    let mut diagnostics = reader.finish();
    diagnostics.extend(docs.take_diagnostics());
    Read {
        reference: Some(reference),
        diagnostics,
    }
}

/// A read that gives up: one error, no reference.
fn unreadable(source: &Source<'_>, line: usize, message: String) -> Read {
    Read {
        reference: None,
        diagnostics: vec![source.at(line, Diagnostic::error(message))],
    }
}

/// The generation and format name (`OpenAPI 3.0.3`, `Swagger 2.0`) of a definition.
fn version_of(root: &Value) -> Result<(Version, String), String> {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    if let Some(swagger) = root.get("swagger") {
        return match text(swagger).as_deref() {
            Some("2.0") => Ok((Version::Swagger2, "Swagger 2.0".to_string())),
            Some(other) => Err(format!(
                "Swagger {other} is not supported (greenroom reads Swagger 2.0 and OpenAPI 3.0 and 3.1); the page shows the source"
            )),
            None => Err("the `swagger` field is not a version".to_string()),
        };
    }
    let Some(version) = root.get("openapi").and_then(text) else {
        return Err(
            "the definition has no `openapi` (or `swagger`) version field, so greenroom cannot read it as OpenAPI"
                .to_string(),
        );
    };
    let generation = if version == "3.0" || version.starts_with("3.0.") {
        Version::OpenApi30
    } else if version == "3.1" || version.starts_with("3.1.") {
        Version::OpenApi31
    } else {
        return Err(format!(
            "OpenAPI {version} is not supported (greenroom reads Swagger 2.0 and OpenAPI 3.0 and 3.1); the page shows the source"
        ));
    };
    Ok((generation, format!("OpenAPI {version}")))
}

/// One read in progress: the documents, the schema writer, the diagnostics and the permalinks
/// given out so far.
struct Reader<'s, 'd> {
    source: Source<'s>,
    docs: &'d Documents,
    root: &'d Value,
    version: Version,
    schemas: Schemas<'d>,
    anchors: HashSet<String>,
    /// `(file, $ref)` pairs already reported, so a ref used by many operations warns once.
    reported: HashSet<(FileId, String)>,
    diagnostics: Vec<Diagnostic>,
    /// Names of the security schemes the definition declares.
    security_schemes: Vec<&'d str>,
}

impl<'s, 'd> Reader<'s, 'd> {
    fn new(source: Source<'s>, docs: &'d Documents, version: Version) -> Self {
        let prefix = match version {
            Version::Swagger2 => "/definitions/",
            _ => "/components/schemas/",
        };
        let root = docs.root(MAIN);
        let schemes = match version {
            Version::Swagger2 => root.get("securityDefinitions"),
            _ => root
                .get("components")
                .and_then(|c| c.get("securitySchemes")),
        };
        Reader {
            source,
            docs,
            root,
            version,
            schemas: Schemas::new(docs, prefix),
            anchors: HashSet::new(),
            reported: HashSet::new(),
            diagnostics: Vec::new(),
            security_schemes: schemes
                .and_then(Value::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default(),
        }
    }

    fn reference(&mut self, format: String) -> Reference {
        let info = self.root.get("info");
        let info_text = |key: &str| info.and_then(|i| i.get(key)).and_then(Value::as_str);
        let mut sections = self.operation_sections();
        if let Some(section) = self.webhook_section() {
            sections.push(section);
        }
        if let Some(section) = self.security_section() {
            sections.push(section);
        }
        if let Some(section) = self.schema_section() {
            sections.push(section);
        }
        Reference {
            format,
            title: info_text("title").map(str::to_string),
            version: info.and_then(|i| i.get("version")).and_then(scalar_text),
            description: info_text("description").and_then(html::markdown),
            facts: self.facts(),
            servers: self.servers(),
            sections,
        }
    }

    /// Contact, licence, terms of service and external docs.
    fn facts(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        let info = self.root.get("info");
        let get = |value: Option<&'d Value>, key: &str| {
            value
                .and_then(|v| v.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        let contact = info.and_then(|i| i.get("contact"));
        if let Some(name) = get(contact, "name") {
            facts.push(fact(
                "Contact",
                name,
                get(contact, "url").filter(|u| crate::web::is_http_url(u)),
            ));
        }
        if let Some(email) = get(contact, "email") {
            let href = is_plain_email(email).then(|| format!("mailto:{email}"));
            facts.push(fact("Email", email, href.as_deref()));
        }
        if let Some(url) = get(contact, "url").filter(|_| get(contact, "name").is_none()) {
            facts.push(fact(
                "Contact",
                url,
                Some(url).filter(|u| crate::web::is_http_url(u)),
            ));
        }
        let license = info.and_then(|i| i.get("license"));
        if let Some(name) = get(license, "name") {
            let href = get(license, "url")
                .filter(|u| crate::web::is_http_url(u))
                .map(str::to_string)
                .or_else(|| {
                    get(license, "identifier")
                        .map(|id| format!("https://spdx.org/licenses/{id}.html"))
                })
                .filter(|u| crate::web::is_http_url(u) && !u.contains(char::is_whitespace));
            facts.push(fact("Licence", name, href.as_deref()));
        }
        if let Some(terms) = get(info, "termsOfService") {
            let href = Some(terms).filter(|u| crate::web::is_http_url(u));
            facts.push(fact("Terms of service", terms, href));
        }
        let external = self.root.get("externalDocs");
        if let Some(url) = get(external, "url") {
            let text = get(external, "description").unwrap_or(url);
            facts.push(fact(
                "Documentation",
                text,
                Some(url).filter(|u| crate::web::is_http_url(u)),
            ));
        }
        facts
    }

    /// 3.x `servers` (with their variables), or 2.0 `schemes` × `host` + `basePath`.
    fn servers(&self) -> Vec<Server> {
        if self.version == Version::Swagger2 {
            let host = self.root.get("host").and_then(Value::as_str);
            let base = self
                .root
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(host) = host else {
                return if base.is_empty() {
                    Vec::new()
                } else {
                    vec![server(base.to_string(), None, Html::default())]
                };
            };
            let schemes: Vec<&str> = self
                .root
                .get("schemes")
                .and_then(Value::as_array)
                .map(|s| s.iter().filter_map(Value::as_str).collect())
                .filter(|s: &Vec<&str>| !s.is_empty())
                .unwrap_or_else(|| vec!["https"]);
            return schemes
                .into_iter()
                .map(|scheme| server(format!("{scheme}://{host}{base}"), None, Html::default()))
                .collect();
        }
        let Some(Value::Array(servers)) = self.root.get("servers") else {
            return Vec::new();
        };
        servers
            .iter()
            .filter_map(|entry| {
                let url = entry.get("url").and_then(Value::as_str)?;
                let description = entry
                    .get("description")
                    .and_then(Value::as_str)
                    .and_then(html::markdown);
                Some(server(
                    url.to_string(),
                    description,
                    self.server_variables(entry),
                ))
            })
            .collect()
    }

    /// A server's variables as a table.
    fn server_variables(&self, server: &Value) -> Html {
        let Some(Value::Object(variables)) = server.get("variables") else {
            return Html::default();
        };
        let rows: Vec<Vec<Cell>> = variables
            .iter()
            .map(|(name, variable)| {
                let values = variable
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|values| {
                        html::join(
                            values
                                .iter()
                                .filter_map(scalar_text)
                                .map(|v| Html::code(&v)),
                            ", ",
                        )
                    })
                    .unwrap_or_default();
                vec![
                    Cell::Code(name.clone()),
                    variable
                        .get("default")
                        .and_then(scalar_text)
                        .map_or(Cell::Empty, Cell::Code),
                    Cell::Html(values),
                    description_cell(variable),
                ]
            })
            .collect();
        let mut body = Body::new();
        body.table(&["Variable", "Default", "Values", "Description"], &rows);
        body.finish()
    }

    /// The security schemes, each an item `security/<name>`.
    fn security_section(&mut self) -> Option<Section> {
        let schemes = match self.version {
            Version::Swagger2 => self.root.get("securityDefinitions"),
            _ => self
                .root
                .get("components")
                .and_then(|c| c.get("securitySchemes")),
        }?
        .as_object()?;
        let mut items = Vec::new();
        for (name, scheme) in schemes {
            let Some((_, scheme)) = self.follow(MAIN, scheme) else {
                continue;
            };
            let kind = scheme
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            let mut rows = Vec::new();
            let mut row = |label: &str, key: &str| {
                if let Some(value) = scheme.get(key).and_then(Value::as_str) {
                    rows.push(vec![
                        Cell::Text(label.to_string()),
                        Cell::Code(value.to_string()),
                    ]);
                }
            };
            row("Type", "type");
            row("Scheme", "scheme");
            row("Bearer format", "bearerFormat");
            row("Parameter name", "name");
            row("In", "in");
            row("Flow", "flow");
            row("Authorization URL", "authorizationUrl");
            row("Token URL", "tokenUrl");
            row("OpenID Connect URL", "openIdConnectUrl");
            let mut body = Body::new();
            body.table(&["Field", "Value"], &rows);
            let mut flows: Vec<(String, &Value)> = Vec::new();
            if let Some(Value::Object(map)) = scheme.get("flows") {
                flows.extend(map.iter().map(|(flow, value)| (flow.clone(), value)));
            } else if scheme.get("scopes").is_some() {
                flows.push((String::new(), scheme));
            }
            for (flow, value) in flows {
                if !flow.is_empty() {
                    body.heading(&format!("Flow: {flow}"));
                    let mut rows = Vec::new();
                    for (label, key) in [
                        ("Authorization URL", "authorizationUrl"),
                        ("Token URL", "tokenUrl"),
                        ("Refresh URL", "refreshUrl"),
                    ] {
                        if let Some(url) = value.get(key).and_then(Value::as_str) {
                            rows.push(vec![Cell::Text(label.into()), Cell::Code(url.into())]);
                        }
                    }
                    body.table(&["Field", "Value"], &rows);
                }
                if let Some(Value::Object(scopes)) = value.get("scopes") {
                    let rows: Vec<Vec<Cell>> = scopes
                        .iter()
                        .map(|(scope, text)| {
                            vec![
                                Cell::Code(scope.clone()),
                                Cell::Text(text.as_str().unwrap_or("").to_string()),
                            ]
                        })
                        .collect();
                    body.table(&["Scope", "Description"], &rows);
                }
            }
            let description = scheme.get("description").and_then(Value::as_str);
            let (docs, key) = (self.docs, self.security_key());
            let anchor = self.claim(format!("security/{name}"), || docs.line(MAIN, &[key, name]));
            items.push(Item {
                anchor,
                kind: ItemKind::SecurityScheme,
                badge: Some(kind.to_string()),
                name: name.clone(),
                label: None,
                summary: None,
                description: description.and_then(html::markdown),
                deprecated: false,
                body: body.finish(),
                search_text: search_text([
                    kind,
                    description.map(plain_text).as_deref().unwrap_or(""),
                ]),
            });
        }
        (!items.is_empty()).then(|| Section {
            id: "security-schemes".to_string(),
            title: "Security schemes".to_string(),
            description: None,
            items,
        })
    }

    fn security_key(&self) -> &'static str {
        match self.version {
            Version::Swagger2 => "securityDefinitions",
            _ => "components",
        }
    }

    /// Every named schema (3.x `components.schemas`, 2.0 `definitions`), each an item
    /// `schema/<Name>` whose body is its tree.
    fn schema_section(&mut self) -> Option<Section> {
        let schemas = match self.version {
            Version::Swagger2 => self.root.get("definitions"),
            _ => self.root.get("components").and_then(|c| c.get("schemas")),
        }?
        .as_object()?;
        let mut items = Vec::with_capacity(schemas.len());
        for (name, schema) in schemas {
            let path: &[&str] = match self.version {
                Version::Swagger2 => &["definitions", name],
                _ => &["components", "schemas", name],
            };
            let docs = self.docs;
            let anchor = self.claim(format!("schema/{name}"), || docs.line(MAIN, path));
            let description = schema.get("description").and_then(Value::as_str);
            let mut words: Vec<&str> = Vec::new();
            if let Some(Value::Object(properties)) = schema.get("properties") {
                words.extend(properties.keys().map(String::as_str));
            }
            let plain = description.map(plain_text).unwrap_or_default();
            words.push(&plain);
            items.push(Item {
                anchor,
                kind: ItemKind::Schema,
                badge: None,
                name: name.clone(),
                label: None,
                summary: schema
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                description: description.and_then(html::markdown),
                deprecated: schema.get("deprecated").and_then(Value::as_bool) == Some(true),
                body: self.schemas.tree_in_item(MAIN, schema),
                search_text: search_text(words),
            });
        }
        (!items.is_empty()).then(|| Section {
            id: "schemas".to_string(),
            title: "Schemas".to_string(),
            description: None,
            items,
        })
    }

    /// Follows a chain of `$ref`s (to a parameter, response, path item…) to the value it
    /// ends at; a broken or cyclic chain is a warning and `None`.
    fn follow(&mut self, mut file: FileId, mut value: &'d Value) -> Option<(FileId, &'d Value)> {
        let mut seen: Vec<*const Value> = Vec::new();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some((file, value));
            };
            match self.docs.resolve(file, reference) {
                Ok(target) if seen.contains(&(target.value as *const Value)) => {
                    self.ref_problem(
                        file,
                        reference,
                        "is part of a cycle of `$ref`s; it is left out".into(),
                    );
                    return None;
                }
                Ok(target) => {
                    seen.push(target.value);
                    file = target.file;
                    value = target.value;
                }
                Err(message) => {
                    self.ref_problem(file, reference, format!("{message}; it is left out"));
                    return None;
                }
            }
        }
        let reference = value.get("$ref").and_then(Value::as_str).unwrap_or("$ref");
        self.ref_problem(
            file,
            reference,
            format!("is the end of more than {MAX_REF_HOPS} `$ref`s; it is left out"),
        );
        None
    }

    /// A warning about a `$ref`, once per file and ref, on the line it is written.
    fn ref_problem(&mut self, file: FileId, reference: &str, message: String) {
        if !self.reported.insert((file, reference.to_string())) {
            return;
        }
        let line = self.docs.ref_line(file, reference);
        let message = if message.contains(reference) {
            message
        } else {
            format!("$ref \"{reference}\" {message}")
        };
        let diagnostic = self
            .docs
            .at(&self.source, file, line, Diagnostic::warning(message));
        self.diagnostics.push(diagnostic);
    }

    /// Gives out a permalink, suffixed `-2`, `-3`… (with a warning at `line`, found only then)
    /// when it is taken.
    fn claim(&mut self, anchor: String, line: impl FnOnce() -> usize) -> String {
        if self.anchors.insert(anchor.clone()) {
            return anchor;
        }
        let mut n = 2;
        let unique = loop {
            let candidate = format!("{anchor}-{n}");
            if !self.anchors.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        self.anchors.insert(unique.clone());
        self.diagnostics.push(self.source.at(
            line(),
            Diagnostic::warning(format!(
                "another item already has the permalink `#{anchor}`; this one is `#{unique}`"
            )),
        ));
        unique
    }

    /// The diagnostics, with the `$ref`s the schema trees could not follow.
    fn finish(mut self) -> Vec<Diagnostic> {
        for problem in self.schemas.take_problems() {
            self.ref_problem(problem.file, &problem.reference, problem.message);
        }
        self.diagnostics
    }
}

/// A description cell (Markdown), empty without one.
fn description_cell(value: &Value) -> Cell {
    value
        .get("description")
        .and_then(Value::as_str)
        .and_then(html::markdown)
        .map_or(Cell::Empty, Cell::Html)
}

/// A scalar as text (`1.0`, `true`, `v2`); `None` for mappings, sequences and null.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A description's words without Markdown's marks, on one line.
fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len().min(MAX_SEARCH_TEXT * 2));
    let mut space = false;
    for c in markdown.chars() {
        if out.len() > MAX_SEARCH_TEXT * 2 {
            break;
        }
        if c.is_whitespace()
            || matches!(
                c,
                '*' | '_' | '`' | '#' | '[' | ']' | '(' | ')' | '<' | '>' | '|' | '~'
            )
        {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Search words joined by spaces, cut to [`MAX_SEARCH_TEXT`] characters at a word boundary.
fn search_text<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for word in words {
        let word = word.trim();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() >= MAX_SEARCH_TEXT {
            break;
        }
    }
    if out.chars().count() > MAX_SEARCH_TEXT {
        let cut: String = out.chars().take(MAX_SEARCH_TEXT).collect();
        out = match cut.rfind(' ') {
            Some(space) if space > MAX_SEARCH_TEXT / 2 => cut[..space].to_string(),
            _ => cut,
        };
    }
    out
}

/// An e-mail address fit for a `mailto:` link.
fn is_plain_email(email: &str) -> bool {
    email.contains('@')
        && !email.chars().any(|c| {
            c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '?' | '&' | '#' | ':')
        })
}

fn fact(label: &str, text: &str, href: Option<&str>) -> Fact {
    Fact {
        label: label.to_string(),
        text: text.to_string(),
        href: href.map(str::to_string),
    }
}

fn server(url: String, description: Option<Html>, details: Html) -> Server {
    Server {
        name: None,
        url,
        protocol: None,
        description,
        details,
    }
}
