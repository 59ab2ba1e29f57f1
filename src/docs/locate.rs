//! Where each documented entity's docs are: the mkdocs project folder its
//! `backstage.io/techdocs-ref` names, and the repository it must stay inside.
//!
//! - `dir:<path>` is relative to the entity's `backstage.io/source-location` when that names a
//!   repository greenroom has (Backstage's `transformDirLocation`), else to the descriptor's
//!   folder.
//! - `url:<web URL>` names a repository by its code-host URL (a bare repository URL is its
//!   root). It is read from the source repository with that identity ([`Repositories`]), else
//!   from a clone fetched for docs (`reading.allow`, [`crate::fetch::fetch_repositories`]).
//! - Two entities naming the same folder share one site: the first entity (the one whose
//!   descriptor sits in the project folder, else the first by ref) owns it, the others show it.

use crate::catalog::entity::Entity;
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::discover::SourceSet;
use crate::fetch::Fetched;
use crate::paths;
use crate::scm::url::RepoUrl;
use crate::scm::{RepoMeta, WebRepo};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The annotation that points an entity at its docs.
pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// A mkdocs project to build, and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The canonical project folder (holding `mkdocs.yml`, or `docs/`).
    pub dir: PathBuf,
    /// The repository root nothing of the site may leave.
    pub root: PathBuf,
    /// The descriptor's folder (mkdocs' relative `edit_uri` and `dir:` are relative to it).
    pub descriptor_dir: PathBuf,
    /// The repository's web pages and the ref they show, when known.
    pub web: Option<(WebRepo, String)>,
    /// How the repository is named in messages (its portal-relative folder, or `host/org/repo`
    /// for a clone fetched for docs).
    pub repo_display: String,
}

impl Project {
    /// The `/`-separated path of a file or folder inside the repository, if it is inside.
    pub fn in_repository(&self, path: &Path) -> Option<String> {
        path.strip_prefix(&self.root)
            .ok()
            .map(|rest| paths::display(Path::new(""), rest))
    }

    /// How a file of the repository is named in messages and pages.
    pub fn display(&self, path: &Path) -> String {
        match self.in_repository(path) {
            Some(inside) if inside.is_empty() => self.repo_display.clone(),
            Some(inside) => format!("{}/{inside}", self.repo_display),
            None => paths::display(&self.root, path),
        }
    }
}

/// Every documented entity's project, the entities that share another's, and the problems.
#[derive(Debug, Clone, Default)]
pub struct Located {
    /// The projects to build, by the entity that owns each.
    pub projects: BTreeMap<EntityRef, Project>,
    /// Entities whose techdocs-ref names the folder another entity's does, to that entity.
    pub shared: BTreeMap<EntityRef, EntityRef>,
    /// Why an entity's docs could not be located.
    pub problems: BTreeMap<EntityRef, Diagnostic>,
    /// Warnings about docs that were located (a `url:` ref naming another ref than the one
    /// checked out), by entity.
    pub notes: BTreeMap<EntityRef, Vec<Diagnostic>>,
}

/// One repository greenroom can read: a source's checkout or a clone fetched for docs.
#[derive(Debug, Clone)]
struct RepoView<'a> {
    root: &'a Path,
    display: &'a str,
    /// Web pages and ref: from the remote, else from what its descriptors declare.
    web: Option<(WebRepo, String)>,
}

/// The repositories greenroom has, by identity key ([`RepoUrl::key`]).
pub struct Repositories<'a> {
    views: Vec<RepoView<'a>>,
    by_key: HashMap<String, usize>,
    /// Source repositories by index in [`SourceSet::repos`] → view number.
    sources: usize,
    /// Fetched clones by requested URL → view number.
    fetched: HashMap<&'a str, Result<usize, &'a str>>,
}

impl<'a> Repositories<'a> {
    /// Identifies every source repository, by its `origin` remote and, for a folder without a
    /// code-host remote, by what its own descriptors declare about it (`github.com/project-slug`,
    /// `gitlab.com/project-slug`, `backstage.io/source-location`, `view-url`, `edit-url`,
    /// `managed-by-location`): accepted when all of its descriptors name one repository, or
    /// for the repository named like the folder. A remote beats a declaration, and the first
    /// repository in source order wins a tie.
    pub fn new(catalog: &Catalog, sources: &'a SourceSet, fetched: &'a [Fetched]) -> Self {
        let mut views: Vec<RepoView<'a>> = sources
            .repos
            .iter()
            .map(|repo| RepoView {
                root: &repo.root,
                display: &repo.display,
                web: web_of(&repo.meta),
            })
            .collect();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (index, repo) in sources.repos.iter().enumerate() {
            if let Some(key) = repo
                .meta
                .remote
                .as_deref()
                .and_then(crate::scm::url::remote_key)
            {
                by_key.entry(key).or_insert(index);
            }
        }
        let mut claims: BTreeMap<usize, BTreeMap<String, RepoUrl>> = BTreeMap::new();
        for entity in catalog.entities.values() {
            let (path, _) = sources.file_on_disk(&entity.origin.file);
            let Some(repo) = sources.repo_of(&path) else {
                continue;
            };
            if sources.repos[repo].meta.web.is_some() {
                continue;
            }
            for url in declared_repositories(entity) {
                claims.entry(repo).or_default().insert(url.key.clone(), url);
            }
        }
        for (repo, keys) in &claims {
            let name = sources.repos[*repo].name.to_ascii_lowercase();
            let single = keys.len() == 1;
            for (key, url) in keys {
                let named_like_folder = key.rsplit('/').next() == Some(name.as_str());
                if !(single || named_like_folder) {
                    continue;
                }
                if !by_key.contains_key(key) {
                    by_key.insert(key.clone(), *repo);
                    if views[*repo].web.is_none() {
                        let (git_ref, _) = url.split(None);
                        views[*repo].web = git_ref.map(|r| (url.web.clone(), r));
                    }
                }
            }
        }
        let source_count = views.len();
        let mut by_url = HashMap::new();
        for fetched_repo in fetched {
            let result = match &fetched_repo.checkout {
                Ok(checkout) => {
                    views.push(RepoView {
                        root: &checkout.dir,
                        display: &checkout.display,
                        web: web_of(&checkout.meta),
                    });
                    Ok(views.len() - 1)
                }
                Err(message) => Err(message.as_str()),
            };
            by_url.insert(fetched_repo.url.as_str(), result);
        }
        Repositories {
            views,
            by_key,
            sources: source_count,
            fetched: by_url,
        }
    }

    /// The source repository with this identity key.
    fn source(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Whether a repository with this identity key is a source.
    pub fn has(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }
}

fn web_of(meta: &RepoMeta) -> Option<(WebRepo, String)> {
    Some((meta.web.clone()?, meta.branch.clone()?))
}

/// The repositories an entity's annotations say it comes from.
fn declared_repositories(entity: &Entity) -> Vec<RepoUrl> {
    let mut found = Vec::new();
    for (key, value) in &entity.annotations {
        let url = match key.as_str() {
            "github.com/project-slug" | "gitlab.com/project-slug" => {
                let host = key.split('/').next().unwrap_or_default();
                let slug = value.trim().trim_matches('/');
                if slug.split('/').count() < 2 || slug.contains(char::is_whitespace) {
                    continue;
                }
                RepoUrl::parse(&format!("https://{host}/{slug}"))
            }
            "backstage.io/source-location"
            | "backstage.io/managed-by-location"
            | "backstage.io/managed-by-origin-location" => {
                value.strip_prefix("url:").and_then(RepoUrl::parse)
            }
            "backstage.io/view-url" | "backstage.io/edit-url" => RepoUrl::parse(value),
            _ => None,
        };
        found.extend(url);
    }
    found
}

/// A `url:` techdocs-ref's URL (also the older `github:`/`gitlab:`/`azure/api:` forms).
fn url_of_ref(reference: &str) -> Option<&str> {
    ["url:", "github:", "gitlab:", "azure/api:", "bitbucket:"]
        .iter()
        .find_map(|prefix| reference.strip_prefix(prefix))
        .map(str::trim)
}

/// The `url:` techdocs-refs that name a repository that is not a source: what
/// [`crate::fetch::fetch_repositories`] would clone, one per distinct URL, sorted.
pub fn wanted(catalog: &Catalog, sources: &SourceSet) -> Vec<(String, RepoUrl)> {
    let repositories = Repositories::new(catalog, sources, &[]);
    let mut wanted: BTreeMap<String, RepoUrl> = BTreeMap::new();
    for entity in catalog.entities.values() {
        let Some(url) = entity.annotation(TECHDOCS_REF).and_then(url_of_ref) else {
            continue;
        };
        if let Some(parsed) = RepoUrl::parse(url) {
            if !repositories.has(&parsed.key) {
                wanted.insert(url.to_string(), parsed);
            }
        }
    }
    wanted.into_iter().collect()
}

/// Locates every documented entity's project.
pub fn locate(
    catalog: &Catalog,
    sources: &SourceSet,
    fetched: &[Fetched],
    reading: &crate::config::ReadingConfig,
) -> Located {
    let repositories = Repositories::new(catalog, sources, fetched);
    let mut located = Located::default();
    let mut by_dir: BTreeMap<PathBuf, Vec<(EntityRef, Project)>> = BTreeMap::new();
    for entity in catalog.entities.values() {
        let Some(reference) = entity.annotation(TECHDOCS_REF) else {
            continue;
        };
        let mut notes = Vec::new();
        let result = project_of(
            entity,
            reference.trim(),
            sources,
            &repositories,
            reading,
            &mut notes,
        );
        if !notes.is_empty() {
            located.notes.insert(entity.entity_ref.clone(), notes);
        }
        match result {
            Ok(project) => by_dir
                .entry(project.dir.clone())
                .or_default()
                .push((entity.entity_ref.clone(), project)),
            Err(problem) => {
                located.problems.insert(entity.entity_ref.clone(), problem);
            }
        }
    }
    for (dir, mut sharing) in by_dir {
        // The owner: an entity described in the project folder itself, else the first by ref.
        let owner = sharing
            .iter()
            .position(|(_, project)| project.descriptor_dir == dir)
            .unwrap_or(0);
        let (owner_ref, project) = sharing.remove(owner);
        for (other, _) in sharing {
            located.shared.insert(other, owner_ref.clone());
        }
        located.projects.insert(owner_ref, project);
    }
    located
}

fn project_of(
    entity: &Entity,
    reference: &str,
    sources: &SourceSet,
    repositories: &Repositories<'_>,
    reading: &crate::config::ReadingConfig,
    notes: &mut Vec<Diagnostic>,
) -> Result<Project, Diagnostic> {
    let problem = |severity_error: bool, message: String| {
        let d = if severity_error {
            Diagnostic::error(message)
        } else {
            Diagnostic::warning(message)
        };
        d.at(&entity.origin.file, entity.origin.line)
            .entity(&entity.entity_ref)
    };
    let (descriptor, descriptor_root) = sources.file_on_disk(&entity.origin.file);
    let descriptor_dir = descriptor
        .parent()
        .unwrap_or(&descriptor_root)
        .to_path_buf();
    let own_repo = sources.repo_of(&descriptor);
    if let Some(dir) = reference.strip_prefix("dir:") {
        let dir = dir.trim();
        let dir = if dir.is_empty() { "." } else { dir };
        // Backstage resolves `dir:` against the source location when there is one.
        let base = entity
            .annotation("backstage.io/source-location")
            .and_then(|l| l.strip_prefix("url:"))
            .and_then(RepoUrl::parse)
            .and_then(|url| {
                let repo = repositories.source(&url.key)?;
                let view = &repositories.views[repo];
                let branch = view.web.as_ref().map(|(_, b)| b.as_str());
                let (_, path) = url.split(branch);
                let folder = paths::join_lexically(view.root, &path).ok()?;
                folder.is_dir().then_some((repo, folder))
            });
        let (repo, base) = match base {
            Some((repo, folder)) => (Some(repo), folder),
            None => (own_repo, descriptor_dir.clone()),
        };
        let (root, web, repo_display) = match repo {
            Some(index) => (
                repositories.views[index].root.to_path_buf(),
                repositories.views[index].web.clone(),
                repositories.views[index].display.to_string(),
            ),
            None => (
                descriptor_root.clone(),
                None,
                sources.display(&descriptor_root),
            ),
        };
        let dir = paths::resolve_confined(&base, dir, &root)
            .map_err(|message| problem(true, format!("{TECHDOCS_REF}: {message}")))?;
        return Ok(Project {
            dir,
            root,
            descriptor_dir,
            web,
            repo_display,
        });
    }
    let Some(url) = url_of_ref(reference) else {
        return Err(problem(
            false,
            format!(
                "{TECHDOCS_REF} \"{reference}\" is not read: greenroom reads `dir:` and `url:` references"
            ),
        ));
    };
    let shown = crate::scm::redact(reference);
    let Some(parsed) = RepoUrl::parse(url) else {
        return Err(problem(
            false,
            format!(
                "{TECHDOCS_REF} \"{shown}\" is not a repository URL greenroom understands (a GitHub, GitLab, Bitbucket or Azure DevOps repository or folder URL)"
            ),
        ));
    };
    let view = match repositories.source(&parsed.key) {
        Some(index) => index,
        None => match repositories.fetched.get(url) {
            Some(Ok(index)) => *index,
            Some(Err(message)) => {
                return Err(problem(
                    false,
                    format!("{TECHDOCS_REF} \"{shown}\": the repository could not be fetched: {message}"),
                ))
            }
            None if reading.allows(&parsed.clone_url) => {
                return Err(problem(
                    false,
                    format!("{TECHDOCS_REF} \"{shown}\": the repository was not fetched"),
                ))
            }
            None => {
                return Err(problem(
                    false,
                    format!(
                        "{TECHDOCS_REF} \"{shown}\" names {}, which is not a source: add it to `sources:` as a `git:` source, or {}",
                        parsed.key,
                        crate::config::ReadingConfig::advice(url).replacen("to read it", "let greenroom fetch it", 1)
                    ),
                ))
            }
        },
    };
    let repo = &repositories.views[view];
    let branch = repo.web.as_ref().map(|(_, b)| b.as_str());
    // A clone made for this URL checked out the ref it names; a source is read as checked out.
    let (wanted_ref, path) = parsed.split(branch);
    if let (Some(wanted), Some(have)) = (&wanted_ref, branch) {
        if wanted != have && view < repositories.sources {
            notes.push(problem(
                false,
                format!(
                    "{TECHDOCS_REF} \"{shown}\" names ref {wanted}; greenroom reads {} at {have}",
                    repo.display
                ),
            ));
        }
    }
    let path = if path.is_empty() {
        ".".to_string()
    } else {
        path
    };
    let dir = paths::resolve_confined(repo.root, &path, repo.root).map_err(|message| {
        problem(
            true,
            format!("{TECHDOCS_REF} \"{shown}\": {message} in {}", repo.display),
        )
    })?;
    Ok(Project {
        dir,
        root: repo.root.to_path_buf(),
        descriptor_dir,
        web: repo.web.clone(),
        repo_display: repo.display.to_string(),
    })
}
