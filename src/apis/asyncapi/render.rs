//! Parts every AsyncAPI item shows the same way: bindings, security, traits merged into their
//! target, short field tables, search text.

use super::{Node, Reader, Spec};
use crate::apis::html::{self, Body, Cell, Html};
use serde_json::Value;

/// Longest search text of one item, in bytes.
const MAX_SEARCH_TEXT: usize = 300;

/// Longest value shown inline in a bindings table, in characters; longer ones end in `…`.
const MAX_INLINE_JSON: usize = 160;

/// The search words of one item, kept short.
#[derive(Debug, Default)]
pub(super) struct SearchText(String);

impl SearchText {
    /// Adds a word or phrase, while there is room.
    pub(super) fn push(&mut self, words: &str) {
        let words = words.trim();
        if words.is_empty() || self.0.len() >= MAX_SEARCH_TEXT {
            return;
        }
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        let room = MAX_SEARCH_TEXT.saturating_sub(self.0.len());
        self.0.push_str(truncate(words, room));
    }

    /// Adds a Markdown text as rough plain text.
    pub(super) fn push_markdown(&mut self, markdown: &str) {
        if self.0.len() < MAX_SEARCH_TEXT {
            self.push(&plain_text(markdown));
        }
    }

    /// The text.
    pub(super) fn finish(self) -> String {
        self.0
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Markdown with its markup characters and link targets dropped and spaces collapsed.
pub(super) fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len().min(MAX_SEARCH_TEXT * 2));
    let mut in_target = false;
    let mut previous = ' ';
    for c in markdown.chars() {
        if out.len() > MAX_SEARCH_TEXT {
            break;
        }
        if in_target {
            in_target = c != ')';
            continue;
        }
        if c == '(' && previous == ']' {
            in_target = true;
            continue;
        }
        previous = c;
        if matches!(c, '*' | '`' | '[' | ']' | '~') {
            continue;
        }
        let c = if matches!(c, '#' | '>' | '|' | '<') || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c != ' ' || !out.ends_with(' ') {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// A JSON value as one line of text: strings as written, the rest as compact JSON.
pub(super) fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// A value as inline JSON, cut at [`MAX_INLINE_JSON`] characters.
fn inline_json(value: &Value) -> String {
    let text = scalar_text(value);
    match text.char_indices().nth(MAX_INLINE_JSON) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// A link to an outside page written as Markdown, so it goes through the description
/// sanitiser; plain text when the URL is not `http(s)`.
pub(super) fn outside_link(text: &str, url: &str) -> Html {
    if !crate::web::is_http_url(url)
        || url
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>'))
    {
        return Html::text(text);
    }
    let mut markdown = String::with_capacity(text.len() + url.len() + 6);
    markdown.push('[');
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            markdown.push('\\');
        }
        markdown.push(c);
    }
    markdown.push_str("](<");
    markdown.push_str(url);
    markdown.push_str(">)");
    html::markdown(&markdown).unwrap_or_default()
}

/// A two-column table of short facts of an item (`Channel`, `Content type`, `Traits`).
#[derive(Debug, Default)]
pub(super) struct Fields(Vec<Vec<Cell>>);

impl Fields {
    /// Adds a fact written as markup.
    pub(super) fn html(&mut self, label: &str, value: Html) {
        if !value.is_empty() {
            self.0
                .push(vec![Cell::Text(label.to_string()), Cell::Html(value)]);
        }
    }

    /// Adds a fact shown as code.
    pub(super) fn code(&mut self, label: &str, value: &str) {
        self.0.push(vec![
            Cell::Text(label.to_string()),
            Cell::Code(value.to_string()),
        ]);
    }

    /// Writes the table (nothing when there are no facts).
    pub(super) fn write(self, body: &mut Body) {
        body.table(&["Field", "Value"], &self.0);
    }
}

/// An object with its traits applied, shallowly: each top-level field is the target's or a
/// trait's. In 2.x a trait's field replaces the target's (JSON Merge Patch in order); in 3.0
/// the target's own field wins.
#[derive(Debug)]
pub(super) struct Merged<'d> {
    /// The object as it was found (for its place in diagnostics).
    pub(super) node: Node<'d>,
    fields: Vec<(&'d str, Node<'d>)>,
    /// The traits applied, by name (`kafka` for `#/components/operationTraits/kafka`).
    pub(super) traits: Vec<String>,
}

impl<'d> Merged<'d> {
    /// A field of the merged object.
    pub(super) fn get(&self, key: &str) -> Option<&Node<'d>> {
        self.fields
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, node)| node)
    }

    /// A field's value as text.
    pub(super) fn str(&self, key: &str) -> Option<&'d str> {
        self.get(key).and_then(|node| node.value.as_str())
    }
}

impl<'d> Reader<'_, 'd> {
    /// `object` with the traits it lists applied.
    pub(super) fn merged(&mut self, object: Node<'d>) -> Merged<'d> {
        let mut fields: Vec<(&'d str, Node<'d>)> = object
            .entries()
            .into_iter()
            .filter(|(key, _)| *key != "traits")
            .collect();
        let mut traits = Vec::new();
        for (index, entry) in object
            .get("traits")
            .map(|t| t.elements())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let Some(found) = self.deref(entry) else {
                continue;
            };
            if !found.value.is_object() {
                self.warn(
                    &found,
                    "a trait is not a mapping of fields; it is left out".into(),
                );
                continue;
            }
            traits.push(
                super::pointer_segments(&found.pointer)
                    .pop()
                    .filter(|_| found.pointer.contains("Traits/"))
                    .unwrap_or_else(|| format!("trait {}", index + 1)),
            );
            for (key, value) in found.entries() {
                match fields.iter_mut().find(|(name, _)| *name == key) {
                    Some(slot) if self.spec == Spec::V2 => slot.1 = value,
                    Some(_) => {}
                    None => fields.push((key, value)),
                }
            }
        }
        Merged {
            node: object,
            fields,
            traits,
        }
    }

    /// The `bindings` of an object as a table of binding, key and value.
    pub(super) fn bindings(&mut self, body: &mut Body, object: &Node<'d>) {
        let Some(bindings) = object.get("bindings") else {
            return;
        };
        self.bindings_of(body, bindings);
    }

    /// A bindings object (already a field's value) as a table.
    pub(super) fn bindings_of(&mut self, body: &mut Body, bindings: Node<'d>) {
        let Some(bindings) = self.deref(bindings) else {
            return;
        };
        let mut rows = Vec::new();
        for (protocol, binding) in bindings.entries() {
            let Some(binding) = self.deref(binding) else {
                continue;
            };
            let entries = binding.entries();
            if entries.is_empty() {
                rows.push(vec![Cell::Code(protocol.to_string())]);
            }
            for (key, value) in entries {
                rows.push(vec![
                    Cell::Code(protocol.to_string()),
                    Cell::Code(key.to_string()),
                    Cell::Code(inline_json(value.value)),
                ]);
            }
        }
        if !rows.is_empty() {
            body.heading("Bindings");
            body.table(&["Binding", "Key", "Value"], &rows);
        }
    }

    /// The `security` of a server or operation: 2.x requirement objects naming schemes, 3.0
    /// scheme objects (usually `$ref`s to components).
    pub(super) fn security(&mut self, body: &mut Body, object: &Node<'d>) {
        let Some(security) = object.get("security") else {
            return;
        };
        let mut rows = Vec::new();
        for requirement in security.elements() {
            match self.spec {
                Spec::V2 => {
                    for (name, scopes) in requirement.entries() {
                        let scheme = self
                            .root()
                            .get("components")
                            .and_then(|c| c.get("securitySchemes"))
                            .and_then(|s| s.get(name))
                            .and_then(|s| self.deref_quiet(s));
                        if scheme.is_none() {
                            self.warn(&requirement, format!("security scheme `{name}` is not in `components.securitySchemes`"));
                        }
                        rows.push(security_row(name, scheme.as_ref(), &scopes));
                    }
                }
                Spec::V3 => {
                    let Some(scheme) = self.deref(requirement.clone()) else {
                        continue;
                    };
                    let name = super::name_under(
                        scheme.file,
                        &scheme.pointer,
                        "/components/securitySchemes/",
                    )
                    .or_else(|| scheme.str("name").map(str::to_string))
                    .unwrap_or_else(|| "inline".to_string());
                    let scopes = scheme.get("scopes").unwrap_or_else(|| requirement.clone());
                    rows.push(security_row(&name, Some(&scheme), &scopes));
                }
            }
        }
        if !rows.is_empty() {
            body.heading("Security");
            body.table(&["Scheme", "Type", "Scopes", "Description"], &rows);
        }
    }

    /// The names of an object's tags as code, joined.
    pub(super) fn tags_html(&mut self, object: &Merged<'d>) -> (Html, Vec<&'d str>) {
        let names = object
            .get("tags")
            .cloned()
            .map(|tags| self.tag_names(&tags))
            .unwrap_or_default();
        (html::join(names.iter().map(|n| Html::code(n)), ", "), names)
    }

    /// The `externalDocs` of an object as a link.
    pub(super) fn external_docs(&mut self, object: &Merged<'d>) -> Html {
        let Some(docs) = object
            .get("externalDocs")
            .cloned()
            .and_then(|d| self.deref(d))
        else {
            return Html::default();
        };
        match docs.str("url") {
            Some(url) => outside_link(docs.str("description").unwrap_or(url), url),
            None => Html::default(),
        }
    }
}

/// One row of a security table.
fn security_row(name: &str, scheme: Option<&Node<'_>>, scopes: &Node<'_>) -> Vec<Cell> {
    let scopes: Vec<Html> = scopes
        .value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(Html::code)
                .collect()
        })
        .unwrap_or_default();
    vec![
        Cell::Code(name.to_string()),
        scheme
            .and_then(|s| s.str("type"))
            .map_or(Cell::Empty, |t| Cell::Text(t.to_string())),
        Cell::Html(html::join(scopes, ", ")),
        scheme
            .and_then(|s| s.str("description"))
            .and_then(html::markdown)
            .map_or(Cell::Empty, Cell::Html),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_plain_and_short() {
        let mut text = SearchText::default();
        text.push("user/signedup");
        text.push_markdown("Sent **once**, see [docs](https://example.com/x) `now`.");
        assert_eq!(text.finish(), "user/signedup Sent once, see docs now.");
        let mut long = SearchText::default();
        long.push(&"é".repeat(400));
        assert!(long.finish().len() <= MAX_SEARCH_TEXT);
    }

    #[test]
    fn outside_links_keep_only_web_urls() {
        let link = outside_link("Docs [x]", "https://example.com/a");
        assert!(
            link.as_str().contains("href=\"https://example.com/a\""),
            "{link:?}"
        );
        assert!(link.as_str().contains("Docs [x]"), "{link:?}");
        let not = outside_link("<b>", "javascript:alert(1)");
        assert_eq!(not.as_str(), "&lt;b&gt;");
    }
}
