//! Operations: grouped by tag into sections, each an item whose body shows its parameters,
//! request body, responses, callbacks and security.

use super::{description_cell, plain_text, scalar_text, search_text, Reader, Version};
use crate::apis::html::{self, Body, Cell, Html};
use crate::apis::json::{FileId, MAIN};
use crate::apis::model::{Item, ItemKind, Section};
use serde_json::Value;
use std::collections::HashMap;

/// The HTTP methods a path item may hold, in the order the specification lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Longest example shown, in bytes of pretty-printed JSON.
const MAX_EXAMPLE_BYTES: usize = 16 * 1024;

/// Deepest nesting of callbacks shown (a callback's operation can have callbacks).
const MAX_CALLBACK_DEPTH: usize = 2;

/// Section id of operations without a tag (not a permalink form, not a tag's id).
const UNTAGGED_ID: &str = "operations-untagged";

/// An operation with the path item it is in.
#[derive(Clone, Copy)]
struct Operation<'d> {
    method: &'static str,
    /// The path (`/pets/{petId}`) or, for a webhook, its name.
    path: &'d str,
    file: FileId,
    value: &'d Value,
    path_item: &'d Value,
    /// Where the operation is in the main document, for lines (`paths`/`webhooks`).
    container: &'static str,
}

impl<'d> Reader<'_, 'd> {
    /// The operations of `paths`, a section per tag: the top-level `tags` first in their
    /// order, then tags in order of first use, then untagged operations.
    pub(super) fn operation_sections(&mut self) -> Vec<Section> {
        let mut sections: Vec<Section> = Vec::new();
        let mut by_tag: HashMap<String, usize> = HashMap::new();
        if let Some(Value::Array(tags)) = self.root.get("tags") {
            for tag in tags {
                let Some(name) = tag.get("name").and_then(Value::as_str) else {
                    continue;
                };
                if by_tag.contains_key(name) {
                    continue;
                }
                by_tag.insert(name.to_string(), sections.len());
                sections.push(Section {
                    id: format!("tag/{name}"),
                    title: name.to_string(),
                    description: tag
                        .get("description")
                        .and_then(Value::as_str)
                        .and_then(html::markdown),
                    items: Vec::new(),
                });
            }
        }
        let mut untagged = Vec::new();
        for operation in self.operations("paths") {
            let tag = operation
                .value
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|tags| tags.iter().find_map(Value::as_str));
            let item = self.operation_item(&operation);
            match tag {
                Some(tag) => {
                    let index = *by_tag.entry(tag.to_string()).or_insert_with(|| {
                        sections.push(Section {
                            id: format!("tag/{tag}"),
                            title: tag.to_string(),
                            description: None,
                            items: Vec::new(),
                        });
                        sections.len() - 1
                    });
                    if let Some(section) = sections.get_mut(index) {
                        section.items.push(item);
                    }
                }
                None => untagged.push(item),
            }
        }
        sections.retain(|s| !s.items.is_empty());
        if !untagged.is_empty() {
            let title = if sections.is_empty() {
                "Operations"
            } else {
                "Other operations"
            };
            sections.push(Section {
                id: UNTAGGED_ID.to_string(),
                title: title.to_string(),
                description: None,
                items: untagged,
            });
        }
        sections
    }

    /// OpenAPI 3.1 `webhooks`: operations the API calls, named by webhook.
    pub(super) fn webhook_section(&mut self) -> Option<Section> {
        if self.version != Version::OpenApi31 {
            return None;
        }
        let items: Vec<Item> = self
            .operations("webhooks")
            .iter()
            .map(|operation| self.operation_item(operation))
            .collect();
        (!items.is_empty()).then(|| Section {
            id: "webhooks".to_string(),
            title: "Webhooks".to_string(),
            description: None,
            items,
        })
    }

    /// The operations of `paths` or `webhooks` in file order, path item `$ref`s followed.
    fn operations(&mut self, container: &'static str) -> Vec<Operation<'d>> {
        let Some(Value::Object(paths)) = self.root.get(container) else {
            return Vec::new();
        };
        let mut operations = Vec::new();
        for (path, item) in paths {
            let Some((file, item)) = self.follow(MAIN, item) else {
                continue;
            };
            let Value::Object(members) = item else {
                continue;
            };
            for (key, value) in members {
                let Some(method) = METHODS.iter().find(|m| **m == key.as_str()) else {
                    continue;
                };
                if self.version == Version::Swagger2 && *method == "trace" {
                    continue;
                }
                if value.is_object() {
                    operations.push(Operation {
                        method,
                        path,
                        file,
                        value,
                        path_item: item,
                        container,
                    });
                }
            }
        }
        operations
    }

    /// One operation as an item `operation/<operationId>` (or `operation/<method>-<path>`).
    fn operation_item(&mut self, operation: &Operation<'d>) -> Item {
        let value = operation.value;
        let operation_id = value
            .get("operationId")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty());
        let anchor = match operation_id {
            Some(id) => format!("operation/{id}"),
            None => format!("operation/{}-{}", operation.method, operation.path),
        };
        let docs = self.docs;
        let place = [
            operation.container,
            operation.path,
            operation.method,
            "operationId",
        ];
        let anchor = self.claim(anchor, || docs.line(MAIN, &place));
        let description = value
            .get("description")
            .and_then(Value::as_str)
            .or_else(|| {
                operation
                    .path_item
                    .get("description")
                    .and_then(Value::as_str)
            });
        let summary = value
            .get("summary")
            .and_then(Value::as_str)
            .or_else(|| operation.path_item.get("summary").and_then(Value::as_str));
        let parameters = self.parameters(operation);
        let mut words: Vec<String> = Vec::new();
        words.extend(operation_id.map(str::to_string));
        words.push(format!(
            "{} {}",
            operation.method.to_ascii_uppercase(),
            operation.path
        ));
        if let Some(Value::Array(tags)) = value.get("tags") {
            words.extend(tags.iter().filter_map(Value::as_str).map(str::to_string));
        }
        words.extend(
            parameters
                .iter()
                .filter_map(|(_, p)| p.get("name").and_then(Value::as_str))
                .map(str::to_string),
        );
        words.extend(description.map(plain_text));
        Item {
            anchor,
            kind: ItemKind::Operation,
            badge: Some(operation.method.to_string()),
            name: operation.path.to_string(),
            label: operation_id.map(str::to_string),
            summary: summary.map(str::to_string),
            description: description.and_then(html::markdown),
            deprecated: value.get("deprecated").and_then(Value::as_bool) == Some(true),
            body: self.operation_body(operation, &parameters, 0),
            search_text: search_text(words.iter().map(String::as_str)),
        }
    }

    /// Path-level and operation-level parameters, `$ref`s followed, the operation's replacing
    /// the path's of the same name and location.
    fn parameters(&mut self, operation: &Operation<'d>) -> Vec<(FileId, &'d Value)> {
        let mut merged: Vec<(FileId, &'d Value)> = Vec::new();
        for (file, list) in [
            (operation.file, operation.path_item.get("parameters")),
            (operation.file, operation.value.get("parameters")),
        ] {
            let Some(Value::Array(list)) = list else {
                continue;
            };
            for parameter in list {
                let Some((file, parameter)) = self.follow(file, parameter) else {
                    continue;
                };
                let key = |p: &Value| {
                    (
                        p.get("name").and_then(Value::as_str).map(str::to_string),
                        p.get("in").and_then(Value::as_str).map(str::to_string),
                    )
                };
                let this = key(parameter);
                match merged.iter_mut().find(|(_, p)| key(p) == this) {
                    Some(slot) => *slot = (file, parameter),
                    None => merged.push((file, parameter)),
                }
            }
        }
        merged
    }

    /// Everything an operation shows below its description.
    fn operation_body(
        &mut self,
        operation: &Operation<'d>,
        parameters: &[(FileId, &'d Value)],
        depth: usize,
    ) -> Html {
        let mut body = Body::new();
        let is_form = |p: &Value| {
            matches!(
                p.get("in").and_then(Value::as_str),
                Some("body" | "formData")
            )
        };
        let plain: Vec<(FileId, &Value)> = parameters
            .iter()
            .copied()
            .filter(|(_, p)| !is_form(p))
            .collect();
        if !plain.is_empty() {
            body.heading("Parameters");
            let rows: Vec<Vec<Cell>> = plain
                .iter()
                .map(|(file, p)| self.parameter_row(*file, p, true))
                .collect();
            body.table(&["Name", "In", "Type", "Required", "Description"], &rows);
        }
        match self.version {
            Version::Swagger2 => self.swagger_request(&mut body, operation, parameters),
            _ => self.request_body(&mut body, operation),
        }
        self.responses(&mut body, operation);
        if depth < MAX_CALLBACK_DEPTH {
            self.callbacks(&mut body, operation, depth);
        }
        self.security(&mut body, operation.value);
        body.finish()
    }

    /// A parameter's row: name (with deprecated), location, type, required, description with
    /// its default, enum and example.
    fn parameter_row(
        &mut self,
        file: FileId,
        parameter: &'d Value,
        with_location: bool,
    ) -> Vec<Cell> {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        let mut name_cell = Html::code(name);
        if parameter.get("deprecated").and_then(Value::as_bool) == Some(true) {
            name_cell.push_text(" ");
            name_cell.push(&Html::badge("deprecated", "deprecated"));
        }
        let location = parameter.get("in").and_then(Value::as_str).unwrap_or("");
        let required =
            parameter.get("required").and_then(Value::as_bool) == Some(true) || location == "path";
        let schema = match self.version {
            Version::Swagger2 => Some(parameter),
            _ => parameter.get("schema").or_else(|| {
                parameter
                    .get("content")
                    .and_then(Value::as_object)
                    .and_then(|content| content.values().next())
                    .and_then(|media| media.get("schema"))
            }),
        };
        let kind = schema
            .map(|s| self.schemas.type_label(file, s))
            .unwrap_or_else(|| Html::text("any"));
        let mut description = parameter
            .get("description")
            .and_then(Value::as_str)
            .and_then(html::markdown)
            .unwrap_or_default();
        let constraints = match schema.and_then(|s| self.follow_quiet(file, s)) {
            Some(resolved) => self.schemas.constraints(resolved),
            None => Html::default(),
        };
        description.push(&constraints);
        if self.version != Version::Swagger2 {
            if let Some(example) = parameter.get("example") {
                if !constraints.is_empty() {
                    description.push_text(" · ");
                }
                description.push_text("example ");
                description.push(&Html::code(&compact(example)));
            }
        }
        let mut row = vec![Cell::Html(name_cell)];
        if with_location {
            row.push(Cell::Text(location.to_string()));
        }
        row.push(Cell::Html(kind));
        row.push(Cell::Text(if required { "yes" } else { "no" }.to_string()));
        row.push(Cell::Html(description));
        row
    }

    /// A schema's target without reporting a broken ref (the type label reports it).
    fn follow_quiet(&self, mut file: FileId, mut value: &'d Value) -> Option<&'d Value> {
        for _ in 0..super::MAX_REF_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some(value);
            };
            let target = self.docs.resolve(file, reference).ok()?;
            file = target.file;
            value = target.value;
        }
        None
    }

    /// OpenAPI 3 `requestBody`: its description and a tree per media type.
    fn request_body(&mut self, body: &mut Body, operation: &Operation<'d>) {
        let Some(request) = operation.value.get("requestBody") else {
            return;
        };
        let Some((file, request)) = self.follow(operation.file, request) else {
            return;
        };
        let required = request.get("required").and_then(Value::as_bool) == Some(true);
        body.heading(if required {
            "Request body (required)"
        } else {
            "Request body"
        });
        if let Some(description) = request
            .get("description")
            .and_then(Value::as_str)
            .and_then(html::markdown)
        {
            body.html(&description);
        }
        self.content(body, file, request.get("content"));
    }

    /// A `content` map: each media type collapsible, with its schema tree and examples.
    fn content(&mut self, body: &mut Body, file: FileId, content: Option<&'d Value>) {
        let Some(Value::Object(content)) = content else {
            return;
        };
        for (index, (media, value)) in content.iter().enumerate() {
            let mut inner = Body::new();
            if let Some(schema) = value.get("schema") {
                inner.html(&self.schemas.tree(file, schema));
            }
            self.examples(&mut inner, file, value);
            body.details(&Html::code(media), &inner.finish(), index == 0);
        }
    }

    /// Swagger 2.0 request: the `in: body` parameter's schema and `formData` fields, under
    /// the media types of `consumes`.
    fn swagger_request(
        &mut self,
        body: &mut Body,
        operation: &Operation<'d>,
        parameters: &[(FileId, &'d Value)],
    ) {
        let location = |p: &Value| p.get("in").and_then(Value::as_str).map(str::to_string);
        let body_parameter = parameters
            .iter()
            .find(|(_, p)| location(p).as_deref() == Some("body"));
        let form: Vec<(FileId, &Value)> = parameters
            .iter()
            .copied()
            .filter(|(_, p)| location(p).as_deref() == Some("formData"))
            .collect();
        if body_parameter.is_none() && form.is_empty() {
            return;
        }
        let consumes = media_types(
            operation
                .value
                .get("consumes")
                .or_else(|| self.root.get("consumes")),
        );
        let default = if form.is_empty() {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        let media = if consumes.is_empty() {
            vec![default]
        } else {
            consumes
        };
        let summary = html::join(media.iter().map(|m| Html::code(m)), ", ");
        let mut inner = Body::new();
        let mut required = false;
        if let Some((file, parameter)) = body_parameter {
            required = parameter.get("required").and_then(Value::as_bool) == Some(true);
            if let Some(description) = parameter
                .get("description")
                .and_then(Value::as_str)
                .and_then(html::markdown)
            {
                inner.html(&description);
            }
            if let Some(schema) = parameter.get("schema") {
                inner.html(&self.schemas.tree(*file, schema));
            }
        }
        if !form.is_empty() {
            let rows: Vec<Vec<Cell>> = form
                .iter()
                .map(|(file, p)| self.parameter_row(*file, p, false))
                .collect();
            inner.table(&["Field", "Type", "Required", "Description"], &rows);
        }
        body.heading(if required {
            "Request body (required)"
        } else {
            "Request body"
        });
        body.details(&summary, &inner.finish(), true);
    }

    /// Responses by status in file order: description, headers, a tree per media type,
    /// examples, links.
    fn responses(&mut self, body: &mut Body, operation: &Operation<'d>) {
        let Some(Value::Object(responses)) = operation.value.get("responses") else {
            return;
        };
        body.heading("Responses");
        for (status, response) in responses {
            if status.starts_with("x-") {
                continue;
            }
            let Some((file, response)) = self.follow(operation.file, response) else {
                let mut summary = Html::code(status);
                summary.push_text(" (cannot be shown: its $ref cannot be followed)");
                body.details(&summary, &Html::default(), false);
                continue;
            };
            let description = response
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let first_line = description.lines().next().unwrap_or("").trim();
            let mut summary = Html::code(status);
            if !first_line.is_empty() {
                summary.push_text(" ");
                summary.push_text(&plain_text(first_line));
            }
            let mut inner = Body::new();
            if description.trim() != first_line {
                if let Some(rendered) = html::markdown(description) {
                    inner.html(&rendered);
                }
            }
            self.headers(&mut inner, file, response.get("headers"));
            if self.version == Version::Swagger2 {
                if let Some(schema) = response.get("schema") {
                    let produces = media_types(
                        operation
                            .value
                            .get("produces")
                            .or_else(|| self.root.get("produces")),
                    );
                    if !produces.is_empty() {
                        inner.paragraph(&format!("Media types: {}", produces.join(", ")));
                    }
                    inner.html(&self.schemas.tree(file, schema));
                }
                if let Some(Value::Object(examples)) = response.get("examples") {
                    for (media, example) in examples {
                        code_example(&mut inner, &format!("Example ({media})"), example);
                    }
                }
            } else {
                self.content(&mut inner, file, response.get("content"));
                self.links(&mut inner, response.get("links"));
            }
            body.details(&summary, &inner.finish(), status.starts_with('2'));
        }
    }

    /// A response's headers as a table.
    fn headers(&mut self, body: &mut Body, file: FileId, headers: Option<&'d Value>) {
        let Some(Value::Object(headers)) = headers else {
            return;
        };
        let mut rows = Vec::new();
        for (name, header) in headers {
            let Some((file, header)) = self.follow(file, header) else {
                continue;
            };
            let schema = match self.version {
                Version::Swagger2 => Some(header),
                _ => header.get("schema"),
            };
            let kind = schema
                .map(|s| self.schemas.type_label(file, s))
                .unwrap_or_default();
            rows.push(vec![
                Cell::Code(name.clone()),
                Cell::Html(kind),
                description_cell(header),
            ]);
        }
        if !rows.is_empty() {
            body.paragraph("Headers");
            body.table(&["Header", "Type", "Description"], &rows);
        }
    }

    /// A media type's `example` and `examples` as highlighted JSON.
    fn examples(&mut self, body: &mut Body, file: FileId, media: &'d Value) {
        if let Some(example) = media.get("example") {
            code_example(body, "Example", example);
        }
        let Some(Value::Object(examples)) = media.get("examples") else {
            return;
        };
        for (name, example) in examples {
            let Some((_, example)) = self.follow(file, example) else {
                continue;
            };
            let title = example
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or(name);
            if let Some(value) = example.get("value") {
                code_example(body, &format!("Example: {title}"), value);
            } else if let Some(url) = example.get("externalValue").and_then(Value::as_str) {
                body.paragraph(&format!("Example {title}: {url}"));
            }
        }
    }

    /// OpenAPI 3 response `links`: the operations a response leads to.
    fn links(&mut self, body: &mut Body, links: Option<&'d Value>) {
        let Some(Value::Object(links)) = links else {
            return;
        };
        let mut rows = Vec::new();
        for (name, link) in links {
            let Some((_, link)) = self.follow(MAIN, link) else {
                continue;
            };
            let target = match link.get("operationId").and_then(Value::as_str) {
                Some(id) => Html::code_link(id, &format!("operation/{id}")),
                None => link
                    .get("operationRef")
                    .and_then(Value::as_str)
                    .map(Html::code)
                    .unwrap_or_default(),
            };
            rows.push(vec![
                Cell::Code(name.clone()),
                Cell::Html(target),
                description_cell(link),
            ]);
        }
        if !rows.is_empty() {
            body.paragraph("Links");
            body.table(&["Link", "Operation", "Description"], &rows);
        }
    }

    /// OpenAPI 3 `callbacks`: each expression's operations, shown inside the operation.
    fn callbacks(&mut self, body: &mut Body, operation: &Operation<'d>, depth: usize) {
        if self.version == Version::Swagger2 {
            return;
        }
        let Some(Value::Object(callbacks)) = operation.value.get("callbacks") else {
            return;
        };
        body.heading("Callbacks");
        for (name, callback) in callbacks {
            let Some((file, Value::Object(expressions))) = self.follow(operation.file, callback)
            else {
                continue;
            };
            for (expression, item) in expressions {
                let Some((file, item @ Value::Object(members))) = self.follow(file, item) else {
                    continue;
                };
                for (key, value) in members {
                    let Some(method) = METHODS.iter().find(|m| **m == key.as_str()) else {
                        continue;
                    };
                    let callback_operation = Operation {
                        method,
                        path: expression,
                        file,
                        value,
                        path_item: item,
                        container: "paths",
                    };
                    let parameters = self.parameters(&callback_operation);
                    let mut inner = Body::new();
                    if let Some(summary) = value.get("summary").and_then(Value::as_str) {
                        inner.paragraph(summary);
                    }
                    if let Some(description) = value
                        .get("description")
                        .and_then(Value::as_str)
                        .and_then(html::markdown)
                    {
                        inner.html(&description);
                    }
                    inner.html(&self.operation_body(&callback_operation, &parameters, depth + 1));
                    let mut summary = Html::badge(method, method_class(method));
                    summary.push_text(" ");
                    summary.push(&Html::code(expression));
                    summary.push_text(&format!(" ({name})"));
                    body.details(&summary, &inner.finish(), false);
                }
            }
        }
    }

    /// The security an operation needs (its own `security`, else the definition's).
    fn security(&mut self, body: &mut Body, operation: &'d Value) {
        let Some(Value::Array(requirements)) = operation
            .get("security")
            .or_else(|| self.root.get("security"))
        else {
            return;
        };
        body.heading("Security");
        if requirements.is_empty()
            || requirements
                .iter()
                .all(|r| r.as_object().is_some_and(|m| m.is_empty()))
        {
            body.paragraph("No authentication needed.");
            return;
        }
        let rows: Vec<Vec<Cell>> = requirements
            .iter()
            .filter_map(Value::as_object)
            .map(|requirement| {
                let schemes = requirement.keys().map(|name| {
                    if self.security_schemes.contains(&name.as_str()) {
                        Html::code_link(name, &format!("security/{name}"))
                    } else {
                        Html::code(name)
                    }
                });
                let schemes = html::join(schemes, " and ");
                let scopes = requirement
                    .values()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(scalar_text)
                    .map(|s| Html::code(&s));
                vec![Cell::Html(schemes), Cell::Html(html::join(scopes, ", "))]
            })
            .collect();
        body.table(&["Schemes (any one row)", "Scopes"], &rows);
    }
}

/// A badge class for an HTTP method.
pub(super) fn method_class(method: &str) -> &'static str {
    match method {
        "get" => "method method-get",
        "post" => "method method-post",
        "put" => "method method-put",
        "patch" => "method method-patch",
        "delete" => "method method-delete",
        _ => "method method-other",
    }
}

/// The media types of a `consumes`/`produces` list.
fn media_types(list: Option<&Value>) -> Vec<&str> {
    list.and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// An example value as a highlighted block (strings as written, the rest as pretty JSON).
fn code_example(body: &mut Body, title: &str, value: &Value) {
    let (text, tokens): (String, &[&str]) = match value {
        Value::String(text) => (text.clone(), &["text"]),
        other => (
            serde_json::to_string_pretty(other).unwrap_or_default(),
            &["json"],
        ),
    };
    let text = if text.len() > MAX_EXAMPLE_BYTES {
        let mut end = MAX_EXAMPLE_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!(
            "{}\n… (cut: the example is {} KB)",
            &text[..end],
            text.len() / 1024
        )
    } else {
        text
    };
    body.code(Some(title), tokens, &text);
}

/// A value on one line.
fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}
