//! Watching the portal's inputs (notify) and turning changed paths into the kind of rebuild
//! they need, like Zola's `detect_change_kind`.
//!
//! Watched: the portal root itself (not recursively: `greenroom.yaml` and top-level location
//! files), `theme/`, every source folder and the folders of registered catalog locations,
//! each recursively. The output folder is never watched or acted on, and editor by-products
//! (`*.swp`, `*~`, `.#*`, vim's `4913` probe) are ignored.

use crate::catalog::EntityRef;
use crate::config::SiteConfig;
use crate::docs::DocSet;
use notify::{EventKind, RecursiveMode};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// What a changed path asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// `greenroom.yaml`: everything.
    Config,
    /// A theme override: every page (templates and assets).
    Theme,
    /// Something a descriptor may read: reload and resolve the catalog.
    Catalog,
    /// A file of one entity's docs (a page, an image, `mkdocs.yml`): rebuild that site.
    Docs(EntityRef),
}

/// What the classifier knows about the portal's layout.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Canonical portal root.
    pub root: PathBuf,
    /// The output folder (never acted on).
    pub out: PathBuf,
    /// Source folders.
    pub sources: Vec<PathBuf>,
    /// Folders holding registered catalog locations.
    pub locations: Vec<PathBuf>,
    /// Every docs site: its entity, mkdocs project folder and docs folder.
    pub docs: Vec<(EntityRef, PathBuf, PathBuf)>,
}

impl Layout {
    /// The folders to watch, with whether to watch each recursively; folders inside the output
    /// and folders inside another watched folder are left out.
    pub fn watch_list(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut recursive: Vec<PathBuf> = std::iter::once(self.root.join("theme"))
            .chain(self.sources.iter().cloned())
            .chain(self.locations.iter().cloned())
            .filter(|p| p.is_dir() && !p.starts_with(&self.out) && *p != self.root)
            .collect();
        recursive.sort();
        recursive.dedup();
        let mut kept: Vec<PathBuf> = Vec::new();
        for path in recursive {
            if !kept.iter().any(|k| path.starts_with(k)) {
                kept.push(path);
            }
        }
        std::iter::once((self.root.clone(), RecursiveMode::NonRecursive))
            .chain(kept.into_iter().map(|p| (p, RecursiveMode::Recursive)))
            .collect()
    }
}

/// Editor by-products and other files that never affect the site.
pub fn is_noise(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == ".DS_Store"
        || name.ends_with(".tmp")
        || name.contains(".tmp.")
        || path
            .components()
            .any(|c| c.as_os_str() == ".git" || c.as_os_str() == "node_modules")
}

/// The changes one path asks for (none when it cannot affect the site).
pub fn classify(path: &Path, layout: &Layout) -> Vec<Change> {
    if is_noise(path) || path.starts_with(&layout.out) || !path.starts_with(&layout.root) {
        return Vec::new();
    }
    let relative = path.strip_prefix(&layout.root).unwrap_or(path);
    if relative == Path::new(crate::config::CONFIG_FILE) {
        return vec![Change::Config];
    }
    if relative.starts_with("theme") {
        return vec![Change::Theme];
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let is_mkdocs = matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("mkdocs.yml" | "mkdocs.yaml")
    );
    let data_file = matches!(extension.as_str(), "yaml" | "yml" | "json") && !is_mkdocs;
    let mut changes = Vec::new();
    for (entity, project, docs_dir) in &layout.docs {
        let mkdocs = is_mkdocs && path.parent() == Some(project.as_path());
        if mkdocs || path.starts_with(docs_dir) {
            changes.push(Change::Docs(entity.clone()));
        }
    }
    let in_inputs = layout
        .sources
        .iter()
        .chain(&layout.locations)
        .any(|folder| path.starts_with(folder));
    let top_level = path.parent() == Some(layout.root.as_path());
    // A Markdown page or an image in a docs folder touches only its site; any other file in
    // the inputs may be read by a descriptor (`$text`, Location targets), and so may a data
    // file at the top of the portal (a location target).
    let catalog = if changes.is_empty() {
        in_inputs || (top_level && data_file)
    } else {
        data_file
    };
    if catalog {
        changes.push(Change::Catalog);
    }
    changes
}

/// A batch of changes reduced to one rebuild.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Rebuild everything (config or theme changed).
    pub full: bool,
    /// Reload the catalog.
    pub catalog: bool,
    /// Docs sites to rebuild.
    pub docs: BTreeSet<EntityRef>,
    /// The changed paths, portal-relative, for the terminal.
    pub paths: BTreeSet<String>,
}

impl Plan {
    /// Adds the changes of one path.
    pub fn add(&mut self, path: &Path, layout: &Layout) {
        let changes = classify(path, layout);
        if changes.is_empty() {
            return;
        }
        self.paths.insert(crate::paths::display(&layout.root, path));
        for change in changes {
            match change {
                Change::Config | Change::Theme => self.full = true,
                Change::Catalog => self.catalog = true,
                Change::Docs(entity) => {
                    self.docs.insert(entity);
                }
            }
        }
    }

    /// Whether anything needs rebuilding.
    pub fn is_empty(&self) -> bool {
        !self.full && !self.catalog && self.docs.is_empty()
    }

    /// Merges a plan that could not be published, so its work is redone with the next change.
    pub fn merge(&mut self, other: Plan) {
        self.full |= other.full;
        self.catalog |= other.catalog;
        self.docs.extend(other.docs);
        self.paths.extend(other.paths);
    }
}

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    inner: Box<dyn notify::Watcher + Send>,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Starts watching `layout`'s folders, sending changed paths to `sender`. Falls back to
    /// polling every second when the system watcher cannot be used (inotify limits).
    pub fn start(layout: &Layout, sender: mpsc::Sender<super::Message>) -> anyhow::Result<Watcher> {
        let handler = move |result: notify::Result<notify::Event>| {
            let Ok(event) = result else { return };
            if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
                return;
            }
            let paths: Vec<PathBuf> = event.paths.into_iter().filter(|p| !is_noise(p)).collect();
            if !paths.is_empty() {
                let _ = sender.send(super::Message::Changed(paths));
            }
        };
        let mut watcher = Watcher {
            inner: Box::new(notify::recommended_watcher(handler.clone())?),
            watched: Vec::new(),
        };
        if let Err(error) = watcher.watch_all(layout) {
            eprintln!(
                "warning: the system file watcher failed ({error}); polling for changes every second instead"
            );
            let config =
                notify::Config::default().with_poll_interval(std::time::Duration::from_secs(1));
            watcher = Watcher {
                inner: Box::new(notify::PollWatcher::new(handler, config)?),
                watched: Vec::new(),
            };
            watcher.watch_all(layout)?;
        }
        Ok(watcher)
    }

    /// Watches the layout's folders (again, after the configuration changed).
    pub fn watch_all(&mut self, layout: &Layout) -> notify::Result<()> {
        for path in self.watched.drain(..) {
            let _ = self.inner.unwatch(&path);
        }
        for (path, mode) in layout.watch_list() {
            self.inner.watch(&path, mode)?;
            self.watched.push(path);
        }
        Ok(())
    }
}

/// The watcher's view of a portal.
pub fn layout_of(root: &Path, config: &SiteConfig, docs: Option<&DocSet>) -> Layout {
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
    Layout {
        root: root.to_path_buf(),
        out: root.join(&config.out),
        sources: config
            .sources
            .iter()
            .filter_map(|s| s.path())
            .map(|p| root.join(p))
            .collect(),
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
pub fn fallback_layout(root: &Path) -> Layout {
    let config = crate::config::load(root)
        .map(|(c, _)| c)
        .unwrap_or_else(|_| SiteConfig::default());
    layout_of(root, &config, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        let root = PathBuf::from("/p");
        Layout {
            out: root.join("site"),
            sources: vec![root.join("repos")],
            locations: vec![root.join("org")],
            docs: vec![(
                EntityRef::new("component", "default", "pay"),
                root.join("repos/pay"),
                root.join("repos/pay/docs"),
            )],
            root,
        }
    }

    fn kinds(path: &str) -> Vec<Change> {
        classify(Path::new(path), &layout())
    }

    #[test]
    fn docs_pages_touch_only_their_site() {
        let pay = Change::Docs(EntityRef::new("component", "default", "pay"));
        assert_eq!(kinds("/p/repos/pay/docs/index.md"), vec![pay.clone()]);
        assert_eq!(kinds("/p/repos/pay/docs/img/a.png"), vec![pay.clone()]);
        assert_eq!(kinds("/p/repos/pay/mkdocs.yml"), vec![pay.clone()]);
        // A YAML file in a docs folder may be a `$text` target too.
        assert_eq!(
            kinds("/p/repos/pay/docs/openapi.yaml"),
            vec![pay, Change::Catalog]
        );
    }

    #[test]
    fn descriptors_config_and_theme() {
        assert_eq!(
            kinds("/p/repos/pay/catalog-info.yaml"),
            vec![Change::Catalog]
        );
        assert_eq!(kinds("/p/repos/pay/README.md"), vec![Change::Catalog]);
        assert_eq!(kinds("/p/org/teams.yaml"), vec![Change::Catalog]);
        assert_eq!(kinds("/p/all.yaml"), vec![Change::Catalog]);
        assert_eq!(kinds("/p/greenroom.yaml"), vec![Change::Config]);
        assert_eq!(kinds("/p/theme/templates/base.html"), vec![Change::Theme]);
    }

    #[test]
    fn noise_output_and_outside_are_ignored() {
        for path in [
            "/p/repos/pay/docs/.index.md.swp",
            "/p/repos/pay/docs/index.md~",
            "/p/repos/pay/docs/.#index.md",
            "/p/repos/pay/docs/4913",
            "/p/repos/pay/.git/index",
            "/p/site/index.html",
            "/p/site/catalog/x.yaml",
            "/p/README.md",
            "/elsewhere/x.yaml",
        ] {
            assert!(kinds(path).is_empty(), "{path} should be ignored");
        }
    }

    #[test]
    fn plans_merge_a_burst() {
        let layout = layout();
        let mut plan = Plan::default();
        for path in [
            "/p/repos/pay/docs/index.md",
            "/p/repos/pay/docs/.index.md.swp",
            "/p/repos/pay/docs/index.md",
        ] {
            plan.add(Path::new(path), &layout);
        }
        assert!(!plan.full && !plan.catalog);
        assert_eq!(plan.docs.len(), 1);
        assert_eq!(plan.paths.len(), 1);
        plan.add(Path::new("/p/theme/assets/style.css"), &layout);
        assert!(plan.full);
    }

    #[test]
    fn watch_list_skips_the_output_and_nested_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        for folder in ["repos/a", "site", "theme"] {
            std::fs::create_dir_all(root.join(folder)).expect("mkdir");
        }
        let layout = Layout {
            out: root.join("site"),
            sources: vec![root.join("repos"), root.join("repos/a"), root.join("site")],
            locations: vec![root.clone()],
            docs: Vec::new(),
            root: root.clone(),
        };
        let list = layout.watch_list();
        assert_eq!(
            list,
            vec![
                (root.clone(), RecursiveMode::NonRecursive),
                (root.join("repos"), RecursiveMode::Recursive),
                (root.join("theme"), RecursiveMode::Recursive),
            ]
        );
    }
}
