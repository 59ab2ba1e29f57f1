//! Backstage's validation rules: the envelope, metadata formats, per-kind required spec fields,
//! and entity refs with each field's default kind. A document either becomes an [`Entity`] or is
//! rejected with diagnostics naming the field and its line.

mod formats;
mod spec;

pub use formats::*;
pub use spec::MCP_SERVER;

use super::entity::{
    ApiRemote, CustomKind, DefinitionSource, Entity, Kind, Link, Origin, Profile, SpecRef,
};
use super::load::LoadedDocument;
use super::refs::{self, EntityRef};
use super::value_type_name;
use crate::config::KindRules;
use crate::diag::{self, Diagnostic};
use crate::web::is_web_url;
use crate::yaml::PathSegment::{self, Index, Key};
use serde_json::{Map, Value};

/// The root keys `NoForeignRootFieldsEntityPolicy` allows (`relations` and `status` are output
/// of the catalog, never input).
const ROOT_FIELDS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];
const NAME_RULE: &str = "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total";
const NAMESPACE_RULE: &str =
    "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total";
const TAG_RULE: &str =
    "a string that is sequences of [a-z0-9:+#] separated by [-], at most 63 characters in total";
const KEY_RULE: &str = "an optional DNS-subdomain prefix and '/', followed by a name (sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters)";

/// Validates one document. Returns the entity when it is acceptable, plus every problem found.
pub fn validate(loaded: &LoadedDocument, rules: &KindRules) -> (Option<Entity>, Vec<Diagnostic>) {
    let value = &loaded.document.value;
    let namespace = value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let owner = value
        .pointer("/spec/owner")
        .and_then(Value::as_str)
        .and_then(|owner| refs::parse(owner, Some("group"), namespace).ok());
    let mut check = Checker {
        loaded,
        entity: super::best_effort_ref(value),
        owner,
        diagnostics: Vec::new(),
        rejected: false,
    };
    let entity = check.entity_of(rules);
    let rejected = check.rejected;
    (entity.filter(|_| !rejected), check.diagnostics)
}

struct Checker<'a> {
    loaded: &'a LoadedDocument,
    entity: Option<EntityRef>,
    /// The owner the document names, for grouping its problems.
    owner: Option<EntityRef>,
    diagnostics: Vec<Diagnostic>,
    rejected: bool,
}

impl Checker<'_> {
    fn report(&mut self, d: Diagnostic, path: &[PathSegment<'_>]) {
        let line = self.loaded.line_of(path);
        let d = d
            .at(&self.loaded.file.display, line)
            .maybe_entity(self.entity.as_ref())
            .maybe_owner(self.owner.as_ref());
        self.diagnostics.push(d);
    }

    fn error(&mut self, path: &[PathSegment<'_>], message: impl Into<String>) {
        self.rejected = true;
        self.report(Diagnostic::error(message), path);
    }

    fn warning(&mut self, path: &[PathSegment<'_>], message: impl Into<String>) {
        self.report(Diagnostic::warning(message), path);
    }

    /// Where `spec.definition` came from: the file a placeholder read, else the descriptor
    /// (a block scalar's text starts on the line after its key). `None` when a placeholder's
    /// URL was not read: the definition is only that URL, with nothing to read.
    fn definition_source(&self) -> Option<DefinitionSource> {
        let file = &self.loaded.file;
        let field = ["spec", "definition"];
        if self.loaded.unread_fields.iter().any(|f| f == &field) {
            return None;
        }
        if let Some(read) = self.loaded.read_files.iter().find(|r| r.field == field) {
            return Some(DefinitionSource {
                path: Some(read.path.clone()),
                display: read.display.clone(),
                first_line: 1,
                root: read.root.clone(),
            });
        }
        let key_line = self.loaded.line_of(&[Key("spec"), Key("definition")]);
        let block = self
            .loaded
            .document
            .text
            .lines()
            .nth(key_line.saturating_sub(self.loaded.document.start_line));
        let on_next_line = block.is_some_and(|line| {
            let value = line.split_once(':').map_or("", |(_, v)| v).trim();
            value.is_empty() || value.starts_with('|') || value.starts_with('>')
        });
        Some(DefinitionSource {
            path: None,
            display: file.display.clone(),
            first_line: key_line + usize::from(on_next_line),
            root: file.root.clone(),
        })
    }

    fn invalid(&mut self, path: &[PathSegment<'_>], field: &str, rule: &str, found: &str) {
        self.error(
            path,
            format!("\"{field}\" is not valid; expected {rule} but found \"{found}\""),
        );
    }

    fn entity_of(&mut self, rules: &KindRules) -> Option<Entity> {
        let value = &self.loaded.document.value;
        let root = value.as_object()?;
        for key in root.keys() {
            if !ROOT_FIELDS.contains(&key.as_str()) {
                self.error(&[Key(key)], format!("unknown root field \"{key}\"{}; an entity has apiVersion, kind, metadata and spec", diag::hint(key, &ROOT_FIELDS)));
            }
        }
        let kind = self.kind(root, rules);
        let api_version = self.required_string(root, &[], "apiVersion");
        if let (Some(kind), Some(api_version)) = (kind, &api_version) {
            self.check_api_version(kind, api_version);
        }
        let metadata = match root.get("metadata") {
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.error(
                    &[Key("metadata")],
                    format!(
                        "\"metadata\" must be a mapping, got {}",
                        value_type_name(other)
                    ),
                );
                None
            }
            None => {
                self.error(&[], "missing required field \"metadata\"");
                None
            }
        };
        let spec = match root.get("spec") {
            Some(Value::Object(s)) => Some(s),
            Some(other) => {
                self.error(
                    &[Key("spec")],
                    format!("\"spec\" must be a mapping, got {}", value_type_name(other)),
                );
                None
            }
            None => {
                self.error(&[], "missing required field \"spec\"");
                None
            }
        };
        let metadata = metadata?;
        let name = self.name(metadata);
        let namespace = self.namespace(metadata);
        let title = self.optional_text(metadata, &[Key("metadata")], "title", Text::NonEmpty);
        let description = self.optional_string(metadata, &[Key("metadata")], "description");
        for key in ["uid", "etag"] {
            self.optional_text(metadata, &[Key("metadata")], key, Text::NonEmpty);
        }
        let labels = self.key_values(metadata, "labels");
        let annotations = self.key_values(metadata, "annotations");
        let tags = self.tags(metadata);
        let links = self.links(metadata);
        let (kind, spec) = (kind?, spec?);
        let mut fields = SpecFields::default();
        self.spec(kind, spec, &namespace, &mut fields);
        let name = name?;
        let entity_ref = EntityRef::new(kind.lower(), &namespace, &name);

        let file = &self.loaded.file;
        let mut raw = value.clone();
        let mut annotations = annotations;
        // Like Backstage's AnnotateLocationEntityProcessor: what the user wrote wins. A file
        // whose repository is on a code host is located by URL, as a `url` location would be.
        let location = |web: Option<&String>, display: &str| match web {
            Some(url) => format!("url:{url}"),
            None => format!("file:{display}"),
        };
        let web = file.web.as_ref();
        let added = [
            (
                "backstage.io/managed-by-location",
                Some(location(web.map(|w| &w.view), &file.display)),
            ),
            (
                "backstage.io/managed-by-origin-location",
                Some(location(file.origin_web.as_ref(), &file.origin)),
            ),
            ("backstage.io/view-url", web.map(|w| w.view.clone())),
            ("backstage.io/edit-url", web.map(|w| w.edit.clone())),
            (
                "backstage.io/source-location",
                web.map(|w| format!("url:{}", w.folder)),
            ),
        ];
        for (key, value) in added {
            if let Some(value) = value {
                if !annotations.iter().any(|(k, _)| k == key) {
                    annotations.push((key.to_string(), value));
                }
            }
        }
        if let Some(meta) = raw.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("namespace".to_string(), Value::String(namespace.clone()));
            let mut map = Map::new();
            for (k, v) in &annotations {
                map.insert(k.clone(), Value::String(v.clone()));
            }
            meta.insert("annotations".to_string(), Value::Object(map));
        }
        Some(Entity {
            entity_ref,
            kind,
            name,
            namespace,
            title,
            description,
            labels,
            annotations,
            tags,
            links,
            spec_type: fields.spec_type,
            lifecycle: fields.lifecycle,
            spec_refs: fields.refs,
            profile: fields.profile,
            definition_source: fields
                .definition
                .as_ref()
                .and_then(|_| self.definition_source()),
            definition: fields.definition,
            remotes: fields.remotes,
            relations: Vec::new(),
            origin: Origin {
                file: file.display.clone(),
                line: self.loaded.document.start_line,
                document: self.loaded.document.index,
                repo: file.repo_display.clone(),
                branch: file.branch.clone(),
            },
            raw,
        })
    }

    fn kind(&mut self, root: &Map<String, Value>, rules: &KindRules) -> Option<Kind> {
        let text = self.required_string(root, &[], "kind")?;
        let custom = rules
            .custom
            .iter()
            .find(|k| k.kind == text)
            .map(|k| Kind::Custom(CustomKind::intern(&k.kind, &k.plural, &k.api_versions)));
        let Some(kind) = Kind::parse(&text).or(custom) else {
            let mut known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            known.extend(rules.custom.iter().map(|k| k.kind.as_str()));
            if !is_valid_kind_format(&text) {
                self.invalid(
                    &[Key("kind")],
                    "kind",
                    "a string that starts with a letter and has only letters and digits",
                    &text,
                );
            } else {
                self.error(
                    &[Key("kind")],
                    format!(
                        "unknown kind '{text}'{}; greenroom reads the built-in kinds: {}",
                        diag::hint(&text, &known),
                        known.join(", ")
                    ),
                );
            }
            return None;
        };
        if !rules.allows(kind.as_str(), self.loaded.file.registered) {
            self.error(
                &[Key("kind")],
                format!("kind {kind} is not allowed by catalog.rules in greenroom.yaml"),
            );
            return None;
        }
        Some(kind)
    }

    fn check_api_version(&mut self, kind: Kind, api_version: &str) {
        if !is_valid_api_version(api_version) {
            self.invalid(
                &[Key("apiVersion")],
                "apiVersion",
                "[<DNS subdomain>/]<version of letters and digits>",
                api_version,
            );
            return;
        }
        if kind.api_versions().contains(&api_version) {
            return;
        }
        let expected = kind.api_versions().join(" or ");
        let advice = if kind == Kind::Template && api_version.starts_with("backstage.io/") {
            " (this is the legacy template format; migrate it to scaffolder.backstage.io/v1beta3)"
        } else {
            ""
        };
        self.error(&[Key("apiVersion")], format!("apiVersion \"{api_version}\" is not supported for kind {kind}; expected {expected}{advice}"));
    }

    fn required_string(
        &mut self,
        map: &Map<String, Value>,
        parent: &[PathSegment<'_>],
        key: &str,
    ) -> Option<String> {
        let field = dotted(parent, key);
        let path = with(parent, key);
        match map.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::String(_)) => {
                self.error(&path, format!("\"{field}\" must not be empty"));
                None
            }
            Some(other) => {
                self.error(
                    &path,
                    format!(
                        "\"{field}\" must be a string, got {}",
                        value_type_name(other)
                    ),
                );
                None
            }
            None => {
                self.error(parent, format!("missing required field \"{field}\""));
                None
            }
        }
    }

    /// An optional string field: absent is fine, present must be a string (`null` included, as
    /// Backstage's schemas say).
    fn optional_string(
        &mut self,
        map: &Map<String, Value>,
        parent: &[PathSegment<'_>],
        key: &str,
    ) -> Option<String> {
        self.optional_text(map, parent, key, Text::Any)
    }

    /// An optional string field with a rule on its text.
    fn optional_text(
        &mut self,
        map: &Map<String, Value>,
        parent: &[PathSegment<'_>],
        key: &str,
        rule: Text,
    ) -> Option<String> {
        match map.get(key) {
            None => None,
            Some(Value::String(s)) if rule == Text::NonEmpty && s.is_empty() => {
                let field = dotted(parent, key);
                self.error(&with(parent, key), format!("\"{field}\" must not be empty"));
                None
            }
            Some(Value::String(s)) if rule == Text::NonBlank && s.trim().is_empty() => {
                let field = dotted(parent, key);
                self.error(&with(parent, key), format!("\"{field}\" must not be blank"));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                let field = dotted(parent, key);
                self.error(
                    &with(parent, key),
                    format!(
                        "\"{field}\" must be a string, got {}",
                        value_type_name(other)
                    ),
                );
                None
            }
        }
    }

    fn name(&mut self, metadata: &Map<String, Value>) -> Option<String> {
        let name = self.required_string(metadata, &[Key("metadata")], "name")?;
        if !is_valid_name(&name) {
            self.invalid(
                &[Key("metadata"), Key("name")],
                "metadata.name",
                NAME_RULE,
                &name,
            );
            return None;
        }
        Some(name)
    }

    fn namespace(&mut self, metadata: &Map<String, Value>) -> String {
        let namespace = self.optional_text(metadata, &[Key("metadata")], "namespace", Text::Any);
        match namespace {
            Some(ns) if is_dns_label(&ns) => ns,
            Some(ns) => {
                self.invalid(
                    &[Key("metadata"), Key("namespace")],
                    "metadata.namespace",
                    NAMESPACE_RULE,
                    &ns,
                );
                "default".to_string()
            }
            None => "default".to_string(),
        }
    }

    fn key_values(
        &mut self,
        metadata: &Map<String, Value>,
        field: &'static str,
    ) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let map = match metadata.get(field) {
            None => return pairs,
            Some(Value::Object(map)) => map,
            Some(other) => {
                self.error(
                    &[Key("metadata"), Key(field)],
                    format!(
                        "\"metadata.{field}\" must be a mapping, got {}",
                        value_type_name(other)
                    ),
                );
                return pairs;
            }
        };
        let what = if field == "labels" {
            "label"
        } else {
            "annotation"
        };
        for (key, value) in map {
            let path = [Key("metadata"), Key(field), Key(key)];
            if !is_valid_key(key) {
                self.invalid(&path, &format!("{field}.{key}"), KEY_RULE, key);
                continue;
            }
            let Value::String(text) = value else {
                let shown = value.to_string();
                self.error(
                    &path,
                    format!(
                        "{what} \"{key}\" must have a string value, got {} {shown}; quote it: '{}'",
                        value_type_name(value),
                        shown.trim_matches('"')
                    ),
                );
                continue;
            };
            if field == "labels" && !text.is_empty() && !is_valid_name(text) {
                self.invalid(&path, &format!("labels.{key}"), NAME_RULE, text);
                continue;
            }
            pairs.push((key.clone(), text.clone()));
        }
        pairs
    }

    fn tags(&mut self, metadata: &Map<String, Value>) -> Vec<String> {
        let mut tags = Vec::new();
        let list = match metadata.get("tags") {
            None => return tags,
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.error(
                    &[Key("metadata"), Key("tags")],
                    format!(
                        "\"metadata.tags\" must be a list, got {}",
                        value_type_name(other)
                    ),
                );
                return tags;
            }
        };
        for (i, tag) in list.iter().enumerate() {
            let path = [Key("metadata"), Key("tags"), Index(i)];
            match tag {
                Value::String(t) if is_valid_tag(t) => tags.push(t.clone()),
                Value::String(t) => self.invalid(&path, &format!("tags.{i}"), TAG_RULE, t),
                other => self.error(
                    &path,
                    format!(
                        "\"tags.{i}\" must be a string, got {}",
                        value_type_name(other)
                    ),
                ),
            }
        }
        tags
    }

    fn links(&mut self, metadata: &Map<String, Value>) -> Vec<Link> {
        let mut links = Vec::new();
        let list = match metadata.get("links") {
            None => return links,
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.error(
                    &[Key("metadata"), Key("links")],
                    format!(
                        "\"metadata.links\" must be a list, got {}",
                        value_type_name(other)
                    ),
                );
                return links;
            }
        };
        for (i, item) in list.iter().enumerate() {
            let at = [Key("metadata"), Key("links"), Index(i)];
            let Some(map) = item.as_object() else {
                self.error(
                    &at,
                    format!(
                        "\"links.{i}\" must be a mapping with a url, got {}",
                        value_type_name(item)
                    ),
                );
                continue;
            };
            let Some(url) = self.required_string(map, &at, "url") else {
                continue;
            };
            if !is_valid_url(&url) {
                self.invalid(
                    &with(&at, "url"),
                    &format!("links.{i}.url"),
                    "a string that is a valid url",
                    &url,
                );
                continue;
            }
            if !is_web_url(&url) {
                let scheme = url.split(':').next().unwrap_or_default().to_lowercase();
                self.warning(&with(&at, "url"), format!("link \"links.{i}.url\" uses the {scheme}: scheme; only http, https and mailto links are shown"));
                continue;
            }
            let blank = |checker: &mut Self, key: &str, rule: Text| {
                let value = checker.optional_string(map, &at, key);
                let bad = match rule {
                    Text::NonBlank => value.as_deref().is_some_and(|t| t.trim().is_empty()),
                    _ => value.as_deref().is_some_and(str::is_empty),
                };
                if bad {
                    let what = if rule == Text::NonBlank {
                        "blank"
                    } else {
                        "empty"
                    };
                    checker.error(
                        &with(&at, key),
                        format!("\"links.{i}.{key}\" must not be {what}"),
                    );
                }
                value
            };
            let title = blank(self, "title", Text::NonBlank);
            let icon = blank(self, "icon", Text::NonBlank);
            let link_type = blank(self, "type", Text::NonEmpty);
            links.push(Link {
                url,
                title,
                icon,
                link_type,
            });
        }
        links
    }
}

/// What a string field's text must be, beyond being a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Anything, `""` included.
    Any,
    /// At least one character (JSON Schema's `minLength: 1`).
    NonEmpty,
    /// Something besides whitespace (`isNonEmptyString`).
    NonBlank,
}

/// The typed fields a kind's spec gives the entity.
#[derive(Default)]
struct SpecFields {
    spec_type: Option<String>,
    lifecycle: Option<String>,
    refs: Vec<SpecRef>,
    profile: Option<Profile>,
    definition: Option<String>,
    remotes: Vec<ApiRemote>,
}

fn with<'a>(parent: &[PathSegment<'a>], key: &'a str) -> Vec<PathSegment<'a>> {
    let mut path = parent.to_vec();
    path.push(Key(key));
    path
}

fn dotted(parent: &[PathSegment<'_>], key: &str) -> String {
    let mut parts: Vec<String> = parent
        .iter()
        .map(|s| match s {
            Key(k) => k.to_string(),
            Index(i) => i.to_string(),
        })
        .collect();
    parts.push(key.to_string());
    parts.join(".")
}
