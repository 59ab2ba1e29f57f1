//! `greenroom.yaml`: the portal's typed configuration.
//!
//! Every key is a typed field with a default; an unknown key is an error with its line and a
//! "did you mean" hint. Command-line options are merged into this struct, never read by name.

use crate::diag::{self, Diagnostic};
use crate::yaml;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// File name of the portal configuration, looked up in the portal root.
pub const CONFIG_FILE: &str = "greenroom.yaml";

/// A Backstage app's configuration, read in place of `greenroom.yaml` when that is absent.
pub const APP_CONFIG_FILE: &str = "app-config.yaml";

/// The configuration file a portal root uses, if any: `greenroom.yaml`, else a Backstage
/// `app-config.yaml`.
pub fn file_in_use(root: &Path) -> Option<&'static str> {
    [CONFIG_FILE, APP_CONFIG_FILE]
        .into_iter()
        .find(|name| root.join(name).is_file())
}

/// The whole configuration of a portal.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    /// Shown in the header and page titles.
    pub title: String,
    /// Absolute URL the site is published under; enables `sitemap.xml`.
    pub base_url: Option<String>,
    /// Output folder, relative to the portal root.
    pub out: PathBuf,
    /// Where repository checkouts are found: local folders and git repositories.
    pub sources: Vec<SourceConfig>,
    /// Folder for clones of git sources and the build cache, relative to the portal root.
    pub cache: PathBuf,
    /// Catalog locations and rules, in Backstage's `app-config` shape.
    pub catalog: CatalogConfig,
    /// Glob patterns, relative to each repository root, of descriptor files to read.
    pub discover: Vec<String>,
    /// Folder names never walked.
    pub exclude: Vec<String>,
    /// Link to folders (`catalog/x/`) instead of files (`catalog/x/index.html`). Only for servers
    /// that serve a folder's `index.html`; the default works from `file://` and buckets.
    pub pretty_urls: bool,
    /// The relation graphs.
    pub graphs: GraphConfig,
    /// What may be read over the network besides git sources: `$text`/`$json`/`$yaml` URLs
    /// and the repositories `url:` techdocs refs name. Nothing by default.
    pub reading: ReadingConfig,
}

/// `reading:`, in the spirit of Backstage's `backend.reading.allow`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReadingConfig {
    /// Hosts (`github.com`, `*.example.com`, `host:8443`: https only) and URL prefixes
    /// (`https://raw.example.com/docs/`, `http://127.0.0.1:8080/`: exactly that scheme, host and
    /// path prefix), or `{host, paths}` mappings as in Backstage.
    pub allow: Vec<ReadAllow>,
}

/// One entry of `reading.allow`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawReadAllow")]
pub enum ReadAllow {
    /// Any https URL on a host: exact (`github.com`), or any subdomain (`*.example.com`), with
    /// an optional port; `paths` limits it to path prefixes.
    Host {
        /// Lowercased host pattern, port included when one was given.
        pattern: String,
        /// Path prefixes (each starting with `/`); empty allows every path.
        paths: Vec<String>,
    },
    /// URLs that start with this prefix (scheme and host compared case-insensitively).
    Prefix(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawReadAllow {
    Text(String),
    Host {
        host: String,
        #[serde(default)]
        paths: Vec<String>,
    },
}

impl ReadAllow {
    /// An entry written as text: a host pattern or a URL prefix.
    pub fn parse(text: &str) -> Result<ReadAllow, String> {
        ReadAllow::try_from(RawReadAllow::Text(text.to_string()))
    }
}

impl TryFrom<RawReadAllow> for ReadAllow {
    type Error = String;

    fn try_from(raw: RawReadAllow) -> Result<Self, String> {
        let (text, paths) = match raw {
            RawReadAllow::Text(text) => (text, Vec::new()),
            RawReadAllow::Host { host, paths } => (host, paths),
        };
        let text = text.trim().to_string();
        if text.is_empty() || text.contains(char::is_whitespace) {
            return Err(format!(
                "reading.allow entry \"{text}\" is not a host or URL prefix"
            ));
        }
        if text.contains("://") {
            if !crate::web::is_http_url(&text) {
                return Err(format!(
                    "reading.allow entry \"{}\" must be an http:// or https:// URL prefix",
                    crate::scm::redact(&text)
                ));
            }
            if !paths.is_empty() {
                return Err("`paths:` goes with `host:`, not with a URL prefix".to_string());
            }
            return Ok(ReadAllow::Prefix(text));
        }
        let pattern = text.to_ascii_lowercase();
        let host = pattern.strip_prefix("*.").unwrap_or(&pattern);
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        if !valid {
            return Err(format!("reading.allow entry \"{text}\" is not a host name"));
        }
        if let Some(path) = paths.iter().find(|p| !p.starts_with('/')) {
            return Err(format!("reading.allow path \"{path}\" must start with /"));
        }
        Ok(ReadAllow::Host { pattern, paths })
    }
}

/// A URL with its scheme and authority lowercased (they are case-insensitive), the rest as
/// written.
fn lower_origin(url: &str) -> String {
    let Some(at) = url.find("://") else {
        return url.to_string();
    };
    let end = url[at + 3..]
        .find(['/', '?', '#'])
        .map(|i| i + at + 3)
        .unwrap_or(url.len());
    format!("{}{}", url[..end].to_ascii_lowercase(), &url[end..])
}

impl ReadingConfig {
    /// Whether `url` may be read.
    pub fn allows(&self, url: &str) -> bool {
        let Some((scheme, rest)) = url.split_once("://") else {
            return false;
        };
        let scheme = scheme.to_ascii_lowercase();
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        // No user info (credentials), and no `.`/`..` segments, written or percent-encoded:
        // servers and git resolve them, which would step out of an allowed path.
        let path_only = path.split(['?', '#']).next().unwrap_or(path);
        let dotted = path_only.split('/').any(|segment| {
            let segment = segment.to_ascii_lowercase().replace("%2e", ".");
            segment == "." || segment == ".."
        });
        if authority.contains('@') || dotted {
            return false;
        }
        let authority = authority.to_ascii_lowercase();
        let host = authority.split(':').next().unwrap_or(&authority);
        self.allow.iter().any(|entry| match entry {
            ReadAllow::Prefix(prefix) => {
                let (url, prefix) = (lower_origin(url), lower_origin(prefix));
                url.strip_prefix(prefix.as_str()).is_some_and(|after| {
                    prefix.ends_with('/') || after.is_empty() || after.starts_with(['/', '?', '#'])
                })
            }
            ReadAllow::Host { pattern, paths } => {
                let target = if pattern.contains(':') {
                    authority.as_str()
                } else {
                    host
                };
                let host_ok = match pattern.strip_prefix("*.") {
                    Some(suffix) => target.ends_with(&format!(".{suffix}")),
                    None => target == pattern,
                };
                scheme == "https"
                    && host_ok
                    && (paths.is_empty()
                        || paths.iter().any(|p| {
                            path.strip_prefix(p.as_str()).is_some_and(|after| {
                                p.ends_with('/')
                                    || after.is_empty()
                                    || after.starts_with(['/', '?', '#'])
                            })
                        }))
            }
        })
    }

    /// How to allow a URL, for the warning that says it was not read: its host for https,
    /// its origin as a URL prefix for plain http (host entries allow https only).
    pub fn advice(url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = authority.rsplit('@').next().unwrap_or(authority);
        if scheme.eq_ignore_ascii_case("http") {
            format!("to read it, add its origin to greenroom.yaml: `reading: {{allow: ['http://{host}/']}}`")
        } else {
            format!("to read it, add its host to greenroom.yaml: `reading: {{allow: [{host}]}}`")
        }
    }
}

/// Settings of the relation graphs drawn on entity pages.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GraphConfig {
    /// How far an entity page's graph reaches: `1` (its direct relations) or `2`.
    pub depth: GraphDepth,
}

/// How many relation steps an entity's graph shows.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(try_from = "u8")]
pub enum GraphDepth {
    /// The entity and its direct relations, like Backstage's catalog-graph card.
    #[default]
    One,
    /// Also the relations of those.
    Two,
}

impl TryFrom<u8> for GraphDepth {
    type Error = String;

    fn try_from(depth: u8) -> Result<Self, String> {
        match depth {
            1 => Ok(GraphDepth::One),
            2 => Ok(GraphDepth::Two),
            other => Err(format!("graphs.depth must be 1 or 2, not {other}")),
        }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "Developer Portal".to_string(),
            base_url: None,
            out: PathBuf::from("site"),
            sources: vec![SourceConfig::Path {
                path: PathBuf::from("repos"),
            }],
            cache: PathBuf::from(DEFAULT_CACHE),
            catalog: CatalogConfig::default(),
            discover: vec![
                "catalog-info.yaml".to_string(),
                "catalog-info.yml".to_string(),
            ],
            exclude: vec![
                ".git".to_string(),
                "node_modules".to_string(),
                "target".to_string(),
            ],
            pretty_urls: false,
            graphs: GraphConfig::default(),
            reading: ReadingConfig::default(),
        }
    }
}

/// Default `cache:` folder.
pub const DEFAULT_CACHE: &str = ".greenroom-cache";

/// One entry of `sources:`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(try_from = "RawSource")]
pub enum SourceConfig {
    /// `path:` a folder whose direct subfolders are repository checkouts.
    Path {
        /// Folder path, relative to the portal root.
        path: PathBuf,
    },
    /// `git:` one repository, cloned into the cache.
    Git(GitSource),
}

/// A git repository source: `git: URL` and an optional `ref:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitSource {
    /// Clone URL as written (it may hold credentials: show it only through `scm::redact`).
    pub url: String,
    /// Branch or tag; `None` checks out the remote's HEAD.
    pub git_ref: Option<String>,
}

impl SourceConfig {
    /// The folder of a `path` source.
    pub fn path(&self) -> Option<&Path> {
        match self {
            SourceConfig::Path { path } => Some(path),
            SourceConfig::Git(_) => None,
        }
    }
}

/// The shape `sources:` entries are read in, checked by `TryFrom` so a wrong combination is a
/// diagnostic with the entry's line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: Option<PathBuf>,
    git: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
}

impl TryFrom<RawSource> for SourceConfig {
    type Error = String;

    fn try_from(raw: RawSource) -> Result<Self, String> {
        match (raw.path, raw.git) {
            (Some(_), Some(_)) => {
                Err("a source has either `path:` or `git:`, not both".to_string())
            }
            (None, None) => Err("a source needs `path:` (a folder) or `git:` (a URL)".to_string()),
            (Some(path), None) => match raw.git_ref {
                Some(_) => Err("`ref:` belongs to `git:` sources, not `path:`".to_string()),
                None => Ok(SourceConfig::Path { path }),
            },
            (None, Some(url)) => {
                let url = url.trim().to_string();
                crate::scm::check_clone_url(&url)?;
                let git_ref = match raw.git_ref.map(|r| r.trim().to_string()) {
                    Some(r) if !crate::scm::is_valid_ref(&r) => {
                        return Err(format!("`ref: {r}` is not a branch or tag name"))
                    }
                    other => other,
                };
                Ok(SourceConfig::Git(GitSource { url, git_ref }))
            }
        }
    }
}

/// `catalog:` section, the shape of Backstage's `app-config.yaml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogConfig {
    /// Extra descriptor files to read, relative to the portal root.
    pub locations: Vec<LocationConfig>,
    /// Which kinds are allowed; `None` allows every built-in kind.
    pub rules: Option<Vec<CatalogRule>>,
    /// Kinds beyond Backstage's built-in ones that this portal publishes (`AiResource`), each
    /// with the apiVersions it accepts.
    pub kinds: Vec<CustomKindConfig>,
}

/// An extra kind of entity: published with a generic page, related and searched like any other.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(try_from = "RawCustomKind")]
pub struct CustomKindConfig {
    /// The kind as descriptors spell it (`AiResource`): a letter, then letters and digits.
    pub kind: String,
    /// Accepted `apiVersion` values; default `backstage.io/v1alpha1` and `backstage.io/v1beta1`.
    pub api_versions: Vec<String>,
    /// Heading for a list of them; default the kind with an `s` (`AiResources`).
    pub plural: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomKind {
    kind: String,
    #[serde(default = "default_custom_api_versions")]
    api_versions: Vec<String>,
    #[serde(default)]
    plural: Option<String>,
}

/// The kinds Backstage defines; `catalog.kinds` cannot redefine them.
const BUILT_IN_KINDS: [&str; 9] = [
    "Component",
    "API",
    "Resource",
    "System",
    "Domain",
    "Group",
    "User",
    "Location",
    "Template",
];

impl TryFrom<RawCustomKind> for CustomKindConfig {
    type Error = String;

    fn try_from(raw: RawCustomKind) -> Result<Self, String> {
        let kind = raw.kind.trim().to_string();
        let mut chars = kind.chars();
        let well_formed = kind.len() <= 63
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric());
        if !well_formed {
            return Err(format!(
                "catalog.kinds: \"{kind}\" is not a kind name (a letter, then letters and digits, at most 63)"
            ));
        }
        if BUILT_IN_KINDS.iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
            return Err(format!(
                "catalog.kinds: {kind} is a built-in kind; list only kinds Backstage does not define"
            ));
        }
        if raw.api_versions.is_empty() {
            return Err(format!(
                "catalog.kinds: {kind} needs at least one apiVersion"
            ));
        }
        let plural = raw
            .plural
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| format!("{kind}s"));
        Ok(CustomKindConfig {
            kind,
            api_versions: raw.api_versions,
            plural,
        })
    }
}

fn default_custom_api_versions() -> Vec<String> {
    vec![
        "backstage.io/v1alpha1".to_string(),
        "backstage.io/v1beta1".to_string(),
    ]
}

/// One registered location.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LocationConfig {
    /// `file` (read from disk) or `url` (reported as unreadable for now).
    #[serde(rename = "type", default = "default_location_type")]
    pub location_type: LocationType,
    /// Path or glob relative to the portal root.
    pub target: String,
    /// Kinds allowed from this location (and the files its Location entities name), in
    /// addition to `catalog.rules`, as in Backstage.
    #[serde(default)]
    pub rules: Option<Vec<CatalogRule>>,
}

fn default_location_type() -> LocationType {
    LocationType::File
}

/// How a location target is read.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LocationType {
    /// A path on disk, expanded as a glob.
    File,
    /// A URL.
    Url,
}

/// One catalog rule: the kinds it allows, optionally only for some registered locations.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CatalogRule {
    /// Kind names, matched case-insensitively as Backstage does.
    pub allow: Vec<String>,
    /// When given, the rule applies only to entities read through these registered locations.
    #[serde(default)]
    pub locations: Option<Vec<RuleLocation>>,
}

/// A registered location a rule is limited to: by exact `target`, or by a glob `pattern`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleLocation {
    /// `file` or `url`.
    #[serde(rename = "type", default = "default_location_type")]
    pub location_type: LocationType,
    /// The location's `target`, exactly.
    pub target: Option<String>,
    /// A glob over the location's `target`.
    pub pattern: Option<String>,
}

impl RuleLocation {
    fn matches(&self, location: &LocationConfig) -> bool {
        self.location_type == location.location_type
            && (self.target.as_deref() == Some(location.target.as_str())
                || self.pattern.as_deref().is_some_and(|pattern| {
                    globset::Glob::new(pattern)
                        .map(|g| g.compile_matcher().is_match(&location.target))
                        .unwrap_or(false)
                }))
    }
}

/// The kinds the catalog rules let in, resolved once per build: everywhere, and in addition
/// for the files read through each registered location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRules {
    /// Lowercased kinds allowed everywhere; `None` allows every kind.
    global: Option<BTreeSet<String>>,
    /// Lowercased kinds allowed in addition, per index of `catalog.locations`.
    by_location: Vec<BTreeSet<String>>,
    /// The kinds `catalog.kinds` adds to the built-in ones.
    pub custom: Vec<CustomKindConfig>,
}

impl KindRules {
    /// Whether an entity of `kind` is let in; `registered` is the index in `catalog.locations`
    /// of the location its file was read through, if any.
    pub fn allows(&self, kind: &str, registered: Option<usize>) -> bool {
        let kind = kind.to_ascii_lowercase();
        self.global
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&kind))
            || registered
                .and_then(|i| self.by_location.get(i))
                .is_some_and(|kinds| kinds.contains(&kind))
    }
}

impl SiteConfig {
    /// Resolves `catalog.rules` and each location's `rules`, as Backstage combines them: a
    /// location's own rules add to the global ones, and a global rule limited to `locations`
    /// applies only to the locations it names.
    pub fn kind_rules(&self) -> KindRules {
        let lower = |rule: &CatalogRule| -> Vec<String> {
            rule.allow.iter().map(|k| k.to_ascii_lowercase()).collect()
        };
        let global = self.catalog.rules.as_ref().map(|rules| {
            rules
                .iter()
                .filter(|rule| rule.locations.is_none())
                .flat_map(lower)
                .collect()
        });
        let by_location = self
            .catalog
            .locations
            .iter()
            .map(|location| {
                let limited = self.catalog.rules.iter().flatten().filter(|rule| {
                    rule.locations
                        .as_ref()
                        .is_some_and(|limits| limits.iter().any(|m| m.matches(location)))
                });
                limited
                    .chain(location.rules.iter().flatten())
                    .flat_map(lower)
                    .collect()
            })
            .collect();
        KindRules {
            global,
            by_location,
            custom: self.catalog.kinds.clone(),
        }
    }
}

/// Reads `greenroom.yaml` from a portal root (or, without one, the `app.title` and `catalog`
/// sections of a Backstage `app-config.yaml`). A missing file gives the defaults; a broken one
/// gives the defaults plus error diagnostics, so `check` can report everything at once. An
/// error among the diagnostics means the file was not used; warnings are only advice.
pub fn load(root: &Path) -> anyhow::Result<(SiteConfig, Vec<Diagnostic>)> {
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let d = Diagnostic::error("configuration is not valid UTF-8").in_file(CONFIG_FILE);
                return Ok((SiteConfig::default(), vec![d]));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return load_app_config(root),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    };
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim().starts_with('#'))
    {
        return Ok((SiteConfig::default(), Vec::new()));
    }
    match yaml::from_str::<SiteConfig>(&text) {
        Ok(config) => {
            if config.cache.is_absolute() || !config.cache.starts_with(&config.out) {
                return Ok((config, Vec::new()));
            }
            let mut d = Diagnostic::error(format!(
                "invalid configuration: cache \"{}\" must not be inside the output folder \"{}\"",
                config.cache.display(),
                config.out.display()
            ))
            .in_file(CONFIG_FILE);
            d.line = text
                .lines()
                .position(|l| l.starts_with("cache:"))
                .map(|i| i + 1);
            Ok((SiteConfig::default(), vec![d]))
        }
        Err(e) => {
            let message = explain_unknown_field(&e.message, &text);
            let mut d = Diagnostic::error(format!("invalid configuration: {message}"));
            d.file = Some(CONFIG_FILE.to_string());
            d.line = e.line;
            Ok((SiteConfig::default(), vec![d]))
        }
    }
}

/// A Backstage `app-config.yaml`: only the parts greenroom uses; every other key is ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppConfig {
    app: AppSection,
    catalog: AppCatalog,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppSection {
    title: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AppCatalog {
    locations: Vec<LocationConfig>,
    rules: Option<Vec<CatalogRule>>,
}

/// Reads `app.title`, `catalog.locations` and `catalog.rules` of a Backstage `app-config.yaml`
/// (file targets relative to the portal root, the folder holding it; Backstage resolves them
/// against the backend's working folder, usually the same). Environment placeholders are not
/// substituted: each is a warning.
fn load_app_config(root: &Path) -> anyhow::Result<(SiteConfig, Vec<Diagnostic>)> {
    let path = root.join(APP_CONFIG_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let d =
                    Diagnostic::error("configuration is not valid UTF-8").in_file(APP_CONFIG_FILE);
                return Ok((SiteConfig::default(), vec![d]));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((SiteConfig::default(), Vec::new()))
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    };
    let app: AppConfig = match yaml::from_str(&text) {
        Ok(app) => app,
        Err(e) => {
            let mut d = Diagnostic::error(format!(
                "invalid Backstage configuration: {}",
                strip_location(&e.message)
            ))
            .in_file(APP_CONFIG_FILE);
            d.line = e.line;
            return Ok((SiteConfig::default(), vec![d]));
        }
    };
    let mut diagnostics = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.contains("${") && !line.trim_start().starts_with('#') {
            let mut d = Diagnostic::warning(
                "environment placeholders (${...}) are not substituted; the text is used as written",
            )
            .in_file(APP_CONFIG_FILE);
            d.line = Some(i + 1);
            diagnostics.push(d);
        }
    }
    let mut config = SiteConfig::default();
    if let Some(title) = app.app.title {
        config.title = title;
    }
    config.catalog.locations = app.catalog.locations;
    config.catalog.rules = app.catalog.rules;
    Ok((config, diagnostics))
}

/// serde says "unknown field `titel`, expected one of `title`, ..."; turn that into a short
/// message with a "did you mean" hint.
fn explain_unknown_field(message: &str, _text: &str) -> String {
    let Some(at) = message.find("unknown field `") else {
        return strip_location(message);
    };
    let section = message[..at].trim_end_matches([' ', ':']);
    let rest = &message[at + "unknown field `".len()..];
    let Some((field, expected)) = rest.split_once('`') else {
        return strip_location(message);
    };
    let expected = strip_location(expected);
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let key = if section.is_empty() {
        field.to_string()
    } else {
        format!("{section}.{field}")
    };
    format!(
        "unknown key '{key}'{}; known keys here: {}",
        diag::hint(field, &candidates),
        candidates.join(", ")
    )
}

fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (SiteConfig, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), text).expect("write");
        load(dir.path()).expect("loads")
    }

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (config, diags) = load(dir.path()).expect("loads");
        assert!(diags.is_empty());
        assert_eq!(config, SiteConfig::default());
        assert_eq!(config.sources[0].path(), Some(Path::new("repos")));
    }

    #[test]
    fn reads_the_documented_shape() {
        let (config, diags) = load_text(
            "title: Acme\nbase_url: https://x.dev/p/\nout: public\nsources:\n  - path: checkouts\ncatalog:\n  locations:\n    - type: file\n      target: org/*.yaml\n  rules:\n    - allow: [Component, API]\ndiscover: ['**/catalog-info.yaml']\nexclude: [.git]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.title, "Acme");
        assert_eq!(config.out, PathBuf::from("public"));
        assert_eq!(config.catalog.locations[0].target, "org/*.yaml");
        assert!(config.kind_rules().allows("component", None));
        assert!(!config.kind_rules().allows("Group", None));
    }

    #[test]
    fn unknown_keys_name_the_line_and_a_suggestion() {
        let (_, diags) = load_text("title: Acme\ntitel: Oops\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, Some(2));
        assert!(
            diags[0]
                .message
                .contains("unknown key 'titel' (did you mean 'title'?)"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn unknown_nested_keys_too() {
        let (_, diags) = load_text("catalog:\n  locatoins: []\n");
        assert_eq!(diags[0].line, Some(2));
        assert!(
            diags[0].message.contains("did you mean 'locations'"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn git_sources_and_the_cache() {
        let (config, diags) = load_text(
            "sources:\n  - path: repos\n  - git: git@github.com:acme/payments.git\n    ref: main\n  - git: https://github.com/acme/web.git\ncache: .cache/greenroom\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(config.cache, PathBuf::from(".cache/greenroom"));
        assert_eq!(
            config.sources[1],
            SourceConfig::Git(GitSource {
                url: "git@github.com:acme/payments.git".to_string(),
                git_ref: Some("main".to_string()),
            })
        );
        assert_eq!(config.sources[2].path(), None);
    }

    #[test]
    fn reading_allow_matches_hosts_prefixes_and_paths_exactly() {
        let (config, diags) = load_text(
            "reading:\n  allow:\n    - github.com\n    - '*.example.com'\n    - git.corp:8443\n    - http://127.0.0.1:9000/specs/\n    - {host: gitlab.com, paths: [/acme]}\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let reading = &config.reading;
        for ok in [
            "https://github.com/a/b.git",
            "https://GitHub.com/a/b",
            "https://docs.example.com/x",
            "https://git.corp:8443/team/repo.git",
            "http://127.0.0.1:9000/specs/api.yaml",
            "https://gitlab.com/acme/repo.git",
            "https://gitlab.com/acme",
        ] {
            assert!(reading.allows(ok), "{ok}");
        }
        for refused in [
            "http://github.com/a/b",
            "https://github.com.evil.com/a",
            "https://evilgithub.com/a",
            "https://tok@github.com/a/b",
            "https://example.com/x",
            "https://git.corp/team/repo.git",
            "http://127.0.0.1:9000/other/x",
            "http://127.0.0.1:90001/specs/x",
            "http://127.0.0.1:9000/specs/../private/x",
            "http://127.0.0.1:9000/specs/%2E%2e/private/x",
            "https://gitlab.com/acme/../evil/repo.git",
            "https://gitlab.com/acme-evil/repo.git",
            "ftp://github.com/a",
            "github.com/a",
        ] {
            assert!(!reading.allows(refused), "{refused}");
        }
        assert!(ReadingConfig::advice("http://h:1/x").contains("'http://h:1/'"));
        assert!(ReadingConfig::advice("https://u:p@h/x").contains("[h]"));
    }

    #[test]
    fn bad_git_sources_name_their_line_and_hide_secrets() {
        let (_, diags) = load_text("title: x\nsources:\n  - git: ftp://me:hunter2@host/x.git\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, Some(3), "{diags:?}");
        assert!(diags[0].message.contains("unsupported git URL"));
        assert!(
            !diags[0].message.contains("hunter2"),
            "{}",
            diags[0].message
        );
        let (_, diags) = load_text("sources:\n  - git: https://h/o/r\n    ref: --upload-pack=x\n");
        assert!(
            diags[0].message.contains("not a branch or tag"),
            "{diags:?}"
        );
    }
}
