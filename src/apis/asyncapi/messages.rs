//! Messages (components entries as items, the rest where they are defined) and schemas.

use super::render::{Fields, Merged, SearchText};
use super::{name_under, pointer_segments, Node, Reader};
use crate::apis::html::{self, Body, Cell, Html};
use crate::apis::model::{Item, ItemKind};
use serde_json::Value;

/// A message as an operation or channel lists it.
pub(super) struct MessageView<'d> {
    /// What it is called: the components key, the channel's message key, or its `name`.
    pub(super) name: String,
    /// Where it is shown in full: `message/<name>`, or the channel defining it.
    pub(super) anchor: Option<String>,
    /// Whether it is defined right here (so shown in full here).
    pub(super) inline: bool,
    /// The message with its traits applied.
    pub(super) merged: Merged<'d>,
}

impl<'d> Reader<'_, 'd> {
    /// A message as written at `node` (itself or a `$ref`), `key` being its key in a channel's
    /// `messages`. `None` when its `$ref` cannot be followed (reported).
    pub(super) fn message_view(
        &mut self,
        node: Node<'d>,
        key: Option<&str>,
    ) -> Option<MessageView<'d>> {
        let written_at = node.pointer.clone();
        let found = self.deref(node)?;
        let (name, anchor, inline) =
            if let Some(name) = name_under(found.file, &found.pointer, "/components/messages/") {
                let anchor = format!("message/{name}");
                (name, Some(anchor), false)
            } else if let Some((channel, message)) =
                channel_message(&found).filter(|_| found.pointer != written_at)
            {
                (message, Some(format!("channel/{channel}")), false)
            } else {
                let name = key
                    .map(str::to_string)
                    .or_else(|| found.str("name").map(str::to_string))
                    .or_else(|| found.str("title").map(str::to_string))
                    .unwrap_or_else(|| "message".to_string());
                (name, None, true)
            };
        if !found.value.is_object() {
            self.warn(
                &found,
                format!("message `{name}` is not a mapping of fields"),
            );
        }
        let merged = self.merged(found);
        Some(MessageView {
            name,
            anchor,
            inline,
            merged,
        })
    }

    /// A table of messages (name linked, content type, payload type, summary), then the
    /// messages defined right here in full.
    pub(super) fn message_table(
        &mut self,
        body: &mut Body,
        heading: &str,
        views: &[MessageView<'d>],
    ) {
        if views.is_empty() {
            return;
        }
        body.heading(heading);
        let mut rows = Vec::with_capacity(views.len());
        for view in views {
            let name = match &view.anchor {
                Some(anchor) => Html::code_link(&view.name, anchor),
                None => Html::code(&view.name),
            };
            let payload = payload_schema(&view.merged)
                .map(|p| self.schemas.type_label(p.file, p.value))
                .unwrap_or_default();
            rows.push(vec![
                Cell::Html(name),
                self.content_type(&view.merged)
                    .map_or(Cell::Empty, |t| Cell::Code(t.to_string())),
                Cell::Html(payload),
                view.merged
                    .str("summary")
                    .or_else(|| view.merged.str("title"))
                    .map_or(Cell::Empty, |s| Cell::Text(s.to_string())),
            ]);
        }
        body.table(&["Message", "Content type", "Payload", "Summary"], &rows);
        for view in views.iter().filter(|view| view.inline) {
            let mut inner = Body::new();
            if let Some(description) = view.merged.str("description").and_then(html::markdown) {
                inner.html(&description);
            }
            let details = self.message_body(&view.merged);
            inner.html(&details);
            body.details(&Html::code(&view.name), &inner.finish(), false);
        }
    }

    /// A message's content type, or the definition's default.
    fn content_type(&self, message: &Merged<'d>) -> Option<&'d str> {
        message.str("contentType").or(self.default_content_type)
    }

    /// Everything a message shows below its description: facts, headers, payload, examples,
    /// bindings.
    pub(super) fn message_body(&mut self, message: &Merged<'d>) -> Html {
        let mut body = Body::new();
        let mut fields = Fields::default();
        if let Some(name) = message.str("name") {
            fields.code("Name", name);
        }
        if let Some(id) = message.str("messageId") {
            fields.code("Message ID", id);
        }
        if let Some(content_type) = self.content_type(message) {
            fields.code("Content type", content_type);
        }
        let format = schema_format(message);
        if let Some(format) = format {
            fields.code("Schema format", format);
        }
        if let Some(correlation) = message
            .get("correlationId")
            .cloned()
            .and_then(|c| self.deref(c))
        {
            let mut value = correlation
                .str("location")
                .map(Html::code)
                .unwrap_or_default();
            if let Some(description) = correlation.str("description") {
                value.push_text(" — ");
                value.push_text(description);
            }
            fields.html("Correlation ID", value);
        }
        if !message.traits.is_empty() {
            fields.html(
                "Traits",
                html::join(message.traits.iter().map(|t| Html::code(t)), ", "),
            );
        }
        let (tags, _) = self.tags_html(message);
        fields.html("Tags", tags);
        let docs = self.external_docs(message);
        fields.html("External docs", docs);
        fields.write(&mut body);
        if let Some(headers) = message.get("headers") {
            body.heading("Headers");
            let tree = self.schemas.tree(headers.file, headers.value);
            body.html(&tree);
        }
        if let Some(payload) = payload_schema(message) {
            body.heading("Payload");
            if format.is_none_or(is_json_schema) {
                let tree = self.schemas.tree(payload.file, payload.value);
                body.html(&tree);
            } else {
                write_value(&mut body, format, payload.value);
            }
        }
        self.examples(&mut body, message);
        if let Some(bindings) = message.get("bindings") {
            self.bindings_of(&mut body, bindings.clone());
        }
        body.finish()
    }

    /// A message's examples, each payload and headers as highlighted JSON.
    fn examples(&mut self, body: &mut Body, message: &Merged<'d>) {
        let Some(examples) = message.get("examples") else {
            return;
        };
        let examples = examples.elements();
        if examples.is_empty() {
            return;
        }
        body.heading(if examples.len() == 1 {
            "Example"
        } else {
            "Examples"
        });
        for (index, example) in examples.into_iter().enumerate() {
            let title = match (example.str("name"), example.str("summary")) {
                (Some(name), Some(summary)) => format!("{name}: {summary}"),
                (Some(text), None) | (None, Some(text)) => text.to_string(),
                (None, None) => format!("Example {}", index + 1),
            };
            if let Some(headers) = example.value.get("headers") {
                let json = serde_json::to_string_pretty(headers).unwrap_or_default();
                body.code(Some(&format!("{title} (headers)")), &["json"], &json);
            }
            if let Some(payload) = example.value.get("payload") {
                let json = serde_json::to_string_pretty(payload).unwrap_or_default();
                body.code(Some(&title), &["json"], &json);
            }
        }
    }

    /// The items of `components.messages`.
    pub(super) fn message_items(
        &mut self,
        messages: Vec<(String, &'d str, Node<'d>)>,
    ) -> Vec<Item> {
        let mut items = Vec::with_capacity(messages.len());
        for (anchor, key, node) in messages {
            let mut search = SearchText::default();
            let Some(found) = self.deref(node) else {
                items.push(Item {
                    anchor,
                    kind: ItemKind::Message,
                    badge: None,
                    name: key.to_string(),
                    label: None,
                    summary: None,
                    description: None,
                    deprecated: false,
                    body: {
                        let mut body = Body::new();
                        body.paragraph("This message's $ref could not be followed.");
                        body.finish()
                    },
                    search_text: String::new(),
                });
                continue;
            };
            let merged = self.merged(found);
            let title = merged.str("title");
            let name = merged.str("name");
            let label = title
                .or(name)
                .filter(|label| *label != key)
                .map(str::to_string);
            for word in [name, title].into_iter().flatten() {
                search.push(word);
            }
            self.push_property_names(&mut search, payload_schema(&merged).as_ref());
            self.push_property_names(&mut search, merged.get("headers"));
            let summary = merged.str("summary");
            if let Some(summary) = summary {
                search.push(summary);
            }
            let description = merged.str("description");
            if let Some(description) = description {
                search.push_markdown(description);
            }
            let body = self.message_body(&merged);
            items.push(Item {
                anchor,
                kind: ItemKind::Message,
                badge: None,
                name: key.to_string(),
                label,
                summary: summary.map(str::to_string),
                description: description.and_then(html::markdown),
                deprecated: false,
                body,
                search_text: search.finish(),
            });
        }
        items
    }

    /// The items of `components.schemas`.
    pub(super) fn schema_items(&mut self, schemas: Vec<(String, &'d str, Node<'d>)>) -> Vec<Item> {
        let mut items = Vec::with_capacity(schemas.len());
        for (anchor, name, node) in schemas {
            let mut search = SearchText::default();
            self.push_property_names(&mut search, Some(&node));
            let description = node.str("description");
            if let Some(description) = description {
                search.push_markdown(description);
            }
            let body = self.schemas.tree(node.file, node.value);
            items.push(Item {
                anchor,
                kind: ItemKind::Schema,
                badge: None,
                name: name.to_string(),
                label: None,
                summary: node.str("title").map(str::to_string),
                description: description.and_then(html::markdown),
                deprecated: node.value.get("deprecated").and_then(Value::as_bool) == Some(true),
                body,
                search_text: search.finish(),
            });
        }
        items
    }

    /// Adds the top-level property names of a schema (after its `$ref`s) to a search text.
    pub(super) fn push_property_names(
        &mut self,
        search: &mut SearchText,
        schema: Option<&Node<'d>>,
    ) {
        let Some(schema) = schema.cloned().and_then(|s| self.deref_quiet(s)) else {
            return;
        };
        if let Some(properties) = schema.value.get("properties").and_then(Value::as_object) {
            for name in properties.keys() {
                search.push(name);
            }
        }
    }
}

/// The channel key and message key of a message defined in a channel's `messages` (3.0).
fn channel_message(node: &Node<'_>) -> Option<(String, String)> {
    if node.file != super::MAIN || !node.pointer.starts_with("/channels/") {
        return None;
    }
    let segments = pointer_segments(&node.pointer);
    match segments.as_slice() {
        [_, channel, messages, message] if messages == "messages" => {
            Some((channel.clone(), message.clone()))
        }
        _ => None,
    }
}

/// The payload's schema: the value itself, or the `schema` of a 3.0 multi-format schema.
pub(super) fn payload_schema<'d>(message: &Merged<'d>) -> Option<Node<'d>> {
    let payload = message.get("payload")?;
    if payload.value.get("schemaFormat").is_some() {
        if let Some(schema) = payload.get("schema") {
            return Some(schema);
        }
    }
    Some(payload.clone())
}

/// The schema format named by a message (2.x) or its payload (3.0).
fn schema_format<'d>(message: &Merged<'d>) -> Option<&'d str> {
    message
        .str("schemaFormat")
        .or_else(|| message.get("payload").and_then(|p| p.str("schemaFormat")))
}

/// Whether a schema format is JSON Schema or AsyncAPI's own, which the schema trees show.
fn is_json_schema(format: &str) -> bool {
    let format = format.to_ascii_lowercase();
    format.starts_with("application/vnd.aai.asyncapi")
        || format.starts_with("application/schema+json")
        || format.starts_with("application/schema+yaml")
}

/// A schema of another format (Avro, Protobuf…) as code.
fn write_value(body: &mut Body, format: Option<&str>, value: &Value) {
    match value {
        Value::String(text) => body.code(format, &[], text),
        other => {
            let json = serde_json::to_string_pretty(other).unwrap_or_default();
            body.code(format, &["json"], &json);
        }
    }
}
