//! Shared helpers for the integration tests, in the spirit of mdBook's `BookTest`: copy a fixture
//! portal into a temporary folder, run the real `greenroom` binary on it (with a time limit, so
//! a hang fails instead of blocking the suite), and read what it wrote.
//!
//! Fixture portals live in `tests/fixtures/`; they are always copied before a build, so the
//! repository never grows a `site/` folder.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod git;

use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_greenroom");

/// Longest any single run may take before it counts as a hang and is killed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The entity page every bad-input fixture's valid repository must still produce.
pub const OK_PAGE: &str = "catalog/default/component/ok-service/index.html";

/// Set to `1` to (re)write `expected.json` files from the binary's current output. Review every
/// change it makes: a blessed file is a claim that the diagnostics are right.
pub const BLESS_VAR: &str = "GREENROOM_BLESS";

/// `tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// `example-org/` at the repository root.
pub fn example_org_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-org")
}

// ------------------------------------------------------------------------------------------ runs

/// One finished (or killed) run of the binary.
#[derive(Debug)]
pub struct Run {
    /// What was run, for failure messages.
    pub command: String,
    /// Exit status; `None` when the run was killed after the time limit.
    pub status: Option<ExitStatus>,
    /// Captured standard output.
    pub stdout: String,
    /// Captured standard error.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
}

impl Run {
    /// The exit code, when the process exited normally.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Everything useful for a failure message.
    pub fn describe(&self) -> String {
        let how = match self.status {
            None => format!(
                "killed after {:.1} s (time limit)",
                self.elapsed.as_secs_f64()
            ),
            Some(status) => match (status.code(), signal_of(status)) {
                (Some(code), _) => {
                    format!("exit code {code} after {:.2} s", self.elapsed.as_secs_f64())
                }
                (None, Some(signal)) => format!("killed by signal {signal}"),
                (None, None) => format!("{status}"),
            },
        };
        format!(
            "`{}`: {how}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            truncate(&self.stdout, 4000),
            truncate(&self.stderr, 4000)
        )
    }

    /// Asserts the process ended on its own with exit code 0 or 1: no panic (101), no signal
    /// (stack overflow, abort), no hang.
    pub fn assert_no_crash(&self) -> &Self {
        assert!(
            matches!(self.code(), Some(0) | Some(1)),
            "expected exit code 0 or 1 (never a panic, signal or hang); {}",
            self.describe()
        );
        assert!(
            !self.stderr.contains("panicked at"),
            "the binary panicked; {}",
            self.describe()
        );
        self
    }

    /// Asserts an exact exit code.
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(expected),
            "unexpected exit; {}",
            self.describe()
        );
        self
    }

    /// Asserts the run took less than `limit`.
    pub fn assert_faster_than(&self, limit: Duration) -> &Self {
        assert!(
            self.status.is_some() && self.elapsed < limit,
            "expected the run to finish within {:.1} s; {}",
            limit.as_secs_f64(),
            self.describe()
        );
        self
    }
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> Option<i32> {
    None
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Runs the binary with `args` in `cwd`, killing it after `timeout`.
pub fn run_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S], timeout: Duration) -> Run {
    run_in_env(cwd, args, timeout, &[])
}

/// [`run_in`] with extra environment variables.
pub fn run_in_env<S: AsRef<OsStr>>(
    cwd: &Path,
    args: &[S],
    timeout: Duration,
    env: &[(&str, &OsStr)],
) -> Run {
    let command = std::iter::once(BIN.to_string())
        .chain(
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = loop {
        match child.try_wait().expect("waiting for the child") {
            Some(status) => break Some(status),
            None if started.elapsed() >= timeout => {
                // Our own child, by handle: never a broad kill.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let elapsed = started.elapsed();
    Run {
        command,
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed,
    }
}

/// Runs the binary from the current directory with the default time limit.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Run {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, DEFAULT_TIMEOUT)
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

// ---------------------------------------------------------------------------------------- portal

/// A portal root in a temporary folder, with a sibling output folder.
///
/// Layout: `<tmp>/portal/` (the portal root) and `<tmp>/out/` (default `--out`), so the output
/// never lands inside the input.
pub struct Portal {
    tmp: tempfile::TempDir,
    /// The portal root (canonical).
    pub root: PathBuf,
    /// Where [`Portal::build`] writes.
    pub out: PathBuf,
}

impl Portal {
    /// An empty portal root.
    pub fn empty() -> Portal {
        let tmp = tempfile::Builder::new()
            .prefix("greenroom-test-")
            .tempdir()
            .expect("creating a temporary folder");
        let base = tmp.path().canonicalize().expect("canonical temp path");
        let root = base.join("portal");
        std::fs::create_dir_all(&root).expect("creating the portal root");
        Portal {
            out: base.join("out"),
            root,
            tmp,
        }
    }

    /// A copy of `tests/fixtures/<name>`, without its top-level `expected.json`.
    pub fn fixture(name: &str) -> Portal {
        let source = fixtures_dir().join(name);
        assert!(source.is_dir(), "no fixture folder {}", source.display());
        let portal = Portal::empty();
        copy_tree(&source, &portal.root, &|relative| {
            relative != Path::new("expected.json")
        });
        portal
    }

    /// A copy of any portal folder, without its default output folder `site/` (left there by
    /// someone's manual build, it is not input).
    pub fn copy_of(source: &Path) -> Portal {
        let portal = Portal::empty();
        copy_tree(source, &portal.root, &|relative| {
            relative != Path::new("site")
        });
        portal
    }

    /// The temporary folder holding the portal and its output.
    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// A path inside the portal.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Writes a file inside the portal, creating folders.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating folders");
        }
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        self
    }

    /// Creates a symlink at `link` (portal-relative) pointing at `target` (written as is).
    #[cfg(unix)]
    pub fn symlink(&self, target: impl AsRef<Path>, link: &str) -> &Self {
        let link = self.path(link);
        std::os::unix::fs::symlink(target.as_ref(), &link)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
        self
    }

    /// `greenroom check <root> <extra...>`.
    pub fn check(&self, extra: &[&str]) -> Run {
        self.run_with_root("check", extra, DEFAULT_TIMEOUT)
    }

    /// `greenroom check <root> --format json`, parsed; the run must not crash and its stdout must
    /// be a JSON array. The portal root's absolute path is replaced by `<PORTAL>`.
    pub fn check_json(&self) -> (Run, Value) {
        self.check_json_within(DEFAULT_TIMEOUT)
    }

    /// [`Portal::check_json`] with a custom time limit.
    pub fn check_json_within(&self, timeout: Duration) -> (Run, Value) {
        let run = self.run_with_root("check", &["--format", "json"], timeout);
        run.assert_no_crash();
        let text = self.normalise(&run.stdout);
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "check --format json printed invalid JSON ({e}); {}",
                run.describe()
            )
        });
        assert!(
            value.is_array(),
            "check --format json must print an array; {}",
            run.describe()
        );
        (run, value)
    }

    /// `greenroom build <root> --out <out> <extra...>`.
    pub fn build(&self, extra: &[&str]) -> Run {
        self.build_to(&self.out, extra)
    }

    /// `greenroom build <root> --out <out> <extra...>` to any folder.
    pub fn build_to(&self, out: &Path, extra: &[&str]) -> Run {
        self.build_to_within(out, extra, DEFAULT_TIMEOUT)
    }

    /// [`Portal::build_to`] with a custom time limit.
    pub fn build_to_within(&self, out: &Path, extra: &[&str], timeout: Duration) -> Run {
        let mut args: Vec<&OsStr> = vec![OsStr::new("build"), self.root.as_os_str()];
        args.push(OsStr::new("--out"));
        args.push(out.as_os_str());
        args.extend(extra.iter().map(OsStr::new));
        run_in(self.tmp.path(), &args, timeout)
    }

    /// The default output folder as a [`Site`].
    pub fn site(&self) -> Site {
        Site::at(&self.out)
    }

    fn run_with_root(&self, command: &str, extra: &[&str], timeout: Duration) -> Run {
        let mut args: Vec<&OsStr> = vec![OsStr::new(command), self.root.as_os_str()];
        args.extend(extra.iter().map(OsStr::new));
        run_in(self.tmp.path(), &args, timeout)
    }

    /// Replaces the portal's absolute path with `<PORTAL>`, so outputs compare across runs.
    pub fn normalise(&self, text: &str) -> String {
        text.replace(&self.root.to_string_lossy().into_owned(), "<PORTAL>")
    }
}

/// Copies a folder recursively (files and folders only; fixtures hold no symlinks).
pub fn copy_tree(source: &Path, destination: &Path, keep: &dyn Fn(&Path) -> bool) {
    fn walk(base: &Path, dir: &Path, destination: &Path, keep: &dyn Fn(&Path) -> bool) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let relative = path.strip_prefix(base).expect("inside the base");
            if !keep(relative) {
                continue;
            }
            let target = destination.join(relative);
            let kind = std::fs::symlink_metadata(&path)
                .expect("metadata")
                .file_type();
            if kind.is_dir() {
                std::fs::create_dir_all(&target).expect("creating a folder");
                walk(base, &path, destination, keep);
            } else if kind.is_file() {
                std::fs::copy(&path, &target)
                    .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
            } else {
                panic!("fixtures must not contain symlinks: {}", path.display());
            }
        }
    }
    std::fs::create_dir_all(destination).expect("creating the destination");
    walk(source, source, destination, keep);
}

// ------------------------------------------------------------------------------------------ site

/// A built site (or any folder) to inspect.
pub struct Site {
    /// Its root.
    pub root: PathBuf,
}

impl Site {
    /// Wraps a folder.
    pub fn at(root: &Path) -> Site {
        Site {
            root: root.to_path_buf(),
        }
    }

    /// Whether a site-relative file exists.
    pub fn exists(&self, relative: &str) -> bool {
        self.root.join(relative).is_file()
    }

    /// Reads a site-relative file as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.root.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    /// Reads an HTML page with character references decoded, for searching its text.
    pub fn read_unescaped(&self, relative: &str) -> String {
        unescape_html(&self.read(relative))
    }

    /// Reads and parses a JSON file.
    pub fn json(&self, relative: &str) -> Value {
        serde_json::from_str(&self.read(relative))
            .unwrap_or_else(|e| panic!("{relative} is not valid JSON: {e}"))
    }

    /// Every file, site-relative with `/`, sorted.
    pub fn files(&self) -> Vec<String> {
        list_files(&self.root)
    }

    /// Every `.html` file, site-relative.
    pub fn html_files(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .collect()
    }

    /// Every file with its bytes.
    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.root)
    }
}

/// Every file under `root` (not following symlinks), relative with `/`, sorted.
pub fn list_files(root: &Path) -> Vec<String> {
    snapshot(root).into_keys().collect()
}

/// Every file under `root` with its bytes; symlinks are recorded by their target.
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let relative = relative_slash(base, &path);
            let kind = std::fs::symlink_metadata(&path)
                .expect("metadata")
                .file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("read link");
                into.insert(relative, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                into.insert(format!("{relative}/"), Vec::new());
                walk(base, &path, into);
            } else {
                into.insert(relative, std::fs::read(&path).expect("reading a file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files.retain(|k, _| !k.ends_with('/'));
    files
}

/// Builds the portal twice into two new folders and asserts the trees are byte-identical;
/// returns the first tree.
pub fn assert_deterministic_build(portal: &Portal) -> BTreeMap<String, Vec<u8>> {
    let first = portal.tmp().join("first");
    let second = portal.tmp().join("second");
    portal.build_to(&first, &[]).assert_code(0);
    portal.build_to(&second, &[]).assert_code(0);
    let a = snapshot(&first);
    let b = snapshot(&second);
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the two builds wrote different files"
    );
    let different: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        different.is_empty(),
        "files differ between two builds: {different:?}"
    );
    a
}

/// Like [`snapshot`], but folders count too (an empty folder is a difference).
pub fn snapshot_with_folders(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut all = snapshot(root);
    fn folders(base: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let kind = std::fs::symlink_metadata(&path)
                .expect("metadata")
                .file_type();
            if kind.is_dir() {
                into.insert(format!("{}/", relative_slash(base, &path)), Vec::new());
                folders(base, &path, into);
            }
        }
    }
    folders(root, root, &mut all);
    all
}

fn relative_slash(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .expect("inside the base")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Names of the entries directly inside a folder, sorted.
pub fn entry_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// ------------------------------------------------------------------------------------------ html

/// Decodes the character references Tera's escaping produces (and numeric ones in general).
pub fn unescape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(position) = rest.find('&') {
        out.push_str(&rest[..position]);
        rest = &rest[position..];
        let Some(end) = rest
            .char_indices()
            .take_while(|(i, _)| *i < 12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i)
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse::<u32>().ok().and_then(char::from_u32)
                } else {
                    None
                }
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The values of every `name="..."` (or `name='...'`) attribute in an HTML document, decoded.
pub fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let mut values = Vec::new();
    let lower = html.to_ascii_lowercase();
    let needle = format!("{}=", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(found) = lower[from..].find(&needle) {
        let start = from + found;
        from = start + needle.len();
        // Only whole attribute names: preceded by whitespace.
        if start == 0 || !lower.as_bytes()[start - 1].is_ascii_whitespace() {
            continue;
        }
        // Only inside a tag: text such as escaped code (`&lt;img src=...`) is not markup.
        let before = &lower[..start];
        if before
            .rfind('<')
            .is_none_or(|open| before.rfind('>').is_some_and(|close| close > open))
        {
            continue;
        }
        let rest = &html[from..];
        let value = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => rest[1..].split(quote).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        values.push(unescape_html(value));
    }
    values
}

/// Every `href` and `src` value of a document.
pub fn links_of(html: &str) -> Vec<String> {
    let mut links = attribute_values(html, "href");
    links.extend(attribute_values(html, "src"));
    links
}

/// Whether a link leaves the site (or stays on the page) and so is not checked as a file.
pub fn is_external_or_fragment(link: &str) -> bool {
    let lower = link.trim().to_ascii_lowercase();
    lower.starts_with('#')
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || lower.starts_with("data:")
        || lower.starts_with("//")
}

/// Decodes `%XX` escapes.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves a relative link found on `page` (site-relative) to a site-relative file path:
/// strips `?query` and `#fragment`, URL-decodes, resolves `.`/`..`, and maps a folder link to
/// its `index.html`. `None` when the link climbs above the site root.
pub fn resolve_link(page: &str, link: &str) -> Option<String> {
    let link = link.split('#').next().unwrap_or("");
    let link = link.split('?').next().unwrap_or("");
    let link = percent_decode(link);
    let mut parts: Vec<String> = page.split('/').map(str::to_string).collect();
    parts.pop();
    if link.starts_with('/') {
        return None;
    }
    for component in Path::new(&link).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            _ => return None,
        }
    }
    let mut path = parts.join("/");
    if link.is_empty() || link.ends_with('/') {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

// ----------------------------------------------------------------------------------- diagnostics

/// Compares `actual` with the JSON in `expected_file`, or writes it there when [`BLESS_VAR`] is
/// set. Panics with both documents on a mismatch.
pub fn assert_json_file(expected_file: &Path, actual: &Value, context: &str) {
    let actual_text = format!(
        "{}\n",
        serde_json::to_string_pretty(actual).expect("serialise")
    );
    if std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1") {
        let current = std::fs::read_to_string(expected_file).unwrap_or_default();
        if current != actual_text {
            std::fs::write(expected_file, &actual_text).expect("writing expected.json");
            eprintln!("blessed {}", expected_file.display());
        }
        return;
    }
    let expected_text = std::fs::read_to_string(expected_file).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); run with {BLESS_VAR}=1 to create it, then review it\nactual:\n{actual_text}",
            expected_file.display()
        )
    });
    let expected: Value = serde_json::from_str(&expected_text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", expected_file.display()));
    assert!(
        expected == *actual,
        "diagnostics differ from {}\n--- expected ---\n{}\n--- actual ---\n{}\n--- context ---\n{context}",
        expected_file.display(),
        expected_text.trim_end(),
        actual_text.trim_end()
    );
}

/// Whether a diagnostics array has an error in it.
/// The messages of a site's diagnostics.json, without the dangling-owner warnings (test
/// entities often name an owner no file defines).
pub fn messages_but_owners(site: &Site) -> Vec<String> {
    site.json("diagnostics.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d["message"].as_str().map(str::to_string))
        .filter(|m| !m.contains("spec.owner refers to"))
        .collect()
}

/// Whether a diagnostics array has an error.
pub fn has_errors(diagnostics: &Value) -> bool {
    diagnostics
        .as_array()
        .is_some_and(|list| list.iter().any(|d| d["severity"] == "error"))
}

/// The site-relative page of an entity, from its parts (lowercased like the site's routes).
pub fn entity_page(namespace: &str, kind: &str, name: &str) -> String {
    format!(
        "catalog/{}/{}/{}/index.html",
        namespace.to_lowercase(),
        kind.to_lowercase(),
        name.to_lowercase()
    )
}
