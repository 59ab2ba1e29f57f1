//! Channels and operations: 2.x `publish`/`subscribe` inside each channel, 3.0 `operations`
//! pointing at their channel.

use super::messages::{payload_schema, MessageView};
use super::render::{Fields, Merged, SearchText};
use super::{name_under, Node, Reader, Spec};
use crate::apis::html::{self, Body, Cell, Html};
use crate::apis::model::{Item, ItemKind};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A channel of the `channels` mapping.
pub(super) struct Channel<'d> {
    /// Its key: the address in 2.x, the id in 3.0.
    key: &'d str,
    /// The channel object (after a `$ref`).
    node: Node<'d>,
    /// Its permalink.
    anchor: String,
}

impl<'d> Channel<'d> {
    /// The address messages travel on: the key in 2.x, `address` in 3.0 (when not dynamic).
    fn address(&self, spec: Spec) -> Option<&'d str> {
        match spec {
            Spec::V2 => Some(self.key),
            Spec::V3 => self.node.str("address"),
        }
    }
}

/// An operation, with the traits it lists applied.
pub(super) struct Operation<'d> {
    /// Its permalink.
    anchor: String,
    /// `publish`, `subscribe`, `send` or `receive`.
    action: Option<&'d str>,
    /// The `operationId` (2.x) or key (3.0).
    id: Option<&'d str>,
    /// Index of its channel among the top-level channels.
    channel: Option<usize>,
    /// The channel it points at when that is not a top-level one (3.0 components channel).
    other_channel: Option<Node<'d>>,
    /// The operation object with its traits.
    merged: Merged<'d>,
}

impl<'d> Reader<'_, 'd> {
    /// The `channels` mapping, each with its permalink.
    pub(super) fn collect_channels(&mut self, root: &Node<'d>) -> Vec<Channel<'d>> {
        let Some(channels) = root.get("channels") else {
            return Vec::new();
        };
        if !channels.value.is_object() {
            self.warn(&channels, "`channels` is not a mapping of channels".into());
            return Vec::new();
        }
        let mut out = Vec::new();
        for (key, node) in channels.entries() {
            let Some(node) = self.deref(node) else {
                continue;
            };
            if !node.value.is_object() {
                self.warn(
                    &node,
                    format!("channel `{key}` is not a mapping of fields; it is left out"),
                );
                continue;
            }
            let anchor = self.claim(format!("channel/{key}"), &node);
            out.push(Channel { key, node, anchor });
        }
        out
    }

    /// Every operation: 2.x from within the channels, 3.0 from `operations`.
    pub(super) fn collect_operations(
        &mut self,
        root: &Node<'d>,
        channels: &[Channel<'d>],
    ) -> Vec<Operation<'d>> {
        let mut out = Vec::new();
        match self.spec {
            Spec::V2 => {
                for (index, channel) in channels.iter().enumerate() {
                    for (action, node) in channel.node.entries() {
                        if action != "publish" && action != "subscribe" {
                            continue;
                        }
                        let Some(node) = self.deref(node) else {
                            continue;
                        };
                        if !node.value.is_object() {
                            self.warn(&node, format!("`{action}` of channel `{}` is not an operation object; it is left out", channel.key));
                            continue;
                        }
                        let id = node.str("operationId");
                        let anchor = match id {
                            Some(id) => format!("operation/{id}"),
                            None => format!("operation/{action}-{}", channel.key),
                        };
                        let anchor = self.claim(anchor, &node);
                        let merged = self.merged(node);
                        out.push(Operation {
                            anchor,
                            action: Some(action),
                            id,
                            channel: Some(index),
                            other_channel: None,
                            merged,
                        });
                    }
                }
            }
            Spec::V3 => {
                let by_key: HashMap<&str, usize> = channels
                    .iter()
                    .enumerate()
                    .map(|(index, channel)| (channel.key, index))
                    .collect();
                let entries = root
                    .get("operations")
                    .map(|o| o.entries())
                    .unwrap_or_default();
                for (key, node) in entries {
                    let Some(node) = self.deref(node) else {
                        continue;
                    };
                    if !node.value.is_object() {
                        self.warn(
                            &node,
                            format!("operation `{key}` is not a mapping of fields; it is left out"),
                        );
                        continue;
                    }
                    let action = node.str("action");
                    if !matches!(action, Some("send" | "receive")) {
                        let field = node.get("action").unwrap_or_else(|| node.clone());
                        self.warn(
                            &field,
                            format!("operation `{key}` has no `action` of `send` or `receive`"),
                        );
                    }
                    let (channel, other_channel) = match node.get("channel") {
                        Some(channel) => match self.deref(channel) {
                            Some(found) => {
                                match name_under(found.file, &found.pointer, "/channels/")
                                    .and_then(|name| by_key.get(name.as_str()).copied())
                                {
                                    Some(index) => (Some(index), None),
                                    None => (None, Some(found)),
                                }
                            }
                            None => (None, None),
                        },
                        None => {
                            self.warn(&node, format!("operation `{key}` has no `channel`"));
                            (None, None)
                        }
                    };
                    let anchor = self.claim(format!("operation/{key}"), &node);
                    let merged = self.merged(node);
                    out.push(Operation {
                        anchor,
                        action,
                        id: Some(key),
                        channel,
                        other_channel,
                        merged,
                    });
                }
            }
        }
        out
    }

    /// The channel items.
    pub(super) fn channel_items(
        &mut self,
        channels: &[Channel<'d>],
        operations: &[Operation<'d>],
    ) -> Vec<Item> {
        let mut by_channel: Vec<Vec<&Operation<'d>>> =
            channels.iter().map(|_| Vec::new()).collect();
        for operation in operations {
            if let Some(list) = operation
                .channel
                .and_then(|index| by_channel.get_mut(index))
            {
                list.push(operation);
            }
        }
        let mut items = Vec::with_capacity(channels.len());
        for (channel, operations) in channels.iter().zip(by_channel) {
            items.push(self.channel_item(channel, &operations));
        }
        items
    }

    fn channel_item(&mut self, channel: &Channel<'d>, operations: &[&Operation<'d>]) -> Item {
        let node = &channel.node;
        let mut search = SearchText::default();
        let address = channel.address(self.spec);
        if self.spec == Spec::V3 {
            search.push(channel.key);
        }
        if let Some(address) = address {
            search.push(address);
        }
        let mut body = Body::new();
        let mut fields = Fields::default();
        if self.spec == Spec::V3 && address.is_none() {
            fields.html("Address", Html::text("dynamic (not known until run time)"));
        }
        let servers = self.channel_servers(node);
        fields.html(
            "Servers",
            html::join(servers.iter().map(|s| Html::code(s)), ", "),
        );
        let merged = self.merged(node.clone());
        let (tags, tag_names) = self.tags_html(&merged);
        fields.html("Tags", tags);
        let docs = self.external_docs(&merged);
        fields.html("External docs", docs);
        fields.write(&mut body);
        self.parameters(&mut body, &mut search, node);
        if !operations.is_empty() {
            body.heading("Operations");
            let rows: Vec<Vec<Cell>> = operations
                .iter()
                .map(|operation| {
                    let name = operation.id.unwrap_or(operation.anchor.as_str());
                    vec![
                        Cell::Html(Html::code_link(name, &operation.anchor)),
                        operation
                            .action
                            .map_or(Cell::Empty, |a| Cell::Html(Html::badge(a, "badge-action"))),
                        operation
                            .merged
                            .str("summary")
                            .or_else(|| operation.merged.str("title"))
                            .map_or(Cell::Empty, |s| Cell::Text(s.to_string())),
                    ]
                })
                .collect();
            body.table(&["Operation", "Action", "Summary"], &rows);
            for operation in operations {
                if let Some(id) = operation.id {
                    search.push(id);
                }
            }
        }
        let messages = match self.spec {
            Spec::V2 => {
                let mut seen = HashSet::new();
                operations
                    .iter()
                    .flat_map(|operation| self.operation_messages(&operation.merged))
                    .filter(|view| !view.inline && seen.insert(view.anchor.clone()))
                    .collect()
            }
            Spec::V3 => self.channel_messages(node),
        };
        for view in &messages {
            search.push(&view.name);
        }
        self.message_table(&mut body, "Messages", &messages);
        self.bindings(&mut body, node);
        for tag in tag_names {
            search.push(tag);
        }
        let description = node.str("description");
        if let Some(description) = description {
            search.push_markdown(description);
        }
        Item {
            anchor: channel.anchor.clone(),
            kind: ItemKind::Channel,
            badge: None,
            name: channel.key.to_string(),
            label: match self.spec {
                Spec::V2 => None,
                Spec::V3 => address.map(str::to_string),
            },
            summary: node
                .str("summary")
                .or_else(|| node.str("title"))
                .map(str::to_string),
            description: description.and_then(html::markdown),
            deprecated: false,
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    /// The servers a channel is limited to: names (2.x) or `$ref`s to servers (3.0).
    fn channel_servers(&mut self, channel: &Node<'d>) -> Vec<String> {
        let Some(servers) = channel.get("servers") else {
            return Vec::new();
        };
        let mut names = Vec::new();
        for server in servers.elements() {
            if let Some(name) = server.value.as_str() {
                names.push(name.to_string());
            } else if let Some(found) = self.deref(server) {
                if let Some(name) = super::pointer_segments(&found.pointer).pop() {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The messages of a 3.0 channel's `messages` mapping.
    fn channel_messages(&mut self, channel: &Node<'d>) -> Vec<MessageView<'d>> {
        let entries = channel
            .get("messages")
            .map(|m| m.entries())
            .unwrap_or_default();
        entries
            .into_iter()
            .filter_map(|(key, node)| self.message_view(node, Some(key)))
            .collect()
    }

    /// A channel's parameters as a table.
    fn parameters(&mut self, body: &mut Body, search: &mut SearchText, channel: &Node<'d>) {
        let entries = channel
            .get("parameters")
            .map(|p| p.entries())
            .unwrap_or_default();
        let mut rows = Vec::with_capacity(entries.len());
        for (name, parameter) in entries {
            search.push(name);
            let Some(parameter) = self.deref(parameter) else {
                rows.push(vec![Cell::Code(name.to_string())]);
                continue;
            };
            // 2.x describes the value with `schema`; 3.0 with `enum` and `default` directly.
            let schema = parameter.get("schema");
            let mut value = match &schema {
                Some(schema) => self.schemas.type_label(schema.file, schema.value),
                None => Html::text("string"),
            };
            let constraints = schema.as_ref().map_or(parameter.value, |s| s.value);
            if let Some(values) = constraints.get("enum").and_then(Value::as_array) {
                value.push_text(", one of ");
                value.push(&html::join(
                    values
                        .iter()
                        .map(|v| Html::code(&super::render::scalar_text(v))),
                    ", ",
                ));
            }
            if let Some(default) = constraints.get("default") {
                value.push_text(", default ");
                value.push(&Html::code(&super::render::scalar_text(default)));
            }
            rows.push(vec![
                Cell::Code(name.to_string()),
                Cell::Html(value),
                parameter
                    .str("description")
                    .and_then(html::markdown)
                    .map_or(Cell::Empty, Cell::Html),
                parameter
                    .str("location")
                    .map_or(Cell::Empty, |l| Cell::Code(l.to_string())),
            ]);
        }
        if !rows.is_empty() {
            body.heading("Parameters");
            body.table(&["Parameter", "Value", "Description", "Location"], &rows);
        }
    }

    /// The messages an operation names: 2.x `message` (maybe `oneOf`), 3.0 `messages`.
    fn operation_messages(&mut self, operation: &Merged<'d>) -> Vec<MessageView<'d>> {
        match self.spec {
            Spec::V2 => {
                let Some(message) = operation.get("message").cloned() else {
                    return Vec::new();
                };
                let found = self.deref_quiet(message.clone());
                match found.as_ref().and_then(|f| f.get("oneOf")) {
                    Some(choices) => choices
                        .elements()
                        .into_iter()
                        .filter_map(|choice| self.message_view(choice, None))
                        .collect(),
                    None => self.message_view(message, None).into_iter().collect(),
                }
            }
            Spec::V3 => operation
                .get("messages")
                .map(|m| m.elements())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|message| self.message_view(message, None))
                .collect(),
        }
    }

    /// The operation items.
    pub(super) fn operation_items(
        &mut self,
        channels: &[Channel<'d>],
        operations: &[Operation<'d>],
    ) -> Vec<Item> {
        operations
            .iter()
            .map(|operation| self.operation_item(channels, operation))
            .collect()
    }

    fn operation_item(&mut self, channels: &[Channel<'d>], operation: &Operation<'d>) -> Item {
        let merged = &operation.merged;
        let mut search = SearchText::default();
        let channel = operation.channel.and_then(|index| channels.get(index));
        let address = match channel {
            Some(channel) => channel.address(self.spec).unwrap_or(channel.key),
            None => operation
                .other_channel
                .as_ref()
                .and_then(|c| c.str("address"))
                .or(operation.id)
                .unwrap_or("operation"),
        };
        search.push(address);
        for word in [operation.id, operation.action].into_iter().flatten() {
            search.push(word);
        }
        let mut body = Body::new();
        let mut fields = Fields::default();
        match channel {
            Some(channel) => fields.html("Channel", Html::code_link(address, &channel.anchor)),
            None if operation.other_channel.is_some() => fields.code("Channel", address),
            None => {}
        }
        if !merged.traits.is_empty() {
            fields.html(
                "Traits",
                html::join(merged.traits.iter().map(|t| Html::code(t)), ", "),
            );
        }
        let (tags, tag_names) = self.tags_html(merged);
        fields.html("Tags", tags);
        let docs = self.external_docs(merged);
        fields.html("External docs", docs);
        fields.write(&mut body);
        let mut messages = self.operation_messages(merged);
        let mut heading = match messages.len() {
            1 => "Message",
            _ if self.spec == Spec::V2 => "One of these messages",
            _ => "Messages",
        };
        if messages.is_empty() && self.spec == Spec::V3 && merged.get("messages").is_none() {
            if let Some(channel) = channel {
                messages = self.channel_messages(&channel.node);
                heading = "Messages (all of the channel's)";
            }
        }
        for view in &messages {
            search.push(&view.name);
            self.push_property_names(&mut search, payload_schema(&view.merged).as_ref());
        }
        self.message_table(&mut body, heading, &messages);
        self.security(&mut body, &merged.node);
        if let Some(bindings) = merged.get("bindings") {
            self.bindings_of(&mut body, bindings.clone());
        }
        if let Some(reply) = merged.get("reply").cloned() {
            self.reply(&mut body, channels, reply);
        }
        let summary = merged.str("summary").or_else(|| merged.str("title"));
        if let Some(summary) = summary {
            search.push(summary);
        }
        for tag in tag_names {
            search.push(tag);
        }
        let description = merged.str("description");
        if let Some(description) = description {
            search.push_markdown(description);
        }
        Item {
            anchor: operation.anchor.clone(),
            kind: ItemKind::Operation,
            badge: operation.action.map(str::to_string),
            name: address.to_string(),
            label: operation.id.map(str::to_string),
            summary: summary.map(str::to_string),
            description: description.and_then(html::markdown),
            deprecated: false,
            body: body.finish(),
            search_text: search.finish(),
        }
    }

    /// A 3.0 operation's `reply`: where the answer goes and what it is.
    fn reply(&mut self, body: &mut Body, channels: &[Channel<'d>], reply: Node<'d>) {
        let Some(reply) = self.deref(reply) else {
            return;
        };
        body.heading("Reply");
        let mut fields = Fields::default();
        if let Some(address) = reply.get("address").and_then(|a| self.deref(a)) {
            let mut value = address.str("location").map(Html::code).unwrap_or_default();
            if let Some(description) = address.str("description") {
                value.push_text(" — ");
                value.push_text(description);
            }
            fields.html("Address", value);
        }
        if let Some(channel) = reply.get("channel").and_then(|c| self.deref(c)) {
            let key = name_under(channel.file, &channel.pointer, "/channels/");
            let target = key
                .as_deref()
                .and_then(|key| channels.iter().find(|c| c.key == key));
            let shown = channel
                .str("address")
                .or(key.as_deref())
                .unwrap_or("channel")
                .to_string();
            match target {
                Some(target) => fields.html("Channel", Html::code_link(&shown, &target.anchor)),
                None => fields.code("Channel", &shown),
            }
        }
        fields.write(body);
        let messages: Vec<MessageView<'d>> = reply
            .get("messages")
            .map(|m| m.elements())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|message| self.message_view(message, None))
            .collect();
        self.message_table(body, "Reply messages", &messages);
    }
}
