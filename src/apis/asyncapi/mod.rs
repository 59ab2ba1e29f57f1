//! The AsyncAPI reader (2.x and 3.0): the servers, channels, operations, components messages
//! and schemas of an event-driven API as a [`Reference`].
//!
//! AsyncAPI 2.x writes operations inside channels (`publish`/`subscribe`, keyed by the
//! channel's address); 3.0 keys channels and operations by id and ties them with `$ref`s. Both
//! come out as the same sections: channels, operations, messages, schemas.

mod channels;
mod messages;
mod render;
#[cfg(test)]
mod tests;

use super::html::{self, Html};
use super::json::{Documents, FileId, MAIN};
use super::model::{Fact, Reference, Server};
use super::schema::Schemas;
use super::{Read, Source};
use crate::diag::Diagnostic;
use serde_json::Value;
use std::collections::HashSet;

/// Most `$ref` hops followed from one place; a longer chain is reported like a cycle.
const MAX_REF_HOPS: usize = 16;

/// The generations of the format greenroom reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// 2.0 to 2.6: operations inside channels.
    V2,
    /// 3.0: channels and operations side by side.
    V3,
}

/// Reads an AsyncAPI definition into a reference; `reference` is `None` when the text does not
/// parse or is not AsyncAPI 2.x or 3.x.
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
            "the AsyncAPI definition is not a mapping of fields".into(),
        );
    }
    let line = version_line(source.text).unwrap_or_else(|| docs.line(MAIN, &["asyncapi"]));
    let version = match root.get("asyncapi") {
        Some(Value::String(version)) => version.trim().to_string(),
        Some(Value::Number(version)) => version.to_string(),
        _ => {
            return unreadable(
                source,
                line,
                "the definition has no `asyncapi` version field, so greenroom cannot read it as AsyncAPI".into(),
            )
        }
    };
    let mut diagnostics = Vec::new();
    let spec = match spec_of(&version) {
        Some((spec, true)) => spec,
        Some((spec, false)) => {
            diagnostics.push(source.at(
                line,
                Diagnostic::warning(format!(
                    "AsyncAPI {version} is newer than greenroom knows; it is read as AsyncAPI 3.0"
                )),
            ));
            spec
        }
        None => {
            return unreadable(
                source,
                line,
                format!(
                    "AsyncAPI {version} is not supported (greenroom reads AsyncAPI 2.x and 3.0); the page shows the source"
                ),
            )
        }
    };
    let mut reader = Reader::new(*source, &docs, spec);
    let reference = reader.reference(&version);
    diagnostics.extend(reader.finish());
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

/// The generation a version names, and whether greenroom knows that exact minor version.
fn spec_of(version: &str) -> Option<(Spec, bool)> {
    let mut parts = version.split('.');
    let major = parts.next()?;
    let minor = parts.next().unwrap_or("0");
    match major {
        "2" => Some((Spec::V2, minor.parse::<u32>().is_ok_and(|m| m <= 6))),
        "3" => Some((Spec::V3, minor == "0")),
        _ => None,
    }
}

/// The line of the top-level `asyncapi` field, found in the text (YAML or pretty JSON).
fn version_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start_matches(['{', ' ', '\t']);
            line.starts_with("asyncapi:") || line.starts_with("\"asyncapi\"")
        })
        .map(|index| index + 1)
}

/// A value of one of the definition's documents and where it is (file and JSON pointer).
#[derive(Debug, Clone)]
pub(super) struct Node<'d> {
    /// The file holding it.
    file: FileId,
    /// The value.
    value: &'d Value,
    /// Its JSON pointer in the file (`/channels/user~1signedup`).
    pointer: String,
}

impl<'d> Node<'d> {
    /// A member of a mapping.
    fn get(&self, key: &str) -> Option<Node<'d>> {
        let value = self.value.as_object()?.get(key)?;
        Some(self.child(key, value))
    }

    /// A member's value as text.
    fn str(&self, key: &str) -> Option<&'d str> {
        self.value.as_object()?.get(key)?.as_str()
    }

    /// The members of a mapping in file order (none for anything else).
    fn entries(&self) -> Vec<(&'d str, Node<'d>)> {
        match self.value.as_object() {
            Some(map) => map
                .iter()
                .map(|(key, value)| (key.as_str(), self.child(key, value)))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The elements of a sequence (none for anything else).
    fn elements(&self) -> Vec<Node<'d>> {
        match self.value.as_array() {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(index, value)| self.child(&index.to_string(), value))
                .collect(),
            None => Vec::new(),
        }
    }

    fn child(&self, segment: &str, value: &'d Value) -> Node<'d> {
        let mut pointer = String::with_capacity(self.pointer.len() + segment.len() + 1);
        pointer.push_str(&self.pointer);
        pointer.push('/');
        for c in segment.chars() {
            match c {
                '~' => pointer.push_str("~0"),
                '/' => pointer.push_str("~1"),
                c => pointer.push(c),
            }
        }
        Node {
            file: self.file,
            value,
            pointer,
        }
    }
}

/// The unescaped segments of a JSON pointer.
fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The name a pointer into a mapping of the main document gives, when it has the form
/// `<prefix><name>` (`/components/messages/` + `UserSignedUp`).
fn name_under(file: FileId, pointer: &str, prefix: &str) -> Option<String> {
    if file != MAIN {
        return None;
    }
    let rest = pointer.strip_prefix(prefix)?;
    (!rest.is_empty() && !rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

/// One read in progress: the documents, the schema writer, the diagnostics and the permalinks
/// given out so far.
pub(super) struct Reader<'s, 'd> {
    source: Source<'s>,
    docs: &'d Documents,
    schemas: Schemas<'d>,
    spec: Spec,
    default_content_type: Option<&'d str>,
    diagnostics: Vec<Diagnostic>,
    reported: HashSet<(FileId, String, String)>,
    anchors: HashSet<String>,
}

impl<'s, 'd> Reader<'s, 'd> {
    fn new(source: Source<'s>, docs: &'d Documents, spec: Spec) -> Self {
        Reader {
            source,
            docs,
            schemas: Schemas::new(docs, "/components/schemas/"),
            spec,
            default_content_type: docs
                .root(MAIN)
                .get("defaultContentType")
                .and_then(Value::as_str),
            diagnostics: Vec::new(),
            reported: HashSet::new(),
            anchors: HashSet::new(),
        }
    }

    /// The main document's root.
    fn root(&self) -> Node<'d> {
        Node {
            file: MAIN,
            value: self.docs.root(MAIN),
            pointer: String::new(),
        }
    }

    /// The whole reference.
    fn reference(&mut self, version: &str) -> Reference {
        let root = self.root();
        let info = root.get("info");
        let text = |key: &str| {
            info.as_ref()
                .and_then(|info| info.value.get(key))
                .and_then(|value| match value {
                    Value::String(text) => Some(text.clone()),
                    Value::Number(number) => Some(number.to_string()),
                    _ => None,
                })
        };
        let (title, version_of_api, description) =
            (text("title"), text("version"), text("description"));
        let facts = self.facts(&root, info.as_ref());
        let servers = self.servers(&root);
        let sections = self.sections(&root);
        Reference {
            format: format!("AsyncAPI {version}"),
            title,
            version: version_of_api,
            description: description.as_deref().and_then(html::markdown),
            facts,
            servers,
            sections,
        }
    }

    /// Contact, licence, terms, default content type, id, external docs and tags.
    fn facts(&mut self, root: &Node<'d>, info: Option<&Node<'d>>) -> Vec<Fact> {
        let mut facts = Vec::new();
        if let Some(contact) = info.and_then(|info| info.get("contact")) {
            let name = contact.str("name");
            let email = contact.str("email").filter(|e| is_plain_email(e));
            let url = contact.str("url").filter(|u| crate::web::is_http_url(u));
            let text = match (name, email) {
                (Some(name), Some(email)) => format!("{name} ({email})"),
                (Some(name), None) => name.to_string(),
                (None, Some(email)) => email.to_string(),
                (None, None) => url.unwrap_or_default().to_string(),
            };
            if !text.is_empty() {
                let href = url
                    .map(str::to_string)
                    .or_else(|| email.map(|email| format!("mailto:{email}")));
                facts.push(fact("Contact", text, href));
            }
        }
        if let Some(license) = info.and_then(|info| info.get("license")) {
            if let Some(name) = license.str("name") {
                let href = license.str("url").filter(|u| crate::web::is_http_url(u));
                facts.push(fact("Licence", name.to_string(), href.map(str::to_string)));
            }
        }
        if let Some(terms) = info.and_then(|info| info.str("termsOfService")) {
            let href = crate::web::is_http_url(terms).then(|| terms.to_string());
            facts.push(fact("Terms of service", terms.to_string(), href));
        }
        if let Some(content_type) = self.default_content_type {
            facts.push(fact("Default content type", content_type.to_string(), None));
        }
        if let Some(id) = root.str("id") {
            facts.push(fact("ID", id.to_string(), None));
        }
        // 2.x keeps externalDocs and tags at the root, 3.0 inside info.
        let docs = root
            .get("externalDocs")
            .or_else(|| info.and_then(|info| info.get("externalDocs")))
            .and_then(|node| self.deref(node));
        if let Some(url) = docs.as_ref().and_then(|docs| docs.str("url")) {
            let text = docs
                .as_ref()
                .and_then(|docs| docs.str("description"))
                .unwrap_or(url);
            let href = crate::web::is_http_url(url).then(|| url.to_string());
            facts.push(fact("External docs", text.to_string(), href));
        }
        let tags = root
            .get("tags")
            .or_else(|| info.and_then(|info| info.get("tags")))
            .map(|tags| self.tag_names(&tags))
            .unwrap_or_default();
        if !tags.is_empty() {
            facts.push(fact("Tags", tags.join(", "), None));
        }
        facts
    }

    /// The names of a list of tags (tag objects or, in 3.0, `$ref`s to them).
    fn tag_names(&mut self, tags: &Node<'d>) -> Vec<&'d str> {
        tags.elements()
            .into_iter()
            .filter_map(|tag| self.deref(tag))
            .filter_map(|tag| tag.str("name"))
            .collect()
    }

    /// The `servers` mapping.
    fn servers(&mut self, root: &Node<'d>) -> Vec<Server> {
        let Some(servers) = root.get("servers") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, server) in servers.entries() {
            let Some(server) = self.deref(server) else {
                continue;
            };
            if !server.value.is_object() {
                self.warn(
                    &server,
                    format!("server `{name}` is not a mapping of fields"),
                );
                continue;
            }
            let protocol = server.str("protocol");
            let url = match self.spec {
                Spec::V2 => server.str("url").unwrap_or_default().to_string(),
                Spec::V3 => {
                    let host = server.str("host").unwrap_or_default();
                    let path = server.str("pathname").unwrap_or_default();
                    let slash = if path.is_empty() || path.starts_with('/') {
                        ""
                    } else {
                        "/"
                    };
                    match protocol {
                        Some(protocol) => format!("{protocol}://{host}{slash}{path}"),
                        None => format!("{host}{slash}{path}"),
                    }
                }
            };
            if url.is_empty() {
                let field = if self.spec == Spec::V2 { "url" } else { "host" };
                self.warn(&server, format!("server `{name}` has no `{field}`"));
            }
            let protocol = protocol.map(|protocol| match server.str("protocolVersion") {
                Some(version) => format!("{protocol} {version}"),
                None => protocol.to_string(),
            });
            let description = server
                .str("description")
                .or_else(|| server.str("summary"))
                .or_else(|| server.str("title"))
                .and_then(html::markdown);
            let details = self.server_details(&server);
            out.push(Server {
                name: Some(name.to_string()),
                url,
                protocol,
                description,
                details,
            });
        }
        out
    }

    /// A server's variables, security and bindings.
    fn server_details(&mut self, server: &Node<'d>) -> Html {
        let mut body = html::Body::new();
        let mut rows = Vec::new();
        for (name, variable) in server
            .get("variables")
            .map(|v| v.entries())
            .unwrap_or_default()
        {
            let Some(variable) = self.deref(variable) else {
                continue;
            };
            let values = variable
                .value
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| {
                    html::join(
                        values.iter().map(|v| Html::code(&render::scalar_text(v))),
                        ", ",
                    )
                })
                .unwrap_or_default();
            rows.push(vec![
                html::Cell::Code(name.to_string()),
                variable
                    .value
                    .get("default")
                    .map_or(html::Cell::Empty, |v| {
                        html::Cell::Code(render::scalar_text(v))
                    }),
                html::Cell::Html(values),
                variable
                    .str("description")
                    .and_then(html::markdown)
                    .map_or(html::Cell::Empty, html::Cell::Html),
            ]);
        }
        if !rows.is_empty() {
            body.heading("Variables");
            body.table(&["Variable", "Default", "Values", "Description"], &rows);
        }
        self.security(&mut body, server);
        self.bindings(&mut body, server);
        body.finish()
    }

    /// The sections, in reading order.
    fn sections(&mut self, root: &Node<'d>) -> Vec<super::Section> {
        let channels = self.collect_channels(root);
        let operations = self.collect_operations(root, &channels);
        let message_names = self.claim_components(root, "messages", "message");
        let schema_names = self.claim_components(root, "schemas", "schema");
        let mut sections = Vec::new();
        let mut push = |id: &str, title: &str, items: Vec<super::Item>| {
            if !items.is_empty() {
                sections.push(super::Section {
                    id: id.to_string(),
                    title: title.to_string(),
                    description: None,
                    items,
                });
            }
        };
        push(
            "channels",
            "Channels",
            self.channel_items(&channels, &operations),
        );
        push(
            "operations",
            "Operations",
            self.operation_items(&channels, &operations),
        );
        push("messages", "Messages", self.message_items(message_names));
        push("schemas", "Schemas", self.schema_items(schema_names));
        sections
    }

    /// The entries of a `components` mapping, each with the permalink it is given.
    fn claim_components(
        &mut self,
        root: &Node<'d>,
        kind: &str,
        prefix: &str,
    ) -> Vec<(String, &'d str, Node<'d>)> {
        let entries = root
            .get("components")
            .and_then(|components| components.get(kind))
            .map(|map| map.entries())
            .unwrap_or_default();
        entries
            .into_iter()
            .map(|(name, node)| (self.claim(format!("{prefix}/{name}"), &node), name, node))
            .collect()
    }

    /// Follows a chain of `$ref`s to the value it ends at, reporting a broken or cyclic one.
    fn deref(&mut self, node: Node<'d>) -> Option<Node<'d>> {
        self.follow(node, true)
    }

    /// Like [`Reader::deref`] without reporting (for values another part reports on).
    fn deref_quiet(&mut self, node: Node<'d>) -> Option<Node<'d>> {
        self.follow(node, false)
    }

    fn follow(&mut self, node: Node<'d>, report: bool) -> Option<Node<'d>> {
        let mut current = node;
        let mut seen: Vec<(FileId, &'d str)> = Vec::new();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = current.value.get("$ref").and_then(Value::as_str) else {
                return Some(current);
            };
            match self.docs.resolve(current.file, reference) {
                Ok(target) if seen.contains(&(target.file, target.pointer)) => {
                    if report {
                        self.warn(&current, format!("$ref \"{reference}\" is part of a cycle of `$ref`s; it is left out"));
                    }
                    return None;
                }
                Ok(target) => {
                    seen.push((target.file, target.pointer));
                    current = Node {
                        file: target.file,
                        value: target.value,
                        pointer: target.pointer.to_string(),
                    };
                }
                Err(message) => {
                    if report {
                        self.warn(&current, format!("{message}; it is left out"));
                    }
                    return None;
                }
            }
        }
        if report {
            self.warn(
                &current,
                format!("a chain of more than {MAX_REF_HOPS} `$ref`s ends here; it is left out"),
            );
        }
        None
    }

    /// Gives out a permalink, suffixed `-2`, `-3`… (with a warning) when it is taken.
    fn claim(&mut self, anchor: String, node: &Node<'d>) -> String {
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
        self.warn(
            node,
            format!("another item already has the permalink `#{anchor}`; this one is `#{unique}`"),
        );
        unique
    }

    /// A warning at a value, once per place and message (a message reached from several
    /// operations is read several times).
    fn warn(&mut self, node: &Node<'d>, message: String) {
        if !self
            .reported
            .insert((node.file, node.pointer.clone(), message.clone()))
        {
            return;
        }
        let segments = pointer_segments(&node.pointer);
        let path: Vec<&str> = segments.iter().map(String::as_str).collect();
        let line = self.docs.line(node.file, &path);
        let diagnostic = if node.file == MAIN {
            self.source.at(line, Diagnostic::warning(message))
        } else {
            // `Documents` does not say which file a `FileId` is, so the place is named by
            // pointer on the definition's first line.
            self.source.at(
                1,
                Diagnostic::warning(format!(
                    "{message} (at `{}` in a file the definition refers to, line {line})",
                    node.pointer
                )),
            )
        };
        self.diagnostics.push(diagnostic);
    }

    /// The diagnostics, with the `$ref`s the schema trees could not follow.
    fn finish(self) -> Vec<Diagnostic> {
        let mut diagnostics = self.diagnostics;
        let mut seen = HashSet::new();
        for problem in self.schemas.take_problems() {
            if !seen.insert((problem.file, problem.reference.clone())) {
                continue;
            }
            let line = if problem.file == MAIN {
                line_containing(self.source.text, &problem.reference).unwrap_or(1)
            } else {
                1
            };
            diagnostics.push(self.source.at(
                line,
                Diagnostic::warning(format!(
                    "$ref \"{}\": {}",
                    problem.reference, problem.message
                )),
            ));
        }
        diagnostics
    }
}

/// The first line of `text` that contains `needle`.
fn line_containing(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
}

/// An e-mail address fit for a `mailto:` link.
fn is_plain_email(email: &str) -> bool {
    email.contains('@')
        && !email
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '?' | '&' | '#'))
}

fn fact(label: &str, text: String, href: Option<String>) -> Fact {
    Fact {
        label: label.to_string(),
        text,
        href,
    }
}
