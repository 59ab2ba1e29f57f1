//! The `spec` of each kind, as Backstage's kind schemas (`schema/kinds/*.schema.json`) and
//! `BuiltinKindsEntityProcessor` check it: required fields, string fields with `minLength: 1`,
//! ref fields with their default kinds (each becomes a relation), and the shapes of Template
//! steps, parameters and output. An optional field present as `null` is a type error, as in
//! Backstage's JSON schemas.

use super::{value_type_name, with, Checker, SpecFields, Text};
use crate::catalog::entity::{ApiRemote, Kind, Profile, RelationType, SpecRef};
use crate::catalog::refs;
use crate::yaml::PathSegment::{Index, Key};
use serde_json::{Map, Value};

/// How a ref field is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One ref string.
    One,
    /// A list of ref strings.
    List,
    /// A ref string or a list of them, `null` allowed: Component and Resource `dependencyOf`,
    /// which the kind schemas leave out (so any value passes them) and the processor reads as
    /// `[targets].flat()`.
    Loose,
}

/// One ref field of a kind: its key, how it is written, its default kind, the relation it
/// creates, and whether it is required.
struct RefField {
    key: &'static str,
    shape: Shape,
    default_kind: Option<&'static str>,
    relation: RelationType,
    required: bool,
}

const fn field(
    key: &'static str,
    shape: Shape,
    default_kind: Option<&'static str>,
    relation: RelationType,
    required: bool,
) -> RefField {
    RefField {
        key,
        shape,
        default_kind,
        relation,
        required,
    }
}

use RelationType as R;
use Shape::{List, Loose, One};

const OWNER: RefField = field("owner", One, Some("group"), R::OwnedBy, true);
const OPTIONAL_OWNER: RefField = field("owner", One, Some("group"), R::OwnedBy, false);
const SYSTEM: RefField = field("system", One, Some("system"), R::PartOf, false);
const DEPENDS_ON: RefField = field("dependsOn", List, None, R::DependsOn, false);
const DEPENDENCY_OF: RefField = field("dependencyOf", Loose, None, R::DependencyOf, false);

const COMPONENT_REFS: &[RefField] = &[
    OWNER,
    SYSTEM,
    field("subcomponentOf", One, Some("component"), R::PartOf, false),
    field("providesApis", List, Some("api"), R::ProvidesApi, false),
    field("consumesApis", List, Some("api"), R::ConsumesApi, false),
    DEPENDS_ON,
    DEPENDENCY_OF,
];
const API_REFS: &[RefField] = &[OWNER, SYSTEM];
const RESOURCE_REFS: &[RefField] = &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF];
const SYSTEM_REFS: &[RefField] = &[
    OWNER,
    field("domain", One, Some("domain"), R::PartOf, false),
];
const DOMAIN_REFS: &[RefField] = &[
    OWNER,
    field("subdomainOf", One, Some("domain"), R::PartOf, false),
];
const GROUP_REFS: &[RefField] = &[
    field("parent", One, Some("group"), R::ChildOf, false),
    field("children", List, Some("group"), R::ParentOf, true),
    field("members", List, Some("user"), R::HasMember, false),
];
const USER_REFS: &[RefField] = &[field("memberOf", List, Some("group"), R::MemberOf, true)];
const TEMPLATE_REFS: &[RefField] = &[OPTIONAL_OWNER];
/// A custom kind's spec is free-form; these well-known fields, when present, relate it.
const CUSTOM_REFS: &[RefField] = &[
    OPTIONAL_OWNER,
    SYSTEM,
    field("domain", One, Some("domain"), R::PartOf, false),
    field("providesApis", List, Some("api"), R::ProvidesApi, false),
    field("consumesApis", List, Some("api"), R::ConsumesApi, false),
    field("dependsOn", Loose, None, R::DependsOn, false),
    DEPENDENCY_OF,
];

/// The spec type whose APIs carry `remotes` instead of a `definition` (catalog-model 1.9,
/// `API.v1alpha1.mcp-server.schema.json`; matched exactly, as Backstage's `getKind` does).
pub const MCP_SERVER: &str = "mcp-server";

impl Checker<'_> {
    /// Checks `spec` for `kind` and collects its typed fields into `out`.
    pub(super) fn spec(
        &mut self,
        kind: Kind,
        spec: &Map<String, Value>,
        namespace: &str,
        out: &mut SpecFields,
    ) {
        let at = [Key("spec")];
        let fields = match kind {
            Kind::Component => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.lifecycle = self.required_string(spec, &at, "lifecycle");
                COMPONENT_REFS
            }
            Kind::Api => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.lifecycle = self.required_string(spec, &at, "lifecycle");
                if out.spec_type.as_deref() == Some(MCP_SERVER) {
                    out.remotes = self.remotes(spec);
                    // The mcp-server schema does not list `definition`: any value passes.
                    out.definition = spec
                        .get("definition")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                } else {
                    out.definition = self.definition(spec);
                }
                API_REFS
            }
            Kind::Resource => {
                out.spec_type = self.required_string(spec, &at, "type");
                RESOURCE_REFS
            }
            Kind::System => {
                out.spec_type = self.optional_text(spec, &at, "type", Text::NonEmpty);
                SYSTEM_REFS
            }
            Kind::Domain => {
                out.spec_type = self.optional_text(spec, &at, "type", Text::NonEmpty);
                DOMAIN_REFS
            }
            Kind::Group => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.profile = self.profile(spec);
                GROUP_REFS
            }
            Kind::User => {
                out.profile = self.profile(spec);
                USER_REFS
            }
            Kind::Location => {
                out.spec_type = self.optional_text(spec, &at, "type", Text::NonEmpty);
                self.optional_text(spec, &at, "target", Text::NonEmpty);
                self.string_list(spec, "targets");
                if let Some(presence) = self.optional_string(spec, &at, "presence") {
                    if presence != "required" && presence != "optional" {
                        self.error(&[Key("spec"), Key("presence")], format!("\"spec.presence\" must be \"required\" or \"optional\", got \"{presence}\""));
                    }
                }
                &[]
            }
            Kind::Template => {
                out.spec_type = self.required_string(spec, &at, "type");
                out.lifecycle = self.optional_text(spec, &at, "lifecycle", Text::NonEmpty);
                self.template(spec);
                TEMPLATE_REFS
            }
            Kind::Custom(_) => {
                out.spec_type = spec.get("type").and_then(Value::as_str).map(str::to_string);
                out.lifecycle = spec
                    .get("lifecycle")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                CUSTOM_REFS
            }
        };
        for field in fields {
            self.ref_field(spec, field, namespace, &mut out.refs);
        }
    }

    /// API `spec.definition`: a non-empty string.
    fn definition(&mut self, spec: &Map<String, Value>) -> Option<String> {
        let path = [Key("spec"), Key("definition")];
        match spec.get("definition") {
            Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
            Some(Value::String(_)) => {
                self.error(&path, "\"spec.definition\" must not be empty");
                None
            }
            Some(other) => {
                self.error(&path, format!("\"spec.definition\" must be a string, got {}; load a file with {{$text: ./file}} ($json and $yaml give structured data, which Backstage rejects)", value_type_name(other)));
                None
            }
            None => {
                self.error(&[Key("spec")], "missing required field \"spec.definition\"");
                None
            }
        }
    }

    /// An mcp-server API's `spec.remotes`: at least one `{type, url}`, both non-empty strings.
    fn remotes(&mut self, spec: &Map<String, Value>) -> Vec<ApiRemote> {
        let items = match spec.get("remotes") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) => {
                self.error(
                    &[Key("spec"), Key("remotes")],
                    "\"spec.remotes\" must list at least one remote ({type, url})",
                );
                return Vec::new();
            }
            Some(other) => {
                self.error(
                    &[Key("spec"), Key("remotes")],
                    format!(
                        "\"spec.remotes\" must be a list of {{type, url}} mappings, got {}",
                        value_type_name(other)
                    ),
                );
                return Vec::new();
            }
            None => {
                self.error(&[Key("spec")], format!("missing required field \"spec.remotes\" (an API of type {MCP_SERVER} lists its transports and URLs there instead of a definition)"));
                return Vec::new();
            }
        };
        let mut remotes = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = [Key("spec"), Key("remotes"), Index(i)];
            let Some(map) = item.as_object() else {
                self.error(
                    &at,
                    format!(
                        "\"spec.remotes.{i}\" must be a mapping with type and url, got {}",
                        value_type_name(item)
                    ),
                );
                continue;
            };
            let transport = self.required_string(map, &at, "type");
            let url = self.required_string(map, &at, "url");
            if let (Some(transport), Some(url)) = (transport, url) {
                remotes.push(ApiRemote { transport, url });
            }
        }
        remotes
    }

    fn ref_field(
        &mut self,
        spec: &Map<String, Value>,
        field: &RefField,
        namespace: &str,
        out: &mut Vec<SpecRef>,
    ) {
        let key = field.key;
        let value = match spec.get(key) {
            None => {
                if field.required {
                    let hint = if field.shape == List {
                        format!(" (it may be an empty list: {key}: [])")
                    } else {
                        String::new()
                    };
                    self.error(
                        &[Key("spec")],
                        format!("missing required field \"spec.{key}\"{hint}"),
                    );
                }
                return;
            }
            Some(Value::Null) if field.shape == Loose => return,
            Some(value) => value,
        };
        match (field.shape, value) {
            (One, _) | (Loose, Value::String(_)) => self.read_ref(
                value,
                &[Key("spec"), Key(key)],
                format!("spec.{key}"),
                field,
                namespace,
                out,
            ),
            (List | Loose, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.read_ref(
                        item,
                        &[Key("spec"), Key(key), Index(i)],
                        format!("spec.{key}.{i}"),
                        field,
                        namespace,
                        out,
                    );
                }
            }
            (_, other) => self.error(
                &[Key("spec"), Key(key)],
                format!(
                    "\"spec.{key}\" must be a list of entity references, got {}",
                    value_type_name(other)
                ),
            ),
        }
    }

    fn read_ref(
        &mut self,
        value: &Value,
        path: &[crate::yaml::PathSegment<'_>],
        name: String,
        field: &RefField,
        namespace: &str,
        out: &mut Vec<SpecRef>,
    ) {
        let Value::String(text) = value else {
            self.error(
                path,
                format!(
                    "\"{name}\" must be an entity reference string ([<kind>:][<namespace>/]<name>), got {}",
                    value_type_name(value)
                ),
            );
            return;
        };
        match refs::parse(text, field.default_kind, namespace) {
            Ok(target) => {
                let line = self.loaded.line_of(path);
                out.push(SpecRef {
                    field: name,
                    target,
                    relation: field.relation,
                    line,
                });
            }
            Err(message) => self.error(path, format!("\"{name}\": {message}")),
        }
    }

    /// A list of non-empty strings (Location `spec.targets`).
    fn string_list(&mut self, spec: &Map<String, Value>, key: &str) {
        match spec.get(key) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let path = [Key("spec"), Key(key), Index(i)];
                    match item {
                        Value::String(s) if !s.is_empty() => {}
                        Value::String(_) => {
                            self.error(&path, format!("\"spec.{key}.{i}\" must not be empty"))
                        }
                        other => self.error(
                            &path,
                            format!(
                                "\"spec.{key}.{i}\" must be a string, got {}",
                                value_type_name(other)
                            ),
                        ),
                    }
                }
            }
            Some(other) => self.error(
                &[Key("spec"), Key(key)],
                format!(
                    "\"spec.{key}\" must be a list of strings, got {}",
                    value_type_name(other)
                ),
            ),
        }
    }

    /// Group and User `spec.profile`: `displayName`, `email`, `picture`, each non-empty.
    fn profile(&mut self, spec: &Map<String, Value>) -> Option<Profile> {
        let map = match spec.get("profile") {
            None => return None,
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
            display_name: self.optional_text(map, &at, "displayName", Text::NonEmpty),
            email: self.optional_text(map, &at, "email", Text::NonEmpty),
            picture: self.optional_text(map, &at, "picture", Text::NonEmpty),
        })
    }

    /// A v1beta3 Template's `steps`, `parameters` and `output`
    /// (`@backstage/plugin-scaffolder-common`'s `Template.v1beta3.schema.json`).
    fn template(&mut self, spec: &Map<String, Value>) {
        self.template_steps(spec);
        match spec.get("parameters") {
            None | Some(Value::Object(_)) => {}
            Some(Value::Array(pages)) => {
                for (i, page) in pages.iter().enumerate() {
                    if !page.is_object() {
                        self.error(
                            &[Key("spec"), Key("parameters"), Index(i)],
                            format!(
                                "\"spec.parameters.{i}\" must be a mapping (a form page), got {}",
                                value_type_name(page)
                            ),
                        );
                    }
                }
            }
            Some(other) => self.error(
                &[Key("spec"), Key("parameters")],
                format!(
                    "\"spec.parameters\" must be a mapping or a list of form pages, got {}",
                    value_type_name(other)
                ),
            ),
        }
        match spec.get("output") {
            None => {}
            Some(Value::Object(output)) => self.template_output(output),
            Some(other) => self.error(
                &[Key("spec"), Key("output")],
                format!(
                    "\"spec.output\" must be a mapping, got {}",
                    value_type_name(other)
                ),
            ),
        }
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
            // `action` is required; the schema gives it no minimum length.
            match map.get("action") {
                Some(Value::String(_)) => {}
                Some(other) => self.error(
                    &with(&at, "action"),
                    format!(
                        "\"spec.steps.{i}.action\" must be a string, got {}",
                        value_type_name(other)
                    ),
                ),
                None => self.error(
                    &at,
                    format!("missing required field \"spec.steps.{i}.action\""),
                ),
            }
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

    /// `output`: `links` and `text` lists whose `url`, `entityRef`, `title`, `icon` are
    /// non-empty strings; every other key a string.
    fn template_output(&mut self, output: &Map<String, Value>) {
        for (key, value) in output {
            let at = [Key("spec"), Key("output"), Key(key)];
            match key.as_str() {
                "links" | "text" => {
                    let Some(items) = value.as_array() else {
                        self.error(
                            &at,
                            format!(
                                "\"spec.output.{key}\" must be a list, got {}",
                                value_type_name(value)
                            ),
                        );
                        continue;
                    };
                    let checked: &[&str] = if key == "links" {
                        &["url", "entityRef", "title", "icon"]
                    } else {
                        &["title", "icon"]
                    };
                    for (i, item) in items.iter().enumerate() {
                        let item_at = [Key("spec"), Key("output"), Key(key), Index(i)];
                        let Some(map) = item.as_object() else {
                            self.error(
                                &item_at,
                                format!(
                                    "\"spec.output.{key}.{i}\" must be a mapping, got {}",
                                    value_type_name(item)
                                ),
                            );
                            continue;
                        };
                        for field in checked {
                            self.optional_text(map, &item_at, field, Text::NonEmpty);
                        }
                    }
                }
                _ if value.is_string() => {}
                _ => self.error(
                    &at,
                    format!(
                        "\"spec.output.{key}\" must be a string, got {}",
                        value_type_name(value)
                    ),
                ),
            }
        }
    }
}
