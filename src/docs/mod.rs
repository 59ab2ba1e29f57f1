//! Stage 4 (between resolve and the site model): TechDocs. Every entity with a
//! `backstage.io/techdocs-ref: dir:<path>` annotation gets its mkdocs project read and its
//! Markdown rendered into a [`DocSite`].
//!
//! Runs in three steps: read every site's files (parallel per site), render every page
//! (parallel across all pages of all sites, so cross-site links resolve), then check `#anchor`
//! links against the headings every page turned out to have.

pub mod blocks;
mod fences;
pub mod links;
pub mod locate;
pub mod markdown;
pub mod mermaid;
pub mod mkdocs;

use crate::catalog::entity::Entity;
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::discover::SourceSet;
use crate::paths;
use crate::web::encode_path;
use links::{is_markdown, page_url_dir, strip_markdown_extension, Index, PageLinks, SiteIndex};
use markdown::TocEntry;
use mkdocs::{MkdocsConfig, NavEntry};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use locate::TECHDOCS_REF;
/// The annotation that says an entity's docs live on another entity.
pub const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";

/// Every documentation site of the portal.
#[derive(Debug, Clone, Default)]
pub struct DocSet {
    /// One site per documented entity. Shared, so a changed copy of the set (`serve`
    /// replaces one site at a time) costs one pointer per site.
    pub sites: BTreeMap<EntityRef, std::sync::Arc<DocSite>>,
    /// Entities whose docs live on another entity (`backstage.io/techdocs-entity`, or a
    /// techdocs-ref naming the folder another entity's names), mapped to that entity; only
    /// targets that have a site are listed.
    pub borrowed: BTreeMap<EntityRef, EntityRef>,
}

/// What the docs stage reads: the catalog, the repositories, and the clones fetched for `url:`
/// techdocs-refs.
#[derive(Clone, Copy)]
pub struct DocsInput<'a> {
    /// The resolved catalog.
    pub catalog: &'a Catalog,
    /// The source repositories.
    pub sources: &'a SourceSet,
    /// Repositories cloned for their docs ([`crate::fetch::fetch_repositories`]).
    pub fetched: &'a [crate::fetch::Fetched],
    /// What may be read over the network (for the advice when a repository was not fetched).
    pub reading: &'a crate::config::ReadingConfig,
    /// Link to folders rather than `index.html` files.
    pub pretty_urls: bool,
    /// Highlight code blocks, or leave them plain (`check`).
    pub code: markdown::Code,
}

impl DocSet {
    /// The docs an entity shows: its own site, else the site of its `techdocs-entity`.
    pub fn site_of(&self, entity: &EntityRef) -> Option<&DocSite> {
        self.sites
            .get(entity)
            .or_else(|| self.sites.get(self.borrowed.get(entity)?))
            .map(|site| site.as_ref())
    }
}

/// One entity's documentation.
#[derive(Debug, Clone)]
pub struct DocSite {
    /// The documented entity.
    pub entity: EntityRef,
    /// `site_name`, else the entity's title.
    pub site_name: String,
    /// `site_description`.
    pub description: Option<String>,
    /// Site path of the site's folder: `docs/<namespace>/<kind>/<name>/`.
    pub root_path: String,
    /// The navigation tree.
    pub nav: Vec<NavNode>,
    /// Pages: those in the nav in nav order (the reading order), then the others by path.
    pub pages: Vec<DocPage>,
    /// Images and other files, copied as they are.
    pub assets: Vec<DocAsset>,
    /// The mkdocs project folder on disk (snippets are read relative to it).
    pub project: PathBuf,
    /// The docs folder on disk.
    pub docs_dir: PathBuf,
    /// The repository root on disk that nothing of the site may leave.
    pub repository: PathBuf,
}

/// A node of a site's navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavNode {
    /// A page, by index into [`DocSite::pages`].
    Page {
        /// Title shown in the nav.
        title: String,
        /// Index of the page.
        page: usize,
    },
    /// A titled group.
    Section {
        /// Title.
        title: String,
        /// Children.
        children: Vec<NavNode>,
    },
    /// An external link.
    Link {
        /// Title.
        title: String,
        /// Absolute URL.
        url: String,
    },
}

/// One rendered page.
#[derive(Debug, Clone)]
pub struct DocPage {
    /// Path relative to the docs folder, `/`-separated (`guides/setup.md`).
    pub source: String,
    /// Portal-relative path of the Markdown file.
    pub file: String,
    /// Site path of the output file (`docs/default/component/x/guides/setup/index.html`).
    pub path: String,
    /// Title: nav title, front matter, first `# heading`, or the file name.
    pub title: String,
    /// A sentence for `<meta name=description>`.
    pub description: String,
    /// Sanitised body HTML; links already relative to `path`. Shared with the page context
    /// rather than copied: a 20,000-page org holds hundreds of megabytes of it.
    pub html: std::sync::Arc<str>,
    /// Headings, for the page's table of contents.
    pub toc: Vec<TocEntry>,
    /// Every id a link may point at (headings, footnotes), for `#anchor` checks.
    pub ids: BTreeSet<String>,
    /// The page's text by section, for the search index.
    pub sections: Vec<markdown::Section>,
    /// Where to edit the page's source, when the repository is known.
    pub edit_url: Option<String>,
    /// Whether the nav lists the page.
    pub in_nav: bool,
}

/// A file copied from a docs folder.
#[derive(Debug, Clone)]
pub struct DocAsset {
    /// Site path.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The site path of an entity's docs folder.
pub fn site_root(entity: &EntityRef) -> String {
    format!(
        "docs/{}/{}/{}/",
        crate::urls::slug(&entity.namespace),
        crate::urls::slug(&entity.kind),
        crate::urls::slug(&entity.name)
    )
}

/// Builds every entity's docs. Problems are diagnostics; a broken site is left out, a broken
/// page shows what went wrong.
pub fn build(input: &DocsInput<'_>) -> (DocSet, Vec<Diagnostic>) {
    let built = build_parts(input);
    let mut diagnostics: Vec<Diagnostic> = built.by_site.into_values().flatten().collect();
    diagnostics.extend(built.borrowed);
    (built.set, diagnostics)
}

/// The docs stage's result with its diagnostics kept per site, so one site can be rebuilt
/// ([`rebuild_site`]) and its diagnostics replaced without touching the others'.
#[derive(Debug, Clone, Default)]
pub struct DocsBuild {
    /// Every site.
    pub set: DocSet,
    /// The diagnostics of each documented entity's site (locating, reading, rendering, anchors).
    pub by_site: BTreeMap<EntityRef, Vec<Diagnostic>>,
    /// Diagnostics of `backstage.io/techdocs-entity` annotations ([`link_borrowed`]).
    pub borrowed: Vec<Diagnostic>,
}

/// [`build`], with the diagnostics kept per site.
pub fn build_parts(input: &DocsInput<'_>) -> DocsBuild {
    let located = locate::locate(input.catalog, input.sources, input.fetched, input.reading);
    let mut by_site: BTreeMap<EntityRef, Vec<Diagnostic>> = BTreeMap::new();
    for (entity, problem) in &located.problems {
        by_site
            .entry(entity.clone())
            .or_default()
            .push(problem.clone());
    }
    for (entity, notes) in &located.notes {
        by_site
            .entry(entity.clone())
            .or_default()
            .extend(notes.iter().cloned());
    }
    let documented: Vec<(&Entity, &locate::Project)> = located
        .projects
        .iter()
        .filter_map(|(entity, project)| Some((input.catalog.get(entity)?, project)))
        .collect();
    let read: Vec<Result<(SiteSource, Vec<Diagnostic>), Diagnostic>> = documented
        .par_iter()
        .map(|(entity, project)| read_site(entity, project, input.sources))
        .collect();
    let mut site_sources = Vec::new();
    for ((entity, _), result) in documented.iter().zip(read) {
        let bucket = by_site.entry(entity.entity_ref.clone()).or_default();
        match result {
            Ok((site, problems)) => {
                bucket.extend(problems);
                site_sources.push(site);
            }
            Err(problem) => bucket.push(problem),
        }
    }

    let index = Index::new(
        site_sources.iter().map(site_index_of_source).collect(),
        input.catalog,
    );
    let jobs: Vec<(usize, usize)> = site_sources
        .iter()
        .enumerate()
        .flat_map(|(s, site)| (0..site.pages.len()).map(move |p| (s, p)))
        .collect();
    let rendered: Vec<markdown::RenderedMarkdown> = jobs
        .par_iter()
        .map(|&(s, p)| {
            let site = &site_sources[s];
            let page = &site.pages[p];
            let resolver = PageLinks {
                index: &index,
                site: s,
                page: p,
                pretty: input.pretty_urls,
            };
            markdown::render_with(
                &page.text,
                &index.sites[s].page_paths[p],
                &resolver,
                input.code,
            )
        })
        .collect();

    let ids: HashMap<&str, &BTreeSet<String>> = jobs
        .iter()
        .zip(&rendered)
        .map(|(&(s, p), r)| (index.sites[s].page_paths[p].as_str(), &r.ids))
        .collect();
    let source_of: HashMap<&str, &str> = jobs
        .iter()
        .map(|&(s, p)| {
            (
                index.sites[s].page_paths[p].as_str(),
                site_sources[s].pages[p].file.as_str(),
            )
        })
        .collect();
    for (&(s, p), page) in jobs.iter().zip(&rendered) {
        let site = &site_sources[s];
        let bucket = by_site.entry(site.entity.clone()).or_default();
        bucket.extend(page_diagnostics(
            &site.pages[p].file,
            &site.entity,
            page,
            &|path| Some((*ids.get(path)?, *source_of.get(path)?)),
        ));
    }
    drop(ids);
    drop(source_of);

    let mut rendered = rendered.into_iter();
    let mut set = DocSet::default();
    for (s, source) in site_sources.into_iter().enumerate() {
        let count = source.pages.len();
        let pages: Vec<markdown::RenderedMarkdown> = rendered.by_ref().take(count).collect();
        let site = assemble(source, pages, &index.sites[s]);
        set.sites
            .insert(site.entity.clone(), std::sync::Arc::new(site));
    }
    let borrowed = link_borrowed(input.catalog, &located.shared, &mut set);
    DocsBuild {
        set,
        by_site,
        borrowed,
    }
}

/// A page's ids and its source file, for `#anchor` checks.
type AnchorTarget<'t> = (&'t BTreeSet<String>, &'t str);

/// The problems one rendered page reports, and its `#anchor` links checked against the ids of
/// the pages they point at (`target` gives a page path's ids and source file).
fn page_diagnostics<'t>(
    file: &str,
    entity: &EntityRef,
    page: &markdown::RenderedMarkdown,
    target: &dyn Fn(&str) -> Option<AnchorTarget<'t>>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for problem in &page.problems {
        let d = if problem.error {
            Diagnostic::error(&problem.message)
        } else {
            Diagnostic::warning(&problem.message)
        };
        diagnostics.push(d.at(file, problem.line).entity(entity));
    }
    for check in &page.anchor_checks {
        if let Some((targets, source)) = target(check.page.as_str()) {
            if !targets.contains(&check.anchor) {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "broken anchor: #{} is not a heading of {source}",
                        check.anchor
                    ))
                    .at(file, check.line)
                    .entity(entity),
                );
            }
        }
    }
    diagnostics
}

/// Fills [`DocSet::borrowed`] from the catalog's `backstage.io/techdocs-entity` annotations and
/// from `shared` (entities whose techdocs-ref names another entity's folder,
/// [`locate::Located::shared`]), and returns the annotations' problems.
pub fn link_borrowed(
    catalog: &Catalog,
    shared: &BTreeMap<EntityRef, EntityRef>,
    set: &mut DocSet,
) -> Vec<Diagnostic> {
    set.borrowed.clear();
    for (entity, owner) in shared {
        if set.sites.contains_key(owner) {
            set.borrowed.insert(entity.clone(), owner.clone());
        }
    }
    let mut diagnostics = Vec::new();
    for entity in catalog.entities.values() {
        let Some(target) = entity.annotation(TECHDOCS_ENTITY) else {
            continue;
        };
        let report = |why: String| {
            Diagnostic::warning(format!(
                "{TECHDOCS_ENTITY} \"{target}\" {why}; no docs link is shown"
            ))
            .at(&entity.origin.file, entity.origin.line)
            .entity(&entity.entity_ref)
        };
        match crate::catalog::refs::parse(target, Some("component"), &entity.namespace) {
            Ok(reference) if set.sites.contains_key(&reference) => {
                set.borrowed.insert(entity.entity_ref.clone(), reference);
            }
            Ok(reference) if catalog.get(&reference).is_some() => {
                diagnostics.push(report(format!("names {reference}, which has no docs")))
            }
            Ok(reference) => diagnostics.push(report(format!(
                "names {reference}, which is not in the catalog"
            ))),
            Err(message) => diagnostics.push(report(message)),
        }
    }
    diagnostics
}

/// Re-reads and re-renders one entity's docs, resolving its links against the other sites of
/// `set` (as they were built). Returns the new site (`None` when the entity has no docs of its
/// own now) and the site's diagnostics. Used by `serve` after an edit inside one docs folder:
/// pages of other sites are not re-rendered, so their links into this site keep the state they
/// had.
pub fn rebuild_site(
    input: &DocsInput<'_>,
    located: &locate::Located,
    set: &DocSet,
    entity: &EntityRef,
) -> (Option<DocSite>, Vec<Diagnostic>) {
    let mut diagnostics: Vec<Diagnostic> = located
        .problems
        .get(entity)
        .into_iter()
        .cloned()
        .chain(located.notes.get(entity).into_iter().flatten().cloned())
        .collect();
    let (Some(documented), Some(project)) =
        (input.catalog.get(entity), located.projects.get(entity))
    else {
        return (None, diagnostics);
    };
    let (source, problems) = match read_site(documented, project, input.sources) {
        Ok(read) => read,
        Err(problem) => {
            diagnostics.push(problem);
            return (None, diagnostics);
        }
    };
    diagnostics.extend(problems);
    let catalog = input.catalog;
    let pretty_urls = input.pretty_urls;
    let others: Vec<&DocSite> = set
        .sites
        .iter()
        .filter(|(r, _)| *r != entity)
        .map(|(_, site)| site.as_ref())
        .collect();
    let mut site_indexes: Vec<SiteIndex> = others.iter().map(|s| site_index_of_site(s)).collect();
    let this = site_indexes.len();
    site_indexes.push(site_index_of_source(&source));
    let index = Index::new(site_indexes, catalog);
    let rendered: Vec<markdown::RenderedMarkdown> = (0..source.pages.len())
        .into_par_iter()
        .map(|p| {
            let resolver = PageLinks {
                index: &index,
                site: this,
                page: p,
                pretty: pretty_urls,
            };
            markdown::render(
                &source.pages[p].text,
                &index.sites[this].page_paths[p],
                &resolver,
            )
        })
        .collect();
    let own: HashMap<&str, (&BTreeSet<String>, &str)> = index.sites[this]
        .page_paths
        .iter()
        .zip(&rendered)
        .zip(&source.pages)
        .map(|((path, r), page)| (path.as_str(), (&r.ids, page.file.as_str())))
        .collect();
    let other_pages: HashMap<&str, &DocPage> = others
        .iter()
        .flat_map(|site| site.pages.iter().map(|p| (p.path.as_str(), p)))
        .collect();
    for (p, page) in rendered.iter().enumerate() {
        diagnostics.extend(page_diagnostics(
            &source.pages[p].file,
            entity,
            page,
            &|path| {
                own.get(path).copied().or_else(|| {
                    other_pages
                        .get(path)
                        .map(|page| (&page.ids, page.file.as_str()))
                })
            },
        ));
    }
    drop(own);
    drop(other_pages);
    let site = assemble(source, rendered, &index.sites[this]);
    (Some(site), diagnostics)
}

/// A site's files, read but not rendered.
struct SiteSource {
    entity: EntityRef,
    /// The mkdocs project folder: snippet paths are relative to it.
    project: PathBuf,
    /// The repository root nothing may leave.
    root: PathBuf,
    docs_dir: PathBuf,
    site_name: String,
    description: Option<String>,
    root_path: String,
    nav: Option<Vec<NavEntry>>,
    pages: Vec<SourcePage>,
    assets: Vec<DocAsset>,
    /// Source paths of the assets (relative to the docs folder).
    asset_sources: HashSet<String>,
    /// Where files of the repository outside the docs folder are shown on its code host.
    repository_files: Option<links::RepositoryFiles>,
}

struct SourcePage {
    source: String,
    file: String,
    text: String,
    edit_url: Option<String>,
}

fn read_site(
    entity: &Entity,
    located: &locate::Project,
    sources: &SourceSet,
) -> Result<(SiteSource, Vec<Diagnostic>), Diagnostic> {
    let fail = |message: String| {
        Diagnostic::error(message)
            .at(&entity.origin.file, entity.origin.line)
            .entity(&entity.entity_ref)
    };
    let project = &located.dir;
    let root = &located.root;
    let project_display = located.display(project);

    let mut problems = Vec::new();
    let config_file = ["mkdocs.yaml", "mkdocs.yml"]
        .iter()
        .map(|name| project.join(name))
        .find(|p| p.is_file());
    let config = match &config_file {
        Some(path) => {
            let display = located.display(path);
            let text = paths::read_text(path)
                .map_err(|e| fail(format!("{display}: cannot read it: {}", e.message())))?;
            match mkdocs::parse(&text) {
                Ok((config, found)) => {
                    for (line, message) in found {
                        problems.push(
                            Diagnostic::warning(message)
                                .at(&display, line)
                                .entity(&entity.entity_ref),
                        );
                    }
                    config
                }
                Err((line, message)) => {
                    return Err(Diagnostic::error(message)
                        .at(&display, line)
                        .entity(&entity.entity_ref))
                }
            }
        }
        None => MkdocsConfig {
            docs_dir: "docs".to_string(),
            ..MkdocsConfig::default()
        },
    };
    let docs_dir =
        paths::resolve_confined(project, &config.docs_dir, root).map_err(
            |m| match &config_file {
                Some(path) => Diagnostic::error(format!("docs_dir: {m}"))
                    .at(&located.display(path), config.docs_dir_line.max(1))
                    .entity(&entity.entity_ref),
                None => fail(format!(
                    "{project_display} has no mkdocs.yml and no docs folder: {m}"
                )),
            },
        )?;
    if !docs_dir.is_dir() {
        return Err(fail(format!(
            "{TECHDOCS_REF} points at {project_display}, whose {} is not a folder",
            config.docs_dir
        )));
    }

    let mut listing = list_files(
        &docs_dir,
        located,
        sources,
        &entity.entity_ref,
        &mut problems,
    );
    // Pages in mkdocs' order, so `index.md` claims its folder's page before `README.md` does.
    listing.sort_by_cached_key(|(relative, _)| (!is_markdown(relative), page_order(relative)));
    let edit_base = edit_base(&config, located, &docs_dir);
    let mut pages = Vec::new();
    let mut assets = Vec::new();
    let mut asset_sources = HashSet::new();
    let mut taken: HashMap<String, String> = HashMap::new();
    // Read every file in parallel (a single site may hold thousands of pages), then decide
    // in listing order.
    let contents: Vec<Result<Vec<u8>, String>> = listing
        .par_iter()
        .map(|(_, path)| paths::read_bytes(path).map_err(|e| e.message()))
        .collect();
    for ((relative, path), content) in listing.into_iter().zip(contents) {
        let display = located.display(&path);
        if is_markdown(&relative) {
            let url_dir = page_url_dir(&relative);
            if let Some(existing) = taken.get(&url_dir) {
                problems.push(
                    Diagnostic::warning(format!(
                        "skipped: {existing} already becomes the page {url_dir}index.html"
                    ))
                    .in_file(&display)
                    .entity(&entity.entity_ref),
                );
                continue;
            }
            match content.and_then(|b| paths::text_of(b).map_err(|e| e.message())) {
                Ok(text) => {
                    taken.insert(url_dir, relative.clone());
                    pages.push(SourcePage {
                        edit_url: edit_base.as_ref().map(|base| edit_url(base, &relative)),
                        source: relative,
                        file: display,
                        text,
                    });
                }
                Err(message) => problems.push(
                    Diagnostic::warning(format!("page skipped: {message}"))
                        .in_file(&display)
                        .entity(&entity.entity_ref),
                ),
            }
        } else {
            match content {
                Ok(bytes) => {
                    assets.push(DocAsset {
                        path: format!("{}{relative}", site_root(&entity.entity_ref)),
                        bytes,
                    });
                    asset_sources.insert(relative);
                }
                Err(message) => problems.push(
                    Diagnostic::warning(format!("file not copied: {message}"))
                        .in_file(&display)
                        .entity(&entity.entity_ref),
                ),
            }
        }
    }
    if pages.is_empty() {
        return Err(fail(format!(
            "the docs folder {} has no Markdown pages",
            located.display(&docs_dir)
        )));
    }
    pages.sort_by_cached_key(|p| page_order(&p.source));
    if let (Some(nav), Some(config_path)) = (&config.nav, &config_file) {
        let names: HashSet<&str> = pages.iter().map(|p| p.source.as_str()).collect();
        let mut missing = Vec::new();
        nav_problems(nav, &names, &mut missing);
        let display = located.display(config_path);
        for (line, message) in missing {
            problems.push(
                Diagnostic::warning(message)
                    .at(&display, line)
                    .entity(&entity.entity_ref),
            );
        }
    }
    Ok((
        SiteSource {
            site_name: config
                .site_name
                .clone()
                .unwrap_or_else(|| entity.display_name().to_string()),
            description: config.site_description.clone(),
            root_path: site_root(&entity.entity_ref),
            entity: entity.entity_ref.clone(),
            project: project.clone(),
            root: root.clone(),
            repository_files: links::RepositoryFiles::of(located, &docs_dir),
            docs_dir,
            nav: config.nav,
            pages,
            assets,
            asset_sources,
        },
        problems,
    ))
}

/// mkdocs' order: per folder, `index` (else `README`) first, then files by code point, then
/// subfolders by name.
fn page_order(relative: &str) -> Vec<(u8, String)> {
    let parts: Vec<&str> = relative.split('/').collect();
    let mut key = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let rank = if !last {
            3
        } else {
            match strip_markdown_extension(part).to_ascii_lowercase().as_str() {
                "index" => 0,
                "readme" => 1,
                _ => 2,
            }
        };
        key.push((rank, part.to_string()));
    }
    key
}

/// Every file under the docs folder, as `(relative path, path on disk)`, sorted; hidden files
/// and folders skipped (as mkdocs does); symlinks followed only while they stay inside the
/// repository; folders named in `exclude` never entered.
fn list_files(
    docs_dir: &Path,
    located: &locate::Project,
    sources: &SourceSet,
    entity: &EntityRef,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    let walk = paths::walk_confined(docs_dir, &located.root, &sources.exclude, usize::MAX);
    for (path, message) in walk.problems {
        problems.push(
            Diagnostic::warning(message)
                .in_file(&located.display(&path))
                .entity(entity),
        );
    }
    walk.files
        .into_iter()
        .filter_map(|path| {
            let relative = paths::display(Path::new(""), path.strip_prefix(docs_dir).ok()?);
            let hidden = relative.split('/').any(|part| part.starts_with('.'));
            (!hidden).then_some((relative, path))
        })
        .collect()
}

/// The URL a page's source path is appended to for "Edit this page": mkdocs' `edit_uri`
/// (absolute, or relative to `repo_url`), else the repository's edit page of the docs folder,
/// from its remote or from what its descriptors declare (`backstage.io/source-location`).
fn edit_base(config: &MkdocsConfig, located: &locate::Project, docs_dir: &Path) -> Option<String> {
    let with_slash = |s: &str| {
        if s.ends_with('/') {
            s.to_string()
        } else {
            format!("{s}/")
        }
    };
    if let Some(uri) = config
        .edit_uri
        .as_deref()
        .filter(|u| crate::web::is_http_url(u))
    {
        return Some(with_slash(uri));
    }
    if let Some(repo) = config
        .repo_url
        .as_deref()
        .filter(|u| crate::web::is_http_url(u))
    {
        let default_uri = if repo.contains("bitbucket") {
            "src/default/docs/"
        } else {
            "edit/master/docs/"
        };
        let uri = config.edit_uri.as_deref().unwrap_or(default_uri);
        if uri.is_empty() {
            return None;
        }
        return Some(format!(
            "{}{}",
            with_slash(repo),
            with_slash(uri.trim_start_matches('/'))
        ));
    }
    let (web, branch) = located.web.as_ref()?;
    web.edit_prefix(branch, &located.in_repository(docs_dir)?)
}

fn edit_url(base: &str, relative: &str) -> String {
    format!("{base}{}", encode_path(relative))
}

/// The link lookups of a site about to be rendered, pages in source order.
fn site_index_of_source(site: &SiteSource) -> SiteIndex {
    SiteIndex::new(
        &site.root_path,
        &site.project,
        &site.root,
        site.pages.iter().map(|p| p.source.clone()).collect(),
        site.asset_sources.clone(),
        site.repository_files.clone(),
    )
}

/// The link lookups of a site already built (pages in reading order; only the lookups must
/// agree).
fn site_index_of_site(site: &DocSite) -> SiteIndex {
    SiteIndex::new(
        &site.root_path,
        &site.project,
        &site.repository,
        site.pages.iter().map(|p| p.source.clone()).collect(),
        site.assets
            .iter()
            .filter_map(|a| a.path.strip_prefix(&site.root_path))
            .map(str::to_string)
            .collect(),
        None,
    )
}

fn assemble(
    source: SiteSource,
    rendered: Vec<markdown::RenderedMarkdown>,
    index: &SiteIndex,
) -> DocSite {
    let SiteSource {
        entity,
        project,
        root,
        docs_dir,
        site_name,
        description,
        nav,
        pages,
        assets,
        ..
    } = source;
    let pages: Vec<(SourcePage, markdown::RenderedMarkdown)> = pages
        .into_iter()
        .zip(
            rendered
                .into_iter()
                .chain(std::iter::repeat_with(Default::default)),
        )
        .collect();
    let mut docs: Vec<DocPage> = pages
        .into_iter()
        .enumerate()
        .map(|(i, (source, rendered))| DocPage {
            title: rendered
                .title
                .clone()
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| title_from_file(&source.source)),
            description: rendered.description.clone().unwrap_or_default(),
            path: index.page_paths[i].clone(),
            html: rendered.html.into(),
            toc: rendered.toc,
            ids: rendered.ids,
            sections: rendered.sections,
            edit_url: source.edit_url,
            in_nav: false,
            source: source.source,
            file: source.file,
        })
        .collect();
    let nav = match nav {
        Some(entries) => {
            apply_nav_titles(&entries, &index.by_source, &mut docs);
            nav_from_config(&entries, &index.by_source, &docs)
        }
        None => nav_from_tree(&docs),
    };
    let mut order: Vec<usize> = Vec::new();
    collect_order(&nav, &mut order);
    let mut seen: HashSet<usize> = HashSet::new();
    order.retain(|i| seen.insert(*i));
    for i in &order {
        docs[*i].in_nav = true;
    }
    for i in 0..docs.len() {
        if !seen.contains(&i) {
            order.push(i);
        }
    }
    // Reorder pages into reading order and renumber the nav.
    let mut position = vec![0usize; docs.len()];
    for (new, old) in order.iter().enumerate() {
        position[*old] = new;
    }
    let mut slots: Vec<Option<DocPage>> = docs.into_iter().map(Some).collect();
    let pages: Vec<DocPage> = order.iter().filter_map(|old| slots[*old].take()).collect();
    let nav = renumber(nav, &position);
    DocSite {
        entity: entity.clone(),
        site_name,
        description,
        root_path: index.root_path.clone(),
        nav,
        pages,
        assets,
        project,
        docs_dir,
        repository: root,
    }
}

fn renumber(nodes: Vec<NavNode>, position: &[usize]) -> Vec<NavNode> {
    nodes
        .into_iter()
        .map(|node| match node {
            NavNode::Page { title, page } => NavNode::Page {
                title,
                page: position[page],
            },
            NavNode::Section { title, children } => NavNode::Section {
                title,
                children: renumber(children, position),
            },
            link => link,
        })
        .collect()
}

/// Appends the pages of `nodes` to `order` in nav order (sections depth first, links skipped).
pub fn collect_order(nodes: &[NavNode], order: &mut Vec<usize>) {
    for node in nodes {
        match node {
            NavNode::Page { page, .. } => order.push(*page),
            NavNode::Section { children, .. } => collect_order(children, order),
            NavNode::Link { .. } => {}
        }
    }
}

/// A title written in `nav` is the page's title, as in mkdocs.
fn apply_nav_titles(
    entries: &[NavEntry],
    by_source: &HashMap<String, usize>,
    pages: &mut [DocPage],
) {
    for entry in entries {
        match entry {
            NavEntry::Page {
                title: Some(title),
                source,
                ..
            } => {
                if let Some(&page) = by_source.get(source.as_str()) {
                    pages[page].title = title.clone();
                }
            }
            NavEntry::Section { children, .. } => apply_nav_titles(children, by_source, pages),
            _ => {}
        }
    }
}

fn nav_from_config(
    entries: &[NavEntry],
    by_source: &HashMap<String, usize>,
    pages: &[DocPage],
) -> Vec<NavNode> {
    entries
        .iter()
        .filter_map(|entry| match entry {
            NavEntry::Page { title, source, .. } => {
                by_source.get(source.as_str()).map(|&page| NavNode::Page {
                    title: title.clone().unwrap_or_else(|| pages[page].title.clone()),
                    page,
                })
            }
            NavEntry::Section { title, children } => Some(NavNode::Section {
                title: title.clone(),
                children: nav_from_config(children, by_source, pages),
            }),
            NavEntry::Link { title, url } => Some(NavNode::Link {
                title: title.clone(),
                url: url.clone(),
            }),
        })
        .collect()
}

/// The nav mkdocs derives without a `nav` key: pages (already in mkdocs' order) grouped into a
/// section per folder.
fn nav_from_tree(pages: &[DocPage]) -> Vec<NavNode> {
    let mut root: Vec<NavNode> = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let parts: Vec<&str> = page.source.split('/').collect();
        let folders = &parts[..parts.len().saturating_sub(1)];
        insert_page(
            &mut root,
            folders,
            NavNode::Page {
                title: page.title.clone(),
                page: index,
            },
        );
    }
    root
}

fn insert_page(level: &mut Vec<NavNode>, folders: &[&str], node: NavNode) {
    let Some((folder, rest)) = folders.split_first() else {
        level.push(node);
        return;
    };
    let title = section_title(folder);
    let position = level
        .iter()
        .position(|n| matches!(n, NavNode::Section { title: t, .. } if *t == title));
    let index = match position {
        Some(index) => index,
        None => {
            level.push(NavNode::Section {
                title,
                children: Vec::new(),
            });
            level.len() - 1
        }
    };
    if let Some(NavNode::Section { children, .. }) = level.get_mut(index) {
        insert_page(children, rest, node);
    }
}

/// mkdocs' section title for a folder: `-` and `_` become spaces; all-lowercase names are
/// capitalised.
fn section_title(folder: &str) -> String {
    let spaced = folder.replace(['-', '_'], " ");
    if spaced.chars().any(char::is_uppercase) {
        return spaced;
    }
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => spaced,
    }
}

fn title_from_file(relative: &str) -> String {
    let stem = strip_markdown_extension(relative);
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let name = if name.eq_ignore_ascii_case("index") || name.eq_ignore_ascii_case("readme") {
        stem.rsplit('/').nth(1).unwrap_or("Home")
    } else {
        name
    };
    section_title(name)
}

/// `(line, message)` for each nav entry that names a page the docs folder does not have.
fn nav_problems(entries: &[NavEntry], pages: &HashSet<&str>, out: &mut Vec<(usize, String)>) {
    for entry in entries {
        match entry {
            NavEntry::Page { source, line, .. } if !pages.contains(source.as_str()) => {
                out.push((
                    *line,
                    format!(
                        "nav entry {source} names a page that does not exist in the docs folder"
                    ),
                ));
            }
            NavEntry::Section { children, .. } => nav_problems(children, pages, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_order_and_titles_follow_mkdocs() {
        let mut sources = vec!["z.md", "b/index.md", "a.md", "README.md", "b/c.md"];
        sources.sort_by_key(|s| page_order(s));
        assert_eq!(
            sources,
            vec!["README.md", "a.md", "z.md", "b/index.md", "b/c.md"]
        );
        assert_eq!(section_title("getting-started"), "Getting started");
        assert_eq!(section_title("API_Guides"), "API Guides");
        assert_eq!(title_from_file("ops/run-book.md"), "Run book");
    }
}
