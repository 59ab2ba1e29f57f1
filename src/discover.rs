//! Stage 1: find the repositories and the descriptor files to read. Lists files; parses nothing.

use crate::config::{LocationType, SiteConfig, SourceConfig};
use crate::diag::Diagnostic;
use crate::fetch::Checkout;
use crate::paths;
use crate::scm::{FileWeb, RepoMeta};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A repository checkout: a direct subfolder of a `path` source, or a git source's clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// Canonical absolute path of the checkout; nothing read for it may leave this folder.
    pub root: PathBuf,
    /// Portal-relative path, for display (`host/org/repo` for a git source).
    pub display: String,
    /// Folder name: the repository's name.
    pub name: String,
    /// Remote, branch and web pages, when known.
    pub meta: RepoMeta,
    /// A `git:` source's clone (not a subfolder of a `path` source).
    pub git: bool,
}

/// A descriptor file to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescriptorFile {
    /// Canonical absolute path.
    pub path: PathBuf,
    /// Portal-relative path, for display.
    pub display: String,
    /// The folder this file's relative paths must stay inside: its repository, or the portal.
    pub root: PathBuf,
    /// Index into [`SourceSet::repos`] of the repository holding the file.
    pub repo: Option<usize>,
    /// Portal-relative path of that repository, for display.
    pub repo_display: Option<String>,
    /// Conflict priority: registered locations first, then sources in config order.
    pub rank: usize,
    /// The registered or discovered file this one was reached from (itself, unless it is a
    /// `Location` target): Backstage's `managed-by-origin-location`.
    pub origin: String,
    /// The `Location` document that named this file, when it is a Location target: its
    /// entities count only if that Location is itself valid.
    pub via: Option<LocationVia>,
    /// Index in `catalog.locations` of the registered location this file was reached through,
    /// if any (its `rules` apply to the file's entities).
    pub registered: Option<usize>,
    /// The file's pages on its code host, when its repository's remote is known.
    pub web: Option<FileWeb>,
    /// The view URL of `origin`, when known.
    pub origin_web: Option<String>,
    /// Branch or tag of the file's repository, when known.
    pub branch: Option<String>,
}

/// Where a `Location` entity was defined: a document of a descriptor file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocationVia {
    /// Portal-relative path of the file holding the Location.
    pub file: String,
    /// 0-based index of its document in that file.
    pub document: usize,
}

/// Everything discovered: the input of the load stage.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    /// Canonical portal root.
    pub portal_root: PathBuf,
    /// Repositories, in source order then by name.
    pub repos: Vec<Repo>,
    /// Descriptor files, sorted by rank then path, without duplicates.
    pub files: Vec<DescriptorFile>,
    /// Folder names never walked (config `exclude`), also for Location globs.
    pub exclude: Vec<String>,
    /// Repository roots to their index in `repos`, for prefix lookups.
    repo_roots: std::collections::BTreeMap<PathBuf, usize>,
    /// Repository display paths to their index in `repos`.
    repo_displays: std::collections::HashMap<String, usize>,
    /// Identity keys of repositories with a code-host remote ([`crate::scm::url::remote_key`])
    /// to their index in `repos`.
    repo_keys: std::collections::HashMap<String, usize>,
}

impl SourceSet {
    /// The repository a path lies in, if any: the greatest root not after the path that is a
    /// prefix of it (roots do not nest, so that is the only candidate).
    pub fn repo_of(&self, path: &Path) -> Option<usize> {
        self.repo_roots
            .range::<Path, _>((std::ops::Bound::Unbounded, std::ops::Bound::Included(path)))
            .next_back()
            .filter(|(root, _)| path.starts_with(root))
            .map(|(_, index)| *index)
    }

    /// The portal-relative path to show for a file: inside a repository it is spelled through
    /// the repository's folder under its source, even when the checkout is a symlink to a folder
    /// elsewhere, so no host path ends up in messages or in the site.
    pub fn display(&self, path: &Path) -> String {
        match self.repo_of(path) {
            Some(index) => self.repos[index].display_path(path),
            None => paths::display(&self.portal_root, path),
        }
    }

    /// The code-host pages of a file inside repository `repo`.
    pub fn file_web(&self, repo: Option<usize>, path: &Path) -> Option<FileWeb> {
        let repo = &self.repos[repo?];
        let relative = path.strip_prefix(&repo.root).ok()?;
        repo.meta.file_web(&paths::display(Path::new(""), relative))
    }

    /// The repository and repository-relative path a code-host file URL points into (a
    /// `url` location target), and the ref it names when that is not the checked-out one.
    pub fn file_of_url(&self, url: &str) -> Option<(usize, String, Option<String>)> {
        let parsed = crate::scm::url::RepoUrl::parse(url)?;
        let index = *self.repo_keys.get(&parsed.key)?;
        let branch = self.repos[index].meta.branch.as_deref();
        let (git_ref, path) = parsed.split(branch);
        let other = git_ref.filter(|r| Some(r.as_str()) != branch);
        Some((index, path, other))
    }

    /// The file on disk behind a portal-relative display path, and the folder that paths
    /// written in it must stay inside (its repository, or the portal root).
    pub fn file_on_disk(&self, display: &str) -> (PathBuf, PathBuf) {
        // A repository's display path is a prefix of its files' ending at a `/`: look each
        // such prefix up instead of trying every repository.
        for (at, _) in display.match_indices('/') {
            if let Some(&index) = self.repo_displays.get(&display[..at]) {
                let repo = &self.repos[index];
                return (repo.root.join(&display[at + 1..]), repo.root.clone());
            }
        }
        (self.portal_root.join(display), self.portal_root.clone())
    }
}

impl Repo {
    /// The portal-relative path of a file inside this repository.
    pub fn display_path(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rest) if rest.as_os_str().is_empty() => self.display.clone(),
            Ok(rest) => format!("{}/{}", self.display, paths::display(Path::new(""), rest)),
            Err(_) => paths::display(&self.root, path),
        }
    }
}

/// Lists repositories and descriptor files for a portal.
pub fn discover(
    portal_root: &Path,
    config: &SiteConfig,
    checkouts: &[Checkout],
) -> anyhow::Result<(SourceSet, Vec<Diagnostic>)> {
    let portal_root = portal_root
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot open portal root {}: {e}", portal_root.display()))?;
    let mut diagnostics = Vec::new();
    let out_dir = portal_root.join(&config.out);
    let config_file = crate::config::file_in_use(&portal_root);
    let config_problem = |d: Diagnostic| match config_file {
        Some(file) => d.in_file(file),
        None => d,
    };

    // The cache is read only through git sources, never as a folder of repositories.
    let cache_dir = crate::fetch::cache_dir(&portal_root, config);
    let cache_dir = cache_dir.canonicalize().unwrap_or(cache_dir);
    let mut repos: Vec<(usize, Repo)> = Vec::new();
    for (source_index, source) in config.sources.iter().enumerate() {
        let SourceConfig::Path { path: source_path } = source else {
            for checkout in checkouts.iter().filter(|c| c.source == source_index) {
                let Ok(root) = checkout.dir.canonicalize() else {
                    continue;
                };
                repos.push((
                    source_index,
                    Repo {
                        root,
                        display: checkout.display.clone(),
                        name: checkout.name.clone(),
                        meta: checkout.meta.clone(),
                        git: true,
                    },
                ));
            }
            continue;
        };
        let dir = portal_root.join(source_path);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(_) => {
                diagnostics.push(config_problem(Diagnostic::error(format!(
                    "source folder \"{}\" does not exist or cannot be read",
                    source_path.display()
                ))));
                continue;
            }
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                !name.starts_with('.') && !config.exclude.iter().any(|x| x == name)
            })
            .collect();
        found.sort();
        for path in found {
            let Ok(root) = path.canonicalize() else {
                continue;
            };
            if root.starts_with(&out_dir) || root.starts_with(&cache_dir) {
                continue;
            }
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            repos.push((
                source_index,
                Repo {
                    display: paths::display(&portal_root, &path),
                    meta: RepoMeta::of_checkout(&root),
                    git: false,
                    root,
                    name,
                },
            ));
        }
    }

    let walked: Vec<(usize, Vec<PathBuf>, Vec<Diagnostic>)> = repos
        .par_iter()
        .map(|(source_index, repo)| {
            let mut files = Vec::new();
            let mut problems = Vec::new();
            for pattern in &config.discover {
                match paths::glob_files(&repo.root, pattern, &repo.root, &config.exclude) {
                    Ok(result) => {
                        files.extend(result.files);
                        problems.extend(result.problems.into_iter().map(|(path, message)| {
                            Diagnostic::warning(message).in_file(&repo.display_path(&path))
                        }));
                    }
                    Err(message) => problems.push(config_problem(Diagnostic::error(format!(
                        "discover pattern: {message}"
                    )))),
                }
            }
            (*source_index, files, problems)
        })
        .collect();

    let repo_list: Vec<Repo> = repos.iter().map(|(_, r)| r.clone()).collect();
    let repo_roots = repo_list
        .iter()
        .enumerate()
        .map(|(i, r)| (r.root.clone(), i))
        .collect();
    let mut repo_displays = std::collections::HashMap::new();
    let mut repo_keys = std::collections::HashMap::new();
    for (index, repo) in repo_list.iter().enumerate() {
        repo_displays.entry(repo.display.clone()).or_insert(index);
        if repo.meta.web.is_some() {
            if let Some(key) = repo
                .meta
                .remote
                .as_deref()
                .and_then(crate::scm::url::remote_key)
            {
                repo_keys.entry(key).or_insert(index);
            }
        }
    }
    let mut set = SourceSet {
        portal_root: portal_root.clone(),
        repos: repo_list,
        files: Vec::new(),
        exclude: config.exclude.clone(),
        repo_roots,
        repo_displays,
        repo_keys,
    };
    for (source_index, files, problems) in walked {
        diagnostics.extend(problems);
        for path in files {
            set.files.push(file_entry(&set, path, 1 + source_index));
        }
    }

    for (location_index, location) in config.catalog.locations.iter().enumerate() {
        let (base, target) = if location.location_type == LocationType::Url {
            match set.file_of_url(&location.target) {
                Some((repo, path, wanted_ref)) => {
                    let repo = &set.repos[repo];
                    if let Some(wanted) = wanted_ref {
                        diagnostics.push(config_problem(Diagnostic::warning(format!(
                            "catalog.locations: url target \"{}\" names ref {wanted}; greenroom reads {} at {}",
                            crate::scm::redact(&location.target),
                            repo.display,
                            repo.meta.branch.as_deref().unwrap_or("its checked-out commit")
                        ))));
                    }
                    (repo.root.clone(), path)
                }
                None => {
                    diagnostics.push(config_problem(Diagnostic::warning(format!(
                        "catalog.locations: url target \"{}\" is not fetched: greenroom reads only configured repositories (add the repository as a `git:` source)",
                        crate::scm::redact(&location.target)
                    ))));
                    continue;
                }
            }
        } else {
            (portal_root.clone(), location.target.clone())
        };
        match paths::glob_files(&base, &target, &base, &config.exclude) {
            Ok(result) => {
                if result.files.is_empty() {
                    diagnostics.push(config_problem(Diagnostic::error(format!(
                        "catalog.locations target \"{}\" matched no file",
                        crate::scm::redact(&location.target)
                    ))));
                }
                for (path, message) in result.problems {
                    diagnostics.push(Diagnostic::warning(message).in_file(&set.display(&path)));
                }
                for path in result.files {
                    let mut entry = file_entry(&set, path, 0);
                    entry.registered = Some(location_index);
                    set.files.push(entry);
                }
            }
            Err(message) => diagnostics.push(config_problem(Diagnostic::error(format!(
                "catalog.locations target: {message}"
            )))),
        }
    }

    // A git source is listed one by one, so one without any descriptor is worth a word; a
    // folder of checkouts commonly holds repositories without one.
    for (index, repo) in set.repos.iter().enumerate() {
        if repo.git && !set.files.iter().any(|f| f.repo == Some(index)) {
            diagnostics.push(config_problem(Diagnostic::warning(format!(
                "git source {} has no descriptor file matching `discover` ({})",
                repo.display,
                config.discover.join(", ")
            ))));
        }
    }
    set.files
        .sort_by(|a, b| (a.rank, &a.display).cmp(&(b.rank, &b.display)));
    let mut seen = std::collections::HashSet::new();
    set.files.retain(|f| seen.insert(f.path.clone()));
    Ok((set, diagnostics))
}

fn file_entry(set: &SourceSet, path: PathBuf, rank: usize) -> DescriptorFile {
    let repo = set.repo_of(&path);
    let display = set.display(&path);
    let web = set.file_web(repo, &path);
    DescriptorFile {
        origin_web: web.as_ref().map(|w| w.view.clone()),
        web,
        branch: repo.and_then(|i| set.repos[i].meta.branch.clone()),
        origin: display.clone(),
        repo_display: repo.map(|i| set.repos[i].display.clone()),
        display,
        root: repo
            .map(|i| set.repos[i].root.clone())
            .unwrap_or_else(|| set.portal_root.clone()),
        repo,
        rank,
        path,
        via: None,
        registered: None,
    }
}
