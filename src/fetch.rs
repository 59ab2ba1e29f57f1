//! Stage 0: fetch sources. Every `git:` source is cloned (shallow, one commit) into
//! `<cache>/git/<stable-name>` with the system `git`, or brought up to date there if an earlier
//! run cloned it, several at a time. The checkouts then go through `discover` like folders.
//!
//! Credentials come from git's own configuration, credential helpers or the URL; git never
//! prompts (a missing credential fails the source), and every URL and git message is passed
//! through [`scm::redact`] before it reaches a diagnostic. The clone's `origin` is rewritten to
//! the redacted URL, so no secret stays in the cache either: updates fetch from the configured
//! URL directly.

use crate::config::{GitSource, SiteConfig, SourceConfig, CONFIG_FILE};
use crate::diag::Diagnostic;
use crate::scm::{self, RepoMeta};
use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Git processes running at once: git waits on the network, not the CPU, so this is not the
/// number of cores.
const PARALLEL: usize = 8;

/// A git command that has not finished by then is killed and the source reported.
const GIT_TIMEOUT: Duration = Duration::from_secs(300);

/// A git source, checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// Index of the source in `sources:`.
    pub source: usize,
    /// The checkout folder in the cache.
    pub dir: PathBuf,
    /// How the repository is named in messages and in the site (`github.com/acme/payments`).
    pub display: String,
    /// Repository name (`payments`).
    pub name: String,
    /// Remote (redacted), branch or tag, web pages.
    pub meta: RepoMeta,
}

/// The cache folder of a portal.
pub fn cache_dir(portal_root: &Path, config: &SiteConfig) -> PathBuf {
    portal_root.join(&config.cache)
}

/// Clones or updates every git source. A source that cannot be fetched is a diagnostic: an
/// error when there is nothing to build it from, a warning when an earlier checkout is used.
pub fn fetch(portal_root: &Path, config: &SiteConfig) -> (Vec<Checkout>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let config_text = std::fs::read_to_string(portal_root.join(CONFIG_FILE)).ok();
    let locate = |url: &str| -> Diagnostic {
        let d = Diagnostic::error(String::new());
        match &config_text {
            Some(text) => {
                let mut d = d.in_file(CONFIG_FILE);
                d.line = text.lines().position(|l| l.contains(url)).map(|i| i + 1);
                d
            }
            None => d,
        }
    };
    let git_dir = cache_dir(portal_root, config).join("git");
    let mut jobs: Vec<(usize, &GitSource, String)> = Vec::new();
    let mut seen = HashSet::new();
    for (index, source) in config.sources.iter().enumerate() {
        let SourceConfig::Git(git) = source else {
            continue;
        };
        let name = scm::stable_name(&git.url, git.git_ref.as_deref());
        if !seen.insert(name.clone()) {
            let mut d = locate(&git.url);
            d.severity = crate::diag::Severity::Warning;
            d.message = format!(
                "git source {} is listed twice (same ref); the second is ignored",
                scm::redact(&git.url)
            );
            diagnostics.push(d);
            continue;
        }
        jobs.push((index, git, name));
    }
    if jobs.is_empty() {
        return (Vec::new(), diagnostics);
    }
    if let Err(e) = std::fs::create_dir_all(&git_dir) {
        let mut d = Diagnostic::error(format!(
            "cannot create the cache folder {}: {e}; git sources are left out",
            config.cache.display()
        ));
        if config_text.is_some() {
            d = d.in_file(CONFIG_FILE);
        }
        diagnostics.push(d);
        return (Vec::new(), diagnostics);
    }

    let results = in_parallel(&jobs, |(_, git, name)| {
        sync(git, &git_dir.join(name), &git_dir, Redirects::Follow)
    });

    let mut checkouts = Vec::new();
    for (i, result) in results.into_iter().enumerate() {
        let (source, git, name) = &jobs[i];
        let dir = git_dir.join(name);
        let display = scm::display_name(&git.url);
        let shown = scm::redact(&git.url);
        let branch = match result {
            Ok(synced) => Some(synced.branch),
            Err(message) => {
                let stale = dir.join(".git").is_dir();
                let mut d = locate(&git.url);
                if stale {
                    d.severity = crate::diag::Severity::Warning;
                    d.message = format!(
                        "git source {shown}: cannot fetch ({message}); building from the copy fetched earlier, which may be out of date"
                    );
                } else {
                    d.message = format!("git source {shown}: cannot fetch: {message}");
                }
                diagnostics.push(d);
                if !stale {
                    continue;
                }
                RepoMeta::of_checkout(&dir).branch
            }
        };
        let branch = git.git_ref.clone().or(branch);
        checkouts.push(Checkout {
            source: *source,
            display,
            name: scm::repo_name(&git.url),
            meta: RepoMeta::of_remote(Some(&git.url), branch),
            dir,
        });
    }
    (checkouts, diagnostics)
}

/// Runs `work` over `jobs` on [`PARALLEL`] threads (git waits on the network); results in job
/// order.
fn in_parallel<J: Sync, R: Send>(jobs: &[J], work: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(jobs.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else {
                    break;
                };
                let result = work(job);
                if let Ok(mut all) = results.lock() {
                    all.push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A repository cloned for its docs (a `url:` techdocs-ref naming a repository that is not a
/// source), or why it could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL as the techdocs-ref wrote it.
    pub url: String,
    /// The clone, or git's reason (redacted).
    pub checkout: Result<DocsClone, String>,
}

/// A clone of a repository made for its docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsClone {
    /// The checkout folder in the cache.
    pub dir: PathBuf,
    /// `host/org/repo`, for messages.
    pub display: String,
    /// Remote (redacted), ref checked out, web pages.
    pub meta: RepoMeta,
}

/// Clones (or updates) the repositories `wanted` names that `reading.allow` permits, shallow,
/// at the ref each URL names (split against the remote's branches and tags, since a ref may
/// contain `/`), into `<cache>/git/`. URLs the config does not allow are left out: the docs
/// stage says how to allow them. A failed update of an earlier clone keeps that clone, with a
/// warning.
pub fn fetch_repositories(
    portal_root: &Path,
    config: &SiteConfig,
    wanted: &[(String, scm::url::RepoUrl)],
) -> (Vec<Fetched>, Vec<Diagnostic>) {
    let allowed: Vec<&(String, scm::url::RepoUrl)> = wanted
        .iter()
        .filter(|(_, parsed)| config.reading.allows(&parsed.clone_url))
        .collect();
    if allowed.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let git_dir = cache_dir(portal_root, config).join("git");
    if let Err(e) = std::fs::create_dir_all(&git_dir) {
        let message = format!(
            "cannot create the cache folder {}: {e}",
            config.cache.display()
        );
        let fetched = allowed
            .iter()
            .map(|(url, _)| Fetched {
                url: url.clone(),
                checkout: Err(message.clone()),
            })
            .collect();
        return (fetched, Vec::new());
    }
    // Which ref each URL names: only `<ref>/<path>` URLs need the remote's refs to tell.
    let needs_refs: Vec<String> = allowed
        .iter()
        .filter(|(_, p)| matches!(p.within, scm::url::Within::RefAndPath(ref rest) if rest.contains('/')))
        .map(|(_, p)| p.clone_url.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let listed = in_parallel(&needs_refs, |url| remote_refs(url, Redirects::Refuse));
    let refs: std::collections::HashMap<&str, Result<Vec<String>, String>> =
        needs_refs.iter().map(String::as_str).zip(listed).collect();
    let mut jobs: Vec<GitSource> = Vec::new();
    let mut job_of: Vec<Result<usize, String>> = Vec::new();
    for (_, parsed) in &allowed {
        let split = match refs.get(parsed.clone_url.as_str()) {
            Some(Ok(names)) => Ok(parsed.split_against(names)),
            Some(Err(message)) => Err(message.clone()),
            None => Ok(parsed.split(None)),
        };
        let split = split.and_then(|(git_ref, path)| match git_ref {
            Some(r) if !scm::is_valid_ref(&r) => {
                Err(format!("\"{r}\" is not a branch or tag name"))
            }
            other => Ok((other, path)),
        });
        job_of.push(split.map(|(git_ref, _)| {
            let job = GitSource {
                url: parsed.clone_url.clone(),
                git_ref,
            };
            match jobs.iter().position(|j| *j == job) {
                Some(i) => i,
                None => {
                    jobs.push(job);
                    jobs.len() - 1
                }
            }
        }));
    }
    let names: Vec<String> = jobs
        .iter()
        .map(|j| scm::stable_name(&j.url, j.git_ref.as_deref()))
        .collect();
    let synced = in_parallel(&(0..jobs.len()).collect::<Vec<_>>(), |&i| {
        sync(
            &jobs[i],
            &git_dir.join(&names[i]),
            &git_dir,
            Redirects::Refuse,
        )
    });
    let mut diagnostics = Vec::new();
    let clones: Vec<Result<DocsClone, String>> = jobs
        .iter()
        .zip(&names)
        .zip(synced)
        .map(|((job, name), result)| {
            let dir = git_dir.join(name);
            // Canonical, as a source's checkout is: paths inside are checked against it.
            let dir = dir.canonicalize().unwrap_or(dir);
            let branch = match result {
                Ok(synced) => synced.branch,
                Err(message) if dir.join(".git").is_dir() => {
                    diagnostics.push(Diagnostic::warning(format!(
                        "docs repository {}: cannot fetch ({message}); using the copy fetched earlier, which may be out of date",
                        scm::redact(&job.url)
                    )));
                    RepoMeta::of_checkout(&dir).branch.unwrap_or_else(|| "HEAD".to_string())
                }
                Err(message) => return Err(message),
            };
            Ok(DocsClone {
                display: scm::display_name(&job.url),
                meta: RepoMeta::of_remote(
                    Some(&job.url),
                    Some(job.git_ref.clone().unwrap_or(branch)),
                ),
                dir,
            })
        })
        .collect();
    let fetched = allowed
        .iter()
        .zip(job_of)
        .map(|((url, _), job)| Fetched {
            url: url.clone(),
            checkout: job.and_then(|i| clones[i].clone()),
        })
        .collect();
    (fetched, diagnostics)
}

/// The branch and tag names of a remote (`git ls-remote --heads --tags`).
fn remote_refs(url: &str, redirects: Redirects) -> Result<Vec<String>, String> {
    let out = run_git(
        &[
            OsStr::new("ls-remote"),
            OsStr::new("--heads"),
            OsStr::new("--tags"),
            OsStr::new("--"),
            OsStr::new(url),
        ],
        None,
        redirects,
    )?;
    Ok(out
        .lines()
        .filter_map(|line| line.split('\t').nth(1))
        .filter_map(|r| {
            r.strip_prefix("refs/heads/")
                .or_else(|| r.strip_prefix("refs/tags/"))
        })
        .map(|r| r.trim_end_matches("^{}").to_string())
        .collect())
}

/// Whether git may follow an HTTP redirect: git sources are named by the config and may;
/// docs repositories are allowed by URL, so a redirect must not take git elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redirects {
    /// git's default (the first request may be redirected).
    Follow,
    /// `http.followRedirects=false`.
    Refuse,
}

/// What a successful clone or update checked out.
struct Synced {
    /// The branch or tag.
    branch: String,
}

/// Clones `git` into `dir`, or updates the clone already there.
fn sync(
    git: &GitSource,
    dir: &Path,
    git_dir: &Path,
    redirects: Redirects,
) -> Result<Synced, String> {
    if dir.join(".git").is_dir() {
        update(git, dir, redirects)
    } else {
        clone(git, dir, git_dir, redirects)
    }
}

fn clone(
    git: &GitSource,
    dir: &Path,
    git_dir: &Path,
    redirects: Redirects,
) -> Result<Synced, String> {
    let file_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Clone beside the final folder and rename it: an interrupted clone never looks like one.
    let staging = git_dir.join(format!(".tmp-{file_name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let mut args: Vec<&OsStr> = ["clone", "--depth", "1", "--no-tags", "--quiet"]
        .iter()
        .map(OsStr::new)
        .collect();
    if let Some(r) = &git.git_ref {
        args.push(OsStr::new("--branch"));
        args.push(OsStr::new(r));
    }
    args.push(OsStr::new("--"));
    args.push(OsStr::new(&git.url));
    args.push(staging.as_os_str());
    let result = (|| {
        run_git(&args, None, redirects)?;
        let branch = match &git.git_ref {
            Some(r) => r.clone(),
            None => run_git(
                &["symbolic-ref", "--short", "-q", "HEAD"].map(OsStr::new),
                Some(&staging),
                redirects,
            )
            .map(|b| b.trim().to_string())
            .unwrap_or_else(|_| "HEAD".to_string()),
        };
        let redacted = scm::redact(&git.url);
        if redacted != git.url {
            run_git(
                &[
                    OsStr::new("remote"),
                    OsStr::new("set-url"),
                    OsStr::new("origin"),
                    OsStr::new(&redacted),
                ],
                Some(&staging),
                redirects,
            )?;
        }
        let _ = std::fs::remove_dir_all(dir);
        std::fs::rename(&staging, dir).map_err(|e| format!("cannot move the clone: {e}"))?;
        Ok(Synced { branch })
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn update(git: &GitSource, dir: &Path, redirects: Redirects) -> Result<Synced, String> {
    let branch = match &git.git_ref {
        Some(r) => r.clone(),
        None => default_branch(&git.url, redirects)?,
    };
    run_git(
        &[
            OsStr::new("fetch"),
            OsStr::new("--depth"),
            OsStr::new("1"),
            OsStr::new("--no-tags"),
            OsStr::new("--quiet"),
            OsStr::new("--"),
            OsStr::new(&git.url),
            OsStr::new(&branch),
        ],
        Some(dir),
        redirects,
    )?;
    run_git(
        &["reset", "--hard", "--quiet", "FETCH_HEAD"].map(OsStr::new),
        Some(dir),
        redirects,
    )?;
    run_git(&["clean", "-ffdxq"].map(OsStr::new), Some(dir), redirects)?;
    Ok(Synced { branch })
}

/// The branch the remote's HEAD names (`git ls-remote --symref URL HEAD`).
fn default_branch(url: &str, redirects: Redirects) -> Result<String, String> {
    let out = run_git(
        &[
            OsStr::new("ls-remote"),
            OsStr::new("--symref"),
            OsStr::new("--"),
            OsStr::new(url),
            OsStr::new("HEAD"),
        ],
        None,
        redirects,
    )?;
    Ok(out
        .lines()
        .find_map(|l| {
            l.strip_prefix("ref: refs/heads/")
                .and_then(|r| r.split_whitespace().next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "HEAD".to_string()))
}

/// Runs git without a terminal prompt and with a time limit; returns stdout, or git's message
/// (redacted, trimmed) as the error.
fn run_git(args: &[&OsStr], cwd: Option<&Path>, redirects: Redirects) -> Result<String, String> {
    let mut command = Command::new("git");
    if redirects == Redirects::Refuse {
        command.args(["-c", "http.followRedirects=false"]);
    }
    if let Some(cwd) = cwd {
        command.arg("-C").arg(cwd);
    }
    command
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("SSH_ASKPASS", "true")
        .env("SSH_ASKPASS_REQUIRE", "never")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if std::env::var_os("GIT_SSH_COMMAND").is_none() && std::env::var_os("GIT_SSH").is_none() {
        command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let mut child = command.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            "git is not installed (greenroom runs the system `git` for git sources)".to_string()
        } else {
            format!("cannot run git: {e}")
        }
    })?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= GIT_TIMEOUT => {
                // Our own child, by handle.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(format!("cannot wait for git: {e}")),
        }
    };
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    match status {
        Some(status) if status.success() => Ok(out),
        Some(_) => Err(git_message(&err)),
        None => Err(format!(
            "git did not finish within {} s and was stopped",
            GIT_TIMEOUT.as_secs()
        )),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(1 << 20).read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// git's stderr made into one short line: redacted, `fatal:`/`error:` lines first.
fn git_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let important: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .collect();
    let chosen = if important.is_empty() {
        lines
    } else {
        important
    };
    let mut text = scm::redact(&chosen.join("; "));
    if text.is_empty() {
        text = "git failed without a message".to_string();
    }
    if text.len() > 400 {
        let mut end = 400;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_messages_are_redacted_and_short() {
        let message = git_message(
            "Cloning into 'x'...\nremote: Invalid username or password.\nfatal: Authentication failed for 'https://bot:ghp_SECRET@github.com/acme/x.git/'\n",
        );
        assert_eq!(
            message,
            "fatal: Authentication failed for 'https://***@github.com/acme/x.git/'"
        );
        assert!(git_message(&"x".repeat(1000)).len() < 410);
    }
}
