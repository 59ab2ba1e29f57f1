//! Stage 4: the site model. Turns the catalog into the list of pages to render, each with its
//! typed context, plus the data files (`catalog/entities.json`, `diagnostics.json`, sitemap).
//!
//! This is where URLs are decided and every link is made relative to the page showing it.
//! It reads no files and writes none.

mod api;
pub mod context;
mod entity;
mod export;
pub mod graphs;
mod nav;
use crate::urls;

use crate::apis::ApiSet;
use crate::catalog::relations::owned_by_group_tree;
use crate::catalog::{Catalog, Entity, EntityRef, Kind, RelationType};
use crate::config::SiteConfig;
use crate::diag::{Counts, Diagnostic};
use crate::docs::{DocSet, DocSite};
pub use crate::urls::{entity_path, facet_path, slug, Linker};
use context::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Site-relative URLs of the theme's assets, with cache-busting query strings.
#[derive(Debug, Clone, Default)]
pub struct AssetPaths {
    /// Main stylesheet.
    pub style: String,
    /// Highlighting stylesheet.
    pub highlight: String,
    /// Catalog script.
    pub script: String,
    /// Search script.
    pub search: String,
    /// Graph stylesheet.
    pub graph: String,
}

/// The content of one page: its typed template context.
#[derive(Debug, Clone)]
pub enum PageContent {
    /// `index.html`.
    Home(HomePage),
    /// `catalog/index.html`.
    CatalogIndex(CatalogIndexPage),
    /// A facet value page.
    Facet(FacetPage),
    /// An entity page.
    Entity(Box<EntityPage>),
    /// The problems page.
    Problems(ProblemsPage),
    /// `404.html`.
    NotFound(NotFoundPage),
    /// `search/index.html`.
    Search(SearchPage),
    /// A documentation page.
    Docs(Box<DocsPage>),
    /// `docs/index.html`.
    DocsIndex(DocsIndexPage),
    /// An API's reference page.
    ApiReference(Box<ApiReferencePage>),
}

/// A page to render.
#[derive(Debug, Clone)]
pub struct Page {
    /// Site-relative output path, ending in `.html`.
    pub path: String,
    /// Its context.
    pub content: PageContent,
}

impl Page {
    /// The ready-made HTML its context holds as markers, which the renderer splices in.
    pub fn spliced(&self) -> Vec<&context::Spliced> {
        fn definition(view: Option<&context::DefinitionView>) -> Vec<&context::Spliced> {
            view.and_then(|d| d.html.as_ref()).into_iter().collect()
        }
        match &self.content {
            PageContent::Entity(page) => definition(page.definition.as_ref()),
            PageContent::ApiReference(page) => {
                let mut pieces = vec![&page.nav_html, &page.content_html];
                pieces.extend(definition(Some(&page.definition)));
                pieces
            }
            _ => Vec::new(),
        }
    }
}

/// A file whose bytes are already final (JSON, XML).
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Site-relative output path.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Everything the renderer needs.
#[derive(Debug, Clone)]
pub struct SiteModel {
    /// Pages, in path order.
    pub pages: Vec<Page>,
    /// Data files, in path order.
    pub data: Vec<DataFile>,
}

/// Inputs of the model stage.
pub struct SiteInput<'a> {
    /// Configuration.
    pub config: &'a SiteConfig,
    /// The resolved catalog.
    pub catalog: &'a Catalog,
    /// Every diagnostic of the build, sorted.
    pub diagnostics: &'a [Diagnostic],
    /// Asset URLs.
    pub assets: &'a AssetPaths,
    /// Every entity's rendered documentation.
    pub docs: &'a DocSet,
    /// Every API's reference.
    pub apis: &'a ApiSet,
}

/// Most rows in a group page's ownership table.
pub const OWNED_ROWS_LIMIT: usize = 200;

const FACETS: [(&str, &str); 5] = [
    ("kind", "Kind"),
    ("type", "Type"),
    ("owner", "Owner"),
    ("lifecycle", "Lifecycle"),
    ("tag", "Tag"),
];

/// Which pages and data files [`build_selected`] builds. `build` builds them all; `serve`
/// rebuilds only the parts an edit can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Home, catalog index, facet pages, 404, search page and `catalog/entities.json`.
    pub catalog_pages: bool,
    /// The problems page and `diagnostics.json`.
    pub problems: bool,
    /// `docs/index.html`.
    pub docs_index: bool,
    /// Entity pages: `None` for every entity, else only these.
    pub entities: Option<BTreeSet<EntityRef>>,
    /// Docs sites whose pages and files to build: `None` for every site, else only these.
    pub docs: Option<BTreeSet<EntityRef>>,
}

impl Selection {
    /// Every page and data file (and `sitemap.xml` when `base_url` is set).
    pub fn all() -> Selection {
        Selection {
            catalog_pages: true,
            problems: true,
            docs_index: true,
            entities: None,
            docs: None,
        }
    }

    /// Nothing yet; set the parts wanted.
    pub fn none() -> Selection {
        Selection {
            catalog_pages: false,
            problems: false,
            docs_index: false,
            entities: Some(BTreeSet::new()),
            docs: Some(BTreeSet::new()),
        }
    }
}

/// Builds the site model. Entity pages are built in parallel.
pub fn build(input: &SiteInput<'_>) -> SiteModel {
    build_selected(input, &Selection::all())
}

/// Builds the pages and data files of `selection` only, exactly as [`build`] builds them.
pub fn build_selected(input: &SiteInput<'_>, selection: &Selection) -> SiteModel {
    let builder = Builder::new(input);
    let mut pages = Vec::new();
    if selection.catalog_pages {
        pages.extend([builder.home(), builder.catalog_index(), builder.not_found()]);
        pages.push(builder.search());
        pages.extend(builder.facet_pages());
    }
    if selection.problems {
        pages.push(builder.problems());
    }
    let wanted_site =
        |entity: &EntityRef| selection.docs.as_ref().is_none_or(|s| s.contains(entity));
    if !input.docs.sites.is_empty() {
        if selection.docs_index {
            pages.push(builder.docs_index());
        }
        let sites: Vec<&DocSite> = input
            .docs
            .sites
            .values()
            .filter(|site| wanted_site(&site.entity))
            .map(AsRef::as_ref)
            .collect();
        let navs: Vec<nav::PreparedNav> = sites
            .par_iter()
            .map(|site| nav::prepare(site, input.config.pretty_urls))
            .collect();
        let jobs: Vec<(usize, usize)> = sites
            .iter()
            .enumerate()
            .flat_map(|(s, site)| (0..site.pages.len()).map(move |i| (s, i)))
            .collect();
        let docs_pages: Vec<Page> = jobs
            .par_iter()
            .map(|&(s, index)| builder.docs_page(sites[s], &navs[s], index))
            .collect();
        pages.extend(docs_pages);
    }
    let selected: Vec<&Entity> = match &selection.entities {
        None => input.catalog.entities.values().collect(),
        Some(wanted) => wanted.iter().filter_map(|r| input.catalog.get(r)).collect(),
    };
    let entity_pages: Vec<Page> = selected
        .par_iter()
        .flat_map_iter(|entity| {
            let reference = input
                .apis
                .get(&entity.entity_ref)
                .map(|api| builder.api_reference_page(entity, api));
            std::iter::once(builder.entity_page(entity)).chain(reference)
        })
        .collect();
    pages.extend(entity_pages);
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    let mut data = Vec::new();
    if selection.catalog_pages {
        data.push(DataFile {
            path: "catalog/entities.json".to_string(),
            bytes: export::entities_json(input.catalog),
        });
    }
    if selection.problems {
        data.push(DataFile {
            path: "diagnostics.json".to_string(),
            bytes: export::diagnostics_json(input.diagnostics),
        });
    }
    data.extend(selected.iter().filter_map(|e| api::definition_file(e)));
    for site in input.docs.sites.values() {
        if !wanted_site(&site.entity) {
            continue;
        }
        for asset in &site.assets {
            data.push(DataFile {
                path: asset.path.clone(),
                bytes: asset.bytes.clone(),
            });
        }
    }
    data.sort_by(|a, b| a.path.cmp(&b.path));
    if *selection == Selection::all() {
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        data.extend(sitemap(input.config, &paths));
    }
    SiteModel { pages, data }
}

/// The paths of every entity page and docs page of a full build, known before the model is
/// built (the output stage makes their folders while the model is being built).
pub fn early_page_paths(catalog: &Catalog, docs: &DocSet, apis: &ApiSet) -> Vec<String> {
    catalog
        .entities
        .keys()
        .map(urls::entity_path)
        .chain(apis.references.keys().map(urls::api_reference_path))
        .chain(
            docs.sites
                .values()
                .flat_map(|site| site.pages.iter().map(|page| page.path.clone())),
        )
        .collect()
}

/// `sitemap.xml` for a site with these pages (sorted), when `base_url` is set.
pub fn sitemap(config: &SiteConfig, page_paths: &[&str]) -> Option<DataFile> {
    let base_url = config.base_url.as_ref()?;
    Some(DataFile {
        path: "sitemap.xml".to_string(),
        bytes: export::sitemap(base_url, page_paths, config.pretty_urls),
    })
}

struct Builder<'a> {
    input: &'a SiteInput<'a>,
    catalog: &'a Catalog,
    counts: Counts,
    diagnostics_by_entity: BTreeMap<&'a str, Vec<&'a Diagnostic>>,
}

impl<'a> Builder<'a> {
    fn new(input: &'a SiteInput<'a>) -> Self {
        let mut diagnostics_by_entity: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
        for d in input.diagnostics {
            if let Some(entity) = &d.entity {
                diagnostics_by_entity
                    .entry(entity.as_str())
                    .or_default()
                    .push(d);
            }
        }
        Builder {
            input,
            catalog: input.catalog,
            counts: Counts::of(input.diagnostics),
            diagnostics_by_entity,
        }
    }

    fn linker(&self, path: &str) -> Linker {
        Linker::for_page(path, self.input.config.pretty_urls)
    }

    fn meta(&self, linker: &Linker, title: &str, description: &str, section: &str) -> PageMeta {
        let nav = [
            ("Home", "index.html", "home", None),
            ("Catalog", "catalog/index.html", "catalog", None),
            ("Docs", "docs/index.html", "docs", None),
            (
                "Problems",
                "problems/index.html",
                "problems",
                Some(self.counts.errors + self.counts.warnings).filter(|n| *n > 0),
            ),
        ]
        .into_iter()
        .filter(|(_, _, key, _)| *key != "docs" || !self.input.docs.sites.is_empty())
        .map(|(label, target, key, badge)| NavLink {
            label: label.to_string(),
            href: linker.href(target),
            active: key == section,
            badge,
        })
        .collect();
        let assets = self.input.assets;
        PageMeta {
            title: title.to_string(),
            description: description.to_string(),
            site_title: self.input.config.title.clone(),
            root: linker.root().to_string(),
            nav,
            assets: AssetLinks {
                style: linker.href(&assets.style),
                highlight: linker.href(&assets.highlight),
                script: linker.href(&assets.script),
                search: linker.href(&assets.search),
                graph: linker.href(&assets.graph),
            },
            catalog_href: linker.href("catalog/index.html"),
            search_href: linker.href("search/index.html"),
            search_index: format!("{}search/", linker.root()),
            home_href: linker.href("index.html"),
            generator: format!("greenroom {}", env!("CARGO_PKG_VERSION")),
        }
    }

    fn link(&self, linker: &Linker, target: &EntityRef) -> EntityLink {
        match self.catalog.get(target) {
            Some(entity) => EntityLink {
                label: entity.display_name().to_string(),
                href: Some(linker.href(&entity_path(target))),
                kind: target.kind.clone(),
                entity_ref: target.to_string(),
            },
            None => EntityLink {
                label: target.short(),
                href: None,
                kind: target.kind.clone(),
                entity_ref: target.to_string(),
            },
        }
    }

    fn row(&self, linker: &Linker, entity: &Entity) -> EntityRow {
        let system = entity
            .related(RelationType::PartOf)
            .find(|r| r.kind == "system" || r.kind == "domain")
            .map(|r| self.link(linker, r));
        let link = self.link(linker, &entity.entity_ref);
        let owner = entity.owner().map(|o| self.link(linker, o));
        let description = entity.description.clone().unwrap_or_default();
        let search_text = [
            Some(link.label.as_str()),
            Some(link.entity_ref.as_str()),
            Some(entity.kind.as_str()),
            entity.spec_type.as_deref(),
            entity.lifecycle.as_deref(),
            owner.as_ref().map(|o| o.label.as_str()),
            system.as_ref().map(|s| s.label.as_str()),
            Some(entity.tags.join(" ").as_str()),
            Some(description.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
        EntityRow {
            link,
            kind: entity.kind.as_str().to_string(),
            namespace: entity.namespace.clone(),
            spec_type: entity.spec_type.clone(),
            lifecycle: entity.lifecycle.clone(),
            owner,
            system,
            tags: entity.tags.clone(),
            description,
            search_text,
        }
    }

    fn rows<'e>(
        &self,
        linker: &Linker,
        refs: impl IntoIterator<Item = &'e EntityRef>,
    ) -> Vec<EntityRow> {
        let mut entities: Vec<&Entity> = refs
            .into_iter()
            .filter_map(|r| self.catalog.get(r))
            .collect();
        sort_entities(&mut entities);
        entities.into_iter().map(|e| self.row(linker, e)).collect()
    }

    fn home(&self) -> Page {
        let path = "index.html";
        let linker = self.linker(path);
        let catalog = self.catalog;
        let mut counted: BTreeMap<Kind, usize> = BTreeMap::new();
        for entity in catalog.entities.values() {
            *counted.entry(entity.kind).or_default() += 1;
        }
        let mut counted: Vec<(Kind, usize)> = counted.into_iter().collect();
        counted.sort_by_key(|(kind, _)| kind.order());
        let counts = counted
            .into_iter()
            .map(|(kind, count)| KindCount {
                label: kind.plural().to_string(),
                kind: kind.lower().to_string(),
                count,
                href: linker.href(&facet_path("kind", kind.lower())),
            })
            .collect();
        let mut in_domain = BTreeSet::new();
        let domains = catalog
            .of_kind(Kind::Domain)
            .map(|domain| {
                let systems: Vec<EntityLink> = domain
                    .related(RelationType::HasPart)
                    .filter(|r| r.kind == "system")
                    .inspect(|r| {
                        in_domain.insert((*r).clone());
                    })
                    .map(|r| self.link(&linker, r))
                    .collect();
                DomainCard {
                    link: self.link(&linker, &domain.entity_ref),
                    description: domain.description.clone().unwrap_or_default(),
                    owner: domain.owner().map(|o| self.link(&linker, o)),
                    systems,
                }
            })
            .collect();
        let loose_systems = catalog
            .of_kind(Kind::System)
            .filter(|s| !in_domain.contains(&s.entity_ref))
            .map(|s| self.link(&linker, &s.entity_ref))
            .collect();
        let mut teams: Vec<TeamCard> = catalog
            .of_kind(Kind::Group)
            .map(|group| {
                let owned = owned_by_group_tree(catalog, &group.entity_ref).len();
                TeamCard {
                    link: self.link(&linker, &group.entity_ref),
                    group_type: group.spec_type.clone().unwrap_or_default(),
                    description: group
                        .description
                        .clone()
                        .or_else(|| group.profile.as_ref().and_then(|p| p.display_name.clone()))
                        .unwrap_or_default(),
                    members: group.related(RelationType::HasMember).count(),
                    owned,
                }
            })
            .filter(|t| t.group_type == "team" || t.owned > 0)
            .collect();
        teams.sort_by(|a, b| {
            (b.group_type == "team", b.owned, &a.link.label).cmp(&(
                a.group_type == "team",
                a.owned,
                &b.link.label,
            ))
        });
        teams.truncate(24);
        let templates = self.rows(
            &linker,
            catalog.of_kind(Kind::Template).map(|t| &t.entity_ref),
        );
        let content = HomePage {
            page: self.meta(
                &linker,
                "Home",
                "Everything the organisation builds, who owns it, and how it fits together.",
                "home",
            ),
            counts,
            total: catalog.entities.len(),
            domains,
            loose_systems,
            teams,
            templates,
            overview: graphs::overview(catalog, &linker).map(graph_view),
            problems: ProblemSummary {
                errors: self.counts.errors,
                warnings: self.counts.warnings,
                href: linker.href("problems/index.html"),
            },
        };
        Page {
            path: path.to_string(),
            content: PageContent::Home(content),
        }
    }

    /// Facet values of one entity: `(facet key, value, label)`.
    fn facet_values(&self, entity: &Entity) -> Vec<(&'static str, String, String)> {
        let mut values = vec![(
            "kind",
            entity.kind.lower().to_string(),
            entity.kind.plural().to_string(),
        )];
        if let Some(t) = &entity.spec_type {
            values.push(("type", t.clone(), t.clone()));
        }
        if let Some(owner) = entity.owner() {
            let label = self
                .catalog
                .get(owner)
                .map(|o| o.display_name().to_string())
                .unwrap_or_else(|| owner.short());
            values.push(("owner", owner.to_string(), label));
        }
        if let Some(l) = &entity.lifecycle {
            values.push(("lifecycle", l.clone(), l.clone()));
        }
        for tag in &entity.tags {
            values.push(("tag", tag.clone(), tag.clone()));
        }
        values
    }

    /// facet key → value → (label, entities).
    fn facet_index(&self) -> BTreeMap<&'static str, BTreeMap<String, (String, Vec<&'a Entity>)>> {
        let mut index: BTreeMap<&str, BTreeMap<String, (String, Vec<&Entity>)>> = BTreeMap::new();
        for entity in self.catalog.entities.values() {
            for (key, value, label) in self.facet_values(entity) {
                index
                    .entry(key)
                    .or_default()
                    .entry(value)
                    .or_insert_with(|| (label, Vec::new()))
                    .1
                    .push(entity);
            }
        }
        index
    }

    fn catalog_index(&self) -> Page {
        let path = "catalog/index.html";
        let linker = self.linker(path);
        let mut entities: Vec<&Entity> = self.catalog.entities.values().collect();
        sort_entities(&mut entities);
        let rows = entities.iter().map(|e| self.row(&linker, e)).collect();
        let index = self.facet_index();
        let facets = FACETS
            .iter()
            .filter_map(|(key, name)| {
                let values = index.get(key)?;
                let mut values: Vec<FacetValue> = values
                    .iter()
                    .map(|(value, (label, entities))| FacetValue {
                        label: label.clone(),
                        value: value.clone(),
                        href: linker.href(&facet_path(key, value)),
                        count: entities.len(),
                    })
                    .collect();
                if *key == "kind" {
                    values.sort_by_key(|v| {
                        let builtin = Kind::ALL.iter().position(|k| k.lower() == v.value);
                        (builtin.unwrap_or(Kind::ALL.len()), v.value.clone())
                    });
                } else {
                    values.sort_by(|a, b| {
                        a.label
                            .to_lowercase()
                            .cmp(&b.label.to_lowercase())
                            .then(a.value.cmp(&b.value))
                    });
                }
                Some(Facet {
                    name: name.to_string(),
                    key: key.to_string(),
                    values,
                })
            })
            .collect();
        Page {
            path: path.to_string(),
            content: PageContent::CatalogIndex(CatalogIndexPage {
                page: self.meta(
                    &linker,
                    "Catalog",
                    "Every component, API, resource, system, team and person in the catalog.",
                    "catalog",
                ),
                rows,
                facets,
            }),
        }
    }

    fn facet_pages(&self) -> Vec<Page> {
        let index = self.facet_index();
        let mut jobs = Vec::new();
        for (key, name) in FACETS {
            if let Some(values) = index.get(key) {
                for (value, (label, entities)) in values {
                    jobs.push((key, name, value, label, entities));
                }
            }
        }
        jobs.par_iter()
            .map(|(key, name, value, label, entities)| {
                let path = facet_path(key, value);
                let linker = self.linker(&path);
                let mut entities: Vec<&Entity> = entities.to_vec();
                sort_entities(&mut entities);
                Page {
                    content: PageContent::Facet(FacetPage {
                        page: self.meta(
                            &linker,
                            &format!("{name}: {label}"),
                            &format!("Catalog entities with {} {label}", name.to_lowercase()),
                            "catalog",
                        ),
                        facet: name.to_string(),
                        value: label.to_string(),
                        rows: entities.iter().map(|e| self.row(&linker, e)).collect(),
                        catalog_href: linker.href("catalog/index.html"),
                    }),
                    path,
                }
            })
            .collect()
    }

    fn diagnostic_view(d: &Diagnostic) -> DiagnosticView {
        DiagnosticView {
            severity: d.severity.as_str().to_string(),
            file: d.file.clone().unwrap_or_default(),
            line: d.line,
            entity: d.entity.clone(),
            message: d.message.clone(),
        }
    }

    fn problems(&self) -> Page {
        let path = "problems/index.html";
        let linker = self.linker(path);
        let mut owner_of_file: BTreeMap<&str, &EntityRef> = BTreeMap::new();
        for entity in self.catalog.entities.values() {
            if let Some(owner) = entity.owner() {
                owner_of_file
                    .entry(entity.origin.file.as_str())
                    .or_insert(owner);
            }
        }
        let owner_of_entity: BTreeMap<String, &EntityRef> = self
            .catalog
            .entities
            .iter()
            .filter_map(|(r, e)| e.owner().map(|o| (r.to_string(), o)))
            .collect();
        let mut grouped: BTreeMap<Option<EntityRef>, BTreeMap<&str, Vec<DiagnosticView>>> =
            BTreeMap::new();
        for d in self.input.diagnostics {
            // The entity's owner; for a rejected entity, the owner its document names; else
            // the owner of another entity defined in the same file.
            let from_entity = d
                .entity
                .as_deref()
                .and_then(|e| owner_of_entity.get(e).map(|o| (*o).clone()));
            let owner = from_entity
                .or_else(|| {
                    d.owner
                        .as_deref()
                        .and_then(|o| crate::catalog::refs::parse(o, None, "default").ok())
                })
                .or_else(|| {
                    d.file
                        .as_deref()
                        .and_then(|f| owner_of_file.get(f).map(|o| (*o).clone()))
                });
            grouped
                .entry(owner)
                .or_default()
                .entry(d.file.as_deref().unwrap_or("(no file)"))
                .or_default()
                .push(Self::diagnostic_view(d));
        }
        let mut owners: Vec<OwnerProblems> = grouped
            .into_iter()
            .map(|(owner, files)| {
                let link = owner.as_ref().map(|o| self.link(&linker, o));
                let files: Vec<FileProblems> = files
                    .into_iter()
                    .map(|(file, diagnostics)| FileProblems {
                        file: file.to_string(),
                        diagnostics,
                    })
                    .collect();
                OwnerProblems {
                    label: link
                        .as_ref()
                        .map(|l| l.label.clone())
                        .unwrap_or_else(|| "No known owner".to_string()),
                    count: files.iter().map(|f| f.diagnostics.len()).sum(),
                    owner: link,
                    files,
                }
            })
            .collect();
        owners.sort_by(|a, b| {
            (a.owner.is_none(), a.label.to_lowercase())
                .cmp(&(b.owner.is_none(), b.label.to_lowercase()))
        });
        Page {
            path: path.to_string(),
            content: PageContent::Problems(ProblemsPage {
                page: self.meta(
                    &linker,
                    "Catalog problems",
                    "Problems found in catalog descriptors, grouped by owner and file.",
                    "problems",
                ),
                errors: self.counts.errors,
                warnings: self.counts.warnings,
                owners,
            }),
        }
    }

    fn not_found(&self) -> Page {
        let path = "404.html";
        let linker = match &self.input.config.base_url {
            Some(base) => Linker::absolute(base, self.input.config.pretty_urls),
            None => self.linker(path),
        };
        Page {
            path: path.to_string(),
            content: PageContent::NotFound(NotFoundPage {
                page: self.meta(&linker, "Page not found", "This page does not exist.", ""),
            }),
        }
    }

    fn search(&self) -> Page {
        let path = "search/index.html";
        let linker = self.linker(path);
        Page {
            path: path.to_string(),
            content: PageContent::Search(SearchPage {
                page: self.meta(
                    &linker,
                    "Search",
                    "Search every entity and documentation page.",
                    "",
                ),
                docs_href: (!self.input.docs.sites.is_empty())
                    .then(|| linker.href("docs/index.html")),
            }),
        }
    }

    fn docs_index(&self) -> Page {
        let path = "docs/index.html";
        let linker = self.linker(path);
        let mut sites: Vec<DocsSiteRow> = self
            .input
            .docs
            .sites
            .values()
            .filter_map(|site| {
                let entity = self.catalog.get(&site.entity)?;
                let first = site.pages.first()?;
                Some(DocsSiteRow {
                    entity: self.link(&linker, &site.entity),
                    site_name: site.site_name.clone(),
                    href: linker.href(&first.path),
                    owner: entity.owner().map(|o| self.link(&linker, o)),
                    description: site
                        .description
                        .clone()
                        .or_else(|| entity.description.clone())
                        .unwrap_or_default(),
                    pages: site.pages.len(),
                })
            })
            .collect();
        sites.sort_by(|a, b| {
            (a.site_name.to_lowercase(), &a.entity.entity_ref)
                .cmp(&(b.site_name.to_lowercase(), &b.entity.entity_ref))
        });
        Page {
            path: path.to_string(),
            content: PageContent::DocsIndex(DocsIndexPage {
                page: self.meta(
                    &linker,
                    "Documentation",
                    "Every documented component, API and system, with its owner.",
                    "docs",
                ),
                sites,
            }),
        }
    }

    fn docs_page(&self, site: &DocSite, nav: &nav::PreparedNav, index: usize) -> Page {
        let doc = &site.pages[index];
        let linker = self.linker(&doc.path);
        let entity = self.catalog.get(&site.entity);
        let neighbour = |i: usize| {
            site.pages.get(i).map(|p| DocsNeighbour {
                title: p.title.clone(),
                href: linker.href(&p.path),
            })
        };
        let in_nav = doc.in_nav;
        let previous = if in_nav && index > 0 && site.pages[index - 1].in_nav {
            neighbour(index - 1)
        } else {
            None
        };
        let next = if in_nav {
            neighbour(index + 1).filter(|_| site.pages[index + 1].in_nav)
        } else {
            None
        };
        let title = format!("{} · {}", doc.title, site.site_name);
        let description = if doc.description.is_empty() {
            site.description.clone().unwrap_or_default()
        } else {
            doc.description.clone()
        };
        Page {
            path: doc.path.clone(),
            content: PageContent::Docs(Box::new(DocsPage {
                page: self.meta(&linker, &title, &description, "docs"),
                site_name: site.site_name.clone(),
                site_href: site
                    .pages
                    .first()
                    .map(|p| linker.href(&p.path))
                    .unwrap_or_default(),
                entity: self.link(&linker, &site.entity),
                owner: entity
                    .and_then(|e| e.owner())
                    .map(|o| self.link(&linker, o)),
                lifecycle: entity.and_then(|e| e.lifecycle.clone()),
                spec_type: entity.and_then(|e| e.spec_type.clone()),
                title: doc.title.clone(),
                body: std::sync::Arc::clone(&doc.html),
                nav_html: nav::docs_nav_html(site, nav, index, &doc.path),
                toc: doc
                    .toc
                    .iter()
                    .filter(|t| (2..=3).contains(&t.level))
                    .map(|t| DocsTocItem {
                        level: t.level,
                        id: t.id.clone(),
                        title: t.text.clone(),
                    })
                    .collect(),
                previous,
                next,
                edit_url: doc.edit_url.clone(),
                source_file: doc.file.clone(),
            })),
        }
    }
}

/// Kind order of the home page, then display name, then ref.
fn sort_entities(entities: &mut [&Entity]) {
    entities.sort_by_cached_key(|e| {
        (
            Kind::ALL.iter().position(|k| *k == e.kind),
            e.display_name().to_lowercase(),
            e.entity_ref.clone(),
        )
    });
}

fn graph_view(drawn: graphs::DrawnGraph) -> GraphView {
    GraphView {
        svg: drawn.svg,
        legend: drawn.legend,
        hidden: drawn.hidden,
    }
}
