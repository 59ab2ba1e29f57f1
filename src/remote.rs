//! Reading `http(s)` URLs for `$text`, `$json` and `$yaml` placeholders: only what
//! `reading.allow` permits, GitHub/GitLab/Bitbucket file pages read raw, 10 s per request, at
//! most [`MAX_FILE_BYTES`], kept in the build cache (`<cache>/http/`) and revalidated with
//! `ETag` / `Last-Modified` on the next build. When a request fails, the last cached copy is
//! used with a warning. A helper of the load stage: it knows no stage, and it writes only its
//! own cache files.

use crate::config::ReadingConfig;
use crate::hash::fnv1a;
use crate::paths::MAX_FILE_BYTES;
use crate::scm::url::{RepoUrl, Within};
use crate::scm::Flavor;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The longest a request may take, connecting and reading included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Redirects followed per request.
pub const MAX_REDIRECTS: usize = 5;

/// What a read gave: the text, and a warning when it is not fresh.
pub type ReadResult = Result<(String, Option<String>), String>;

/// Reads URLs for one build; each URL is requested at most once per build.
pub struct RemoteReader {
    reading: ReadingConfig,
    /// `<cache>/http`, or `None` to keep nothing between builds.
    cache: Option<PathBuf>,
    agent: OnceLock<ureq::Agent>,
    /// One slot per URL: the first thread to ask fills it, the others wait for it.
    read: Mutex<HashMap<String, Arc<OnceLock<ReadResult>>>>,
}

/// What the cache keeps of a response beside its body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct CachedMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// FNV-1a of the body, to tell a damaged cache file.
    checksum: String,
}

impl RemoteReader {
    /// A reader allowed what `reading` allows, caching under `cache` (the build cache folder).
    pub fn new(reading: &ReadingConfig, cache: Option<&Path>) -> RemoteReader {
        RemoteReader {
            reading: reading.clone(),
            cache: cache.map(|c| c.join("http")),
            agent: OnceLock::new(),
            read: Mutex::new(HashMap::new()),
        }
    }

    /// A reader that reads nothing (every URL is refused with advice).
    pub fn none() -> RemoteReader {
        RemoteReader::new(&ReadingConfig::default(), None)
    }

    /// Whether `url` may be read.
    pub fn allows(&self, url: &str) -> bool {
        self.reading.allows(url)
    }

    /// Whether a redirect may go to `url`: `reading.allow` permits it, or it is GitHub's raw
    /// file host serving a repository whose `github.com` address is permitted.
    fn permitted(&self, url: &str) -> bool {
        if self.allows(url) {
            return true;
        }
        let Ok(parsed) = url::Url::parse(url) else {
            return false;
        };
        if parsed.scheme() != "https"
            || !parsed
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case("raw.githubusercontent.com"))
        {
            return false;
        }
        let mut segments = parsed.path_segments().into_iter().flatten();
        match (segments.next(), segments.next()) {
            (Some(owner), Some(repo)) if !owner.is_empty() && !repo.is_empty() => {
                self.allows(&format!("https://github.com/{owner}/{repo}"))
            }
            _ => false,
        }
    }

    /// The text at `url`: fetched (or revalidated), else the cached copy with a warning; an
    /// error when it may not be read or nothing could be had.
    pub fn read(&self, url: &str) -> ReadResult {
        let slot = match self.read.lock() {
            Ok(mut slots) => Arc::clone(slots.entry(url.to_string()).or_default()),
            Err(_) => Arc::new(OnceLock::new()),
        };
        slot.get_or_init(|| self.read_uncached(url)).clone()
    }

    fn read_uncached(&self, url: &str) -> ReadResult {
        let shown = crate::scm::redact(url);
        if !self.allows(url) {
            return Err(format!(
                "the URL {shown} is not read: {}",
                ReadingConfig::advice(url)
            ));
        }
        let target = raw_url(url);
        let cached = self.cached(url);
        let agent = self.agent.get_or_init(|| {
            ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .http_status_as_error(false)
                .max_redirects(0)
                .user_agent(concat!("greenroom/", env!("CARGO_PKG_VERSION")))
                .build()
                .into()
        });
        let conditional = cached.as_ref().map(|(meta, _)| meta);
        let answer = self.follow(agent, &target, conditional);
        let fresh = match answer {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let (etag, last_modified) = (header("etag"), header("last-modified"));
                match status {
                    304 if cached.is_some() => {
                        return cached.map(|(_, text)| (text, None)).ok_or_default();
                    }
                    200..=299 => response
                        .body_mut()
                        .with_config()
                        .limit(MAX_FILE_BYTES)
                        .read_to_vec()
                        .map_err(|e| match e {
                            ureq::Error::BodyExceedsLimit(_) => {
                                format!("it is larger than {} MB", MAX_FILE_BYTES / 1_048_576)
                            }
                            other => other.to_string(),
                        })
                        .and_then(|bytes| {
                            String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
                        })
                        .map(|text| (text, etag, last_modified)),
                    other => Err(format!("the server answered HTTP {other}")),
                }
            }
            Err(why) => Err(why),
        };
        match fresh {
            Ok((text, etag, last_modified)) => {
                self.store(url, &text, etag, last_modified);
                Ok((text, None))
            }
            Err(why) => match cached {
                Some((_, text)) => Ok((
                    text,
                    Some(format!(
                        "could not fetch {shown} ({why}); using the copy fetched earlier"
                    )),
                )),
                None => Err(format!("could not fetch {shown}: {why}")),
            },
        }
    }

    /// Requests `url`, following up to [`MAX_REDIRECTS`] redirects, each only to a URL that
    /// `reading.allow` permits too (an allowed server cannot send greenroom elsewhere, not even
    /// to another path of its own host).
    fn follow(
        &self,
        agent: &ureq::Agent,
        url: &str,
        conditional: Option<&CachedMeta>,
    ) -> Result<ureq::http::Response<ureq::Body>, String> {
        let mut current = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let mut request = agent.get(&current);
            if let Some(meta) = conditional {
                if let Some(etag) = &meta.etag {
                    request = request.header("If-None-Match", etag);
                }
                if let Some(modified) = &meta.last_modified {
                    request = request.header("If-Modified-Since", modified);
                }
            }
            let response = request
                .call()
                .map_err(|e| crate::scm::redact(&e.to_string()))?;
            if !response.status().is_redirection() || response.status().as_u16() == 304 {
                return Ok(response);
            }
            let location = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or("the server redirected without a Location")?;
            let base = url::Url::parse(&current).map_err(|e| e.to_string())?;
            let next = match base.join(location) {
                Ok(next) => next,
                Err(_) => {
                    return Err(format!(
                        "the server redirected to an invalid URL {}",
                        crate::scm::redact(location)
                    ))
                }
            };
            let next = next.to_string();
            if !self.permitted(&next) {
                return Err(format!(
                    "the server redirected to {}, which reading.allow does not permit",
                    crate::scm::redact(&next)
                ));
            }
            current = next;
        }
        Err(format!("more than {MAX_REDIRECTS} redirects"))
    }

    fn cache_paths(&self, url: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.cache.as_ref()?;
        let name = format!("{:016x}", fnv1a(url));
        Some((
            dir.join(format!("{name}.json")),
            dir.join(format!("{name}.body")),
        ))
    }

    /// The cached response for `url`, when its files are whole and belong to it.
    fn cached(&self, url: &str) -> Option<(CachedMeta, String)> {
        let (meta_path, body_path) = self.cache_paths(url)?;
        let meta: CachedMeta = serde_json::from_slice(&std::fs::read(meta_path).ok()?).ok()?;
        let body = std::fs::read(body_path).ok()?;
        if meta.url != url || meta.checksum != format!("{:016x}", crate::hash::fnv1a_bytes(&body)) {
            return None;
        }
        Some((meta, String::from_utf8(body).ok()?))
    }

    fn store(&self, url: &str, text: &str, etag: Option<String>, last_modified: Option<String>) {
        let Some((meta_path, body_path)) = self.cache_paths(url) else {
            return;
        };
        let meta = CachedMeta {
            url: url.to_string(),
            etag,
            last_modified,
            checksum: format!("{:016x}", crate::hash::fnv1a_bytes(text.as_bytes())),
        };
        let Ok(meta_bytes) = serde_json::to_vec(&meta) else {
            return;
        };
        // The cache is an optimisation: a write that fails leaves the next build to fetch again.
        let _ = crate::output::write_cache_file(&body_path, text.as_bytes())
            .and_then(|()| crate::output::write_cache_file(&meta_path, &meta_bytes));
    }
}

/// `Option::ok_or` for the one place a 304 without a cached copy cannot happen.
trait OkOrDefault<T> {
    fn ok_or_default(self) -> Result<T, String>;
}

impl<T> OkOrDefault<T> for Option<T> {
    fn ok_or_default(self) -> Result<T, String> {
        self.ok_or_else(|| "the server answered 304 for a request that was not conditional".into())
    }
}

/// The URL that serves a code host's file page as the file itself: GitHub `blob` and `raw`
/// pages from `raw.githubusercontent.com`, GitLab `-/blob/` as `-/raw/`, Bitbucket `src/` as
/// `raw/`; anything else as it is. Hosts match in any case and with or without `www.`.
pub fn raw_url(url: &str) -> String {
    let Some(parsed) = RepoUrl::parse(url) else {
        return url.to_string();
    };
    let Within::RefAndPath(rest) = &parsed.within else {
        return url.to_string();
    };
    let Ok(mut web) = url::Url::parse(url) else {
        return url.to_string();
    };
    let segments: Vec<String> = web
        .path_segments()
        .map(|s| s.map(str::to_string).collect())
        .unwrap_or_default();
    // The marker sits after the repository's own segments (and GitLab's `-`).
    let repo_segments = parsed.web.base.split('/').skip(3).count();
    let marker_at = match parsed.web.flavor {
        Flavor::GitLab => repo_segments + 1,
        _ => repo_segments,
    };
    let marker = segments.get(marker_at).map(String::as_str);
    let with_marker = |web: &mut url::Url, replacement: &str| {
        let mut changed = segments.clone();
        changed[marker_at] = replacement.to_string();
        web.set_path(&changed.join("/"));
        web.to_string()
    };
    match (parsed.web.flavor, marker) {
        (Flavor::GitHub, Some("blob" | "raw")) if parsed.key.starts_with("github.com/") => {
            let repo = parsed
                .web
                .base
                .trim_start_matches("https://github.com/")
                .to_string();
            format!(
                "https://raw.githubusercontent.com/{repo}/{}",
                crate::web::encode_path(rest)
            )
        }
        (Flavor::GitLab, Some("blob")) => with_marker(&mut web, "raw"),
        (Flavor::Bitbucket, Some("src")) => with_marker(&mut web, "raw"),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(allow: &[&str]) -> RemoteReader {
        let reading = ReadingConfig {
            allow: allow
                .iter()
                .filter_map(|a| crate::config::ReadAllow::parse(a).ok())
                .collect(),
        };
        RemoteReader::new(&reading, None)
    }

    #[test]
    fn redirects_go_only_where_reading_allow_permits() {
        let r = reader(&["https://docs.example.com/api/", "github.com"]);
        assert!(r.permitted("https://docs.example.com/api/v2.yaml"));
        assert!(
            !r.permitted("https://docs.example.com/admin/secret"),
            "the same host outside the allowed prefix"
        );
        assert!(r.permitted("https://raw.githubusercontent.com/acme/x/main/a.yaml"));
        assert!(!r.permitted("https://raw.githubusercontent.com/"));
        let scoped = reader(&["https://github.com/acme/"]);
        assert!(scoped.permitted("https://raw.githubusercontent.com/acme/x/main/a.yaml"));
        assert!(!scoped.permitted("https://raw.githubusercontent.com/other/x/main/a.yaml"));
        assert!(!scoped.permitted("http://raw.githubusercontent.com/acme/x/main/a.yaml"));
    }

    #[test]
    fn file_pages_are_read_raw_whatever_the_spelling() {
        assert_eq!(
            raw_url("HTTPS://www.GitHub.com/Acme/X/blob/main/a.yaml"),
            "https://raw.githubusercontent.com/Acme/X/main/a.yaml"
        );
        assert_eq!(
            raw_url("https://github.com/acme/x/raw/main/a.yaml"),
            "https://raw.githubusercontent.com/acme/x/main/a.yaml"
        );
        assert_eq!(
            raw_url("https://GitLab.com/g/r/-/blob/main/a.yaml"),
            "https://gitlab.com/g/r/-/raw/main/a.yaml"
        );
        assert_eq!(
            raw_url("https://github.com/acme/x/tree/main/docs"),
            "https://github.com/acme/x/tree/main/docs",
            "a folder is not a file"
        );
    }

    #[test]
    fn file_pages_are_read_raw() {
        assert_eq!(
            raw_url("https://github.com/backstage/backstage/blob/master/packages/catalog-model/examples/apis/petstore-api.yaml"),
            "https://raw.githubusercontent.com/backstage/backstage/master/packages/catalog-model/examples/apis/petstore-api.yaml"
        );
        assert_eq!(
            raw_url("https://gitlab.com/g/sub/r/-/blob/main/api/openapi.yaml"),
            "https://gitlab.com/g/sub/r/-/raw/main/api/openapi.yaml"
        );
        assert_eq!(
            raw_url("https://bitbucket.org/team/r/src/main/openapi.yaml"),
            "https://bitbucket.org/team/r/raw/main/openapi.yaml"
        );
        for unchanged in [
            "https://raw.githubusercontent.com/a/b/main/x.yaml",
            "https://example.com/schema.graphql",
            "https://github.com/a/b/tree/main/docs",
        ] {
            assert_eq!(raw_url(unchanged), unchanged);
        }
    }

    #[test]
    fn urls_outside_the_allow_list_are_not_read() {
        let reader = RemoteReader::none();
        let result = reader.read("https://example.com/api.yaml");
        let message = result.expect_err("refused");
        assert!(
            message.contains("reading: {allow: [example.com]}"),
            "{message}"
        );
    }
}
