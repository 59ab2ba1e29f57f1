//! Code-host URLs taken apart: which repository a URL names, and which ref and path inside it.
//!
//! Backstage writes repository locations as web URLs (`url:https://github.com/org/repo/tree/main/docs`
//! in a `techdocs-ref`, `blob` URLs in `$text` and Location targets, tree URLs in
//! `source-location`). Greenroom matches them against the repositories it has checked out by a
//! normalised *key* (`github.com/org/repo`, lowercased), the same key a checkout's `origin`
//! remote gives, so `https://github.com/Org/Repo/tree/main/docs`, `git@github.com:org/repo.git`
//! and `github.com/project-slug: org/repo` all name one repository.

use super::{remote_parts, Flavor, WebRepo};
use crate::web::decode_percent;

/// Where in its repository a URL points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Within {
    /// A bare repository URL: the root, at the default branch.
    Root,
    /// The text after a `tree/`, `blob/`, `src/` or `-/tree/` marker: a ref followed by a path,
    /// where the ref may itself hold `/` (`release/1.x/docs`), so it is split only against the
    /// refs the repository has ([`RepoUrl::split`]).
    RefAndPath(String),
    /// A path with its ref given apart (Azure DevOps' `?path=&version=GB…`, Bitbucket Server's
    /// `browse/<path>?at=refs/heads/…`).
    Exact {
        /// The branch or tag, when the URL names one.
        git_ref: Option<String>,
        /// The path inside the repository, without leading `/`.
        path: String,
    },
}

impl Within {
    /// A ref and path given apart; the root when neither is.
    fn exact(git_ref: Option<String>, path: String) -> Within {
        if git_ref.is_none() && path.is_empty() {
            Within::Root
        } else {
            Within::Exact { git_ref, path }
        }
    }
}

/// A URL into a repository on a code host, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    /// The repository's identity, lowercased: `github.com/backstage/backstage`,
    /// `gitlab.com/group/sub/repo`, `dev.azure.com/org/project/repo`,
    /// `bitbucket.example.com/proj/repo`.
    pub key: String,
    /// An `https://` URL git can clone it from.
    pub clone_url: String,
    /// Its web pages.
    pub web: WebRepo,
    /// The ref and path the URL names.
    pub within: Within,
}

/// GitHub-style markers that start the `<ref>/<path>` part of a URL.
const MARKERS: [&str; 5] = ["tree", "blob", "raw", "edit", "src"];

impl RepoUrl {
    /// Takes a web URL apart: GitHub (and GitHub Enterprise or any unknown host) `…/tree/<ref>/<path>`
    /// and `…/blob/…`, GitLab `…/-/tree/<ref>/<path>` (groups nest), Bitbucket Cloud
    /// `…/src/<ref>/<path>`, Bitbucket Server `…/projects/P/repos/r/browse/<path>?at=…`, Azure
    /// DevOps `…/_git/<repo>?path=…&version=GB…`, and bare repository URLs (with or without
    /// `.git`). `None` for anything else (a user page, an issue list, a non-web scheme).
    pub fn parse(url: &str) -> Option<RepoUrl> {
        let url = url.trim();
        let rest = strip_scheme(url)?;
        let (before_fragment, _) = rest.split_once('#').unwrap_or((rest, ""));
        let (location, query) = before_fragment
            .split_once('?')
            .unwrap_or((before_fragment, ""));
        let (authority, path) = location.split_once('/').unwrap_or((location, ""));
        let host_port = authority
            .rsplit('@')
            .next()
            .unwrap_or(authority)
            .to_ascii_lowercase();
        let host_port = host_port
            .strip_prefix("www.")
            .unwrap_or(&host_port)
            .to_string();
        // The identity key leaves the port out (a remote's ssh port says nothing about the
        // web server's); clone and web URLs keep it.
        let host = host_port
            .split(':')
            .next()
            .unwrap_or(&host_port)
            .to_string();
        if host.is_empty() || !host.contains('.') && host != "localhost" {
            return None;
        }
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if host == "dev.azure.com" || host.ends_with(".visualstudio.com") {
            return azure(&host, &segments, query);
        }
        if segments.first() == Some(&"projects") && segments.get(2) == Some(&"repos") {
            return bitbucket_server(&host, &host_port, &segments, query);
        }
        let (repo, within): (&[&str], Within) = match segments.iter().position(|s| *s == "-") {
            // GitLab: `group/sub/repo/-/tree/<ref>/<path>`.
            Some(dash) => {
                let after = &segments[dash + 1..];
                match after.split_first() {
                    Some((marker, rest)) if MARKERS.contains(marker) && !rest.is_empty() => {
                        (&segments[..dash], Within::RefAndPath(rest.join("/")))
                    }
                    _ => return None,
                }
            }
            None if host.contains("gitlab") => {
                // Older GitLab URLs have no `-`; a marker after at least a group and a repo.
                match segments
                    .iter()
                    .skip(2)
                    .position(|s| MARKERS[..4].contains(s))
                    .map(|i| i + 2)
                {
                    Some(at) if at + 1 < segments.len() => (
                        &segments[..at],
                        Within::RefAndPath(segments[at + 1..].join("/")),
                    ),
                    Some(_) => return None,
                    None => (&segments[..], Within::Root),
                }
            }
            None => match segments.len() {
                0 | 1 => return None,
                2 => (&segments[..2], Within::Root),
                _ if MARKERS.contains(&segments[2]) && segments.len() > 3 => {
                    (&segments[..2], Within::RefAndPath(segments[3..].join("/")))
                }
                _ => return None,
            },
        };
        // A repository path is names only: no `.`/`..` or escapes a server would resolve.
        if repo.len() < 2
            || repo
                .iter()
                .any(|s| *s == "." || *s == ".." || s.contains('%'))
        {
            return None;
        }
        let mut repo_path = repo.join("/");
        if let Some(stripped) = repo_path.strip_suffix(".git") {
            repo_path = stripped.to_string();
        }
        let within = match within {
            Within::RefAndPath(rest) => Within::RefAndPath(decode_percent(rest.trim_matches('/'))),
            other => other,
        };
        let flavor = if segments.contains(&"-") || host.contains("gitlab") {
            Flavor::GitLab
        } else if host.contains("bitbucket") {
            Flavor::Bitbucket
        } else {
            Flavor::GitHub
        };
        Some(RepoUrl {
            key: repo_key(&host, &repo_path),
            clone_url: format!("https://{host_port}/{repo_path}.git"),
            web: WebRepo {
                base: format!("https://{host_port}/{repo_path}"),
                flavor,
            },
            within,
        })
    }

    /// The ref and the path (without leading `/`, empty for the root). `branch`, the ref a
    /// checkout of the repository has, is tried first, since refs may contain `/`; otherwise
    /// the ref is the first segment. `None` as the ref means the default branch.
    pub fn split(&self, branch: Option<&str>) -> (Option<String>, String) {
        match &self.within {
            Within::Root => (None, String::new()),
            Within::Exact { git_ref, path } => (git_ref.clone(), path.clone()),
            Within::RefAndPath(rest) => {
                if let Some(branch) = branch {
                    if let Some(path) = after_ref(rest, branch) {
                        return (Some(branch.to_string()), path.to_string());
                    }
                }
                let (git_ref, path) = rest.split_once('/').unwrap_or((rest, ""));
                (Some(git_ref.to_string()), path.to_string())
            }
        }
    }

    /// Like [`RepoUrl::split`], choosing the longest of `refs` (the repository's branch and tag
    /// names) that the URL starts with.
    pub fn split_against(&self, refs: &[String]) -> (Option<String>, String) {
        if let Within::RefAndPath(rest) = &self.within {
            let longest = refs
                .iter()
                .filter(|r| after_ref(rest, r).is_some())
                .max_by_key(|r| r.len());
            if let Some(found) = longest {
                return self.split(Some(found));
            }
        }
        self.split(None)
    }
}

/// The path after `git_ref` at the start of `rest` (`rest` is `<ref>` or `<ref>/<path>`).
fn after_ref<'a>(rest: &'a str, git_ref: &str) -> Option<&'a str> {
    let after = rest.strip_prefix(git_ref)?;
    if after.is_empty() {
        Some("")
    } else {
        after.strip_prefix('/')
    }
}

fn strip_scheme(url: &str) -> Option<&str> {
    ["https://", "http://"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|s| s.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    })
}

/// The value of `name` in a query string, percent-decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| decode_percent(&value.replace('+', " ")))
    })
}

/// `dev.azure.com/<org>/<project>/_git/<repo>` or `<org>.visualstudio.com/[DefaultCollection/]<project>/_git/<repo>`,
/// with `?path=/docs&version=GBmain` (`GB` a branch, `GT` a tag, `GC` a commit).
fn azure(host: &str, segments: &[&str], query: &str) -> Option<RepoUrl> {
    let git = segments.iter().position(|s| *s == "_git")?;
    let repo = *segments.get(git + 1)?;
    let (org, project) = if host == "dev.azure.com" {
        match &segments[..git] {
            [org, project] => (org.to_string(), project.to_string()),
            _ => return None,
        }
    } else {
        let org = host.strip_suffix(".visualstudio.com")?.to_string();
        match &segments[..git] {
            [project] | ["DefaultCollection", project] => (org, project.to_string()),
            _ => return None,
        }
    };
    let git_ref = query_value(query, "version").and_then(|v| {
        v.strip_prefix("GB")
            .or_else(|| v.strip_prefix("GT"))
            .or_else(|| v.strip_prefix("GC"))
            .map(str::to_string)
    });
    let path = query_value(query, "path")
        .unwrap_or_default()
        .trim_matches('/')
        .to_string();
    let within = Within::exact(git_ref, path);
    let base = format!("https://dev.azure.com/{org}/{project}/_git/{repo}");
    Some(RepoUrl {
        key: format!("dev.azure.com/{org}/{project}/{repo}").to_ascii_lowercase(),
        clone_url: base.clone(),
        web: WebRepo {
            base,
            flavor: Flavor::AzureDevOps,
        },
        within,
    })
}

/// Bitbucket Server / Data Center: `<host>/projects/<P>/repos/<repo>[/browse/<path>][?at=refs/heads/main]`.
fn bitbucket_server(
    host: &str,
    host_port: &str,
    segments: &[&str],
    query: &str,
) -> Option<RepoUrl> {
    let project = *segments.get(1)?;
    let repo = *segments.get(3)?;
    let path = match segments.get(4) {
        Some(&"browse") => decode_percent(&segments[5..].join("/")),
        Some(_) => return None,
        None => String::new(),
    };
    let git_ref = query_value(query, "at").map(|at| {
        at.strip_prefix("refs/heads/")
            .or_else(|| at.strip_prefix("refs/tags/"))
            .unwrap_or(&at)
            .to_string()
    });
    let within = Within::exact(git_ref, path);
    let lower_project = project.to_ascii_lowercase();
    Some(RepoUrl {
        key: repo_key(host, &format!("{lower_project}/{repo}")),
        clone_url: format!("https://{host_port}/scm/{lower_project}/{repo}.git"),
        web: WebRepo {
            base: format!("https://{host_port}/projects/{project}/repos/{repo}"),
            flavor: Flavor::BitbucketServer,
        },
        within,
    })
}

/// The normalised identity of the repository at `path` on `host`, lowercased.
pub fn repo_key(host: &str, path: &str) -> String {
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    format!("{host}/{path}").to_ascii_lowercase()
}

/// The identity key of a clone URL (`https://`, `ssh://`, `git@host:path`), normalised like
/// [`RepoUrl::key`]: Azure DevOps' `ssh.dev.azure.com:v3/org/project/repo` and
/// `dev.azure.com/org/project/_git/repo` become `dev.azure.com/org/project/repo`, Bitbucket
/// Server's `scm/` prefix is dropped. `None` for `file://` and other host-less remotes.
pub fn remote_key(remote: &str) -> Option<String> {
    let (host, path) = remote_parts(remote)?;
    if host.is_empty() {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let azure = match (host.as_str(), segments.as_slice()) {
        ("ssh.dev.azure.com" | "vs-ssh.visualstudio.com", ["v3", org, project, repo]) => {
            Some((org.to_string(), *project, *repo))
        }
        ("dev.azure.com", [org, project, "_git", repo]) => Some((org.to_string(), *project, *repo)),
        (other, [.., project, "_git", repo]) => other
            .strip_suffix(".visualstudio.com")
            .map(|org| (org.to_string(), *project, *repo)),
        _ => None,
    };
    if let Some((org, project, repo)) = azure {
        return Some(repo_key(
            "dev.azure.com",
            &format!("{org}/{project}/{repo}"),
        ));
    }
    if let ["scm", project, repo] = segments.as_slice() {
        return Some(repo_key(&host, &format!("{project}/{repo}")));
    }
    if segments.len() < 2 {
        return None;
    }
    Some(repo_key(&host, &segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, Option<String>, String) {
        let parsed = RepoUrl::parse(url).unwrap_or_else(|| panic!("{url} parses"));
        let (git_ref, path) = parsed.split(None);
        (parsed.key, git_ref, path)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn github_urls() {
        assert_eq!(
            parts("https://github.com/backstage/backstage"),
            ("github.com/backstage/backstage".into(), None, "".into())
        );
        assert_eq!(
            parts("https://github.com/Backstage/Backstage.git/"),
            ("github.com/backstage/backstage".into(), None, "".into())
        );
        assert_eq!(
            parts("https://github.com/acme/x/tree/main/plugins/a%20b/"),
            (
                "github.com/acme/x".into(),
                some("main"),
                "plugins/a b".into()
            )
        );
        assert_eq!(
            parts("https://www.github.com/acme/x/blob/v1/docs/index.md#top"),
            (
                "github.com/acme/x".into(),
                some("v1"),
                "docs/index.md".into()
            )
        );
        assert_eq!(
            parts("https://ghe.acme.corp/team/svc/tree/main"),
            ("ghe.acme.corp/team/svc".into(), some("main"), "".into())
        );
        let parsed = RepoUrl::parse("https://github.com/acme/x/tree/release/1.x/docs").expect("ok");
        assert_eq!(parsed.clone_url, "https://github.com/acme/x.git");
        assert_eq!(
            parsed.split(Some("release/1.x")),
            (some("release/1.x"), "docs".into())
        );
        assert_eq!(
            parsed.split_against(&["release".into(), "release/1.x".into(), "main".into()]),
            (some("release/1.x"), "docs".into())
        );
        assert_eq!(parsed.split(None), (some("release"), "1.x/docs".into()));
        assert_eq!(RepoUrl::parse("https://github.com/acme"), None);
        assert_eq!(
            RepoUrl::parse("https://github.com/acme/../evil/tree/main/docs"),
            None
        );
        assert_eq!(
            RepoUrl::parse("https://gitlab.com/acme/%2e%2e/evil/-/tree/main/docs"),
            None
        );
        let ported = RepoUrl::parse("https://git.corp:8443/team/repo/tree/main/docs").expect("ok");
        assert_eq!(ported.key, "git.corp/team/repo");
        assert_eq!(ported.clone_url, "https://git.corp:8443/team/repo.git");
        assert_eq!(ported.web.base, "https://git.corp:8443/team/repo");
        assert_eq!(RepoUrl::parse("https://github.com/acme/x/pulls"), None);
        assert_eq!(RepoUrl::parse("ftp://github.com/acme/x"), None);
        assert_eq!(RepoUrl::parse("dir:."), None);
    }

    #[test]
    fn gitlab_urls() {
        assert_eq!(
            parts("https://gitlab.com/group/sub/repo/-/tree/main/docs"),
            (
                "gitlab.com/group/sub/repo".into(),
                some("main"),
                "docs".into()
            )
        );
        assert_eq!(
            parts("https://gitlab.example.com/g/r/-/blob/dev/mkdocs.yml"),
            (
                "gitlab.example.com/g/r".into(),
                some("dev"),
                "mkdocs.yml".into()
            )
        );
        assert_eq!(
            parts("https://gitlab.com/group/sub/repo"),
            ("gitlab.com/group/sub/repo".into(), None, "".into())
        );
        assert_eq!(
            parts("https://gitlab.com/group/repo/tree/main/docs"),
            ("gitlab.com/group/repo".into(), some("main"), "docs".into())
        );
        let parsed = RepoUrl::parse("https://gitlab.com/g/r/-/tree/main").expect("ok");
        assert_eq!(parsed.web.flavor, Flavor::GitLab);
        assert_eq!(RepoUrl::parse("https://gitlab.com/g/r/-/issues"), None);
    }

    #[test]
    fn bitbucket_and_azure_urls() {
        assert_eq!(
            parts("https://bitbucket.org/team/repo/src/main/docs/"),
            (
                "bitbucket.org/team/repo".into(),
                some("main"),
                "docs".into()
            )
        );
        assert_eq!(
            parts("https://bitbucket.acme.corp/projects/PLAT/repos/api/browse/docs?at=refs/heads/main"),
            ("bitbucket.acme.corp/plat/api".into(), some("main"), "docs".into())
        );
        let server =
            RepoUrl::parse("https://bitbucket.acme.corp/projects/PLAT/repos/api").expect("ok");
        assert_eq!(
            server.clone_url,
            "https://bitbucket.acme.corp/scm/plat/api.git"
        );
        assert_eq!(server.within, Within::Root);
        assert_eq!(
            parts("https://dev.azure.com/acme/Platform/_git/portal?path=/docs&version=GBmain"),
            (
                "dev.azure.com/acme/platform/portal".into(),
                some("main"),
                "docs".into()
            )
        );
        assert_eq!(
            parts("https://acme.visualstudio.com/DefaultCollection/Platform/_git/portal?path=%2Fsub%2Fdocs"),
            ("dev.azure.com/acme/platform/portal".into(), None, "sub/docs".into())
        );
        let azure = RepoUrl::parse("https://dev.azure.com/acme/Platform/_git/portal").expect("ok");
        assert_eq!(
            azure.clone_url,
            "https://dev.azure.com/acme/Platform/_git/portal"
        );
    }

    #[test]
    fn remotes_and_urls_give_the_same_key() {
        for (remote, url) in [
            (
                "git@github.com:Acme/X.git",
                "https://github.com/acme/x/tree/main/docs",
            ),
            ("https://tok@github.com/acme/x", "https://github.com/acme/x"),
            (
                "ssh://git@gitlab.com:2222/g/sub/r.git",
                "https://gitlab.com/g/sub/r/-/tree/main/a",
            ),
            (
                "git@ssh.dev.azure.com:v3/acme/Platform/portal",
                "https://dev.azure.com/acme/Platform/_git/portal",
            ),
            (
                "https://acme@dev.azure.com/acme/Platform/_git/portal",
                "https://acme.visualstudio.com/Platform/_git/portal",
            ),
            (
                "https://bitbucket.acme.corp/scm/plat/api.git",
                "https://bitbucket.acme.corp/projects/PLAT/repos/api",
            ),
        ] {
            let parsed = RepoUrl::parse(url).expect("parses");
            assert_eq!(
                remote_key(remote).as_deref(),
                Some(parsed.key.as_str()),
                "{remote} vs {url}"
            );
        }
        assert_eq!(remote_key("file:///tmp/acme/x"), None);
    }
}
