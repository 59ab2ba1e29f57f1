//! greenroom: a developer portal that needs no server.
//!
//! The pipeline, one module per stage, data flowing one way (see ARCHITECTURE.md):
//! [`discover`] → [`catalog::load`] → [`catalog`] (resolve) → [`docs`] → [`site`] (model) →
//! [`render`] → [`output`]. [`build`] and [`check`] chain the stages (`check` stops after
//! `docs`, so broken doc links fail CI too).

pub mod catalog;
pub mod config;
pub mod diag;
pub mod discover;
pub mod docs;
pub mod graph;
pub mod highlight;
pub mod output;
pub mod paths;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod theme;
pub mod urls;
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

fn load_catalog(root: &Path, show_progress: bool) -> anyhow::Result<Loaded> {
    let mut timings = Timings::new(show_progress);
    timings.stage(None, "reading configuration");
    let (config, mut diagnostics) = config::load(root)?;
    let config_rejected = !diagnostics.is_empty();
    timings.stage(Some("config"), "discovering repositories");
    let (sources, found) = discover::discover(root, &config)?;
    diagnostics.extend(found);
    timings.stage(Some("discover"), "loading descriptors");
    let (documents, loaded) = catalog::load::load(&sources);
    diagnostics.extend(loaded);
    timings.stage(Some("load"), "resolving the catalog");
    let (catalog, resolved) = catalog::resolve(&documents, &config);
    diagnostics.extend(resolved);
    drop(documents);
    timings.stage(Some("resolve"), "rendering documentation");
    let (docs, doc_problems) = docs::build(&catalog, &sources, config.pretty_urls);
    diagnostics.extend(doc_problems);
    diag::sort(&mut diagnostics);
    timings.stage(Some("docs"), "");
    let source_dirs = config
        .sources
        .iter()
        .map(|s| sources.portal_root.join(&s.path))
        .collect();
    Ok(Loaded {
        timings,
        config,
        catalog,
        diagnostics,
        portal_root: sources.portal_root,
        source_dirs,
        docs,
        config_rejected,
    })
}

/// Loads and validates a portal, and renders its docs in memory to find broken links, without
/// writing anything.
pub fn check(root: &Path) -> anyhow::Result<CheckReport> {
    let loaded = load_catalog(root, false)?;
    Ok(CheckReport {
        entities: loaded.catalog.entities.len(),
        diagnostics: loaded.diagnostics,
    })
}

/// Builds the portal at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> anyhow::Result<BuildReport> {
    let started = Instant::now();
    let Loaded {
        mut timings,
        config,
        catalog,
        mut diagnostics,
        portal_root,
        source_dirs,
        docs,
        config_rejected,
    } = load_catalog(&options.root, options.progress)?;
    let out = match &options.out {
        Some(out) => out.clone(),
        None => portal_root.join(&config.out),
    };
    let mut protected = source_dirs;
    protected.push(portal_root.clone());
    output::check_destination(&out, &protected)?;

    timings.stage(None, "building the site model");
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
    if stopped.is_none() {
        let tera = render::compile(&theme)?;
        let (asset_paths, assets) = render::assets(&theme);
        let mut model = site::build(&site::SiteInput {
            config: &config,
            catalog: &catalog,
            diagnostics: &diagnostics,
            assets: &asset_paths,
            docs: &docs,
        });
        pages = model.pages.len();
        timings.stage(Some("model"), "building the search index");
        let index = search::build(&search::SearchInput {
            catalog: &catalog,
            docs: &docs,
            pretty_urls: config.pretty_urls,
        });
        search_stats = index.stats;
        model.data.extend(
            index
                .files
                .into_iter()
                .map(|(path, bytes)| site::DataFile { path, bytes }),
        );
        timings.stage(Some("search"), "rendering and writing pages");
        let staging = output::Staging::begin(&out)?;
        staging.create_folders(
            model
                .pages
                .iter()
                .map(|p| p.path.as_str())
                .chain(model.data.iter().map(|d| d.path.as_str()))
                .chain(assets.iter().map(|a| a.path.as_str())),
        )?;
        for file in &assets {
            staging.write(file)?;
        }
        render::render(&model, &tera, &|file| staging.write(&file))?;
        drop(model);
        timings.stage(Some("render+write"), "replacing the previous site");
        staging.commit()?;
        timings.stage(Some("commit"), "");
    }
    Ok(BuildReport {
        entities: catalog.entities.len(),
        pages,
        diagnostics,
        seconds: started.elapsed().as_secs_f64(),
        out,
        stopped,
        timings: timings.stages,
        search: search_stats,
    })
}
