//! The preview server's HTTP side: the site served from memory, the live-reload event stream
//! and the injected script. It reads nothing from disk: a request can only ever name a key of
//! the in-memory site, so no path can reach a file outside it.
//!
//! Connections are [`wire`]'s (a thread each); an event stream keeps its
//! connection's thread (at most [`MAX_STREAMS`] streams), which ends when a write fails — a
//! heartbeat every [`HEARTBEAT`] finds closed tabs.

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use super::wire::{self, Answer, Reply, Request};

/// Where the server's own endpoints live; no site path starts with it (site paths start with
/// `index.html`, `catalog/`, `docs/`, `search/`, `assets/`, `problems/`, or a data file).
pub const PREFIX: &str = "__greenroom/";

/// The live-reload script, served at `/__greenroom/live.js` and never part of a built site.
pub const LIVE_SCRIPT: &str = include_str!("live.js");

/// Most event streams open at once; more get 503 (each holds a thread).
pub const MAX_STREAMS: usize = 64;

/// How often an idle event stream sends a comment, so closed connections are noticed.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// A problem shown in the browser overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Portal-relative file, if any.
    pub file: Option<String>,
    /// Line, if known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// What the browser is told about the latest rebuild.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Random per server run: a tab that sees another one reloads (the server restarted).
    pub boot: String,
    /// Increases with every published version of the site.
    pub generation: u64,
    /// Whether a site has been published at all.
    pub ready: bool,
    /// Why the latest rebuild was not published (empty when it was).
    pub title: String,
    /// The problems that stopped it.
    pub errors: Vec<Problem>,
}

/// The state the HTTP side reads: the last good site and the rebuild status. The rebuild
/// thread changes it only through [`Live::publish`] and [`Live::fail`].
pub struct Live {
    files: RwLock<HashMap<String, Arc<Vec<u8>>>>,
    status: Mutex<Status>,
    streams: Mutex<Vec<mpsc::Sender<Arc<str>>>>,
    open_streams: AtomicUsize,
}

/// A change to the served site, applied at once (readers see the old site or the new one).
#[derive(Debug, Default)]
pub struct Patch {
    /// Paths to drop.
    pub removed: Vec<String>,
    /// New or changed files.
    pub changed: Vec<(String, Vec<u8>)>,
}

impl Live {
    /// An empty site that is not ready yet.
    pub fn new() -> Live {
        let boot = format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
                ^ u128::from(std::process::id())
        );
        Live {
            files: RwLock::new(HashMap::new()),
            status: Mutex::new(Status {
                boot,
                ..Status::default()
            }),
            streams: Mutex::new(Vec::new()),
            open_streams: AtomicUsize::new(0),
        }
    }

    /// Applies a patch, marks the site good and tells every tab: `reload` when files changed,
    /// `clear` when only an error went away.
    pub fn publish(&self, patch: Patch) {
        let changed = !patch.removed.is_empty() || !patch.changed.is_empty();
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            for path in patch.removed {
                files.remove(&path);
            }
            for (path, bytes) in patch.changed {
                files.insert(path, Arc::new(bytes));
            }
        }
        let (had_errors, generation) = {
            let mut status = self.status();
            let had_errors = !status.errors.is_empty();
            status.errors.clear();
            status.title.clear();
            if changed || !status.ready {
                status.generation += 1;
            }
            status.ready = true;
            (had_errors, status.generation)
        };
        if had_errors {
            self.broadcast("clear", &serde_json::json!({ "generation": generation }));
        }
        if changed {
            self.broadcast("reload", &serde_json::json!({ "generation": generation }));
        }
    }

    /// Updates files after the fact (background work): no general reload, but a `changed`
    /// event naming the pages, so a tab showing one of them reloads.
    pub fn update_quietly(&self, patch: Patch) {
        let mut pages: Vec<String> = patch
            .changed
            .iter()
            .map(|(path, _)| path)
            .chain(&patch.removed)
            .filter(|path| path.ends_with(".html"))
            .cloned()
            .collect();
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            for path in patch.removed {
                files.remove(&path);
            }
            for (path, bytes) in patch.changed {
                files.insert(path, Arc::new(bytes));
            }
        }
        if !pages.is_empty() {
            pages.sort();
            let generation = {
                let mut status = self.status();
                status.generation += 1;
                status.generation
            };
            self.broadcast(
                "changed",
                &serde_json::json!({ "generation": generation, "pages": pages }),
            );
        }
    }

    /// Records a rebuild that was not published and shows its problems in every tab.
    pub fn fail(&self, title: &str, errors: Vec<Problem>) {
        let payload = {
            let mut status = self.status();
            status.title = title.to_string();
            status.errors = errors;
            serde_json::json!({
                "generation": status.generation,
                "title": status.title,
                "errors": status.errors,
            })
        };
        self.broadcast("errors", &payload);
    }

    /// The current status.
    pub fn current(&self) -> Status {
        self.status().clone()
    }

    /// One file of the site.
    pub fn file(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// Every path of the site.
    pub fn paths(&self) -> HashSet<String> {
        self.files
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn broadcast(&self, event: &str, data: &serde_json::Value) {
        let frame: Arc<str> = sse_frame(event, data).into();
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.retain(|s| s.send(Arc::clone(&frame)).is_ok());
    }

    fn subscribe(&self) -> mpsc::Receiver<Arc<str>> {
        let (sender, receiver) = mpsc::channel();
        self.streams
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(sender);
        receiver
    }

    /// Event streams open now.
    pub fn open_streams(&self) -> usize {
        self.open_streams.load(Ordering::SeqCst)
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

fn sse_frame(event: &str, data: &serde_json::Value) -> String {
    // JSON has no raw newlines, so one `data:` line holds it.
    format!("event: {event}\ndata: {data}\n\n")
}

/// Serves the live site on a bound listener until the process ends.
pub fn start(listener: std::net::TcpListener, live: Arc<Live>) -> std::io::Result<()> {
    wire::start(
        listener,
        Arc::new(move |request: &Request| handle(request, &live)),
    )
}

/// A request target turned into a site path, or refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A site path (`""` is the root), and whether the URL ended in `/`.
    Path {
        /// Decoded, `/`-separated, no `.`/`..`/empty segments.
        path: String,
        /// The URL named a folder.
        folder: bool,
    },
    /// Not a path we could ever serve: 400.
    Bad(&'static str),
}

/// Turns a request target (`/docs/a%20b/?q=1`) into a site path. Percent-decodes each segment
/// once and refuses (400) backslashes (raw or encoded), NUL and control characters, `.` and
/// `..` segments, empty segments (`//etc/passwd`), an encoded `/` inside a segment, drive
/// letters (`/C:/`), invalid escapes and invalid UTF-8.
pub fn parse_target(target: &str) -> Target {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/') else {
        return Target::Bad("the request target must start with /");
    };
    if path.contains('\\') {
        return Target::Bad("backslash in path");
    }
    if rest.is_empty() {
        return Target::Path {
            path: String::new(),
            folder: true,
        };
    }
    let raw: Vec<&str> = rest.split('/').collect();
    let folder = raw.last().is_some_and(|s| s.is_empty());
    let count = if folder { raw.len() - 1 } else { raw.len() };
    let mut segments = Vec::with_capacity(count);
    for (i, segment) in raw[..count].iter().enumerate() {
        if segment.is_empty() {
            return Target::Bad("empty path segment");
        }
        let Some(decoded) = percent_decode(segment) else {
            return Target::Bad("invalid percent-encoding");
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return Target::Bad("path is not UTF-8");
        };
        if decoded.contains(['/', '\\']) || decoded.chars().any(char::is_control) {
            return Target::Bad("forbidden character in path");
        }
        if decoded == "." || decoded == ".." {
            return Target::Bad("dot segment in path");
        }
        if i == 0 && decoded.len() == 2 && decoded.ends_with(':') {
            return Target::Bad("drive letter in path");
        }
        segments.push(decoded);
    }
    let mut path = segments.join("/");
    if folder {
        path.push('/');
    }
    Target::Path { path, folder }
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The Content-Type of a site path, by extension; text types carry `charset=utf-8`.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "map" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "application/yaml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Inserts the live-reload script before the last `</body>` (or at the end).
pub fn inject_script(html: &[u8], generation: u64) -> Vec<u8> {
    let tag =
        format!("<script src=\"/{PREFIX}live.js\" data-generation=\"{generation}\"></script>\n");
    let lower: Vec<u8> = html.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn respond(
    status: u16,
    content_type: &str,
    body: impl Into<Arc<Vec<u8>>>,
    extra: &[(&'static str, &str)],
) -> Answer {
    let mut headers = vec![
        ("Content-Type", content_type.to_string()),
        ("Cache-Control", "no-cache".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
    ];
    headers.extend(extra.iter().map(|(name, value)| (*name, value.to_string())));
    Answer::Reply(Reply {
        status,
        headers,
        body: body.into(),
    })
}

fn plain(status: u16, text: &str) -> Answer {
    respond(
        status,
        "text/plain; charset=utf-8",
        format!("{text}\n").into_bytes(),
        &[],
    )
}

/// The page shown before any build succeeded: the overlay says why.
fn not_ready_page(generation: u64) -> Vec<u8> {
    inject_script(
        b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>greenroom: no site yet</title></head><body><p>The portal could not be built yet; the problems are listed in the terminal and below. This page reloads when they are fixed.</p></body></html>",
        generation,
    )
}

fn handle(request: &Request, live: &Arc<Live>) -> Answer {
    let get = match request.method.as_str() {
        "GET" => true,
        "HEAD" => false,
        _ => {
            return respond(
                405,
                "text/plain; charset=utf-8",
                b"405 Method Not Allowed: the preview server only reads\n".to_vec(),
                &[("Allow", "GET, HEAD")],
            );
        }
    };
    let raw = request.target.as_str();
    let (path, folder) = match parse_target(raw) {
        Target::Path { path, folder } => (path, folder),
        Target::Bad(why) => return plain(400, &format!("400 Bad Request: {why}")),
    };
    if let Some(endpoint) = path.strip_prefix(PREFIX) {
        return own_endpoint(endpoint, get, live);
    }
    let status = live.current();
    if !status.ready {
        return respond(
            503,
            "text/html; charset=utf-8",
            not_ready_page(status.generation),
            &[],
        );
    }
    let key = if folder || path.is_empty() {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(bytes) = live.file(&key) {
        return send_file(200, &key, &bytes, status.generation);
    }
    if !folder && live.file(&format!("{path}/index.html")).is_some() {
        // `/catalog` → `/catalog/`, so the page's relative links resolve.
        let raw_path = raw.split(['?', '#']).next().unwrap_or("/");
        let query = raw.find('?').map(|i| &raw[i..]).unwrap_or("");
        let location = format!("{raw_path}/{query}");
        return respond(
            301,
            "text/plain; charset=utf-8",
            format!("moved to {location}\n").into_bytes(),
            &[("Location", &location)],
        );
    }
    match live.file("404.html") {
        Some(bytes) => send_file(404, "404.html", &bytes, status.generation),
        None => plain(404, "404 Not Found"),
    }
}

fn send_file(status: u16, path: &str, bytes: &Arc<Vec<u8>>, generation: u64) -> Answer {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Arc::new(inject_script(bytes, generation))
    } else {
        Arc::clone(bytes)
    };
    respond(status, content_type, body, &[])
}

fn own_endpoint(endpoint: &str, get: bool, live: &Arc<Live>) -> Answer {
    match endpoint {
        "live.js" => respond(
            200,
            "text/javascript; charset=utf-8",
            LIVE_SCRIPT.as_bytes().to_vec(),
            &[],
        ),
        "status" => {
            let mut status = serde_json::to_value(live.current()).unwrap_or_default();
            status["streams"] = live.open_streams().into();
            let body = serde_json::to_vec(&status).unwrap_or_default();
            respond(200, "application/json; charset=utf-8", body, &[])
        }
        "events" if get => events(live),
        "events" => respond(200, "text/event-stream", Vec::new(), &[]),
        _ => plain(404, "404 Not Found"),
    }
}

/// Holds an event stream open on its connection's thread: the current status first, then
/// every event, with a comment line every [`HEARTBEAT`] so a closed tab ends the thread.
fn events(live: &Arc<Live>) -> Answer {
    if live.open_streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        live.open_streams.fetch_sub(1, Ordering::SeqCst);
        return plain(503, "503 Service Unavailable: too many open event streams");
    }
    let receiver = live.subscribe();
    let status = live.current();
    let shared = Arc::clone(live);
    Answer::Takeover(Box::new(move |mut writer| {
        let hello = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n{}",
            sse_frame("status", &serde_json::to_value(&status).unwrap_or_default())
        );
        let mut ok = writer.write_all(hello.as_bytes()).is_ok() && writer.flush().is_ok();
        while ok {
            let frame: Arc<str> = match receiver.recv_timeout(HEARTBEAT) {
                Ok(frame) => frame,
                Err(mpsc::RecvTimeoutError::Timeout) => ": heartbeat\n\n".into(),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            ok = writer.write_all(frame.as_bytes()).is_ok() && writer.flush().is_ok();
        }
        shared.open_streams.fetch_sub(1, Ordering::SeqCst);
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str, folder: bool) -> Target {
        Target::Path {
            path: p.to_string(),
            folder,
        }
    }

    #[test]
    fn plain_paths_decode_once() {
        assert_eq!(parse_target("/"), path("", true));
        assert_eq!(parse_target("/index.html"), path("index.html", false));
        assert_eq!(parse_target("/catalog/?q=x#top"), path("catalog/", true));
        assert_eq!(parse_target("/docs/a%20b/c"), path("docs/a b/c", false));
        // Decoded once: `%252e` stays the literal `%2e`, which is no site path.
        assert_eq!(parse_target("/%252e%252e/x"), path("%2e%2e/x", false));
    }

    #[test]
    fn traversal_and_odd_targets_are_refused() {
        for bad in [
            "/../Cargo.toml",
            "/..",
            "/a/../../etc/passwd",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E/Cargo.toml",
            "/.%2e/x",
            "/%2e./x",
            "/..%2fCargo.toml",
            "/%2e%2e%2fCargo.toml",
            "/..\\Cargo.toml",
            "/%5c..%5cCargo.toml",
            "/a%5cb",
            "//etc/passwd",
            "/a//b",
            "/C:/Windows/win.ini",
            "/c%3a/Windows",
            "/%00",
            "/a%00.html",
            "/a%0a",
            "/%zz",
            "/%e9",
            "/./index.html",
            "index.html",
            "http://evil/x",
            "*",
        ] {
            assert!(
                matches!(parse_target(bad), Target::Bad(_)),
                "{bad} should be refused, got {:?}",
                parse_target(bad)
            );
        }
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.SVG"), "image/svg+xml; charset=utf-8");
        assert_eq!(
            content_type("search/t/0.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert_eq!(content_type("dir.v1/noext"), "application/octet-stream");
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject_script(b"<p>x</p></BODY></html>", 3);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with("<p>x</p><script src=\"/__greenroom/live.js\" data-generation=\"3\">")
        );
        assert!(text.ends_with("</script>\n</BODY></html>"));
        let bare = String::from_utf8(inject_script(b"plain", 1)).expect("utf-8");
        assert!(bare.starts_with("plain<script"));
    }
}
