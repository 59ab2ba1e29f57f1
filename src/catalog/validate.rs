//! Backstage's validation rules: the envelope, metadata formats, per-kind required spec fields,
//! and entity refs with each field's default kind. A document either becomes an [`Entity`] or is
//! rejected with diagnostics naming the field and its line.

use super::entity::{Entity, Kind, Link, Origin, Profile, RelationType, SpecRef};
use super::load::LoadedDocument;
use super::refs::{self, EntityRef};
use super::value_type_name;
use crate::config::KindRules;
use crate::diag::{self, Diagnostic};
use crate::web::{is_absolute_url, is_web_url};
use crate::yaml::PathSegment::{self, Index, Key};
use serde_json::{Map, Value};

const ROOT_FIELDS: [&str; 6] = [
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "relations",
    "status",
];
const RESERVED_FIELDS: [&str; 10] = [
    "apiVersion",
    "kind",
    "uid",
    "etag",
    "generation",
    "name",
    "namespace",
    "labels",
    "annotations",
    "spec",
];
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
        let title = self.optional_string(metadata, &[Key("metadata")], "title");
        let description = self.optional_string(metadata, &[Key("metadata")], "description");
        let labels = self.key_values(metadata, "labels");
        let annotations = self.key_values(metadata, "annotations");
        let tags = self.tags(metadata);
        let links = self.links(metadata);
        let (kind, spec) = (kind?, spec?);
        for key in spec.keys() {
            if RESERVED_FIELDS.contains(&key.as_str()) {
                self.error(
                    &[Key("spec"), Key(key)],
                    format!("\"spec.{key}\" is a reserved field name and cannot be used in spec"),
                );
            }
        }
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
            definition: fields.definition,
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
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        let Some(kind) = Kind::parse(&text) else {
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

    fn optional_string(
        &mut self,
        map: &Map<String, Value>,
        parent: &[PathSegment<'_>],
        key: &str,
    ) -> Option<String> {
        match map.get(key) {
            None | Some(Value::Null) => None,
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
        let namespace = self.optional_string(metadata, &[Key("metadata")], "namespace");
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
            None | Some(Value::Null) => return pairs,
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
            if RESERVED_FIELDS.contains(&key.as_str()) {
                self.error(
                    &path,
                    format!("\"{key}\" is a reserved field name and cannot be used as {what} key"),
                );
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
            None | Some(Value::Null) => return tags,
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
            None | Some(Value::Null) => return links,
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
            if !is_absolute_url(&url) {
                self.invalid(
                    &with(&at, "url"),
                    &format!("links.{i}.url"),
                    "an absolute URL",
                    &url,
                );
                continue;
            }
            if !is_web_url(&url) {
                let scheme = url.split(':').next().unwrap_or_default().to_lowercase();
                self.warning(&with(&at, "url"), format!("link \"links.{i}.url\" uses the {scheme}: scheme; only http, https and mailto links are shown"));
                continue;
            }
            let title = self.optional_string(map, &at, "title");
            if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
                self.error(
                    &with(&at, "title"),
                    format!("\"links.{i}.title\" must not be blank"),
                );
            }
            let icon = self.optional_string(map, &at, "icon");
            if let Some(icon) = icon.as_deref().filter(|i| !is_valid_name(i)) {
                self.invalid(
                    &with(&at, "icon"),
                    &format!("links.{i}.icon"),
                    NAME_RULE,
                    icon,
                );
            }
            let link_type = self.optional_string(map, &at, "type");
            links.push(Link {
                url,
                title,
                icon,
                link_type,
            });
        }
        links
    }

    fn spec(
        &mut self,
        kind: Kind,
        spec: &Map<String, Value>,
        namespace: &str,
        out: &mut SpecFields,
    ) {
        let at = [Key("spec")];
        let mut refs = RefReader {
            namespace,
            out: Vec::new(),
        };
        match kind {
            Kind::Component => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.lifecycle = self.required_string(spec, &at, "lifecycle");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    true,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "system",
                    Some("system"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "subcomponentOf",
                    Some("component"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "providesApis",
                    Some("api"),
                    RelationType::ProvidesApi,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "consumesApis",
                    Some("api"),
                    RelationType::ConsumesApi,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "dependsOn",
                    None,
                    RelationType::DependsOn,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "dependencyOf",
                    None,
                    RelationType::DependencyOf,
                    false,
                    &mut refs,
                );
            }
            Kind::Api => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.lifecycle = self.required_string(spec, &at, "lifecycle");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    true,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "system",
                    Some("system"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
                match spec.get("definition") {
                    Some(Value::String(text)) => out.definition = Some(text.clone()),
                    Some(other) => self.error(&[Key("spec"), Key("definition")], format!("\"spec.definition\" must be a string, got {}; load a file with {{$text: ./file}} ($json and $yaml give structured data, which Backstage rejects)", value_type_name(other))),
                    None => self.error(&at, "missing required field \"spec.definition\""),
                }
            }
            Kind::Resource => {
                out.spec_type = self.required_string(spec, &at, "type");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    true,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "system",
                    Some("system"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "dependsOn",
                    None,
                    RelationType::DependsOn,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "dependencyOf",
                    None,
                    RelationType::DependencyOf,
                    false,
                    &mut refs,
                );
            }
            Kind::System => {
                out.spec_type = self.optional_string(spec, &at, "type");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    true,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "domain",
                    Some("domain"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
            }
            Kind::Domain => {
                out.spec_type = self.optional_string(spec, &at, "type");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    true,
                    &mut refs,
                );
                self.single_ref(
                    spec,
                    "subdomainOf",
                    Some("domain"),
                    RelationType::PartOf,
                    false,
                    &mut refs,
                );
            }
            Kind::Group => {
                out.spec_type = self.required_string(spec, &at, "type");
                self.single_ref(
                    spec,
                    "parent",
                    Some("group"),
                    RelationType::ChildOf,
                    false,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "children",
                    Some("group"),
                    RelationType::ParentOf,
                    true,
                    &mut refs,
                );
                self.ref_list(
                    spec,
                    "members",
                    Some("user"),
                    RelationType::HasMember,
                    false,
                    &mut refs,
                );
                out.profile = self.profile(spec);
            }
            Kind::User => {
                self.ref_list(
                    spec,
                    "memberOf",
                    Some("group"),
                    RelationType::MemberOf,
                    true,
                    &mut refs,
                );
                out.profile = self.profile(spec);
            }
            Kind::Location => {
                out.spec_type = self.optional_string(spec, &at, "type");
                self.optional_string(spec, &at, "target");
                self.string_list(spec, "targets");
                if let Some(presence) = self.optional_string(spec, &at, "presence") {
                    if presence != "required" && presence != "optional" {
                        self.error(&[Key("spec"), Key("presence")], format!("\"spec.presence\" must be \"required\" or \"optional\", got \"{presence}\""));
                    }
                }
            }
            Kind::Template => {
                out.spec_type = self.required_string(spec, &at, "type");
                self.single_ref(
                    spec,
                    "owner",
                    Some("group"),
                    RelationType::OwnedBy,
                    false,
                    &mut refs,
                );
                self.template_steps(spec);
                match spec.get("parameters") {
                    None | Some(Value::Object(_)) | Some(Value::Array(_)) => {}
                    Some(other) => self.error(
                        &[Key("spec"), Key("parameters")],
                        format!(
                            "\"spec.parameters\" must be a mapping or a list of form pages, got {}",
                            value_type_name(other)
                        ),
                    ),
                }
                match spec.get("output") {
                    None | Some(Value::Object(_)) => {}
                    Some(other) => self.error(
                        &[Key("spec"), Key("output")],
                        format!(
                            "\"spec.output\" must be a mapping, got {}",
                            value_type_name(other)
                        ),
                    ),
                }
            }
        }
        out.refs = refs.out;
    }

    fn single_ref(
        &mut self,
        spec: &Map<String, Value>,
        field: &str,
        default_kind: Option<&str>,
        relation: RelationType,
        required: bool,
        refs: &mut RefReader<'_>,
    ) {
        match spec.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.error(
                        &[Key("spec")],
                        format!("missing required field \"spec.{field}\""),
                    );
                }
            }
            Some(value) => {
                let path = [Key("spec"), Key(field)];
                self.read_ref(
                    value,
                    &path,
                    format!("spec.{field}"),
                    default_kind,
                    relation,
                    refs,
                );
            }
        }
    }

    fn ref_list(
        &mut self,
        spec: &Map<String, Value>,
        field: &str,
        default_kind: Option<&str>,
        relation: RelationType,
        required: bool,
        refs: &mut RefReader<'_>,
    ) {
        match spec.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.error(&[Key("spec")], format!("missing required field \"spec.{field}\" (it may be an empty list: {field}: [])"));
                }
            }
            Some(Value::Array(items)) => {
                for (i, value) in items.iter().enumerate() {
                    let path = [Key("spec"), Key(field), Index(i)];
                    self.read_ref(
                        value,
                        &path,
                        format!("spec.{field}.{i}"),
                        default_kind,
                        relation,
                        refs,
                    );
                }
            }
            Some(other) => self.error(
                &[Key("spec"), Key(field)],
                format!(
                    "\"spec.{field}\" must be a list of entity references, got {}",
                    value_type_name(other)
                ),
            ),
        }
    }

    fn read_ref(
        &mut self,
        value: &Value,
        path: &[PathSegment<'_>],
        field: String,
        default_kind: Option<&str>,
        relation: RelationType,
        refs: &mut RefReader<'_>,
    ) {
        match refs::parse_value(value, default_kind, refs.namespace) {
            Ok(target) => {
                let line = self.loaded.line_of(path);
                refs.out.push(SpecRef {
                    field,
                    target,
                    relation,
                    line,
                });
            }
            Err(message) => self.error(path, format!("\"{field}\": {message}")),
        }
    }

    fn string_list(&mut self, spec: &Map<String, Value>, field: &str) {
        match spec.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        self.error(
                            &[Key("spec"), Key(field), Index(i)],
                            format!(
                                "\"spec.{field}.{i}\" must be a string, got {}",
                                value_type_name(item)
                            ),
                        );
                    }
                }
            }
            Some(other) => self.error(
                &[Key("spec"), Key(field)],
                format!(
                    "\"spec.{field}\" must be a list of strings, got {}",
                    value_type_name(other)
                ),
            ),
        }
    }

    fn profile(&mut self, spec: &Map<String, Value>) -> Option<Profile> {
        let map = match spec.get("profile") {
            None | Some(Value::Null) => return None,
            Some(Value::Object(map)) => map,
            Some(other) => {
                self.error(
                    &[Key("spec"), Key("profile")],
                    format!(
                        "\"spec.profile\" must be a mapping, got {}",
                        value_type_name(other)
                    ),
                );
                return None;
            }
        };
        let at = [Key("spec"), Key("profile")];
        Some(Profile {
            display_name: self.optional_string(map, &at, "displayName"),
            email: self.optional_string(map, &at, "email"),
            picture: self.optional_string(map, &at, "picture"),
        })
    }

    fn template_steps(&mut self, spec: &Map<String, Value>) {
        let steps = match spec.get("steps") {
            Some(Value::Array(steps)) => steps,
            Some(other) => {
                self.error(
                    &[Key("spec"), Key("steps")],
                    format!(
                        "\"spec.steps\" must be a list, got {}",
                        value_type_name(other)
                    ),
                );
                return;
            }
            None => {
                self.error(&[Key("spec")], "missing required field \"spec.steps\"");
                return;
            }
        };
        for (i, step) in steps.iter().enumerate() {
            let at = [Key("spec"), Key("steps"), Index(i)];
            let Some(map) = step.as_object() else {
                self.error(
                    &at,
                    format!(
                        "\"spec.steps.{i}\" must be a mapping, got {}",
                        value_type_name(step)
                    ),
                );
                continue;
            };
            self.required_string(map, &at, "action");
            self.optional_string(map, &at, "id");
            self.optional_string(map, &at, "name");
            match map.get("if") {
                None | Some(Value::String(_)) | Some(Value::Bool(_)) => {}
                Some(other) => self.error(
                    &with(&at, "if"),
                    format!(
                        "\"spec.steps.{i}.if\" must be a string or boolean, got {}",
                        value_type_name(other)
                    ),
                ),
            }
            match map.get("input") {
                None | Some(Value::Object(_)) => {}
                Some(other) => self.error(
                    &with(&at, "input"),
                    format!(
                        "\"spec.steps.{i}.input\" must be a mapping, got {}",
                        value_type_name(other)
                    ),
                ),
            }
        }
    }
}

#[derive(Default)]
struct SpecFields {
    spec_type: Option<String>,
    lifecycle: Option<String>,
    refs: Vec<SpecRef>,
    profile: Option<Profile>,
    definition: Option<String>,
}

struct RefReader<'a> {
    namespace: &'a str,
    out: Vec<SpecRef>,
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

/// `metadata.name`: 1–63 characters of `[A-Za-z0-9-_.]`, starting and ending alphanumeric.
pub fn is_valid_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A DNS label: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    is_dashed_runs(s, 63, |b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A tag: `^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`, at most 63 characters.
pub fn is_valid_tag(s: &str) -> bool {
    is_dashed_runs(s, 63, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b':' | b'+' | b'#')
    })
}

fn is_dashed_runs(s: &str, max: usize, allowed: impl Fn(u8) -> bool) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.split('-')
            .all(|run| !run.is_empty() && run.bytes().all(&allowed))
}

/// A DNS subdomain: dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain.
pub fn is_valid_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_valid_name(name),
        None => is_valid_name(s),
    }
}

fn is_valid_kind_format(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
}

fn is_valid_api_version(s: &str) -> bool {
    let version_ok =
        |v: &str| !v.is_empty() && v.len() <= 63 && v.bytes().all(|b| b.is_ascii_alphanumeric());
    match s.split_once('/') {
        Some((prefix, version)) => is_dns_subdomain(prefix) && version_ok(version),
        None => version_ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_backstage_regex_not_its_docs() {
        for ok in [
            "a",
            "svc-1",
            "a--b",
            "a._b",
            "Payments.API",
            &"x".repeat(63),
        ] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a b", "ä", &"x".repeat(64), "a/b"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_are_lowercase_dns_labels() {
        assert!(is_dns_label("team-a"));
        for bad in ["Team", "sdp.today", "a--b", "-a", ""] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }

    #[test]
    fn tags_allow_colon_plus_and_hash() {
        for ok in ["java", "c++", "c#", "lang:go", "a-b"] {
            assert!(is_valid_tag(ok), "{ok}");
        }
        for bad in ["Java", "a_b", "a--b", "-a", "a b"] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn keys_take_one_dns_prefix() {
        assert!(is_valid_key("backstage.io/techdocs-ref"));
        assert!(is_valid_key("team"));
        assert!(!is_valid_key("a/b/c"));
        assert!(!is_valid_key("Backstage.io/x"));
    }

    #[test]
    fn api_versions() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("backstage.io/v1/x"));
    }
}
