//! Git remotes as data: clone-URL checks, credential redaction, stable cache names, web URLs of
//! files on GitHub/GitLab/Bitbucket-like hosts, and a checkout's `origin` and branch read from
//! its `.git` files (no process per repository). A plain helper: it knows no stage.

pub mod url;

use crate::hash::fnv1a;
use crate::web::encode_path;
use std::path::Path;

/// Checks a `git:` source URL: `https://`, `ssh://`, `file://` or scp-like `user@host:path`.
/// Anything else (`ext::`, `-` options, plain paths) is refused before git sees it.
pub fn check_clone_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("`git:` needs a URL".to_string());
    }
    if url.starts_with('-') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`git: {}` is not a URL", redact(url)));
    }
    let scheme_ok = ["https://", "ssh://", "file://"].iter().any(|s| {
        url.len() > s.len()
            && url
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
    });
    if scheme_ok || is_scp_like(url) {
        return Ok(());
    }
    let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or(url);
    Err(format!(
        "unsupported git URL \"{}\" (scheme \"{}\"): use https://, ssh://, git@host:org/repo or file://",
        redact(url),
        redact(scheme)
    ))
}

/// `git@github.com:acme/x.git`: a user, a host, a colon and a path, and no `://`.
fn is_scp_like(url: &str) -> bool {
    if url.contains("://") {
        return false;
    }
    let Some((user_host, path)) = url.split_once(':') else {
        return false;
    };
    let Some((user, host)) = user_host.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && !host.is_empty()
        && !path.is_empty()
        && !host.contains('/')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Whether a `ref:` is a plausible branch or tag name (git's `check-ref-format` rules, roughly,
/// and never something git would read as an option).
pub fn is_valid_ref(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.ends_with(".lock")
        && !name.ends_with('.')
        && !name.contains("..")
        && !name.contains("@{")
        && !name.contains("//")
        && !name.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\')
        })
}

/// Replaces the user-info of every URL in `text` (`https://user:token@host` →
/// `https://***@host`). Applied to every URL and every git message before it is shown,
/// logged or written. A bare `git@host:` (scp-like, no secret) is left alone.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let url_end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '`' | '>' | '<'))
            .unwrap_or(after.len());
        let url = &after[..url_end];
        let authority_end = url.find('/').unwrap_or(url.len());
        let authority = &url[..authority_end];
        match authority.rfind('@') {
            Some(i) => {
                out.push_str("***");
                out.push_str(&authority[i..]);
            }
            None => out.push_str(authority),
        }
        out.push_str(&redact_query(&url[authority_end..]));
        rest = &after[url_end..];
    }
    out.push_str(rest);
    out
}

/// A URL's path with the values of query parameters that carry credentials (`token`, `sig`,
/// `X-Amz-Credential`, …) replaced by `***`.
fn redact_query(path_and_query: &str) -> String {
    let Some((path, query)) = path_and_query.split_once('?') else {
        return path_and_query.to_string();
    };
    let secret = |name: &str| {
        let name = name.to_ascii_lowercase();
        name.starts_with("x-amz-")
            || [
                "token",
                "key",
                "sig",
                "secret",
                "password",
                "passwd",
                "auth",
                "credential",
            ]
            .iter()
            .any(|word| name.contains(word))
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if secret(name) && !value.is_empty() => format!("{name}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// Host (without user or port) and path (without leading `/` and trailing `.git`) of a remote.
/// `file://` URLs give an empty host.
pub fn remote_parts(url: &str) -> Option<(String, String)> {
    let (host_part, path) = if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme == "file" {
            (String::new(), rest.to_string())
        } else {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let host = host.split(':').next().unwrap_or(host);
            (host.to_ascii_lowercase(), path.to_string())
        }
    } else if is_scp_like(url) {
        let (user_host, path) = url.split_once(':')?;
        let host = user_host.rsplit('@').next().unwrap_or(user_host);
        (host.to_ascii_lowercase(), path.to_string())
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    Some((host_part, path.to_string()))
}

/// The repository's name: the last part of its URL's path, without `.git`.
pub fn repo_name(url: &str) -> String {
    remote_parts(url)
        .and_then(|(_, path)| path.rsplit('/').next().map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "repository".to_string())
}

/// How a git source is named in messages and in the site: `host/org/repo`, or for `file://`
/// URLs only the repository's name (so no local path leaks into the site).
pub fn display_name(url: &str) -> String {
    match remote_parts(&redact(url)) {
        Some((host, path)) if !host.is_empty() && !path.is_empty() => format!("{host}/{path}"),
        _ => repo_name(url),
    }
}

/// The cache folder name of a clone: host, org and repo made file-name safe, then 8 hex digits
/// of the FNV hash of the URL and ref (credentials left out, so rotating a token keeps the
/// clone), so two repositories called `api`, or two refs of one, never share a folder.
pub fn stable_name(url: &str, git_ref: Option<&str>) -> String {
    let redacted = redact(url);
    let readable = match remote_parts(&redacted) {
        Some((host, path)) if !host.is_empty() => format!("{host}-{path}"),
        _ => repo_name(url),
    };
    let mut name: String = readable
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches(|c| c == '.' || c == '-').to_string();
    if name.len() > 80 {
        name.truncate(80);
    }
    format!(
        "{name}-{:08x}",
        fnv1a(&format!(
            "{}#{}",
            redacted.trim_end_matches('/'),
            git_ref.unwrap_or("")
        )) as u32
    )
}

/// Which URL layout a code host uses for files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `/blob/<ref>/<path>`, `/tree/`, `/edit/` (GitHub, GitHub Enterprise, unknown hosts).
    GitHub,
    /// `/-/blob/<ref>/<path>`, `/-/tree/`, `/-/edit/`.
    GitLab,
    /// `/src/<ref>/<path>`, edit with `?mode=edit` (Bitbucket Cloud).
    Bitbucket,
    /// `/browse/<path>?at=refs/heads/<ref>` (Bitbucket Server and Data Center).
    BitbucketServer,
    /// `?path=/<path>&version=GB<ref>` (Azure DevOps).
    AzureDevOps,
}

/// A repository's home page on its code host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRepo {
    /// `https://github.com/acme/payments`, without a trailing slash.
    pub base: String,
    /// URL layout.
    pub flavor: Flavor,
}

impl WebRepo {
    /// The web page of a remote, for `https://`, `ssh://` and scp-like URLs; `None` for
    /// `file://` and anything without a host and an `org/repo` path.
    pub fn of_remote(remote: &str) -> Option<WebRepo> {
        let (host, path) = remote_parts(remote)?;
        if host.is_empty() || !path.contains('/') || host == "localhost" {
            return None;
        }
        let key = url::remote_key(remote)?;
        if let Some(rest) = key.strip_prefix("dev.azure.com/") {
            // The key is lowercased; the web page keeps the remote's spelling.
            let segments: Vec<&str> = path
                .split('/')
                .filter(|s| *s != "_git" && *s != "v3")
                .collect();
            let spelled = match segments.as_slice() {
                [org, project, repo] => format!("{org}/{project}/_git/{repo}"),
                _ => {
                    let parts: Vec<&str> = rest.split('/').collect();
                    format!("{}/{}/_git/{}", parts[0], parts.get(1)?, parts.get(2)?)
                }
            };
            return Some(WebRepo {
                base: format!("https://dev.azure.com/{spelled}"),
                flavor: Flavor::AzureDevOps,
            });
        }
        if let Some(("scm", rest)) = path.split_once('/') {
            if let Some((project, repo)) = rest.split_once('/') {
                return Some(WebRepo {
                    base: format!(
                        "https://{host}/projects/{}/repos/{repo}",
                        project.to_ascii_uppercase()
                    ),
                    flavor: Flavor::BitbucketServer,
                });
            }
        }
        let flavor = if host.contains("gitlab") {
            Flavor::GitLab
        } else if host.contains("bitbucket") {
            Flavor::Bitbucket
        } else {
            Flavor::GitHub
        };
        Some(WebRepo {
            base: format!("https://{host}/{path}"),
            flavor,
        })
    }

    fn join(&self, middle: &str, git_ref: &str, path: &str) -> String {
        let path = path.trim_start_matches('/');
        format!(
            "{}/{middle}/{}/{}",
            self.base,
            encode_path(git_ref),
            encode_path(path)
        )
    }

    /// Azure DevOps and Bitbucket Server name the ref in the query string.
    fn query_page(&self, git_ref: &str, path: &str) -> String {
        let path = path.trim_matches('/');
        match self.flavor {
            Flavor::AzureDevOps => format!(
                "{}?path=/{}&version=GB{}",
                self.base,
                encode_query(path),
                encode_query(git_ref)
            ),
            _ => format!(
                "{}/browse/{}?at=refs/heads/{}",
                self.base,
                encode_path(path),
                encode_query(git_ref)
            ),
        }
    }

    /// The page showing a file.
    pub fn blob(&self, git_ref: &str, path: &str) -> String {
        match self.flavor {
            Flavor::GitHub => self.join("blob", git_ref, path),
            Flavor::GitLab => self.join("-/blob", git_ref, path),
            Flavor::Bitbucket => self.join("src", git_ref, path),
            Flavor::BitbucketServer | Flavor::AzureDevOps => self.query_page(git_ref, path),
        }
    }

    /// The page listing a folder (`dir` empty for the root), with a trailing `/` where the
    /// layout puts the path in the URL's path.
    pub fn tree(&self, git_ref: &str, dir: &str) -> String {
        let dir = dir.trim_matches('/');
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        match self.flavor {
            Flavor::GitHub => self.join("tree", git_ref, &dir),
            Flavor::GitLab => self.join("-/tree", git_ref, &dir),
            Flavor::Bitbucket => self.join("src", git_ref, &dir),
            Flavor::BitbucketServer | Flavor::AzureDevOps => self.query_page(git_ref, &dir),
        }
    }

    /// The file itself (for images), where the layout has such a URL.
    pub fn raw(&self, git_ref: &str, path: &str) -> Option<String> {
        match self.flavor {
            Flavor::GitHub => Some(self.join("raw", git_ref, path)),
            Flavor::GitLab => Some(self.join("-/raw", git_ref, path)),
            Flavor::Bitbucket => Some(self.join("raw", git_ref, path)),
            Flavor::BitbucketServer => Some(format!(
                "{}/raw/{}?at=refs/heads/{}",
                self.base,
                encode_path(path.trim_start_matches('/')),
                encode_query(git_ref)
            )),
            Flavor::AzureDevOps => None,
        }
    }

    /// The page editing a file.
    pub fn edit(&self, git_ref: &str, path: &str) -> String {
        match self.flavor {
            Flavor::GitHub => self.join("edit", git_ref, path),
            Flavor::GitLab => self.join("-/edit", git_ref, path),
            Flavor::Bitbucket => format!("{}?mode=edit", self.join("src", git_ref, path)),
            Flavor::BitbucketServer => format!("{}&mode=edit", self.query_page(git_ref, path)),
            Flavor::AzureDevOps => format!("{}&_a=contents", self.query_page(git_ref, path)),
        }
    }

    /// The edit URL prefix of a folder: a file's repository path appended to it gives
    /// [`WebRepo::edit`] (only for layouts that put the path last in the URL's path).
    pub fn edit_prefix(&self, git_ref: &str, dir: &str) -> Option<String> {
        let dir = dir.trim_matches('/');
        let dir = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        match self.flavor {
            Flavor::GitHub => Some(self.join("edit", git_ref, &dir)),
            Flavor::GitLab => Some(self.join("-/edit", git_ref, &dir)),
            Flavor::Bitbucket | Flavor::BitbucketServer | Flavor::AzureDevOps => None,
        }
    }
}

/// Percent-encodes a query-string value.
fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What is known about a repository checkout's origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoMeta {
    /// Remote URL, credentials redacted.
    pub remote: Option<String>,
    /// Branch or tag checked out (a commit id when HEAD is detached).
    pub branch: Option<String>,
    /// The repository's web pages, when the remote is on a code host.
    pub web: Option<WebRepo>,
}

/// Links of one file of a repository on its code host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWeb {
    /// Page showing the file (`backstage.io/view-url`).
    pub view: String,
    /// Page editing it (`backstage.io/edit-url`).
    pub edit: String,
    /// Page of its folder, with a trailing `/` (`backstage.io/source-location`).
    pub folder: String,
}

impl RepoMeta {
    /// Metadata of a remote URL checked out at `branch`.
    pub fn of_remote(remote: Option<&str>, branch: Option<String>) -> RepoMeta {
        RepoMeta {
            remote: remote.map(redact),
            web: remote.and_then(WebRepo::of_remote),
            branch,
        }
    }

    /// Reads `<dir>/.git` (a folder, or a `gitdir:` file of a worktree or submodule): the
    /// `origin` remote from `config` and the branch from `HEAD`. Nothing found is not an error.
    pub fn of_checkout(dir: &Path) -> RepoMeta {
        let dot_git = dir.join(".git");
        let git_dir = if dot_git.is_dir() {
            dot_git
        } else if let Ok(text) = std::fs::read_to_string(&dot_git) {
            match text.trim().strip_prefix("gitdir:") {
                Some(target) => dir.join(target.trim()),
                None => return RepoMeta::default(),
            }
        } else {
            return RepoMeta::default();
        };
        let common = std::fs::read_to_string(git_dir.join("commondir"))
            .map(|c| git_dir.join(c.trim()))
            .unwrap_or_else(|_| git_dir.clone());
        let remote = std::fs::read_to_string(common.join("config"))
            .ok()
            .and_then(|text| origin_url(&text));
        let branch = std::fs::read_to_string(git_dir.join("HEAD"))
            .ok()
            .and_then(|head| {
                let head = head.trim();
                match head.strip_prefix("ref:") {
                    Some(r) => r.trim().strip_prefix("refs/heads/").map(str::to_string),
                    None => (head.len() == 40 || head.len() == 64).then(|| head.to_string()),
                }
            });
        RepoMeta::of_remote(remote.as_deref(), branch)
    }

    /// A file's links, from its path inside the repository; `None` without a web remote or a
    /// branch.
    pub fn file_web(&self, path_in_repo: &str) -> Option<FileWeb> {
        let web = self.web.as_ref()?;
        let branch = self.branch.as_deref()?;
        let folder = path_in_repo.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        Some(FileWeb {
            view: web.blob(branch, path_in_repo),
            edit: web.edit(branch, path_in_repo),
            folder: web.tree(branch, folder),
        })
    }
}

/// `url` of `[remote "origin"]` in a git config file.
fn origin_url(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            let section: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            in_origin = section == "[remote\"origin\"]";
            continue;
        }
        if in_origin {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim().eq_ignore_ascii_case("url") {
                    return Some(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_user_info_everywhere() {
        assert_eq!(
            redact("fatal: repository 'https://x-access-token:SECRET@github.com/acme/x.git/' not found"),
            "fatal: repository 'https://***@github.com/acme/x.git/' not found"
        );
        assert_eq!(
            redact("https://user:p%40ss@host/a and ssh://git@host:22/b"),
            "https://***@host/a and ssh://***@host:22/b"
        );
        assert_eq!(redact("https://github.com/a/b"), "https://github.com/a/b");
        assert_eq!(redact("git@github.com:a/b.git"), "git@github.com:a/b.git");
        assert_eq!(redact("https://tok@h"), "https://***@h");
        assert_eq!(
            redact("GET https://h/a.yaml?ref=main&access_token=abc&X-Amz-Signature=f00 failed"),
            "GET https://h/a.yaml?ref=main&access_token=***&X-Amz-Signature=*** failed"
        );
        assert_eq!(
            redact("https://h/p?sig=1&page=2"),
            "https://h/p?sig=***&page=2"
        );
    }

    #[test]
    fn clone_urls_are_checked() {
        for ok in [
            "https://github.com/acme/x.git",
            "ssh://git@github.com/acme/x.git",
            "git@github.com:acme/x.git",
            "file:///tmp/x",
        ] {
            assert!(check_clone_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://github.com/acme/x",
            "ext::sh -c touch% /tmp/pwned",
            "--upload-pack=touch",
            "/tmp/x",
            "git://host/x",
            "",
            "htéps://x",
            "abcdeéééé://host/x",
        ] {
            assert!(check_clone_url(bad).is_err(), "{bad}");
        }
        let message = check_clone_url("ftp://u:secret@h/x").unwrap_err();
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn refs_are_checked() {
        assert!(is_valid_ref("main"));
        assert!(is_valid_ref("release/1.x"));
        assert!(is_valid_ref("v1.0.0"));
        assert!(!is_valid_ref("--upload-pack=x"));
        assert!(!is_valid_ref("a..b"));
        assert!(!is_valid_ref("a b"));
    }

    #[test]
    fn web_urls_of_remotes() {
        let web = |u: &str| WebRepo::of_remote(u).map(|w| w.base);
        assert_eq!(
            web("git@github.com:acme/x.git").as_deref(),
            Some("https://github.com/acme/x")
        );
        assert_eq!(
            web("https://tok:en@github.com/acme/x.git").as_deref(),
            Some("https://github.com/acme/x")
        );
        assert_eq!(
            web("ssh://git@gitlab.example.com:2222/group/sub/x.git").as_deref(),
            Some("https://gitlab.example.com/group/sub/x")
        );
        assert_eq!(web("file:///tmp/acme/x"), None);
        let github = WebRepo::of_remote("git@github.com:acme/x.git").expect("web");
        assert_eq!(
            github.blob("main", "catalog-info.yaml"),
            "https://github.com/acme/x/blob/main/catalog-info.yaml"
        );
        assert_eq!(
            github.tree("main", ""),
            "https://github.com/acme/x/tree/main/"
        );
        assert_eq!(
            github.edit("v1", "docs/a b.md"),
            "https://github.com/acme/x/edit/v1/docs/a%20b.md"
        );
        let gitlab = WebRepo::of_remote("https://gitlab.com/g/x").expect("web");
        assert_eq!(
            gitlab.blob("main", "a.yaml"),
            "https://gitlab.com/g/x/-/blob/main/a.yaml"
        );
        assert_eq!(
            gitlab.tree("main", "svc"),
            "https://gitlab.com/g/x/-/tree/main/svc/"
        );
        assert_eq!(
            gitlab.edit("main", "a.md"),
            "https://gitlab.com/g/x/-/edit/main/a.md"
        );
        let azure =
            WebRepo::of_remote("git@ssh.dev.azure.com:v3/acme/Platform/portal").expect("web");
        assert_eq!(
            azure.base,
            "https://dev.azure.com/acme/Platform/_git/portal"
        );
        assert_eq!(
            azure.blob("main", "docs/a b.md"),
            "https://dev.azure.com/acme/Platform/_git/portal?path=/docs/a%20b.md&version=GBmain"
        );
        assert_eq!(azure.edit_prefix("main", "docs"), None);
        let server =
            WebRepo::of_remote("https://bitbucket.acme.corp/scm/plat/api.git").expect("web");
        assert_eq!(
            server.base,
            "https://bitbucket.acme.corp/projects/PLAT/repos/api"
        );
        assert_eq!(
            server.tree("release/1.x", "docs"),
            "https://bitbucket.acme.corp/projects/PLAT/repos/api/browse/docs?at=refs/heads/release/1.x"
        );
        let bitbucket = WebRepo::of_remote("git@bitbucket.org:t/x.git").expect("web");
        assert_eq!(
            bitbucket.edit("main", "a.md"),
            "https://bitbucket.org/t/x/src/main/a.md?mode=edit"
        );
    }

    #[test]
    fn names_are_stable_and_distinct() {
        let a = stable_name("https://github.com/acme/api.git", None);
        let b = stable_name("https://github.com/other/api.git", None);
        assert!(a.starts_with("github.com-acme-api-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, stable_name("https://github.com/acme/api.git", None));
        assert_ne!(
            a,
            stable_name("https://github.com/acme/api.git", Some("v1"))
        );
        assert_eq!(
            stable_name("https://tok@github.com/acme/api.git", None),
            stable_name("https://***@github.com/acme/api.git", None)
        );
        assert!(!stable_name("https://u:secret@h/o/r", None).contains("secret"));
        assert_eq!(
            display_name("https://u:s@github.com/acme/api.git"),
            "github.com/acme/api"
        );
        assert_eq!(display_name("file:///tmp/x/payments.git"), "payments");
        assert_eq!(repo_name("git@github.com:acme/api.git"), "api");
    }

    #[test]
    fn checkout_metadata_from_dot_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
        std::fs::write(
            dir.path().join(".git/config"),
            "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:up/x.git\n[remote \"origin\"]\n\turl = git@github.com:acme/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        )
        .expect("write");
        std::fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/trunk\n").expect("write");
        let meta = RepoMeta::of_checkout(dir.path());
        assert_eq!(meta.branch.as_deref(), Some("trunk"));
        assert_eq!(
            meta.file_web("svc/catalog-info.yaml"),
            Some(FileWeb {
                view: "https://github.com/acme/x/blob/trunk/svc/catalog-info.yaml".to_string(),
                edit: "https://github.com/acme/x/edit/trunk/svc/catalog-info.yaml".to_string(),
                folder: "https://github.com/acme/x/tree/trunk/svc/".to_string(),
            })
        );
        assert_eq!(
            RepoMeta::of_checkout(&dir.path().join("none")),
            RepoMeta::default()
        );
    }
}
