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

use super::http::Patch;
use super::parts::{part_of, Part};
use super::problems::{entities_with_changed_diagnostics, new_errors};
use super::watch::layout_of;
use crate::apis::{self, ApiSet};
use crate::catalog::{Catalog, EntityRef, RelationType};
use crate::config::SiteConfig;
use crate::diag::{self, Counts, Diagnostic};
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

/// Work that took longer than this last time (the search index, the model of every catalog
/// page) is done in the background after the reload, so a big portal's edit is not held up by
/// it; a small portal does everything inline and is exact at every reload.
pub const BACKGROUND_SECONDS: f64 = 0.15;

/// The last good build's inputs to the model. Cheap to clone: the big parts are shared.
#[derive(Clone)]
struct State {
    config: Arc<SiteConfig>,
    /// Git sources, fetched when the config was (re)loaded; edits do not fetch again.
    checkouts: Arc<Vec<crate::fetch::Checkout>>,
    /// Repositories cloned for `url:` techdocs-refs, fetched with the git sources.
    fetched: Arc<Vec<crate::fetch::Fetched>>,
    /// Placeholder URLs, read once per configuration: edits do not fetch again.
    remote: Arc<crate::remote::RemoteReader>,
    sources: Arc<SourceSet>,
    catalog: Arc<Catalog>,
    docs: Arc<DocSet>,
    /// API references, read again whenever the catalog is.
    apis: Arc<ApiSet>,
    /// Diagnostics of discover, load, resolve and the API references.
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
        /// Work left for the background (search index, pages further from the change).
        background: Option<Box<Background>>,
    },
    /// Not published; the last good site stays.
    Blocked {
        /// One line for the overlay's heading.
        title: String,
        /// The problems that stopped it.
        problems: Vec<Diagnostic>,
    },
}

/// Work that would hold a big portal's reload up, done on one background thread after the
/// reload: the search index, and ("settling") the model of every catalog page, so pages
/// beyond an edited entity's neighbourhood catch up too. Built from a snapshot of the
/// published state; its result is used only if nothing was published in between.
pub struct Background {
    /// Only the newest job's result is used.
    pub generation: u64,
    state: State,
    tera: Arc<tera::Tera>,
    asset_paths: AssetPaths,
    /// The stamps of the served files when settling (`None`: no settling).
    settle: Option<HashMap<String, Stamp>>,
    /// Settle every page, docs pages included (the problem counts in every page's nav
    /// changed), not only the catalog pages.
    settle_all: bool,
    search: bool,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background")
            .field("generation", &self.generation)
            .field("settle", &self.settle.is_some())
            .field("search", &self.search)
            .finish()
    }
}

/// A search index's files and how long it took.
type SearchFiles = (Vec<(String, Vec<u8>)>, f64);

/// What a background job produced.
pub struct BackgroundResult {
    /// The job's generation.
    pub generation: u64,
    settle: Option<anyhow::Result<ModelRun>>,
    settle_all: bool,
    /// The search index files and the seconds they took.
    search: Option<SearchFiles>,
    settle_seconds: f64,
}

impl std::fmt::Debug for BackgroundResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundResult")
            .field("generation", &self.generation)
            .field("settle", &self.settle.is_some())
            .field("search", &self.search.is_some())
            .finish()
    }
}

impl Background {
    /// Does the work (on whichever thread calls it).
    pub fn run(self) -> BackgroundResult {
        let started = Instant::now();
        let settle = self.settle.as_ref().map(|stamps| {
            run_model(
                &self.state,
                &self.tera,
                &self.asset_paths,
                &if self.settle_all {
                    Selection::all()
                } else {
                    settle_selection()
                },
                stamps,
                false,
            )
        });
        let settle_seconds = started.elapsed().as_secs_f64();
        let search = self.search.then(|| {
            let started = Instant::now();
            let files = search::build(&search::SearchInput {
                catalog: &self.state.catalog,
                docs: &self.state.docs,
                apis: &self.state.apis,
                pretty_urls: self.state.config.pretty_urls,
            })
            .files;
            (files, started.elapsed().as_secs_f64())
        });
        BackgroundResult {
            generation: self.generation,
            settle_all: self.settle_all,
            settle,
            search,
            settle_seconds,
        }
    }
}

/// Every catalog page (and data file), no docs pages.
fn settle_selection() -> Selection {
    Selection {
        docs: Some(BTreeSet::new()),
        ..Selection::all()
    }
}

/// Pages modelled, hashed and (where the hash changed) rendered.
struct ModelRun {
    /// Every page of the selection: path, context hash, and bytes when rendered.
    pages: Vec<(String, u64, Option<Vec<u8>>)>,
    /// Data files of the selection.
    data: Vec<OutputFile>,
    /// Seconds the model took.
    model_seconds: f64,
}

impl ModelRun {
    fn rendered(&self) -> usize {
        self.pages.iter().filter(|p| p.2.is_some()).count()
    }
}

/// Builds the model of `selection`, hashes every page's context and renders those whose hash
/// is not in `stamps` (all of them with `force`).
fn run_model(
    state: &State,
    tera: &tera::Tera,
    asset_paths: &AssetPaths,
    selection: &Selection,
    stamps: &HashMap<String, Stamp>,
    force: bool,
) -> anyhow::Result<ModelRun> {
    let started = Instant::now();
    let input = SiteInput {
        config: &state.config,
        catalog: &state.catalog,
        diagnostics: &state.diagnostics,
        assets: asset_paths,
        docs: &state.docs,
        apis: &state.apis,
    };
    let mut model = site::build_selected(&input, selection);
    model.data.retain(|d| d.path != "sitemap.xml");
    let model_seconds = started.elapsed().as_secs_f64();
    trace(&format!("model of {} pages", model.pages.len()), started);
    let pages: Vec<(String, u64, Option<Vec<u8>>)> = model
        .pages
        .par_iter()
        .map(|page| {
            let hash = render::context_hash(page);
            let known = stamps.get(&page.path) == Some(&Stamp { hash, page: true });
            let bytes = if force || !known {
                Some(render::render_page(page, tera)?.bytes)
            } else {
                None
            };
            Ok((page.path.clone(), hash, bytes))
        })
        .collect::<anyhow::Result<_>>()?;
    trace("hash and render", started);
    let data = model
        .data
        .into_iter()
        .map(|d| OutputFile {
            path: d.path,
            bytes: d.bytes,
        })
        .collect();
    Ok(ModelRun {
        pages,
        data,
        model_seconds,
    })
}

/// The last good build and everything needed to rebuild parts of it.
pub struct Engine {
    root: PathBuf,
    state: State,
    tera: Arc<tera::Tera>,
    asset_paths: AssetPaths,
    stamps: HashMap<String, Stamp>,
    /// How long the last search index build took.
    search_seconds: f64,
    /// How long the last model of every catalog page took.
    catalog_model_seconds: f64,
    /// Bumped by every publish: background results from an older state are dropped.
    generation: u64,
    /// The published search index is older than the published pages.
    search_pending: bool,
    /// Catalog pages beyond the last edits' neighbourhood may be stale.
    settle_pending: bool,
    /// Every page may be stale (the problem counts in the nav changed).
    settle_all_pending: bool,
    /// Work that took longer than this last time goes to the background.
    background_seconds: f64,
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
    let config_rejected = config_problems
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error);
    let (checkouts, mut catalog_diags) = if config_rejected {
        (Vec::new(), Vec::new())
    } else {
        crate::fetch::fetch(root, &config)
    };
    let (sources, found) = crate::discover::discover(root, &config, &checkouts)?;
    catalog_diags.extend(found);
    let remote = crate::remote::RemoteReader::new(
        &config.reading,
        Some(&crate::fetch::cache_dir(root, &config)),
    );
    let (documents, loaded) = crate::catalog::load::load(&sources, &remote);
    catalog_diags.extend(loaded);
    let (catalog, resolved) = crate::catalog::resolve(&documents, &config, BTreeSet::new());
    catalog_diags.extend(resolved);
    drop(documents);
    let (fetched, fetch_diags) = if config_rejected {
        (Vec::new(), Vec::new())
    } else {
        crate::fetch_docs_repositories(root, &config, &catalog, &sources)
    };
    catalog_diags.extend(fetch_diags);
    let built = docs::build_parts(&docs::DocsInput {
        catalog: &catalog,
        sources: &sources,
        fetched: &fetched,
        reading: &config.reading,
        pretty_urls: config.pretty_urls,
        code: docs::markdown::Code::Highlighted,
    });
    let (apis, api_diags) = apis::build(&catalog, &sources.portal_root);
    catalog_diags.extend(api_diags);
    let (theme, theme_diags) = theme::load(&sources.portal_root);
    let mut state = State {
        config: Arc::new(config),
        checkouts: Arc::new(checkouts),
        fetched: Arc::new(fetched),
        remote: Arc::new(remote),
        sources: Arc::new(sources),
        catalog: Arc::new(catalog),
        docs: Arc::new(built.set),
        apis: Arc::new(apis),
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
            tera: Arc::new(tera),
            asset_paths,
            stamps: HashMap::new(),
            search_seconds: 0.0,
            catalog_model_seconds: 0.0,
            generation: 0,
            search_pending: false,
            settle_pending: false,
            settle_all_pending: false,
            background_seconds: BACKGROUND_SECONDS,
        };
        let state = engine.state.clone();
        let diagnostics = state.diagnostics.clone();
        let (patch, _) =
            engine.publish_model(&state, &Selection::all(), true, Some(assets), true)?;
        engine.state = state;
        Ok(Start::Built(Box::new(engine), patch, diagnostics))
    }

    /// Sets the time above which work (the search index, settling catalog pages) is left to
    /// the background: [`BACKGROUND_SECONDS`] by default; 0 defers all of it (tests use
    /// that to check the background path on a small portal).
    pub fn set_background_threshold(&mut self, seconds: f64) {
        self.background_seconds = seconds;
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
        let outcome = if plan.full {
            self.rebuild_all()
        } else if plan.catalog {
            self.rebuild_catalog(&plan.docs)
        } else {
            self.rebuild_docs(&plan.docs)
        }?;
        Ok(self.with_background(outcome))
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
        let tera = Arc::new(render::compile(&loaded.theme)?);
        let (asset_paths, assets) = render::assets(&loaded.theme);
        let previous = (
            std::mem::replace(&mut self.tera, tera),
            std::mem::replace(&mut self.asset_paths, asset_paths),
        );
        match self.finish(loaded.state, Selection::all(), true, Some(assets)) {
            Ok(outcome) => {
                self.settle_pending = false;
                self.settle_all_pending = false;
                Ok(outcome)
            }
            Err(error) => {
                (self.tera, self.asset_paths) = previous;
                Err(error)
            }
        }
    }

    /// Descriptors changed: discover, load and resolve again; rebuild the docs of entities
    /// that changed (and of `extra_docs`).
    fn rebuild_catalog(&mut self, extra_docs: &BTreeSet<EntityRef>) -> anyhow::Result<Outcome> {
        let started = Instant::now();
        let old = &self.state;
        let config = Arc::clone(&old.config);
        let (sources, mut catalog_diags) =
            crate::discover::discover(&self.root, &config, &old.checkouts)?;
        let (documents, loaded) = crate::catalog::load::load(&sources, &old.remote);
        catalog_diags.extend(loaded);
        let (catalog, resolved) = crate::catalog::resolve(&documents, &config, BTreeSet::new());
        catalog_diags.extend(resolved);
        drop(documents);
        let (apis, api_diags) = apis::build(&catalog, &self.root);
        catalog_diags.extend(api_diags);
        trace("discover+load+resolve+apis", started);

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
        // A file a definition refers to may change while its descriptor does not.
        for (key, reference) in &apis.references {
            if old.apis.get(key) != Some(reference) {
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
        // On a big portal, only the changed entities' neighbourhood now; the rest of the
        // catalog pages settle in the background.
        let settle_later = self.catalog_model_seconds >= self.background_seconds;
        let entities = settle_later.then(|| neighbourhood(&old.catalog, &catalog, &changed));
        let mut state = State {
            sources: Arc::new(sources),
            catalog: Arc::new(catalog),
            apis: Arc::new(apis),
            catalog_diags,
            ..old.clone()
        };
        rebuild_sites(&mut state, &rebuild);
        trace("catalog diff and docs", started);
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
        // Settling later also covers the pages that list every entity (home, catalog index,
        // facet pages, docs index): big, and rarely the page being looked at.
        let selection = Selection {
            catalog_pages: !settle_later,
            problems: !settle_later,
            docs_index: !settle_later,
            entities,
            docs: Some(shown),
        };
        let outcome = self.finish(state, selection, false, None)?;
        if settle_later && matches!(outcome, Outcome::Published { .. }) {
            self.settle_pending = true;
        }
        Ok(outcome)
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

    /// Attaches the background work still owed to a published outcome.
    fn with_background(&mut self, mut outcome: Outcome) -> Outcome {
        if let Outcome::Published { background, .. } = &mut outcome {
            if self.search_pending || self.settle_pending {
                *background = Some(Box::new(Background {
                    generation: self.generation,
                    state: self.state.clone(),
                    tera: Arc::clone(&self.tera),
                    asset_paths: self.asset_paths.clone(),
                    settle: self.settle_pending.then(|| self.stamps.clone()),
                    settle_all: self.settle_all_pending,
                    search: self.search_pending,
                }));
            }
        }
        outcome
    }

    /// Applies a finished background job, when nothing was published since it started.
    /// Returns the patch (no reload: the pages a tab shows were published already) and what
    /// was done, for the terminal.
    pub fn apply_background(&mut self, result: BackgroundResult) -> Option<(Patch, String)> {
        if let Some((_, seconds)) = &result.search {
            self.search_seconds = *seconds;
        }
        if result.generation != self.generation {
            return None;
        }
        let mut patch = Patch::default();
        let mut done = Vec::new();
        if let Some(settle) = result.settle {
            match settle {
                Ok(run) => {
                    let all = result.settle_all;
                    if !all {
                        self.catalog_model_seconds = run.model_seconds;
                    }
                    let rendered = run.rendered();
                    let settled = self.merge(run, Vec::new(), &|part| {
                        *part == Part::Catalog || (all && matches!(part, Part::Docs(_)))
                    });
                    done.push(format!(
                        "{rendered} more {} in {:.1} s",
                        if all { "pages" } else { "catalog pages" },
                        result.settle_seconds
                    ));
                    patch.removed.extend(settled.removed);
                    patch.changed.extend(settled.changed);
                    self.settle_pending = false;
                    self.settle_all_pending &= !all;
                }
                Err(error) => done.push(format!("settling the catalog pages failed: {error:#}")),
            }
        }
        if let Some((files, seconds)) = result.search {
            let files = files
                .into_iter()
                .map(|(path, bytes)| OutputFile { path, bytes })
                .collect();
            let searched = self.merge_files(files, &|part| *part == Part::Search);
            patch.removed.extend(searched.removed);
            patch.changed.extend(searched.changed);
            done.push(format!("search index in {seconds:.1} s"));
            self.search_pending = false;
        }
        Some((patch, done.join(", ")))
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
        let mut settle_all = false;
        if old.diagnostics != state.diagnostics {
            selection.problems = true;
            let counts_changed = Counts::of(&old.diagnostics) != Counts::of(&state.diagnostics);
            if counts_changed && (force || self.catalog_model_seconds < self.background_seconds) {
                // Every page's nav shows the counts.
                selection = Selection::all();
            } else {
                // On a big portal the counts on the other pages catch up in the background.
                settle_all = counts_changed;
                if let Some(entities) = &mut selection.entities {
                    entities.extend(entities_with_changed_diagnostics(
                        &old.diagnostics,
                        &state.diagnostics,
                    ));
                }
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
        let inline_search = self.search_seconds < self.background_seconds;
        let (patch, rendered) =
            self.publish_model(&state, &selection, force, assets, inline_search)?;
        self.state = state;
        self.generation += 1;
        if !inline_search {
            self.search_pending = true;
        }
        if settle_all {
            self.settle_pending = true;
            self.settle_all_pending = true;
        }
        Ok(Outcome::Published {
            patch,
            rendered,
            new_diagnostics,
            fixed,
            background: None,
        })
    }

    /// Builds the model of `selection` from `state`, renders the pages whose context changed,
    /// and turns it all into a patch against what is served.
    fn publish_model(
        &mut self,
        state: &State,
        selection: &Selection,
        force: bool,
        assets: Option<Vec<OutputFile>>,
        inline_search: bool,
    ) -> anyhow::Result<(Patch, usize)> {
        let run = run_model(
            state,
            &self.tera,
            &self.asset_paths,
            selection,
            &self.stamps,
            force,
        )?;
        if selection.entities.is_none() {
            self.catalog_model_seconds = run.model_seconds;
        }
        let rendered = run.rendered();
        let mut extra = assets.clone().unwrap_or_default();
        if inline_search {
            let started = Instant::now();
            let index = search::build(&search::SearchInput {
                catalog: &state.catalog,
                docs: &state.docs,
                apis: &state.apis,
                pretty_urls: state.config.pretty_urls,
            });
            self.search_seconds = started.elapsed().as_secs_f64();
            extra.extend(
                index
                    .files
                    .into_iter()
                    .map(|(path, bytes)| OutputFile { path, bytes }),
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
        let mut patch = self.merge(run, extra, &replaced);
        // sitemap.xml lists every page, so it follows the stamps rather than the selection.
        if let Some(sitemap) = self.sitemap(&state.config) {
            let stamp = Stamp {
                hash: crate::hash::fnv1a_bytes(&sitemap.bytes),
                page: false,
            };
            if self.stamps.get(&sitemap.path) != Some(&stamp) {
                self.stamps.insert(sitemap.path.clone(), stamp);
                patch.changed.push((sitemap.path, sitemap.bytes));
            }
        }
        Ok((patch, rendered))
    }

    /// Turns a model run (plus other files) into a patch against the stamps, and updates them:
    /// rendered pages and files whose bytes changed go in; paths of `replaced` parts that are
    /// no longer produced go out.
    fn merge(
        &mut self,
        run: ModelRun,
        extra: Vec<OutputFile>,
        replaced: &dyn Fn(&Part) -> bool,
    ) -> Patch {
        let mut present: HashSet<String> = HashSet::new();
        let mut changed = Vec::new();
        for (path, hash, bytes) in run.pages {
            present.insert(path.clone());
            let stamp = Stamp { hash, page: true };
            if let Some(bytes) = bytes {
                changed.push((path.clone(), bytes));
            }
            self.stamps.insert(path, stamp);
        }
        let mut files = run.data;
        files.extend(extra);
        for file in files {
            let stamp = Stamp {
                hash: crate::hash::fnv1a_bytes(&file.bytes),
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
            .filter(|path| replaced(&part_of(path)) && !present.contains(*path))
            .cloned()
            .collect();
        for path in &removed {
            self.stamps.remove(path);
        }
        Patch { removed, changed }
    }

    /// [`Engine::merge`] for plain files.
    fn merge_files(&mut self, files: Vec<OutputFile>, replaced: &dyn Fn(&Part) -> bool) -> Patch {
        let run = ModelRun {
            pages: Vec::new(),
            data: files,
            model_seconds: 0.0,
        };
        self.merge(run, Vec::new(), replaced)
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
}

/// With `GREENROOM_SERVE_TIMINGS` set, prints the time since `started` (for profiling).
fn trace(what: &str, started: Instant) {
    if std::env::var_os("GREENROOM_SERVE_TIMINGS").is_some() {
        eprintln!(
            "  {what}: {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// The entities whose pages an edit of `changed` certainly shows on: themselves, everything
/// they relate to (before and after), and the groups above any group among those (ownership
/// tables and org charts reach up the tree). Pages further away (depth-2 graphs, domain
/// diagrams) are brought up to date by the background settle.
fn neighbourhood(
    old: &Catalog,
    new: &Catalog,
    changed: &BTreeSet<EntityRef>,
) -> BTreeSet<EntityRef> {
    let mut set = changed.clone();
    for catalog in [old, new] {
        for key in changed {
            if let Some(entity) = catalog.get(key) {
                set.extend(entity.relations.iter().map(|r| r.target.clone()));
            }
        }
    }
    let mut stack: Vec<EntityRef> = set.iter().filter(|r| r.kind == "group").cloned().collect();
    while let Some(group) = stack.pop() {
        for catalog in [old, new] {
            if let Some(entity) = catalog.get(&group) {
                for parent in entity.related(RelationType::ChildOf) {
                    if set.insert(parent.clone()) {
                        stack.push(parent.clone());
                    }
                }
            }
        }
    }
    set
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
    let input = docs::DocsInput {
        catalog: &state.catalog,
        sources: &state.sources,
        fetched: &state.fetched,
        reading: &state.config.reading,
        pretty_urls: state.config.pretty_urls,
        code: docs::markdown::Code::Highlighted,
    };
    let located = docs::locate::locate(input.catalog, input.sources, input.fetched, input.reading);
    let mut site_problems = Vec::new();
    for entity in sites {
        let (site, problems) = docs::rebuild_site(&input, &located, &docs, entity);
        site_problems.push((entity, problems));
        let before = summary(docs.sites.get(entity));
        match site {
            Some(site) => {
                docs.sites.insert(entity.clone(), Arc::new(site));
            }
            None => {
                docs.sites.remove(entity);
            }
        }
        if before != summary(docs.sites.get(entity)) {
            touched.insert(entity.clone());
        }
    }
    let borrowed_before = docs.borrowed.clone();
    let borrowed_diags = docs::link_borrowed(&state.catalog, &located.shared, &mut docs);
    for (entity, problems) in site_problems {
        if state
            .catalog
            .get(entity)
            .is_some_and(|e| e.annotation(docs::TECHDOCS_REF).is_some())
        {
            state.docs_diags.insert(entity.clone(), problems);
        } else {
            state.docs_diags.remove(entity);
        }
    }
    state.borrowed_diags = borrowed_diags;
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

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("root", &self.root)
            .field("files", &self.stamps.len())
            .finish()
    }
}
