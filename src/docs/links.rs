//! The docs link resolver: how a link written in one page of one site becomes an href, and
//! the page URL layout it relies on (mkdocs' directory URLs). Used by the docs stage for
//! every page it renders; [`super::markdown`] calls it through [`LinkResolver`].

use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::paths;
use crate::urls::relative_href;
use crate::web::{decode_percent, scheme_of};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What the caller decided about one link or image destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The href to write; empty to drop the link (its text stays).
    pub href: String,
    /// `(site path of the target page, anchor)` to check once every page's headings are known.
    pub anchor: Option<(String, String)>,
    /// A warning about the destination (broken, refused).
    pub problem: Option<String>,
}

/// Resolves link and image destinations written in a page, and reads snippet includes.
pub trait LinkResolver {
    /// Resolves `destination` (as written); `image` for `![..](..)` and `<img src>`.
    fn resolve(&self, destination: &str, image: bool) -> Resolution;

    /// Reads the file a `--8<-- "path"` line names.
    fn include(&self, path: &str) -> Result<String, String> {
        let _ = path;
        Err("snippet includes are not available here".to_string())
    }
}

/// Whether a docs path is a Markdown page (`.md` or `.markdown`, any case).
pub(super) fn is_markdown(relative: &str) -> bool {
    let lower = relative.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// A page's path without its Markdown extension.
pub(super) fn strip_markdown_extension(relative: &str) -> &str {
    relative
        .strip_suffix(".md")
        .or_else(|| relative.strip_suffix(".markdown"))
        .or_else(|| relative.strip_suffix(".MD"))
        .unwrap_or(relative)
}

/// The URL folder of a page, relative to its site: `""` for `index.md`/`README.md`,
/// `guides/` for `guides/index.md`, `guides/setup/` for `guides/setup.md`.
pub(super) fn page_url_dir(relative: &str) -> String {
    let stem = strip_markdown_extension(relative);
    let (folder, name) = match stem.rsplit_once('/') {
        Some((folder, name)) => (format!("{folder}/"), name),
        None => (String::new(), stem),
    };
    if name.eq_ignore_ascii_case("index") || name.eq_ignore_ascii_case("readme") {
        folder
    } else {
        format!("{folder}{name}/")
    }
}

/// Lookup tables over every site, shared by all page renders.
pub(super) struct Index<'a> {
    /// Every site's lookups, by site number.
    pub(super) sites: Vec<SiteIndex>,
    /// Site numbers by site root path (`docs/<ns>/<kind>/<name>/`).
    by_triplet: HashMap<String, usize>,
    /// The catalog, for links to entity pages.
    catalog: &'a Catalog,
}

/// The lookups of one site: its pages by source path and by URL folder, its assets.
pub(super) struct SiteIndex {
    /// Site path of the site's folder.
    pub(super) root_path: String,
    project: PathBuf,
    root: PathBuf,
    /// Site path of each page's output file, by page number.
    pub(super) page_paths: Vec<String>,
    page_sources: Vec<String>,
    /// Page numbers by source path, relative to the docs folder.
    pub(super) by_source: HashMap<String, usize>,
    by_url_dir: HashMap<String, usize>,
    assets: HashSet<String>,
    /// Files of the repository outside the docs folder, for links that leave it.
    repository_files: Option<RepositoryFiles>,
}

/// How a link from a docs page to a file elsewhere in its repository (`../../Makefile`) is
/// shown: on the repository's code host, at the ref greenroom read.
#[derive(Debug, Clone)]
pub(super) struct RepositoryFiles {
    /// The repository root on disk (to tell whether the file exists).
    root: PathBuf,
    /// The docs folder's path inside the repository, `/`-separated (empty at the root).
    docs_in_repo: String,
    /// The repository's web pages.
    web: crate::scm::WebRepo,
    /// The ref they show.
    git_ref: String,
}

impl RepositoryFiles {
    /// For a site whose docs folder is `docs_dir` in the project's repository, when the
    /// repository's web pages are known.
    pub(super) fn of(project: &super::locate::Project, docs_dir: &Path) -> Option<Self> {
        let (web, git_ref) = project.web.clone()?;
        Some(RepositoryFiles {
            root: project.root.clone(),
            docs_in_repo: project.in_repository(docs_dir)?,
            web,
            git_ref,
        })
    }
}

impl SiteIndex {
    /// The lookups of a site rooted at `root_path` whose mkdocs project is `project` inside the
    /// repository `root`, with its pages' source paths (relative to the docs folder) in page
    /// order and its assets' source paths.
    pub(super) fn new(
        root_path: &str,
        project: &Path,
        root: &Path,
        page_sources: Vec<String>,
        assets: HashSet<String>,
        repository_files: Option<RepositoryFiles>,
    ) -> SiteIndex {
        let url_dirs: Vec<String> = page_sources.iter().map(|s| page_url_dir(s)).collect();
        SiteIndex {
            page_paths: url_dirs
                .iter()
                .map(|d| format!("{root_path}{d}index.html"))
                .collect(),
            by_source: page_sources
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i))
                .collect(),
            by_url_dir: url_dirs
                .into_iter()
                .enumerate()
                .map(|(i, d)| (d, i))
                .collect(),
            page_sources,
            root_path: root_path.to_string(),
            project: project.to_path_buf(),
            root: root.to_path_buf(),
            assets,
            repository_files,
        }
    }
}

impl<'a> Index<'a> {
    /// The lookups over `sites`, numbered in order.
    pub(super) fn new(sites: Vec<SiteIndex>, catalog: &'a Catalog) -> Self {
        let by_triplet = sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.root_path.clone(), i))
            .collect();
        Index {
            sites,
            by_triplet,
            catalog,
        }
    }
}

/// Resolves the links of one page.
pub(super) struct PageLinks<'a> {
    /// Every site's lookups.
    pub(super) index: &'a Index<'a>,
    /// The site of the page.
    pub(super) site: usize,
    /// The page, by number in its site.
    pub(super) page: usize,
    /// Links to folders rather than `index.html` files.
    pub(super) pretty: bool,
}

impl PageLinks<'_> {
    fn page_path(&self) -> &str {
        &self.index.sites[self.site].page_paths[self.page]
    }

    fn to_page(&self, site: usize, page: usize, fragment: Option<&str>) -> Resolution {
        let target = &self.index.sites[site].page_paths[page];
        let mut href = relative_href(self.page_path(), target, self.pretty);
        let anchor = fragment.filter(|f| !f.is_empty()).map(|f| {
            href.push('#');
            href.push_str(f);
            (target.clone(), f.to_string())
        });
        Resolution {
            href,
            anchor,
            problem: None,
        }
    }

    /// A link that climbs out of the docs folder: to the file's page on the code host when the
    /// repository's web pages are known (with a warning only when the file does not exist),
    /// else a broken link.
    fn outside_docs(
        &self,
        destination: &str,
        folder: &str,
        path: &str,
        fragment: Option<&str>,
        image: bool,
    ) -> Resolution {
        let site = &self.index.sites[self.site];
        let Some(files) = &site.repository_files else {
            return self.broken(
                destination,
                format!("broken link: {destination} points outside the docs folder (greenroom links such files to the repository's web pages when it knows them: give the repository a code-host remote or a backstage.io/source-location)"),
            );
        };
        let page_folder = if files.docs_in_repo.is_empty() {
            folder.to_string()
        } else if folder.is_empty() {
            files.docs_in_repo.clone()
        } else {
            format!("{}/{folder}", files.docs_in_repo)
        };
        let Some(in_repo) = join_relative(&page_folder, path) else {
            return self.broken(
                destination,
                format!("broken link: {destination} points outside the repository"),
            );
        };
        let on_disk = paths::join_lexically(&files.root, &in_repo).ok();
        let is_dir = on_disk.as_ref().is_some_and(|p| p.is_dir());
        let exists = is_dir || on_disk.as_ref().is_some_and(|p| p.is_file());
        let mut href = if is_dir || in_repo.is_empty() {
            files.web.tree(&files.git_ref, &in_repo)
        } else if image {
            // An image must be the file itself, not its page.
            match files.web.raw(&files.git_ref, &in_repo) {
                Some(raw) => raw,
                None => {
                    return self.broken(
                        destination,
                        format!("broken image: {destination} is outside the docs folder, and {} serves no raw files greenroom can link", files.web.base),
                    )
                }
            }
        } else {
            files.web.blob(&files.git_ref, &in_repo)
        };
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            href.push('#');
            href.push_str(fragment);
        }
        Resolution {
            href,
            anchor: None,
            problem: (!exists).then(|| {
                format!(
                    "link {destination} names {in_repo}, which does not exist in the repository"
                )
            }),
        }
    }

    /// The page a link written for mkdocs' directory URLs (`../other-page/`, relative to the
    /// page's URL, not its file) names, if any.
    fn page_by_url(&self, source: &str, path: &str) -> Option<usize> {
        let url_dir = page_url_dir(source);
        let joined = join_relative(url_dir.trim_end_matches('/'), path)?;
        let dir = joined
            .strip_suffix("index.html")
            .unwrap_or(&joined)
            .trim_end_matches('/');
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.index.sites[self.site].by_url_dir.get(&dir).copied()
    }

    fn broken(&self, destination: &str, why: String) -> Resolution {
        Resolution {
            href: destination.to_string(),
            anchor: None,
            problem: Some(why),
        }
    }

    fn absolute(&self, destination: &str, path: &str, fragment: Option<&str>) -> Resolution {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["docs", namespace, kind, name, rest @ ..] => {
                let root = format!(
                    "docs/{}/{}/{}/",
                    namespace.to_lowercase(),
                    kind.to_lowercase(),
                    name.to_lowercase()
                );
                let Some(&site) = self.index.by_triplet.get(&root) else {
                    let target = EntityRef::new(kind, namespace, name);
                    if self.index.catalog.elsewhere.contains(&target) {
                        // Checked against the published portal: the docs live there.
                        return Resolution {
                            href: destination.to_string(),
                            anchor: None,
                            problem: None,
                        };
                    }
                    return self.broken(
                        destination,
                        format!("broken link: {destination} names docs that do not exist in the portal"),
                    );
                };
                let mut rest = rest.join("/");
                if let Some(stripped) = rest.strip_suffix("index.html") {
                    rest = stripped.trim_end_matches('/').to_string();
                }
                let rest = strip_markdown_extension(&rest).to_string();
                let dir = if rest.is_empty() {
                    String::new()
                } else {
                    format!("{rest}/")
                };
                match self.index.sites[site].by_url_dir.get(&dir) {
                    Some(&page) => self.to_page(site, page, fragment),
                    None => self.broken(
                        destination,
                        format!("broken link: {destination} is not a page of those docs"),
                    ),
                }
            }
            ["catalog", namespace, kind, name] => {
                let target = EntityRef::new(kind, namespace, name);
                if self.index.catalog.get(&target).is_some()
                    || self.index.catalog.elsewhere.contains(&target)
                {
                    Resolution {
                        href: relative_href(
                            self.page_path(),
                            &crate::urls::entity_path(&target),
                            self.pretty,
                        ),
                        anchor: None,
                        problem: None,
                    }
                } else {
                    self.broken(
                        destination,
                        format!("broken link: {destination} names an entity that is not in the catalog"),
                    )
                }
            }
            _ => self.broken(
                destination,
                format!("link {destination} is an absolute path outside the portal's docs and catalog; use a relative link or a full URL"),
            ),
        }
    }
}

impl LinkResolver for PageLinks<'_> {
    /// Snippets are read relative to the mkdocs project (pymdownx.snippets' base path there),
    /// and never from outside the repository (`restrict_base_path`).
    fn include(&self, path: &str) -> Result<String, String> {
        let site = &self.index.sites[self.site];
        let file = paths::resolve_confined(&site.project, path, &site.root)?;
        paths::read_text(&file).map_err(|e| e.message())
    }

    fn resolve(&self, destination: &str, image: bool) -> Resolution {
        let trimmed = destination.trim();
        if trimmed.is_empty() {
            return self.broken(destination, "link with an empty target".to_string());
        }
        if let Some(anchor) = trimmed.strip_prefix('#') {
            return Resolution {
                href: trimmed.to_string(),
                anchor: Some((self.page_path().to_string(), decode_percent(anchor))),
                problem: None,
            };
        }
        if let Some(scheme) = scheme_of(trimmed) {
            let allowed = matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
                || (image
                    && scheme == "data"
                    && [
                        "data:image/png",
                        "data:image/jpeg",
                        "data:image/gif",
                        "data:image/webp",
                    ]
                    .iter()
                    .any(|p| trimmed.to_ascii_lowercase().starts_with(p)));
            if allowed {
                return Resolution {
                    href: trimmed.to_string(),
                    anchor: None,
                    problem: None,
                };
            }
            return Resolution {
                href: String::new(),
                anchor: None,
                problem: Some(format!("a {scheme}: link was removed (only http, https, mailto and tel links are kept)")),
            };
        }
        if trimmed.starts_with("//") {
            return Resolution {
                href: trimmed.to_string(),
                anchor: None,
                problem: None,
            };
        }
        let (without_fragment, fragment) = match trimmed.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (trimmed, None),
        };
        let path = without_fragment
            .split_once('?')
            .map(|(p, _)| p)
            .unwrap_or(without_fragment);
        let path = decode_percent(path);
        if path.starts_with('/') {
            return self.absolute(trimmed, &path, fragment);
        }
        let site = &self.index.sites[self.site];
        let source = &site.page_sources[self.page];
        let folder = source.rsplit_once('/').map(|(f, _)| f).unwrap_or("");
        let Some(joined) = join_relative(folder, &path) else {
            // `../setup/` from `guide.md` is the page `setup.md` in mkdocs' directory URLs;
            // only what is no page leaves the docs folder.
            if let Some(page) = self.page_by_url(source, &path) {
                return self.to_page(self.site, page, fragment);
            }
            return self.outside_docs(trimmed, folder, &path, fragment, image);
        };
        if is_markdown(&joined) {
            return match site.by_source.get(&joined) {
                Some(&page) => self.to_page(self.site, page, fragment),
                None => self.broken(
                    trimmed,
                    format!(
                        "broken link: {trimmed} names {joined}, which is not a page of these docs"
                    ),
                ),
            };
        }
        if site.assets.contains(&joined) {
            let mut href = relative_href(
                self.page_path(),
                &format!("{}{joined}", site.root_path),
                false,
            );
            if let Some(fragment) = fragment {
                href.push('#');
                href.push_str(fragment);
            }
            return Resolution {
                href,
                anchor: None,
                problem: None,
            };
        }
        for index_name in ["index.md", "README.md"] {
            let candidate = if joined.is_empty() {
                index_name.to_string()
            } else {
                format!("{joined}/{index_name}")
            };
            if let Some(&page) = site.by_source.get(&candidate) {
                return self.to_page(self.site, page, fragment);
            }
        }
        if let Some(page) = self.page_by_url(source, &path) {
            return self.to_page(self.site, page, fragment);
        }
        self.broken(
            trimmed,
            format!(
                "broken link: {trimmed} names {joined}, which does not exist in the docs folder"
            ),
        )
    }
}

/// Joins `relative` onto `folder` (both `/`-separated, relative to the docs folder); `None` when
/// it climbs above the docs folder.
fn join_relative(folder: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_follow_mkdocs_directory_urls() {
        assert_eq!(page_url_dir("index.md"), "");
        assert_eq!(page_url_dir("README.md"), "");
        assert_eq!(page_url_dir("guide.md"), "guide/");
        assert_eq!(page_url_dir("a/index.md"), "a/");
        assert_eq!(page_url_dir("a/b.md"), "a/b/");
    }

    #[test]
    fn relative_joins_stay_in_the_docs_folder() {
        assert_eq!(join_relative("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join_relative("", "./x/./y.png").as_deref(), Some("x/y.png"));
        assert_eq!(join_relative("a", "../../etc/passwd"), None);
    }
}
