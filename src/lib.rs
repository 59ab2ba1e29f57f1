//! greenroom: a developer portal that needs no server.
//!
//! The pipeline, one module per stage, data flowing one way (see ARCHITECTURE.md):
//! [`config`] → [`fetch`] (git sources) → [`discover`] → [`catalog::load`] → [`catalog`] (resolve) → [`docs`] → [`site`] (model) →
//! [`render`] → [`output`]. [`build`] and [`check`] chain the stages (`check` stops after
//! `docs`, so broken doc links fail CI too).

pub mod apis;
pub mod catalog;
pub mod config;
pub mod diag;
pub mod discover;
pub mod docs;
pub mod fetch;
pub mod graph;
pub mod hash;
pub mod highlight;
pub mod output;
pub mod paths;
pub mod remote;
pub mod render;
pub mod scm;
pub mod search;
pub mod serve;
pub mod site;
pub mod svg;
pub mod theme;
pub mod urls;
pub mod web;
pub mod yaml;

use crate::catalog::Catalog;
use crate::config::SiteConfig;
use crate::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `greenroom build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Portal root.
    pub root: PathBuf,
    /// Output folder; defaults to the config's `out`, relative to the root.
    pub out: Option<PathBuf>,
    /// Any diagnostic fails the build and leaves the previous output untouched.
    pub strict: bool,
    /// Print stage progress (only on a terminal).
    pub progress: bool,
    /// Reuse the previous site in the output folder (skip rendering pages whose inputs are
    /// unchanged, keep unchanged files as they are: same inode and modification time) and the
    /// highlight memo of earlier builds. `false` is a cold build (`--clean`).
    pub reuse: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Entities in the catalog.
    pub entities: usize,
    /// HTML pages rendered.
    pub pages: usize,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Wall time of the whole build.
    pub seconds: f64,
    /// The output folder.
    pub out: PathBuf,
    /// Why nothing was written, when the build stopped before writing.
    pub stopped: Option<StopReason>,
    /// Wall time of each stage, in pipeline order.
    pub timings: Vec<(&'static str, f64)>,
    /// Sizes of the search index (zero when nothing was written).
    pub search: search::SearchStats,
    /// Pages rendered, and pages skipped because their inputs had not changed.
    pub render: render::RenderStats,
    /// Files written, and files carried over unchanged from the previous site.
    pub files: output::WriteStats,
}

/// Why a build left the previous site in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// `--strict`, and there were diagnostics.
    Strict,
    /// greenroom.yaml could not be used: publishing with the defaults would drop its registered
    /// locations, title and output folder.
    Config,
}

/// What `greenroom check` found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Entities that validated.
    pub entities: usize,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything known after the input stages.
struct Loaded {
    timings: Timings,
    config: SiteConfig,
    catalog: Catalog,
    diagnostics: Vec<Diagnostic>,
    portal_root: PathBuf,
    source_dirs: Vec<PathBuf>,
    docs: docs::DocSet,
    apis: apis::ApiSet,
    /// greenroom.yaml exists but could not be used; the defaults stood in.
    config_rejected: bool,
}

/// Stage timer: records how long each stage took and shows progress on a terminal.
struct Timings {
    show_progress: bool,
    last: Instant,
    stages: Vec<(&'static str, f64)>,
}

impl Timings {
    fn new(show_progress: bool) -> Self {
        Timings {
            show_progress,
            last: Instant::now(),
            stages: Vec::new(),
        }
    }

    /// Ends the previous stage (if any) and announces the next one.
    fn stage(&mut self, finished: Option<&'static str>, next: &str) {
        if let Some(name) = finished {
            self.stages.push((name, self.last.elapsed().as_secs_f64()));
        }
        self.last = Instant::now();
        if self.show_progress {
            if next.is_empty() {
                eprint!("\r\x1b[2K");
            } else {
                eprint!("\r\x1b[2K{next}…");
            }
        }
    }
}

/// What the input stages read: a portal (greenroom.yaml and its sources), or one repository
/// checked on its own.
enum Scope {
    Portal,
    /// The root is one repository; refs to `elsewhere` count as present, and `reading`
    /// says which URLs may be read (nothing, unless asked).
    Repository {
        elsewhere: std::collections::BTreeSet<catalog::refs::EntityRef>,
        reading: config::ReadingConfig,
    },
}

/// How the input stages use the highlight memo kept between builds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Memo {
    /// Read it and record this build's (`build`).
    Record,
    /// Do not read it, but record this build's (`build --clean`).
    Ignore,
    /// No highlighting at all (`check`): what a page reports does not depend on it.
    Skip,
}

fn load_catalog(
    root: &Path,
    show_progress: bool,
    scope: Scope,
    memo: Memo,
) -> anyhow::Result<Loaded> {
    let mut timings = Timings::new(show_progress);
    timings.stage(None, "reading configuration");
    let (config, mut diagnostics, checkouts, elsewhere) = match scope {
        Scope::Portal => {
            let (config, diagnostics) = config::load(root)?;
            (config, diagnostics, None, Default::default())
        }
        Scope::Repository { elsewhere, reading } => {
            let (mut config, checkout) = repository_scope(root)?;
            config.reading = reading;
            (config, Vec::new(), Some(vec![checkout]), elsewhere)
        }
    };
    // A portal keeps what it read in its cache; a repository check keeps nothing (and clones
    // no docs repository).
    let portal_scope = checkouts.is_none();
    let remote = if portal_scope {
        remote::RemoteReader::new(&config.reading, Some(&fetch::cache_dir(root, &config)))
    } else {
        remote::RemoteReader::new(&config.reading, None)
    };
    if checkouts.is_none() && memo != Memo::Skip {
        highlight::open_memo(&highlight_memo_path(root, &config), memo != Memo::Ignore);
    }
    let config_rejected = diagnostics
        .iter()
        .any(|d| d.severity == diag::Severity::Error);
    timings.stage(Some("config"), "fetching git sources");
    let (checkouts, fetched) = match checkouts {
        Some(checkouts) => (checkouts, Vec::new()),
        None if config_rejected => (Vec::new(), Vec::new()),
        None => fetch::fetch(root, &config),
    };
    diagnostics.extend(fetched);
    timings.stage(Some("fetch"), "discovering repositories");
    let (sources, found) = discover::discover(root, &config, &checkouts)?;
    diagnostics.extend(found);
    timings.stage(Some("discover"), "loading descriptors");
    let (documents, loaded) = catalog::load::load(&sources, &remote);
    diagnostics.extend(loaded);
    timings.stage(Some("load"), "resolving the catalog");
    let (catalog, resolved) = catalog::resolve(&documents, &config, elsewhere);
    diagnostics.extend(resolved);
    drop(documents);
    timings.stage(Some("resolve"), "fetching docs repositories");
    let (fetched, fetch_problems) = if portal_scope {
        fetch_docs_repositories(root, &config, &catalog, &sources)
    } else {
        (Vec::new(), Vec::new())
    };
    diagnostics.extend(fetch_problems);
    timings.stage(Some("fetch docs"), "rendering documentation");
    let code = if memo == Memo::Skip {
        docs::markdown::Code::Plain
    } else {
        docs::markdown::Code::Highlighted
    };
    let (docs, doc_problems) = docs::build(&docs::DocsInput {
        catalog: &catalog,
        sources: &sources,
        fetched: &fetched,
        reading: &config.reading,
        pretty_urls: config.pretty_urls,
        code,
    });
    diagnostics.extend(doc_problems);
    timings.stage(Some("docs"), "reading API definitions");
    let (apis, api_problems) = apis::build(&catalog, &sources.portal_root);
    diagnostics.extend(api_problems);
    diag::sort(&mut diagnostics);
    timings.stage(Some("apis"), "");
    let source_dirs = config
        .sources
        .iter()
        .filter_map(|s| s.path())
        .map(|p| sources.portal_root.join(p))
        .chain([fetch::cache_dir(&sources.portal_root, &config)])
        .collect();
    Ok(Loaded {
        timings,
        config,
        catalog,
        diagnostics,
        portal_root: sources.portal_root,
        source_dirs,
        docs,
        apis,
        config_rejected,
    })
}

/// Clones (or updates) the repositories that `url:` techdocs-refs name and `reading.allow`
/// permits, when they are not sources; the docs stage reads them.
pub fn fetch_docs_repositories(
    root: &Path,
    config: &SiteConfig,
    catalog: &Catalog,
    sources: &discover::SourceSet,
) -> (Vec<fetch::Fetched>, Vec<Diagnostic>) {
    let wanted = docs::locate::wanted(catalog, sources);
    if wanted.is_empty() {
        return (Vec::new(), Vec::new());
    }
    fetch::fetch_repositories(root, config, &wanted)
}

/// The configuration and checkout that make `root` a portal of one repository: the default
/// settings, with the folder itself as the only (already checked out) source.
fn repository_scope(root: &Path) -> anyhow::Result<(SiteConfig, fetch::Checkout)> {
    let dir = root
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot open repository {}: {e}", root.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repository".to_string());
    let config = SiteConfig {
        sources: vec![config::SourceConfig::Git(config::GitSource {
            url: format!("file://{}", dir.display()),
            git_ref: None,
        })],
        ..SiteConfig::default()
    };
    let checkout = fetch::Checkout {
        source: 0,
        meta: scm::RepoMeta::of_checkout(&dir),
        dir,
        display: name.clone(),
        name,
    };
    Ok((config, checkout))
}

/// The entities of a published `catalog/entities.json`: Backstage's `by-query` shape
/// (`{"items": [...]}`) or a plain array (`GET /entities`).
pub fn published_entities(
    bytes: &[u8],
) -> anyhow::Result<std::collections::BTreeSet<catalog::refs::EntityRef>> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| anyhow::anyhow!("not a catalog JSON file: {e}"))?;
    let items = match &value {
        serde_json::Value::Array(items) => items,
        other => other
            .get("items")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| anyhow::anyhow!("no \"items\" array: not a catalog JSON file"))?,
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            let kind = item.get("kind")?.as_str()?;
            let metadata = item.get("metadata")?;
            let name = metadata.get("name")?.as_str()?;
            let namespace = metadata
                .get("namespace")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("default");
            Some(catalog::refs::EntityRef::new(kind, namespace, name))
        })
        .collect())
}

/// Where the highlight memo of a portal is kept between builds.
fn highlight_memo_path(root: &Path, config: &SiteConfig) -> PathBuf {
    root.join(&config.cache).join("highlight.memo")
}

/// Loads and validates a portal, and renders its docs in memory to find broken links, without
/// writing anything.
pub fn check(root: &Path) -> anyhow::Result<CheckReport> {
    let loaded = load_catalog(root, false, Scope::Portal, Memo::Skip)?;
    Ok(CheckReport {
        entities: loaded.catalog.entities.len(),
        diagnostics: loaded.diagnostics,
    })
}

/// Checks one repository on its own, as a pull-request job does: its descriptors and docs,
/// with refs to the entities of a published portal's `catalog/entities.json` (`against`)
/// counting as present, and only the URLs `reading` allows read. File paths in diagnostics
/// are relative to the repository root.
pub fn check_repository(
    root: &Path,
    against: Option<&Path>,
    reading: config::ReadingConfig,
) -> anyhow::Result<CheckReport> {
    let elsewhere = match against {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            published_entities(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Default::default(),
    };
    let loaded = load_catalog(
        root,
        false,
        Scope::Repository { elsewhere, reading },
        Memo::Skip,
    )?;
    let prefix = root
        .canonicalize()
        .ok()
        .and_then(|dir| dir.file_name().map(|n| format!("{}/", n.to_string_lossy())));
    let mut diagnostics = loaded.diagnostics;
    if let Some(prefix) = prefix {
        for diagnostic in &mut diagnostics {
            if let Some(rest) = diagnostic
                .file
                .as_deref()
                .and_then(|f| f.strip_prefix(prefix.as_str()))
            {
                diagnostic.file = Some(rest.to_string());
            }
        }
    }
    Ok(CheckReport {
        entities: loaded.catalog.entities.len(),
        diagnostics,
    })
}

/// Refuses an output folder that would destroy input before anything is read or written (the
/// input stages write clones and the highlight memo into the cache).
fn refuse_destination_early(options: &BuildOptions) -> anyhow::Result<()> {
    let root = options
        .root
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot open portal root {}: {e}", options.root.display()))?;
    let (config, _) = config::load(&root)?;
    let out = match &options.out {
        Some(out) => out.clone(),
        None => root.join(&config.out),
    };
    let mut protected: Vec<PathBuf> = config
        .sources
        .iter()
        .filter_map(|s| s.path())
        .map(|p| root.join(p))
        .collect();
    protected.push(fetch::cache_dir(&root, &config));
    protected.push(root);
    output::check_destination(&out, &protected)
}

/// Discards the highlight memo this build recorded unless the build got as far as keeping it.
struct MemoGuard;

impl Drop for MemoGuard {
    fn drop(&mut self) {
        let _ = highlight::close_memo(false);
    }
}

/// Frees `value` on a thread of its own. A large org's catalog, docs and site model are
/// millions of allocations; freeing them one by one kept the build waiting a few tenths of a
/// second at its end. (If the thread cannot start, `value` is freed here.)
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("greenroom-free".to_string())
        .spawn(move || drop(value));
}

/// Builds the portal at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    let started = Instant::now();
    refuse_destination_early(options)?;
    let _memo = MemoGuard;
    let Loaded {
        mut timings,
        config,
        catalog,
        mut diagnostics,
        portal_root,
        source_dirs,
        docs,
        apis,
        config_rejected,
    } = load_catalog(
        &options.root,
        options.progress,
        Scope::Portal,
        if options.reuse {
            Memo::Record
        } else {
            Memo::Ignore
        },
    )?;
    let out = match &options.out {
        Some(out) => out.clone(),
        None => portal_root.join(&config.out),
    };
    let mut protected = source_dirs;
    protected.push(portal_root.clone());
    output::check_destination(&out, &protected)?;

    timings.stage(None, "building the site model and the search index");
    let (theme, theme_problems) = theme::load(&portal_root);
    diagnostics.extend(theme_problems);
    diag::sort(&mut diagnostics);
    let stopped = if config_rejected {
        Some(StopReason::Config)
    } else if options.strict && !diagnostics.is_empty() {
        Some(StopReason::Strict)
    } else {
        None
    };
    let mut pages = 0;
    let mut search_stats = search::SearchStats::default();
    let mut render_stats = render::RenderStats::default();
    let mut write_stats = output::WriteStats::default();
    if stopped.is_none() {
        let templates = render::Templates::new(&theme)?;
        let (asset_paths, assets) = render::assets(&theme);
        let previous = if options.reuse {
            output::Previous::load(&out)
        } else {
            output::Previous::default()
        };
        let previous_keys = previous.keys();
        let staging = output::Staging::begin(&out, previous)?;
        // Creating ~30,000 folders is system time on one thread; the folders of entity and
        // docs pages are known already, so they are made while the model is built and fill
        // its serial stretches. The rest (facet pages, data files) follow below.
        let early_folders = site::early_page_paths(&catalog, &docs, &apis);
        let (mut model, index, early) = std::thread::scope(|scope| {
            let maker =
                scope.spawn(|| staging.create_folders(early_folders.iter().map(String::as_str)));
            // The search index reads only the catalog and the docs, so it is built beside the
            // site model: each stage has serial stretches that the other fills.
            let (model, index) = rayon::join(
                || {
                    site::build(&site::SiteInput {
                        config: &config,
                        catalog: &catalog,
                        diagnostics: &diagnostics,
                        assets: &asset_paths,
                        docs: &docs,
                        apis: &apis,
                    })
                },
                || {
                    search::build(&search::SearchInput {
                        catalog: &catalog,
                        docs: &docs,
                        apis: &apis,
                        pretty_urls: config.pretty_urls,
                    })
                },
            );
            let early = maker
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("creating output folders failed")));
            (model, index, early)
        });
        early?;
        pages = model.pages.len();
        search_stats = index.stats;
        model.data.extend(
            index
                .files
                .into_iter()
                .map(|(path, bytes)| site::DataFile { path, bytes }),
        );
        timings.stage(Some("model+search"), "creating output folders");
        staging.create_folders(
            model
                .pages
                .iter()
                .map(|p| p.path.as_str())
                .chain(model.data.iter().map(|d| d.path.as_str()))
                .chain(assets.iter().map(|a| a.path.as_str())),
        )?;
        timings.stage(Some("folders"), "rendering and writing pages");
        for file in &assets {
            staging.write(file)?;
        }
        render_stats = render::render(&model, &templates, &previous_keys, &|produced| {
            staging.put(produced)
        })?;
        free_in_background(model);
        staging.write_manifest()?;
        write_stats = staging.stats();
        timings.stage(Some("render+write"), "replacing the previous site");
        staging.commit()?;
        if let Err(error) = highlight::close_memo(true) {
            diagnostics.push(Diagnostic::warning(format!(
                "could not save the highlight cache {}: {error}",
                highlight_memo_path(&portal_root, &config).display()
            )));
        }
        timings.stage(Some("commit"), "");
    }
    let entities = catalog.entities.len();
    free_in_background((catalog, docs));
    Ok(BuildReport {
        entities,
        pages,
        diagnostics,
        seconds: started.elapsed().as_secs_f64(),
        out,
        stopped,
        timings: timings.stages,
        search: search_stats,
        render: render_stats,
        files: write_stats,
    })
}
