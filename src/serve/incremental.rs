//! The rebuild engine of `serve`: keeps the last good build's state (configuration, sources,
//! catalog, docs, diagnostics, and a hash of every served file) and rebuilds only what a
//! change can affect, by calling the pipeline's stages with narrower inputs:
//!
//! - a docs folder changed → `docs::rebuild_site` for that site, then the model of that site's
//!   pages only ([`site::Selection`]), plus `docs/index.html` and the entity's page when the
//!   site's name, description, page count or first page changed;
//! - a descriptor (or anything a descriptor may read) changed → discover, load and resolve
//!   again (cheap next to rendering), rebuild the docs of entities that changed, build the
//!   model of every catalog page and of docs pages whose entity or owner changed;
//! - `greenroom.yaml` or the theme changed → everything.
//!
//! Whatever the change, when the diagnostics change the problems page and the entities whose
//! problems changed are rebuilt too, and when their counts change every page is (the nav
//! badge). Pages are rendered only when the hash of their template context differs from the
//! served one, so a rebuild renders the pages whose content really changed.
//!
//! A rebuild that brings an error diagnostic the last good build did not have is not
//! published: the last good site stays, and the new errors go to the terminal and the overlay.

use super::http::{Patch, Problem};
use crate::catalog::{Catalog, EntityRef};
use crate::config::SiteConfig;
use crate::diag::{self, Counts, Diagnostic, Severity};
use crate::discover::SourceSet;
use crate::docs::{self, DocSet};
use crate::output::OutputFile;
use crate::site::{self, AssetPaths, Selection, SiteInput};
use crate::{render, search, theme};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// A search index build that took longer than this runs in the background after the reload,
/// so a big portal's pages are not held up by it (the index catches up a few seconds later).
const SEARCH_INLINE_SECONDS: f64 = 0.15;

/// The last good build's inputs to the model. Cheap to clone: the big parts are shared.
#[derive(Clone)]
struct State {
    config: Arc<SiteConfig>,
    sources: Arc<SourceSet>,
    catalog: Arc<Catalog>,
    docs: Arc<DocSet>,
    /// Diagnostics of discover, load and resolve.
    catalog_diags: Vec<Diagnostic>,
    theme_diags: Vec<Diagnostic>,
    docs_diags: BTreeMap<EntityRef, Vec<Diagnostic>>,
    borrowed_diags: Vec<Diagnostic>,
    /// All of them, sorted, as `build` reports them.
    diagnostics: Vec<Diagnostic>,
}

impl State {
    fn combine(&mut self) {
        let mut all = self.catalog_diags.clone();
        all.extend(self.docs_diags.values().flatten().cloned());
        all.extend(self.borrowed_diags.iter().cloned());
        all.extend(self.theme_diags.iter().cloned());
        diag::sort(&mut all);
        self.diagnostics = all;
    }
}

/// Which group of served files a path belongs to; a rebuild replaces whole groups or patches
/// single files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    /// `assets/`: the theme's files.
    Assets,
    /// `search/*.js`: the search index.
    Search,
    /// One docs site's pages and files, by its folder (`docs/<ns>/<kind>/<name>/`).
    Docs(String),
    /// Every other page and data file.
    Catalog,
}

fn part_of(path: &str) -> Part {
    if path.starts_with("assets/") {
        return Part::Assets;
    }
    if path.starts_with("search/") && path.ends_with(".js") {
        return Part::Search;
    }
    if let Some(rest) = path.strip_prefix("docs/") {
        let segments: Vec<&str> = rest.splitn(4, '/').collect();
        if segments.len() == 4 {
            return Part::Docs(format!(
                "docs/{}/{}/{}/",
                segments[0], segments[1], segments[2]
            ));
        }
    }
    Part::Catalog
}

/// A served file's fingerprint: the template context's hash for pages, the bytes' for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    hash: u64,
    page: bool,
}

/// What a rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// The new site: publish the patch.
    Published {
        /// Files to swap in and out.
        patch: Patch,
        /// Pages rendered.
        rendered: usize,
        /// Diagnostics the previous build did not have.
        new_diagnostics: Vec<Diagnostic>,
        /// How many of the previous build's diagnostics are gone.
        fixed: usize,
        /// The search index to build in the background, when it was not built inline.
        search: Option<SearchJob>,
    },
    /// Not published; the last good site stays.
    Blocked {
        /// One line for the overlay's heading.
        title: String,
        /// The problems that stopped it.
        problems: Vec<Diagnostic>,
    },
}

/// A search index build to run off the rebuild thread.
#[derive(Debug)]
pub struct SearchJob {
    /// Only the newest job's result is used.
    pub generation: u64,
    catalog: Arc<Catalog>,
    docs: Arc<DocSet>,
    pretty_urls: bool,
}

impl SearchJob {
    /// Builds the index (on whichever thread calls it).
    pub fn run(&self) -> Vec<(String, Vec<u8>)> {
        search::build(&search::SearchInput {
            catalog: &self.catalog,
            docs: &self.docs,
            pretty_urls: self.pretty_urls,
        })
        .files
    }
}

/// The last good build and everything needed to rebuild parts of it.
pub struct Engine {
    root: PathBuf,
    state: State,
    tera: tera::Tera,
    asset_paths: AssetPaths,
    stamps: HashMap<String, Stamp>,
    search_seconds: f64,
    search_generation: u64,
}

/// The first full build: the engine and the whole site, or why there is none.
pub enum Start {
    /// Built.
    Built(Box<Engine>, Patch, Vec<Diagnostic>),
    /// `greenroom.yaml` has errors: nothing to serve until it is fixed.
    Blocked(Vec<Diagnostic>),
}

struct Loaded {
    state: State,
    theme: theme::Theme,
    config_problems: Vec<Diagnostic>,
}

fn load(root: &Path) -> anyhow::Result<Loaded> {
    let (config, config_problems) = crate::config::load(root)?;
    let (sources, mut catalog_diags) = crate::discover::discover(root, &config)?;
    let (documents, loaded) = crate::catalog::load::load(&sources);
    catalog_diags.extend(loaded);
    let (catalog, resolved) = crate::catalog::resolve(&documents, &config);
    catalog_diags.extend(resolved);
    drop(documents);
    let built = docs::build_parts(&catalog, &sources, config.pretty_urls);
    let (theme, theme_diags) = theme::load(&sources.portal_root);
    let mut state = State {
        config: Arc::new(config),
        sources: Arc::new(sources),
        catalog: Arc::new(catalog),
        docs: Arc::new(built.set),
        catalog_diags: config_problems
            .iter()
            .cloned()
            .chain(catalog_diags)
            .collect(),
        theme_diags,
        docs_diags: built.by_site,
        borrowed_diags: built.borrowed,
        diagnostics: Vec::new(),
    };
    state.combine();
    Ok(Loaded {
        state,
        theme,
        config_problems,
    })
}

impl Engine {
    /// Builds the whole portal in memory, search index included.
    pub fn start(root: &Path) -> anyhow::Result<Start> {
        let loaded = load(root)?;
        if !loaded.config_problems.is_empty() {
            return Ok(Start::Blocked(loaded.config_problems));
        }
        let tera = render::compile(&loaded.theme)?;
        let (asset_paths, assets) = render::assets(&loaded.theme);
        let mut engine = Engine {
            root: loaded.state.sources.portal_root.clone(),
            state: loaded.state,
            tera,
            asset_paths,
            stamps: HashMap::new(),
            search_seconds: 0.0,
            search_generation: 0,
        };
        let state = engine.state.clone();
        let diagnostics = state.diagnostics.clone();
        let (patch, _) =
            engine.publish_model(&state, &Selection::all(), true, Some(assets), true)?;
        engine.state = state;
        Ok(Start::Built(Box::new(engine), patch, diagnostics))
    }

    /// The canonical portal root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every diagnostic of the last good build.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.state.diagnostics
    }

    /// What the watcher needs to know to classify changes.
    pub fn layout(&self) -> super::watch::Layout {
        layout_of(&self.root, &self.state.config, Some(&self.state.docs))
    }

    /// Rebuilds for a batch of changes.
    pub fn rebuild(&mut self, plan: &super::watch::Plan) -> anyhow::Result<Outcome> {
        if plan.full {
            self.rebuild_all()
        } else if plan.catalog {
            self.rebuild_catalog(&plan.docs)
        } else {
            self.rebuild_docs(&plan.docs)
        }
    }

    /// Everything again (configuration or theme changed): a new engine's worth of state.
    fn rebuild_all(&mut self) -> anyhow::Result<Outcome> {
        let loaded = load(&self.root)?;
        if !loaded.config_problems.is_empty() {
            return Ok(Outcome::Blocked {
                title: "greenroom.yaml has errors".to_string(),
                problems: loaded.config_problems,
            });
        }
        if let Some(outcome) = self.blocked(&loaded.state) {
            return Ok(outcome);
        }
        let tera = render::compile(&loaded.theme)?;
        let (asset_paths, assets) = render::assets(&loaded.theme);
        let previous = (
            std::mem::replace(&mut self.tera, tera),
            std::mem::replace(&mut self.asset_paths, asset_paths),
        );
        match self.finish(loaded.state, Selection::all(), true, Some(assets)) {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                (self.tera, self.asset_paths) = previous;
                Err(error)
            }
        }
    }

    /// Descriptors changed: discover, load and resolve again; rebuild the docs of entities
    /// that changed (and of `extra_docs`).
    fn rebuild_catalog(&mut self, extra_docs: &BTreeSet<EntityRef>) -> anyhow::Result<Outcome> {
        let old = &self.state;
        let config = Arc::clone(&old.config);
        let (sources, mut catalog_diags) = crate::discover::discover(&self.root, &config)?;
        let (documents, loaded) = crate::catalog::load::load(&sources);
        catalog_diags.extend(loaded);
        let (catalog, resolved) = crate::catalog::resolve(&documents, &config);
        catalog_diags.extend(resolved);
        drop(documents);

        let mut changed: BTreeSet<EntityRef> = BTreeSet::new();
        for (key, entity) in &catalog.entities {
            if old.catalog.get(key) != Some(entity) {
                changed.insert(key.clone());
            }
        }
        for key in old.catalog.entities.keys() {
            if !catalog.entities.contains_key(key) {
                changed.insert(key.clone());
            }
        }
        let documented = |c: &Catalog, key: &EntityRef| {
            c.get(key)
                .is_some_and(|e| e.annotation(docs::TECHDOCS_REF).is_some())
        };
        let mut rebuild: BTreeSet<EntityRef> = extra_docs.clone();
        rebuild.extend(
            changed
                .iter()
                .filter(|k| documented(&catalog, k) || documented(&old.catalog, k))
                .cloned(),
        );
        let mut state = State {
            sources: Arc::new(sources),
            catalog: Arc::new(catalog),
            catalog_diags,
            ..old.clone()
        };
        rebuild_sites(&mut state, &rebuild);
        // Docs pages show their entity's name, type, lifecycle and owner.
        let mut shown: BTreeSet<EntityRef> = rebuild;
        for site in state.docs.sites.values() {
            let owner_changed = state
                .catalog
                .get(&site.entity)
                .and_then(|e| e.owner())
                .is_some_and(|o| changed.contains(o));
            if changed.contains(&site.entity) || owner_changed {
                shown.insert(site.entity.clone());
            }
        }
        let selection = Selection {
            catalog_pages: true,
            problems: true,
            docs_index: true,
            entities: None,
            docs: Some(shown),
        };
        self.finish(state, selection, false, None)
    }

    /// Files of some docs sites changed: rebuild those sites only.
    fn rebuild_docs(&mut self, sites: &BTreeSet<EntityRef>) -> anyhow::Result<Outcome> {
        let mut state = self.state.clone();
        let touched = rebuild_sites(&mut state, sites);
        let selection = Selection {
            docs_index: !touched.is_empty(),
            entities: Some(touched),
            docs: Some(sites.clone()),
            ..Selection::none()
        };
        self.finish(state, selection, false, None)
    }

    /// The outcome when `state` has errors the last good build did not.
    fn blocked(&self, state: &State) -> Option<Outcome> {
        let new = new_errors(&self.state.diagnostics, &state.diagnostics);
        (!new.is_empty()).then(|| Outcome::Blocked {
            title: format!(
                "{} new error{}: the last good build is still served",
                new.len(),
                if new.len() == 1 { "" } else { "s" }
            ),
            problems: new,
        })
    }

    /// Widens the selection for diagnostic changes, builds and diffs the model, and commits
    /// the state when everything worked.
    fn finish(
        &mut self,
        mut state: State,
        mut selection: Selection,
        force: bool,
        assets: Option<Vec<OutputFile>>,
    ) -> anyhow::Result<Outcome> {
        state.combine();
        if let Some(outcome) = self.blocked(&state) {
            return Ok(outcome);
        }
        let old = &self.state;
        if old.diagnostics != state.diagnostics {
            selection.problems = true;
            if Counts::of(&old.diagnostics) != Counts::of(&state.diagnostics) {
                selection = Selection::all();
            } else if let Some(entities) = &mut selection.entities {
                entities.extend(entities_with_changed_diagnostics(
                    &old.diagnostics,
                    &state.diagnostics,
                ));
            }
        }
        if old.docs.sites.is_empty() != state.docs.sites.is_empty()
            || old.config.title != state.config.title
        {
            selection = Selection::all();
        }
        let before: HashSet<&Diagnostic> = old.diagnostics.iter().collect();
        let after: HashSet<&Diagnostic> = state.diagnostics.iter().collect();
        let new_diagnostics: Vec<Diagnostic> = state
            .diagnostics
            .iter()
            .filter(|d| !before.contains(d))
            .cloned()
            .collect();
        let fixed = old
            .diagnostics
            .iter()
            .filter(|d| !after.contains(d))
            .count();
        let inline_search = self.search_seconds < SEARCH_INLINE_SECONDS;
        let (patch, rendered) =
            self.publish_model(&state, &selection, force, assets, inline_search)?;
        self.state = state;
        let search = (!inline_search).then(|| self.search_job());
        Ok(Outcome::Published {
            patch,
            rendered,
            new_diagnostics,
            fixed,
            search,
        })
    }

    fn search_job(&mut self) -> SearchJob {
        self.search_generation += 1;
        SearchJob {
            generation: self.search_generation,
            catalog: Arc::clone(&self.state.catalog),
            docs: Arc::clone(&self.state.docs),
            pretty_urls: self.state.config.pretty_urls,
        }
    }

    /// Whether a finished background search is still the newest.
    pub fn is_current_search(&self, generation: u64) -> bool {
        generation == self.search_generation
    }

    /// Records how long a background search took (it decides inline or not next time).
    pub fn search_took(&mut self, seconds: f64) {
        self.search_seconds = seconds;
    }

    /// The patch that swaps a finished background search index in.
    pub fn search_patch(&mut self, files: Vec<(String, Vec<u8>)>) -> Patch {
        let files = files
            .into_iter()
            .map(|(path, bytes)| OutputFile { path, bytes })
            .collect();
        self.diff(files, &|part| *part == Part::Search)
    }

    /// Builds the model of `selection` from `state`, renders the pages whose context changed,
    /// and turns it all into a patch against what is served. Commits the stamps only when
    /// everything rendered.
    fn publish_model(
        &mut self,
        state: &State,
        selection: &Selection,
        force: bool,
        assets: Option<Vec<OutputFile>>,
        inline_search: bool,
    ) -> anyhow::Result<(Patch, usize)> {
        let input = SiteInput {
            config: &state.config,
            catalog: &state.catalog,
            diagnostics: &state.diagnostics,
            assets: &self.asset_paths,
            docs: &state.docs,
        };
        let t0 = Instant::now();
        let mut model = site::build_selected(&input, selection);
        model.data.retain(|d| d.path != "sitemap.xml");
        let t1 = Instant::now();
        let hashes: Vec<u64> = model.pages.par_iter().map(render::context_hash).collect();
        let t2 = Instant::now();
        let stale: Vec<usize> = (0..model.pages.len())
            .filter(|&i| {
                force
                    || self.stamps.get(&model.pages[i].path)
                        != Some(&Stamp {
                            hash: hashes[i],
                            page: true,
                        })
            })
            .collect();
        let rendered: Vec<OutputFile> = stale
            .par_iter()
            .map(|&i| render::render_page(&model.pages[i], &self.tera))
            .collect::<anyhow::Result<_>>()?;
        let rendered_count = rendered.len();
        if std::env::var_os("GREENROOM_SERVE_TIMINGS").is_some() {
            eprintln!(
                "model {:.0} ms ({} pages), hash {:.0} ms, render {:.0} ms ({} pages)",
                (t1 - t0).as_secs_f64() * 1e3,
                model.pages.len(),
                (t2 - t1).as_secs_f64() * 1e3,
                t2.elapsed().as_secs_f64() * 1e3,
                rendered_count
            );
        }

        let selected_docs: Option<HashSet<String>> = selection
            .docs
            .as_ref()
            .map(|sites| sites.iter().map(docs::site_root).collect());
        let full_catalog = selection.catalog_pages
            && selection.problems
            && selection.docs_index
            && selection.entities.is_none();
        let has_assets = assets.is_some();
        let replaced = |part: &Part| match part {
            Part::Assets => has_assets,
            Part::Search => inline_search,
            Part::Catalog => full_catalog,
            Part::Docs(root) => selected_docs.as_ref().is_none_or(|s| s.contains(root)),
        };

        let mut present: HashMap<String, Stamp> = HashMap::new();
        let mut changed: Vec<(String, Vec<u8>)> = Vec::new();
        for (page, hash) in model.pages.iter().zip(&hashes) {
            present.insert(
                page.path.clone(),
                Stamp {
                    hash: *hash,
                    page: true,
                },
            );
        }
        changed.extend(rendered.into_iter().map(|f| (f.path, f.bytes)));
        let mut files: Vec<OutputFile> = model
            .data
            .into_iter()
            .map(|d| OutputFile {
                path: d.path,
                bytes: d.bytes,
            })
            .collect();
        files.extend(assets.unwrap_or_default());
        if inline_search {
            let started = Instant::now();
            let index = search::build(&search::SearchInput {
                catalog: &state.catalog,
                docs: &state.docs,
                pretty_urls: state.config.pretty_urls,
            });
            self.search_seconds = started.elapsed().as_secs_f64();
            files.extend(
                index
                    .files
                    .into_iter()
                    .map(|(path, bytes)| OutputFile { path, bytes }),
            );
        }
        for file in files {
            let stamp = Stamp {
                hash: crate::urls::fnv1a_bytes(&file.bytes),
                page: false,
            };
            if force || self.stamps.get(&file.path) != Some(&stamp) {
                changed.push((file.path.clone(), file.bytes));
            }
            present.insert(file.path, stamp);
        }
        let removed: Vec<String> = self
            .stamps
            .keys()
            .filter(|path| replaced(&part_of(path)) && !present.contains_key(*path))
            .cloned()
            .collect();
        for path in &removed {
            self.stamps.remove(path);
        }
        self.stamps.extend(present);
        // sitemap.xml lists every page, so it follows the stamps rather than the selection.
        if let Some(sitemap) = self.sitemap(&state.config) {
            let stamp = Stamp {
                hash: crate::urls::fnv1a_bytes(&sitemap.bytes),
                page: false,
            };
            if force || self.stamps.get(&sitemap.path) != Some(&stamp) {
                self.stamps.insert(sitemap.path.clone(), stamp);
                changed.push((sitemap.path, sitemap.bytes));
            }
        }
        Ok((Patch { removed, changed }, rendered_count))
    }

    fn sitemap(&self, config: &SiteConfig) -> Option<site::DataFile> {
        config.base_url.as_ref()?;
        let mut pages: Vec<&str> = self
            .stamps
            .iter()
            .filter(|(_, s)| s.page)
            .map(|(p, _)| p.as_str())
            .collect();
        pages.sort_unstable();
        site::sitemap(config, &pages)
    }

    /// A patch for a complete new set of files of the parts `replaced` selects.
    fn diff(&mut self, files: Vec<OutputFile>, replaced: &dyn Fn(&Part) -> bool) -> Patch {
        let mut present = HashSet::new();
        let mut changed = Vec::new();
        for file in files {
            let stamp = Stamp {
                hash: crate::urls::fnv1a_bytes(&file.bytes),
                page: false,
            };
            present.insert(file.path.clone());
            if self.stamps.get(&file.path) != Some(&stamp) {
                self.stamps.insert(file.path.clone(), stamp);
                changed.push((file.path, file.bytes));
            }
        }
        let removed: Vec<String> = self
            .stamps
            .keys()
            .filter(|p| replaced(&part_of(p)) && !present.contains(*p))
            .cloned()
            .collect();
        for path in &removed {
            self.stamps.remove(path);
        }
        Patch { removed, changed }
    }
}

/// Rebuilds the given docs sites into `state`; returns the entities whose pages show
/// something of those sites that changed (name, description, page count, first page), with
/// the entities that borrow their docs.
fn rebuild_sites(state: &mut State, sites: &BTreeSet<EntityRef>) -> BTreeSet<EntityRef> {
    if sites.is_empty() {
        return BTreeSet::new();
    }
    let mut docs = (*state.docs).clone();
    let mut touched = BTreeSet::new();
    let summary = |site: Option<&Arc<docs::DocSite>>| {
        site.map(|s| {
            (
                s.site_name.clone(),
                s.description.clone(),
                s.pages.len(),
                s.pages.first().map(|p| p.path.clone()),
            )
        })
    };
    for entity in sites {
        let (site, problems) = docs::rebuild_site(
            &state.catalog,
            &state.sources,
            &docs,
            entity,
            state.config.pretty_urls,
        );
        let before = summary(docs.sites.get(entity));
        match site {
            Some(site) => {
                docs.sites.insert(entity.clone(), Arc::new(site));
            }
            None => {
                docs.sites.remove(entity);
            }
        }
        if state
            .catalog
            .get(entity)
            .is_some_and(|e| e.annotation(docs::TECHDOCS_REF).is_some())
        {
            state.docs_diags.insert(entity.clone(), problems);
        } else {
            state.docs_diags.remove(entity);
        }
        if before != summary(docs.sites.get(entity)) {
            touched.insert(entity.clone());
        }
    }
    let borrowed_before = docs.borrowed.clone();
    state.borrowed_diags = docs::link_borrowed(&state.catalog, &mut docs);
    for (borrower, target) in docs.borrowed.iter().chain(&borrowed_before) {
        if touched.contains(target) || borrowed_before.get(borrower) != docs.borrowed.get(borrower)
        {
            touched.insert(borrower.clone());
        }
    }
    state.docs = Arc::new(docs);
    state.combine();
    touched
}

/// Errors in `new` that `old` did not have. Lines are ignored, so an error that moved because
/// lines were added above it is not new.
fn new_errors(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| (d.file.clone(), d.entity.clone(), d.message.clone());
    let known: HashSet<_> = old
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(key)
        .collect();
    new.iter()
        .filter(|d| d.severity == Severity::Error && !known.contains(&key(d)))
        .cloned()
        .collect()
}

/// Entities (by ref) whose list of diagnostics differs between two builds.
fn entities_with_changed_diagnostics(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<EntityRef> {
    let before: HashSet<&Diagnostic> = old.iter().collect();
    let after: HashSet<&Diagnostic> = new.iter().collect();
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for d in old.iter().filter(|d| !after.contains(d)) {
        names.extend(d.entity.as_deref());
    }
    for d in new.iter().filter(|d| !before.contains(d)) {
        names.extend(d.entity.as_deref());
    }
    names
        .into_iter()
        .filter_map(|name| crate::catalog::refs::parse(name, None, "default").ok())
        .collect()
}

/// The watcher's view of a portal.
pub fn layout_of(root: &Path, config: &SiteConfig, docs: Option<&DocSet>) -> super::watch::Layout {
    let locations = config
        .catalog
        .locations
        .iter()
        .map(|location| {
            let target = location.target.as_str();
            let literal = target
                .find(['*', '?', '[', '{'])
                .map(|i| &target[..i])
                .unwrap_or(target);
            let folder = literal.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
            root.join(folder)
        })
        .collect();
    super::watch::Layout {
        root: root.to_path_buf(),
        out: root.join(&config.out),
        sources: config.sources.iter().map(|s| root.join(&s.path)).collect(),
        locations,
        docs: docs
            .map(|d| {
                d.sites
                    .values()
                    .map(|s| (s.entity.clone(), s.project.clone(), s.docs_dir.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The layout of a portal whose first build failed: enough to notice a fix.
pub fn fallback_layout(root: &Path) -> super::watch::Layout {
    let config = crate::config::load(root)
        .map(|(c, _)| c)
        .unwrap_or_else(|_| SiteConfig::default());
    layout_of(root, &config, None)
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("root", &self.root)
            .field("files", &self.stamps.len())
            .finish()
    }
}

/// The problems of an outcome or error, for the overlay.
pub fn problems(diagnostics: &[Diagnostic]) -> Vec<Problem> {
    diagnostics
        .iter()
        .map(|d| Problem {
            file: d.file.clone(),
            line: d.line,
            message: match &d.entity {
                Some(entity) => format!("{} [{entity}]", d.message),
                None => d.message.clone(),
            },
        })
        .collect()
}

/// Reads the context for an error.
pub fn error_problem(error: &anyhow::Error) -> Vec<Problem> {
    vec![Problem {
        file: None,
        line: None,
        message: format!("{error:#}"),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_by_path() {
        assert_eq!(part_of("assets/style.css"), Part::Assets);
        assert_eq!(part_of("search/t/0.js"), Part::Search);
        assert_eq!(part_of("search/manifest.js"), Part::Search);
        assert_eq!(part_of("search/index.html"), Part::Catalog);
        assert_eq!(part_of("docs/index.html"), Part::Catalog);
        assert_eq!(
            part_of("docs/default/component/pay/guide/index.html"),
            Part::Docs("docs/default/component/pay/".to_string())
        );
        assert_eq!(
            part_of("docs/default/component/pay/index.html"),
            Part::Docs("docs/default/component/pay/".to_string())
        );
        assert_eq!(
            part_of("catalog/default/component/pay/index.html"),
            Part::Catalog
        );
    }

    #[test]
    fn only_unknown_errors_block() {
        let old = vec![Diagnostic::error("bad owner").at("a.yaml", 3)];
        let moved = vec![Diagnostic::error("bad owner").at("a.yaml", 4)];
        assert!(new_errors(&old, &moved).is_empty());
        let warned = vec![Diagnostic::warning("dangling").at("b.yaml", 1)];
        assert!(new_errors(&old, &warned).is_empty());
        let broken = vec![Diagnostic::error("invalid YAML").at("b.yaml", 1)];
        assert_eq!(new_errors(&old, &broken).len(), 1);
    }
}
