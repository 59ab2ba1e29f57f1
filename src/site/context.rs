//! The template contract: one typed context per page kind.
//!
//! Templates receive exactly these structs (serialized), so a field renamed here is a compile
//! error in Rust and a test failure in `tests/` for templates, never a silent empty string.
//! Every `href` is already relative to the page that shows it; templates never build URLs.

use serde::Serialize;

/// Ready-made HTML kept out of the template context: a template sees a short marker holding
/// the HTML's hash (so a page's input key still changes with the HTML), and the renderer puts
/// the HTML in the marker's place after the template has run. An API reference's body
/// (hundreds of kilobytes) is then not copied into Tera's context, through its filters and
/// into the page key's serialisation. Empty HTML is an empty marker, so `{% if x %}` works.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spliced {
    marker: String,
    html: String,
}

impl Spliced {
    /// Wraps HTML that is already escaped or sanitised.
    pub fn new(html: String) -> Spliced {
        let marker = if html.is_empty() {
            String::new()
        } else {
            // Control characters are never in escaped text, sanitised HTML or a theme.
            format!(
                "\u{1}greenroom-splice-{:032x}\u{1}",
                xxhash_rust::xxh3::xxh3_128(html.as_bytes())
            )
        };
        Spliced { marker, html }
    }

    /// What templates see in place of the HTML.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// The HTML.
    pub fn html(&self) -> &str {
        &self.html
    }
}

impl Serialize for Spliced {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.marker)
    }
}

/// Shared by every page: header, title, relative root.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// `<title>` text (without the site title).
    pub title: String,
    /// `<meta name=description>`.
    pub description: String,
    /// Site title from config.
    pub site_title: String,
    /// Relative path from this page to the site root: `""`, `"../"`, `"../../"`...
    pub root: String,
    /// Header navigation.
    pub nav: Vec<NavLink>,
    /// Asset URLs, relative to this page, with cache-busting query strings.
    pub assets: AssetLinks,
    /// href of the catalog index, where the header search box submits to without JavaScript.
    pub catalog_href: String,
    /// href of the full search results page.
    pub search_href: String,
    /// URL prefix of the search index files (`search/` under the root).
    pub search_index: String,
    /// href of the home page.
    pub home_href: String,
    /// "greenroom x.y.z", for the footer.
    pub generator: String,
}

/// One header navigation entry.
#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    /// Text.
    pub label: String,
    /// Relative href.
    pub href: String,
    /// Whether this page is in that section.
    pub active: bool,
    /// A count badge (problems), when non-zero.
    pub badge: Option<usize>,
}

/// URLs of the theme's static files.
#[derive(Debug, Clone, Serialize)]
pub struct AssetLinks {
    /// Main stylesheet.
    pub style: String,
    /// Syntax-highlighting stylesheet (generated from syntect themes, light and dark).
    pub highlight: String,
    /// Catalog filtering script.
    pub script: String,
    /// The search box and results page script.
    pub search: String,
    /// Graph stylesheet (shapes, colours, light and dark).
    pub graph: String,
}

/// A link to an entity, or the plain name of one that does not exist.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntityLink {
    /// Display text: the entity's title, or the ref's short form when unresolved.
    pub label: String,
    /// Relative href; `None` when the target is not in the catalog.
    pub href: Option<String>,
    /// Lowercased kind, for badges and styling.
    pub kind: String,
    /// The full canonical ref, for tooltips.
    pub entity_ref: String,
}

/// An external (absolute) link that passed URL checks.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalLink {
    /// Text.
    pub title: String,
    /// Absolute URL (http, https or mailto only).
    pub url: String,
    /// Backstage icon name, if given.
    pub icon: Option<String>,
}

/// One row of an entity table (catalog index, facet pages, ownership lists).
#[derive(Debug, Clone, Serialize)]
pub struct EntityRow {
    /// The entity itself.
    pub link: EntityLink,
    /// Kind as written (`API`).
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// `spec.type`, if any.
    pub spec_type: Option<String>,
    /// `spec.lifecycle`, if any.
    pub lifecycle: Option<String>,
    /// Owner.
    pub owner: Option<EntityLink>,
    /// System (for components, APIs, resources) or domain (for systems).
    pub system: Option<EntityLink>,
    /// Tags.
    pub tags: Vec<String>,
    /// Description, possibly empty.
    pub description: String,
    /// Lowercased text the catalog filter matches a query against (name, ref, kind, type,
    /// lifecycle, owner, system, tags, description).
    pub search_text: String,
}

/// A filter dimension with its values, for the catalog index.
#[derive(Debug, Clone, Serialize)]
pub struct Facet {
    /// Display name: "Kind", "Owner"...
    pub name: String,
    /// Key used in data attributes and query strings: `kind`, `owner`...
    pub key: String,
    /// Values in display order.
    pub values: Vec<FacetValue>,
}

/// One value of a facet.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    /// Display text.
    pub label: String,
    /// The value as stored in row data attributes.
    pub value: String,
    /// Relative href of the static page listing the matching entities.
    pub href: String,
    /// How many entities match.
    pub count: usize,
}

/// Count of entities of one kind, for the home page.
#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    /// Plural kind name.
    pub label: String,
    /// Lowercased kind.
    pub kind: String,
    /// Number of entities.
    pub count: usize,
    /// Relative href of the facet page for this kind.
    pub href: String,
}

/// A domain with its systems, for the home page.
#[derive(Debug, Clone, Serialize)]
pub struct DomainCard {
    /// The domain.
    pub link: EntityLink,
    /// Its description.
    pub description: String,
    /// Owner.
    pub owner: Option<EntityLink>,
    /// Systems in the domain.
    pub systems: Vec<EntityLink>,
}

/// A team for the home page.
#[derive(Debug, Clone, Serialize)]
pub struct TeamCard {
    /// The group.
    pub link: EntityLink,
    /// Group type (`team`, `product-area`...).
    pub group_type: String,
    /// Description or display name.
    pub description: String,
    /// Direct members.
    pub members: usize,
    /// Entities owned by the group and its subgroups.
    pub owned: usize,
}

/// `index.html`: the newcomer's starting point.
#[derive(Debug, Clone, Serialize)]
pub struct HomePage {
    /// Shared header data.
    pub page: PageMeta,
    /// Entities per kind.
    pub counts: Vec<KindCount>,
    /// Total entities.
    pub total: usize,
    /// Domains and their systems.
    pub domains: Vec<DomainCard>,
    /// Systems not in any domain.
    pub loose_systems: Vec<EntityLink>,
    /// Groups that own something or have members, biggest owners first.
    pub teams: Vec<TeamCard>,
    /// Golden-path templates.
    pub templates: Vec<EntityRow>,
    /// Domains → systems → owners, drawn; `None` without domains.
    pub overview: Option<GraphView>,
    /// Number of errors and warnings, and the link to the problems page.
    pub problems: ProblemSummary,
}

/// Problem counts with a link to the problems page.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemSummary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Relative href of the problems page.
    pub href: String,
}

/// `catalog/index.html`: every entity, filterable.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogIndexPage {
    /// Shared header data.
    pub page: PageMeta,
    /// Every entity, sorted by kind then name.
    pub rows: Vec<EntityRow>,
    /// Filters: kind, type, owner, lifecycle, tag.
    pub facets: Vec<Facet>,
}

/// `catalog/_by/<facet>/<value>/index.html`: the no-JavaScript filter result.
#[derive(Debug, Clone, Serialize)]
pub struct FacetPage {
    /// Shared header data.
    pub page: PageMeta,
    /// Facet name, e.g. "Owner".
    pub facet: String,
    /// Facet value, e.g. "team-payments".
    pub value: String,
    /// Matching entities.
    pub rows: Vec<EntityRow>,
    /// Back to the full catalog.
    pub catalog_href: String,
}

/// A labelled fact in the entity header (`kind`, `type`, `lifecycle`...).
#[derive(Debug, Clone, Serialize)]
pub struct KeyValue {
    /// Label or key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// A tag with the href of its facet page.
#[derive(Debug, Clone, Serialize)]
pub struct TagLink {
    /// The tag.
    pub label: String,
    /// Relative href of the tag's facet page.
    pub href: String,
}

/// An annotation, linked when greenroom knows what it means.
#[derive(Debug, Clone, Serialize)]
pub struct AnnotationView {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// Absolute URL when the annotation points somewhere (source location, project slug).
    pub href: Option<String>,
}

/// The entity's core facts.
#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    /// Canonical ref.
    pub entity_ref: String,
    /// `metadata.name`.
    pub name: String,
    /// Title or name.
    pub display_name: String,
    /// Kind as written.
    pub kind: String,
    /// Lowercased kind.
    pub kind_lower: String,
    /// Namespace.
    pub namespace: String,
    /// `spec.type`.
    pub spec_type: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// Description.
    pub description: String,
    /// Owner.
    pub owner: Option<EntityLink>,
    /// System, domain or parent this entity is part of.
    pub part_of: Vec<EntityLink>,
    /// Tags.
    pub tags: Vec<TagLink>,
    /// Labels.
    pub labels: Vec<KeyValue>,
    /// `metadata.links` that passed URL checks.
    pub links: Vec<ExternalLink>,
    /// Annotations.
    pub annotations: Vec<AnnotationView>,
    /// Quick links from annotations: view source, edit, project.
    pub actions: Vec<ExternalLink>,
    /// Descriptor file and line.
    pub source_file: String,
    /// 1-based line.
    pub source_line: usize,
    /// Repository folder, if the file is in one.
    pub repo: Option<String>,
    /// The repository's branch or tag, when known.
    pub branch: Option<String>,
    /// The descriptor file on its code host (`backstage.io/view-url`), when known.
    pub source_url: Option<String>,
    /// User/Group profile.
    pub profile: Option<ProfileView>,
}

/// A User's or Group's profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    /// Display name.
    pub display_name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Picture URL (http/https only).
    pub picture: Option<String>,
}

/// Relations of one type.
#[derive(Debug, Clone, Serialize)]
pub struct RelationGroup {
    /// Heading, e.g. "Provides APIs".
    pub heading: String,
    /// Backstage relation name, e.g. `providesApi`.
    pub relation: String,
    /// Targets; unresolved ones have no href.
    pub items: Vec<EntityLink>,
}

/// An API definition, highlighted.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionView {
    /// `spec.type`.
    pub api_type: String,
    /// The language used for highlighting, or "text".
    pub language: String,
    /// Highlighted HTML (escaped by the highlighter); safe to insert. `None` on an entity page
    /// whose API has a reference page (the source is shown there).
    pub html: Option<Spliced>,
    /// Number of lines.
    pub lines: usize,
    /// href of the raw definition file.
    pub download_href: String,
    /// File name the download is saved as.
    pub download_name: String,
    /// href of the API's reference page, when its format has one.
    pub reference_href: Option<String>,
    /// What the reference holds, counted: `12 operations`, `8 schemas`.
    pub summary: Vec<String>,
    /// The format as the reference names it (`OpenAPI 3.0.3`).
    pub format: Option<String>,
}

/// One remote of an mcp-server API.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteView {
    /// Transport: `streamable-http`, `sse`, `stdio`.
    pub transport: String,
    /// Endpoint (a URL, or for stdio a command).
    pub url: String,
    /// The endpoint as a link, when it is an http(s) URL.
    pub href: Option<String>,
}

/// One top-level field of a custom kind's spec, readable.
#[derive(Debug, Clone, Serialize)]
pub struct SpecFieldView {
    /// The key as written.
    pub key: String,
    /// A scalar's text.
    pub text: Option<String>,
    /// A list of scalars, one item each.
    pub items: Vec<String>,
    /// Anything nested deeper, as indented YAML-like text.
    pub block: Option<String>,
}

/// Extra sections of a Group page.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSection {
    /// Parent group.
    pub parent: Option<EntityLink>,
    /// Child groups.
    pub children: Vec<EntityLink>,
    /// Members.
    pub members: Vec<EntityLink>,
    /// What the group and its subgroups own: the group's own entities first, at most
    /// `OWNED_ROWS_LIMIT` rows in all.
    pub owned: Vec<EntityRow>,
    /// How many entities the group and its subgroups own in all.
    pub owned_total: usize,
    /// Child groups with how much each one's subtree owns, for what the table leaves out.
    pub owned_by_children: Vec<OwnedCount>,
}

/// A child group and the number of entities its subtree owns.
#[derive(Debug, Clone, Serialize)]
pub struct OwnedCount {
    /// The child group.
    pub group: EntityLink,
    /// Entities owned by it and its subgroups.
    pub count: usize,
}

/// Extra sections of a User page.
#[derive(Debug, Clone, Serialize)]
pub struct UserSection {
    /// Groups the user belongs to.
    pub groups: Vec<EntityLink>,
    /// What the user owns directly.
    pub owned: Vec<EntityRow>,
}

/// A parameter of a Template form page.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateField {
    /// Property name.
    pub name: String,
    /// Title, or the name.
    pub title: String,
    /// JSON-schema type.
    pub field_type: String,
    /// Whether the form requires it.
    pub required: bool,
    /// Help text.
    pub description: String,
}

/// One page of a Template's form.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateFormPage {
    /// Page title.
    pub title: String,
    /// Fields on the page.
    pub fields: Vec<TemplateField>,
}

/// One scaffolder step.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateStep {
    /// Step id.
    pub id: String,
    /// Step name.
    pub name: String,
    /// Action id, e.g. `fetch:template`.
    pub action: String,
}

/// Extra sections of a Template page.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateSection {
    /// Form pages.
    pub form: Vec<TemplateFormPage>,
    /// Steps.
    pub steps: Vec<TemplateStep>,
}

/// A diagnostic as shown on pages.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticView {
    /// `error` or `warning`.
    pub severity: String,
    /// File.
    pub file: String,
    /// Line, if known.
    pub line: Option<usize>,
    /// Entity ref, if known.
    pub entity: Option<String>,
    /// Message.
    pub message: String,
}

/// `catalog/<ns>/<kind>/<name>/index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct EntityPage {
    /// Shared header data.
    pub page: PageMeta,
    /// Core facts.
    pub entity: EntityView,
    /// Every relation, grouped by type.
    pub relations: Vec<RelationGroup>,
    /// API definition (API kind).
    pub definition: Option<DefinitionView>,
    /// An mcp-server API's remotes: how to connect to it.
    pub remotes: Vec<RemoteView>,
    /// A custom kind's spec, field by field.
    pub spec_fields: Vec<SpecFieldView>,
    /// Group extras.
    pub group: Option<GroupSection>,
    /// User extras.
    pub user: Option<UserSection>,
    /// System and Domain parts.
    pub parts: Vec<EntityRow>,
    /// Template extras.
    pub template: Option<TemplateSection>,
    /// Location targets.
    pub location_targets: Vec<String>,
    /// Problems found in this entity's definition or references.
    pub diagnostics: Vec<DiagnosticView>,
    /// href of the entity's documentation (its own, or that of its `techdocs-entity`).
    pub docs_href: Option<String>,
    /// The relation neighbourhood, drawn; `None` without relations.
    pub graph: Option<GraphView>,
    /// Kind-specific diagrams: a system's or domain's parts; a group's org chart and ownership.
    pub diagrams: Vec<DiagramView>,
}

/// `catalog/<ns>/api/<name>/reference/index.html`: an API definition as a reference.
#[derive(Debug, Clone, Serialize)]
pub struct ApiReferencePage {
    /// Shared header data.
    pub page: PageMeta,
    /// The API entity.
    pub entity: EntityLink,
    /// Its owner.
    pub owner: Option<EntityLink>,
    /// Its lifecycle.
    pub lifecycle: Option<String>,
    /// The heading: the definition's title, else the entity's.
    pub title: String,
    /// The definition's version.
    pub version: Option<String>,
    /// The format (`OpenAPI 3.1.0`), or the spec type when the definition could not be read.
    pub format: String,
    /// The definition's description: sanitised HTML, inserted as is.
    pub description_html: Option<String>,
    /// Facts under the title.
    pub facts: Vec<ReferenceFact>,
    /// Servers.
    pub servers: Vec<ReferenceServer>,
    /// The side navigation as HTML (escaped; see `site::api`).
    pub nav_html: Spliced,
    /// Every section and item as HTML (escaped or sanitised by `apis::html`), inserted as is.
    pub content_html: Spliced,
    /// Whether the definition could not be read at all (the page then shows only the source).
    pub unreadable: bool,
    /// Problems the reader found in the definition.
    pub problems: Vec<DiagnosticView>,
    /// The raw definition, highlighted.
    pub definition: DefinitionView,
}

/// A labelled fact of a reference.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceFact {
    /// Label.
    pub label: String,
    /// Value.
    pub text: String,
    /// A checked link (`http(s)` or `mailto`).
    pub href: Option<String>,
}

/// A server of a reference.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceServer {
    /// Its key, when named.
    pub name: Option<String>,
    /// URL as written.
    pub url: String,
    /// Protocol and version.
    pub protocol: Option<String>,
    /// Description: sanitised HTML.
    pub description_html: Option<String>,
    /// Variables and bindings: escaped HTML.
    pub details_html: String,
}

/// A titled diagram on an entity page.
#[derive(Debug, Clone, Serialize)]
pub struct DiagramView {
    /// Section heading.
    pub heading: String,
    /// The drawing and its legend.
    pub graph: GraphView,
}

/// A graph drawn at build time. Both strings are SVG whose text `graph/` escaped, inserted as is.
#[derive(Debug, Clone, Serialize)]
pub struct GraphView {
    /// The drawing.
    pub svg: String,
    /// The legend for its kinds.
    pub legend: String,
    /// Entities left out of the drawing; the page lists every relation under `#graph-all`.
    pub hidden: usize,
}

/// One page of an entity's documentation (TechDocs).
#[derive(Debug, Clone, Serialize)]
pub struct DocsPage {
    /// Shared header data.
    pub page: PageMeta,
    /// The docs site's name (`site_name`).
    pub site_name: String,
    /// href of the site's first page.
    pub site_href: String,
    /// The documented entity.
    pub entity: EntityLink,
    /// Its owner.
    pub owner: Option<EntityLink>,
    /// Its lifecycle.
    pub lifecycle: Option<String>,
    /// Its spec type.
    pub spec_type: Option<String>,
    /// The page title.
    pub title: String,
    /// The page body: sanitised HTML with relative links, inserted as is.
    pub body: std::sync::Arc<str>,
    /// The site navigation as HTML (a `<ul>`, escaped; see `site::nav`): only the branch
    /// holding this page is expanded.
    pub nav_html: String,
    /// Headings of levels 2 and 3, for the "On this page" list.
    pub toc: Vec<DocsTocItem>,
    /// The page before this one in reading order.
    pub previous: Option<DocsNeighbour>,
    /// The page after this one.
    pub next: Option<DocsNeighbour>,
    /// Where to edit this page's source.
    pub edit_url: Option<String>,
    /// Portal-relative path of the Markdown file.
    pub source_file: String,
}

/// A heading in the page's table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct DocsTocItem {
    /// 2 or 3.
    pub level: u8,
    /// Fragment id.
    pub id: String,
    /// Text.
    pub title: String,
}

/// The previous or next page.
#[derive(Debug, Clone, Serialize)]
pub struct DocsNeighbour {
    /// Title.
    pub title: String,
    /// Relative href.
    pub href: String,
}

/// `docs/index.html`: every documented entity.
#[derive(Debug, Clone, Serialize)]
pub struct DocsIndexPage {
    /// Shared header data.
    pub page: PageMeta,
    /// One row per docs site, by site name.
    pub sites: Vec<DocsSiteRow>,
}

/// One documented entity on the docs index.
#[derive(Debug, Clone, Serialize)]
pub struct DocsSiteRow {
    /// The entity.
    pub entity: EntityLink,
    /// `site_name`.
    pub site_name: String,
    /// href of the site's first page.
    pub href: String,
    /// The entity's owner.
    pub owner: Option<EntityLink>,
    /// Site description, else the entity's.
    pub description: String,
    /// Number of pages.
    pub pages: usize,
}

/// Problems of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblems {
    /// Portal-relative file path.
    pub file: String,
    /// Its diagnostics, by line.
    pub diagnostics: Vec<DiagnosticView>,
}

/// Problems of everything one owner is responsible for.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerProblems {
    /// The owner; `None` when unknown.
    pub owner: Option<EntityLink>,
    /// Heading text ("team-payments", or "No known owner").
    pub label: String,
    /// Files with problems.
    pub files: Vec<FileProblems>,
    /// Errors + warnings under this owner.
    pub count: usize,
}

/// `problems/index.html`: the catalog problems page.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemsPage {
    /// Shared header data.
    pub page: PageMeta,
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Grouped by owner, then file.
    pub owners: Vec<OwnerProblems>,
}

/// `search/index.html`: the full results page, filled in by `search.js`.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    /// Shared header data.
    pub page: PageMeta,
    /// href of the docs index, when there are docs (offered when JavaScript is off).
    pub docs_href: Option<String>,
}

/// `404.html`.
#[derive(Debug, Clone, Serialize)]
pub struct NotFoundPage {
    /// Shared header data (root-relative links assume the site root).
    pub page: PageMeta,
}
