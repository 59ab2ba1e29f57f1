//! The validated entity model: plain data, keyed by [`EntityRef`].

use super::refs::EntityRef;
use serde_json::Value;
use std::fmt;

/// The built-in kinds of the Backstage entity model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A piece of software: service, website, library.
    Component,
    /// An interface a component provides or consumes.
    Api,
    /// Infrastructure a component needs: database, bucket, queue.
    Resource,
    /// A collection of components, APIs and resources that work together.
    System,
    /// A business area grouping systems.
    Domain,
    /// A team or organisational unit.
    Group,
    /// A person.
    User,
    /// A pointer to more descriptor files.
    Location,
    /// A scaffolder golden-path template.
    Template,
    /// A kind the portal's configuration adds (`catalog.kinds`, e.g. `AiResource`).
    Custom(&'static CustomKind),
}

/// A kind beyond the built-in ones, as `catalog.kinds` declares it. Interned for the life of
/// the process ([`CustomKind::intern`]), so [`Kind`] stays `Copy`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomKind {
    /// As descriptors spell it: `AiResource`.
    pub name: &'static str,
    /// Lowercased, as in refs and URLs.
    pub lower: &'static str,
    /// For headings: `AiResources`.
    pub plural: &'static str,
    /// The apiVersions its entities may have.
    pub api_versions: &'static [&'static str],
}

impl CustomKind {
    /// The one interned copy of this declaration (each distinct declaration is kept once; a
    /// configuration declares a handful).
    pub fn intern(name: &str, plural: &str, api_versions: &[String]) -> &'static CustomKind {
        static INTERNED: std::sync::Mutex<Vec<&'static CustomKind>> =
            std::sync::Mutex::new(Vec::new());
        let mut interned = match INTERNED.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(found) = interned.iter().find(|k| {
            k.name == name
                && k.plural == plural
                && k.api_versions
                    .iter()
                    .copied()
                    .eq(api_versions.iter().map(String::as_str))
        }) {
            return found;
        }
        let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
        let versions: Vec<&'static str> = api_versions.iter().map(|v| leak(v)).collect();
        let kind: &'static CustomKind = Box::leak(Box::new(CustomKind {
            name: leak(name),
            lower: leak(&name.to_lowercase()),
            plural: leak(plural),
            api_versions: Box::leak(versions.into_boxed_slice()),
        }));
        interned.push(kind);
        kind
    }
}

impl Kind {
    /// Every kind, in the order they are listed on the home page.
    pub const ALL: [Kind; 9] = [
        Kind::Domain,
        Kind::System,
        Kind::Component,
        Kind::Api,
        Kind::Resource,
        Kind::Group,
        Kind::User,
        Kind::Template,
        Kind::Location,
    ];

    /// The spelling used in descriptors (`API`, not `Api`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "Component",
            Kind::Api => "API",
            Kind::Resource => "Resource",
            Kind::System => "System",
            Kind::Domain => "Domain",
            Kind::Group => "Group",
            Kind::User => "User",
            Kind::Location => "Location",
            Kind::Template => "Template",
            Kind::Custom(custom) => custom.name,
        }
    }

    /// Lowercased, as used in refs and URLs.
    pub fn lower(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Api => "api",
            Kind::Resource => "resource",
            Kind::System => "system",
            Kind::Domain => "domain",
            Kind::Group => "group",
            Kind::User => "user",
            Kind::Location => "location",
            Kind::Template => "template",
            Kind::Custom(custom) => custom.lower,
        }
    }

    /// Plural for headings: "Components", "APIs".
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Component => "Components",
            Kind::Api => "APIs",
            Kind::Resource => "Resources",
            Kind::System => "Systems",
            Kind::Domain => "Domains",
            Kind::Group => "Groups",
            Kind::User => "Users",
            Kind::Location => "Locations",
            Kind::Template => "Templates",
            Kind::Custom(custom) => custom.plural,
        }
    }

    /// Parses the exact, case-sensitive spelling Backstage's kind schemas accept (built-in
    /// kinds only; custom kinds are looked up in the configuration's list).
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Parses a lowercased built-in kind as found in refs.
    pub fn from_lower(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.lower() == text)
    }

    /// The apiVersions Backstage's processors accept for this kind.
    pub fn api_versions(self) -> &'static [&'static str] {
        match self {
            Kind::Template => &["scaffolder.backstage.io/v1beta3"],
            Kind::Custom(custom) => custom.api_versions,
            _ => &["backstage.io/v1alpha1", "backstage.io/v1beta1"],
        }
    }

    /// Where the kind is listed among others: built-in kinds in [`Kind::ALL`] order, then
    /// custom kinds by name.
    pub fn order(self) -> (usize, &'static str) {
        match self {
            Kind::Custom(custom) => (Kind::ALL.len(), custom.lower),
            builtin => (
                Kind::ALL.iter().position(|k| *k == builtin).unwrap_or(0),
                "",
            ),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The relation types, each with its inverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationType {
    /// This entity is owned by the target.
    OwnedBy,
    /// This entity owns the target.
    OwnerOf,
    /// This entity is part of the target (system, domain, parent component).
    PartOf,
    /// The target is part of this entity.
    HasPart,
    /// This component provides the target API.
    ProvidesApi,
    /// This API is provided by the target.
    ApiProvidedBy,
    /// This component consumes the target API.
    ConsumesApi,
    /// This API is consumed by the target.
    ApiConsumedBy,
    /// This entity depends on the target.
    DependsOn,
    /// The target depends on this entity.
    DependencyOf,
    /// This group's parent is the target.
    ChildOf,
    /// The target is a child group of this one.
    ParentOf,
    /// This user or group is a member of the target group.
    MemberOf,
    /// The target is a member of this group.
    HasMember,
}

impl RelationType {
    /// Backstage's camelCase name, as in the catalog API.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::OwnedBy => "ownedBy",
            RelationType::OwnerOf => "ownerOf",
            RelationType::PartOf => "partOf",
            RelationType::HasPart => "hasPart",
            RelationType::ProvidesApi => "providesApi",
            RelationType::ApiProvidedBy => "apiProvidedBy",
            RelationType::ConsumesApi => "consumesApi",
            RelationType::ApiConsumedBy => "apiConsumedBy",
            RelationType::DependsOn => "dependsOn",
            RelationType::DependencyOf => "dependencyOf",
            RelationType::ChildOf => "childOf",
            RelationType::ParentOf => "parentOf",
            RelationType::MemberOf => "memberOf",
            RelationType::HasMember => "hasMember",
        }
    }

    /// The relation the target carries back.
    pub fn inverse(self) -> RelationType {
        use RelationType::*;
        match self {
            OwnedBy => OwnerOf,
            OwnerOf => OwnedBy,
            PartOf => HasPart,
            HasPart => PartOf,
            ProvidesApi => ApiProvidedBy,
            ApiProvidedBy => ProvidesApi,
            ConsumesApi => ApiConsumedBy,
            ApiConsumedBy => ConsumesApi,
            DependsOn => DependencyOf,
            DependencyOf => DependsOn,
            ChildOf => ParentOf,
            ParentOf => ChildOf,
            MemberOf => HasMember,
            HasMember => MemberOf,
        }
    }

    /// A heading for the entity page's relation lists.
    pub fn heading(self) -> &'static str {
        use RelationType::*;
        match self {
            OwnedBy => "Owned by",
            OwnerOf => "Owns",
            PartOf => "Part of",
            HasPart => "Has parts",
            ProvidesApi => "Provides APIs",
            ApiProvidedBy => "Provided by",
            ConsumesApi => "Consumes APIs",
            ApiConsumedBy => "Consumed by",
            DependsOn => "Depends on",
            DependencyOf => "Dependency of",
            ChildOf => "Parent group",
            ParentOf => "Child groups",
            MemberOf => "Member of",
            HasMember => "Members",
        }
    }
}

/// A directed relation from the entity that holds it to `target`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    /// The relation type.
    pub kind: RelationType,
    /// Who it points at.
    pub target: EntityRef,
}

/// A reference written in a spec field, parsed, with the relation it creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecRef {
    /// The spec field it came from, e.g. `spec.owner` or `spec.dependsOn.1`.
    pub field: String,
    /// The target.
    pub target: EntityRef,
    /// The relation it creates on this entity (its inverse goes on the target).
    pub relation: RelationType,
    /// 1-based line of the field.
    pub line: usize,
}

/// An entry of `metadata.links`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Absolute URL.
    pub url: String,
    /// Display title.
    pub title: Option<String>,
    /// Icon name (shown as a hint only).
    pub icon: Option<String>,
    /// Free-form link type.
    pub link_type: Option<String>,
}

/// One of an mcp-server API's `spec.remotes`: how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRemote {
    /// The transport: `streamable-http`, `sse`, `stdio`...
    pub transport: String,
    /// Its endpoint URL (for `stdio`, a command).
    pub url: String,
}

/// `spec.profile` of a User or Group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Full name.
    pub display_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
}

/// Where an entity was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Portal-relative path of the descriptor file.
    pub file: String,
    /// 1-based line where the entity's document starts.
    pub line: usize,
    /// 0-based document index within the file.
    pub document: usize,
    /// Portal-relative path of the repository root the file belongs to, if any.
    pub repo: Option<String>,
    /// Branch or tag of that repository, when known.
    pub branch: Option<String>,
}

/// Where an API's `spec.definition` text came from: what its own references (`$ref` to other
/// files, protobuf imports) are relative to, and where its diagnostics point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionSource {
    /// The file on disk (canonical) whose whole content the text is (`$text: ./openapi.yaml`);
    /// `None` when the text is written in the descriptor.
    pub path: Option<std::path::PathBuf>,
    /// Portal-relative path of that file, or of the descriptor.
    pub display: String,
    /// 1-based line of `display` on which the text starts.
    pub first_line: usize,
    /// The repository (or portal) root that references from the text must stay inside.
    pub root: std::path::PathBuf,
}

/// A validated entity, with the original document kept for the JSON export.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Canonical ref: the catalog key.
    pub entity_ref: EntityRef,
    /// The kind.
    pub kind: Kind,
    /// `metadata.name` as written.
    pub name: String,
    /// `metadata.namespace` as written, or `default`.
    pub namespace: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `metadata.description`.
    pub description: Option<String>,
    /// `metadata.labels`, in file order.
    pub labels: Vec<(String, String)>,
    /// `metadata.annotations` (including the ones greenroom adds), in file order.
    pub annotations: Vec<(String, String)>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
    /// `metadata.links`.
    pub links: Vec<Link>,
    /// `spec.type`.
    pub spec_type: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// Parsed references from the spec, in field order.
    pub spec_refs: Vec<SpecRef>,
    /// User and Group profile.
    pub profile: Option<Profile>,
    /// API definition text.
    pub definition: Option<String>,
    /// Where the definition text was read from.
    pub definition_source: Option<DefinitionSource>,
    /// An mcp-server API's transports (`spec.remotes`).
    pub remotes: Vec<ApiRemote>,
    /// All relations of this entity (its own and those stitched from others), sorted.
    pub relations: Vec<Relation>,
    /// Where it was defined.
    pub origin: Origin,
    /// The document after substitutions, with the namespace and added annotations filled in.
    pub raw: Value,
}

impl Entity {
    /// Title if set, else name: what a reader sees.
    pub fn display_name(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }

    /// Value of an annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Targets of relations of one type, in sorted order.
    pub fn related(&self, kind: RelationType) -> impl Iterator<Item = &EntityRef> {
        self.relations
            .iter()
            .filter(move |r| r.kind == kind)
            .map(|r| &r.target)
    }

    /// The owner, from the `ownedBy` relation.
    pub fn owner(&self) -> Option<&EntityRef> {
        self.related(RelationType::OwnedBy).next()
    }
}
