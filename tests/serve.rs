//! `greenroom serve` (issue 7), driving the real binary on a free port against a copy of
//! example-org: pages and content types, the injected script (and its absence from `build`
//! output), live reload after docs and descriptor edits, the error overlay's data while the
//! last good page keeps being served, path traversal, methods, a port in use, and Ctrl-C.
//!
//! Every wait is bounded polling with a generous limit, never a fixed sleep used as the
//! assertion, so a busy 2-core machine makes a test slower, not flaky.

mod chrome;
mod common;

use common::{example_org_dir, snapshot, Portal, BIN};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Longest wait for the server to start or a change to show.
const WAIT: Duration = Duration::from_secs(45);

const DOCS_PAGE: &str = "docs/default/component/payments-gateway/pci/index.html";
const DOCS_SOURCE: &str = "repos/payments/docs/pci.md";
const ENTITY_PAGE: &str = "catalog/default/component/payments-gateway/index.html";
const DESCRIPTOR: &str = "repos/payments/catalog-info.yaml";
const CANARY: &str = "CANARY-5d1e-never-served";

/// A running `greenroom serve`, killed when dropped.
struct Server {
    child: Option<Child>,
    address: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Our own child, by handle.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .arg(root)
            .args(["--port", "0"])
            .args(extra)
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting greenroom serve");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut text = sink.lock().expect("stderr lock");
                text.push_str(&line);
                text.push('\n');
            }
        });
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut server = Server {
            child: Some(child),
            address: String::new(),
            stderr,
        };
        let deadline = Instant::now() + WAIT;
        while server.address.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split("http://").nth(1) {
                        let address = rest.split('/').next().unwrap_or("");
                        server.address = address.to_string();
                    }
                }
                Err(_) => panic!(
                    "serve printed no URL within {WAIT:?}; stderr:\n{}",
                    server.stderr()
                ),
            }
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().expect("child").id()
    }

    /// Sends one raw request (the target exactly as given) and reads the whole response.
    fn request(&self, method: &str, target: &str) -> Response {
        let mut stream = TcpStream::connect(&self.address).expect("connecting");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .expect("sending the request");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse_response(&raw, method == "HEAD")
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    fn status_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.get("/__greenroom/status").body).expect("status JSON")
    }

    /// Opens the event stream; events arrive as (name, data).
    fn events(&self) -> mpsc::Receiver<(String, String)> {
        let mut stream = TcpStream::connect(&self.address).expect("connecting");
        write!(
            stream,
            "GET /__greenroom/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.address
        )
        .expect("sending the request");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            let mut name = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                let trimmed = line.trim_end();
                if let Some(event) = trimmed.strip_prefix("event: ") {
                    name = event.to_string();
                } else if let Some(data) = trimmed.strip_prefix("data: ") {
                    if sender.send((name.clone(), data.to_string())).is_err() {
                        break;
                    }
                }
                line.clear();
            }
        });
        receiver
    }
}

fn parse_response(raw: &[u8], head: bool) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head_text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head_text.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
    if head {
        body.clear();
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = data.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// Polls `check` until it holds, failing after [`WAIT`].
fn eventually(what: &str, server: &Server, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what}: not seen within {WAIT:?}; serve's stderr:\n{}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the served docs page contains `needle`.
fn docs_page_shows(what: &str, server: &Server, needle: &str) {
    eventually(what, server, || {
        server.get(&format!("/{DOCS_PAGE}")).text().contains(needle)
    });
}

/// Waits for an event of one of the names, returning its data.
fn next_event(
    events: &mpsc::Receiver<(String, String)>,
    names: &[&str],
    server: &Server,
) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok((name, data)) if names.contains(&name.as_str()) => return data,
            Ok(_) => {}
            Err(_) => panic!(
                "no {names:?} event within {WAIT:?}; serve's stderr:\n{}",
                server.stderr()
            ),
        }
    }
}

fn portal() -> Portal {
    let portal = Portal::copy_of(&example_org_dir());
    std::fs::write(portal.tmp().join("canary.txt"), CANARY).expect("canary");
    portal.write("canary.txt", CANARY);
    portal
}

#[test]
fn serves_pages_with_content_types_and_the_script_only_when_serving() {
    let portal = portal();
    let server = Server::start(&portal.root, &["--no-watch"]);
    // Loopback only unless --host says otherwise (the printed URL is the bound address).
    assert!(
        server.address.starts_with("127.0.0.1:"),
        "{}",
        server.address
    );
    let everywhere = Server::start(&portal.root, &["--no-watch", "--host", "0.0.0.0"]);
    assert!(
        everywhere.address.starts_with("0.0.0.0:"),
        "{}",
        everywhere.address
    );
    drop(everywhere);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(home.header("cache-control"), "no-cache");
    assert!(
        home.text().contains("/__greenroom/live.js"),
        "script injected"
    );
    let before_body_end = home.text().rfind("</body>").expect("</body>");
    assert!(home.text().rfind("/__greenroom/live.js").expect("script") < before_body_end);

    for (path, content_type) in [
        ("/index.html", "text/html; charset=utf-8"),
        ("/catalog/", "text/html; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/catalog.js", "text/javascript; charset=utf-8"),
        ("/catalog/entities.json", "application/json; charset=utf-8"),
        ("/search/manifest.js", "text/javascript; charset=utf-8"),
        ("/__greenroom/live.js", "text/javascript; charset=utf-8"),
        (&format!("/{ENTITY_PAGE}"), "text/html; charset=utf-8"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(response.header("content-type"), content_type, "{path}");
    }
    let script = server.get("/__greenroom/live.js").text();
    assert!(script.contains("EventSource") && !script.contains("innerHTML"));
    // Non-HTML files are served as they are.
    assert!(!server
        .get("/assets/style.css")
        .text()
        .contains("/__greenroom/"));

    let redirect = server.get("/catalog?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), "/catalog/?x=1");

    let missing = server.get("/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's 404 page"
    );
    // A folder without an index is a 404, never a listing.
    for folder in ["/docs/default/", "/assets/", "/catalog/default/component/"] {
        let response = server.get(folder);
        assert_eq!(response.status, 404, "{folder}");
        assert!(!response.text().contains("style.css\n"), "{folder} listed");
    }

    let head = server.request("HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let refused = server.request(method, "/index.html");
        assert_eq!(refused.status, 405, "{method}");
        assert_eq!(refused.header("allow"), "GET, HEAD");
    }

    // `build` output carries no trace of the preview script.
    portal.build(&[]).assert_code(0);
    for (path, bytes) in snapshot(&portal.out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("/__greenroom/"),
            "{path} mentions the preview server"
        );
        assert!(
            !text.contains("live.js"),
            "{path} loads the live-reload script"
        );
        assert!(!text.contains("EventSource"), "{path} has live-reload code");
        assert!(
            !text.contains("greenroom-overlay"),
            "{path} has the overlay"
        );
    }
}

#[test]
fn traversal_never_leaves_the_site() {
    let portal = portal();
    let server = Server::start(&portal.root, &["--no-watch"]);
    let attempts = [
        "/../canary.txt",
        "/../../canary.txt",
        "/%2e%2e/canary.txt",
        "/%2E%2E/canary.txt",
        "/%2e%2e%2fcanary.txt",
        "/..%2fcanary.txt",
        "/..%2f..%2fcanary.txt",
        "/.%2e/canary.txt",
        "/%252e%252e/canary.txt",
        "/..\\canary.txt",
        "/%5c..%5ccanary.txt",
        "/..%5c..%5ccanary.txt",
        "//canary.txt",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/c%3a/canary.txt",
        "/%00",
        "/canary.txt%00.html",
        "/canary.txt",
        "/portal/canary.txt",
        "/catalog/../../canary.txt",
        "/assets/%2e%2e/%2e%2e/canary.txt",
        "/./canary.txt",
        "/etc/passwd",
    ];
    assert!(attempts.len() >= 10);
    for target in attempts {
        let response = server.get(target);
        assert!(
            matches!(response.status, 400 | 404),
            "{target}: status {}",
            response.status
        );
        assert!(
            !response.text().contains(CANARY),
            "{target} served the canary"
        );
        assert!(
            !response.text().contains("root:x:0"),
            "{target} served /etc/passwd"
        );
    }
}

#[test]
fn edits_rebuild_reload_and_errors_keep_the_last_good_site() {
    let portal = portal();
    let server = Server::start(&portal.root, &[]);
    let events = server.events();
    let status = next_event(&events, &["status"], &server);
    assert!(status.contains("\"ready\":true"), "{status}");

    // A docs page.
    let page = portal.path(DOCS_SOURCE);
    let text = std::fs::read_to_string(&page).expect("docs page");
    std::fs::write(&page, format!("{text}\n\nMarmalade sentinel paragraph.\n")).expect("edit");
    next_event(&events, &["reload"], &server);
    docs_page_shows(
        "the edited docs page",
        &server,
        "Marmalade sentinel paragraph.",
    );

    // An editor's atomic save: a temp file renamed over the page.
    let temp = portal.path("repos/payments/docs/pci.md.tmp");
    std::fs::write(&temp, format!("{text}\n\nSaved by rename.\n")).expect("temp file");
    std::fs::rename(&temp, &page).expect("rename");
    next_event(&events, &["reload"], &server);
    docs_page_shows("the page saved by rename", &server, "Saved by rename.");

    // A burst of saves (temp file, rename, then format-on-save rewriting it six times, 20 ms
    // apart: longer than a rebuild of this portal) is merged into one rebuild, two if a
    // loaded machine splits the burst; without the quiet window it makes three or more.
    let rebuilds = |server: &Server| {
        let stderr = server.stderr();
        stderr.matches("rebuilt in").count() + stderr.matches("not published").count()
    };
    let before_burst = rebuilds(&server);
    std::fs::write(&temp, format!("{text}\n\nBurst 0.\n")).expect("temp file");
    std::fs::rename(&temp, &page).expect("rename");
    for save in 1..=6 {
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&page, format!("{text}\n\nBurst {save}.\n")).expect("save");
    }
    next_event(&events, &["reload"], &server);
    docs_page_shows("the last save of the burst", &server, "Burst 6.");
    std::thread::sleep(Duration::from_millis(500));
    let burst_rebuilds = rebuilds(&server) - before_burst;
    assert!(
        (1..=2).contains(&burst_rebuilds),
        "{burst_rebuilds} rebuilds for one burst:\n{}",
        server.stderr()
    );

    // A descriptor.
    let descriptor = portal.path(DESCRIPTOR);
    let original = std::fs::read_to_string(&descriptor).expect("descriptor");
    let edited = original.replacen("Authorises, captures", "Zorblax authorises, captures", 1);
    assert_ne!(edited, original);
    std::fs::write(&descriptor, &edited).expect("edit");
    next_event(&events, &["reload"], &server);
    eventually("the edited description", &server, || {
        server
            .get(&format!("/{ENTITY_PAGE}"))
            .text()
            .contains("Zorblax authorises")
    });

    // Broken: the errors reach the overlay, the last good page is still served.
    std::fs::write(&descriptor, format!("{edited}  broken: [unclosed\n")).expect("break");
    let errors = next_event(&events, &["errors"], &server);
    assert!(errors.contains(DESCRIPTOR), "{errors}");
    assert!(errors.contains("YAML"), "{errors}");
    let status = server.status_json();
    assert!(!status["errors"].as_array().expect("errors").is_empty());
    let still = server.get(&format!("/{ENTITY_PAGE}"));
    assert_eq!(still.status, 200);
    assert!(
        still.text().contains("Zorblax authorises"),
        "last good page served"
    );
    assert!(server.stderr().contains("not published"));

    // Fixed: the overlay clears and the fix is served.
    let fixed = original.replacen("Authorises, captures", "Quux authorises, captures", 1);
    std::fs::write(&descriptor, &fixed).expect("fix");
    next_event(&events, &["clear"], &server);
    eventually("the fixed description", &server, || {
        server
            .get(&format!("/{ENTITY_PAGE}"))
            .text()
            .contains("Quux authorises")
    });
    assert!(server.status_json()["errors"]
        .as_array()
        .expect("errors")
        .is_empty());

    // Editor by-products start no rebuild (background updates of the last edit may still
    // arrive, so count rebuilds rather than versions).
    // On a loaded machine one save can arrive as two bursts; let them finish first.
    let mut before = rebuilds(&server);
    let settle_by = Instant::now() + WAIT;
    loop {
        std::thread::sleep(Duration::from_millis(1000));
        let now = rebuilds(&server);
        if now == before || Instant::now() > settle_by {
            break;
        }
        before = now;
    }
    portal.write("repos/payments/docs/.pci.md.swp", "x");
    portal.write("repos/payments/docs/pci.md~", "x");
    portal.write("repos/payments/docs/4913", "");
    portal.write("repos/payments/docs/.#pci.md", "x");
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        rebuilds(&server),
        before,
        "by-products rebuilt:\n{}",
        server.stderr()
    );
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("binding a port");
    let port = taken.local_addr().expect("address").port().to_string();
    let portal = portal();
    let run = common::run_in(
        portal.tmp(),
        &["serve", "portal", "--port", &port],
        Duration::from_secs(60),
    );
    run.assert_code(1);
    assert!(
        run.stderr
            .contains(&format!("port {port} is already in use"))
            && run.stderr.contains("--port 0"),
        "{}",
        run.describe()
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.describe());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_leaves_the_output_folder_alone() {
    let portal = portal();
    // A previous `build` into the default output folder, which serve must not touch.
    let run = common::run_in(&portal.root, &["build", "."], Duration::from_secs(60));
    run.assert_code(0);
    let site = portal.path("site");
    let before = snapshot(&site);
    assert!(!before.is_empty());

    let mut server = Server::start(&portal.root, &[]);
    let events = server.events();
    next_event(&events, &["status"], &server);
    let page = portal.path(DOCS_SOURCE);
    let text = std::fs::read_to_string(&page).expect("docs page");
    std::fs::write(&page, format!("{text}\n\nSent before Ctrl-C.\n")).expect("edit");
    next_event(&events, &["reload"], &server);

    let interrupted = Command::new("kill")
        .args(["-INT", &server.pid().to_string()])
        .status()
        .expect("kill -INT");
    assert!(interrupted.success());
    let mut child = server.child.take().expect("child");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop within {WAIT:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "stderr:\n{}", server.stderr());
    eventually("the stop message", &server, || {
        server.stderr().contains("stopped")
    });
    assert_eq!(snapshot(&site), before, "the output folder changed");
    let leftovers: Vec<String> = common::entry_names(&portal.root)
        .into_iter()
        .filter(|n| n.starts_with(".site."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

mod exactness {
    //! The incremental engine against full builds: after each edit, the site it patched
    //! together must equal, byte for byte, the site a fresh build of the edited portal gives.

    use super::*;
    use greenroom::serve::incremental::{Engine, Outcome, Start};
    use greenroom::serve::watch::Plan;
    use std::collections::BTreeMap;

    fn start(root: &Path) -> (Engine, BTreeMap<String, Vec<u8>>) {
        match Engine::start(root).expect("first build") {
            Start::Built(engine, patch, _) => {
                let mut site = BTreeMap::new();
                apply(&mut site, patch);
                (*engine, site)
            }
            Start::Blocked(problems) => panic!("blocked: {problems:?}"),
        }
    }

    fn apply(site: &mut BTreeMap<String, Vec<u8>>, patch: greenroom::serve::http::Patch) {
        for path in patch.removed {
            site.remove(&path);
        }
        site.extend(patch.changed);
    }

    fn assert_same(
        incremental: &BTreeMap<String, Vec<u8>>,
        full: &BTreeMap<String, Vec<u8>>,
        step: &str,
    ) {
        let only_incremental: Vec<&String> = incremental
            .keys()
            .filter(|k| !full.contains_key(*k))
            .collect();
        let only_full: Vec<&String> = full
            .keys()
            .filter(|k| !incremental.contains_key(*k))
            .collect();
        let differ: Vec<&String> = full
            .iter()
            .filter(|(k, v)| incremental.get(*k).is_some_and(|i| i != *v))
            .map(|(k, _)| k)
            .collect();
        assert!(
            only_incremental.is_empty() && only_full.is_empty() && differ.is_empty(),
            "{step}: stale {only_incremental:?}, missing {only_full:?}, different {differ:?}"
        );
    }

    #[test]
    fn incremental_rebuilds_equal_full_builds() {
        edit_and_compare(None);
    }

    /// As a big portal works: only the edited entity's neighbourhood before the reload, the
    /// rest (other catalog pages, every page when the problem counts change, the search
    /// index) in the background.
    #[test]
    fn deferred_rebuilds_equal_full_builds_once_settled() {
        edit_and_compare(Some(0.0));
    }

    fn edit_and_compare(background_threshold: Option<f64>) {
        let portal = Portal::copy_of(&example_org_dir());
        let (mut engine, mut site) = start(&portal.root);
        if let Some(seconds) = background_threshold {
            engine.set_background_threshold(seconds);
        }
        let page = portal.path(DOCS_SOURCE);
        let descriptor = portal.path(DESCRIPTOR);
        let page_text = std::fs::read_to_string(&page).expect("page");
        let descriptor_text = std::fs::read_to_string(&descriptor).expect("descriptor");
        let groups = portal.path("org/groups.yaml");
        let groups_text = std::fs::read_to_string(&groups).expect("groups");
        let steps: Vec<(&str, PathBuf, Option<String>)> = vec![
            (
                "docs text",
                page.clone(),
                Some(format!(
                    "{page_text}\n\n## A new heading\n\nWith [a link](index.md).\n"
                )),
            ),
            (
                "docs title and a broken link (a new warning)",
                page.clone(),
                Some(format!(
                    "# Renamed page\n\n[broken](nowhere.md)\n\n{page_text}"
                )),
            ),
            (
                "new docs page",
                portal.path("repos/payments/docs/added.md"),
                Some("# Added page\n\nHello.\n".to_string()),
            ),
            (
                "docs page deleted",
                portal.path("repos/payments/docs/added.md"),
                None,
            ),
            (
                "description",
                descriptor.clone(),
                Some(descriptor_text.replacen("Authorises, captures", "Now captures", 1)),
            ),
            (
                "title of a group that owns things",
                groups.clone(),
                Some(groups_text.replacen("title: Payments Team", "title: Money Movers", 1)),
            ),
            (
                "theme asset added",
                portal.path("theme/assets/extra.css"),
                Some("body { --extra: 1; }\n".to_string()),
            ),
            (
                "template override",
                portal.path("theme/404.html"),
                Some("{% extends \"base.html\" %}{% block content %}<p>Lost here.</p>{% endblock content %}\n".to_string()),
            ),
            ("theme asset removed", portal.path("theme/assets/extra.css"), None),
            (
                "site title",
                portal.path("greenroom.yaml"),
                Some(
                    std::fs::read_to_string(portal.path("greenroom.yaml"))
                        .expect("config")
                        .replacen("title: Acme Developer Portal", "title: Acme Preview", 1),
                ),
            ),
            (
                "descriptor restored",
                descriptor.clone(),
                Some(descriptor_text.clone()),
            ),
            ("groups restored", groups.clone(), Some(groups_text.clone())),
            ("page restored", page.clone(), Some(page_text.clone())),
        ];
        for (step, path, contents) in steps {
            match contents {
                Some(text) => {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent).expect("folders");
                    }
                    std::fs::write(&path, text).expect("write")
                }
                None => std::fs::remove_file(&path).expect("remove"),
            }
            let mut plan = Plan::default();
            plan.add(&path, &engine.layout());
            assert!(!plan.is_empty(), "{step}: no rebuild planned");
            let (_, full) = start(&portal.root);
            // The page being edited is right at the reload, before any background work.
            let edited_page = if path == page {
                Some(DOCS_PAGE)
            } else if path == descriptor {
                Some(ENTITY_PAGE)
            } else {
                None
            };
            match engine.rebuild(&plan).expect("rebuild") {
                Outcome::Published {
                    patch, background, ..
                } => {
                    apply(&mut site, patch);
                    if let Some(edited) = edited_page {
                        assert!(
                            site.get(edited) == full.get(edited),
                            "{step}: {edited} is stale at the reload"
                        );
                    }
                    // Work a big (or slow, debug-built) portal leaves for the background:
                    // done here at once, so the result is what a tab sees once it settled.
                    if let Some(job) = background {
                        let (patch, _) = engine
                            .apply_background(job.run())
                            .expect("the newest background job applies");
                        apply(&mut site, patch);
                    }
                }
                Outcome::Blocked { title, problems } => panic!("{step}: {title} {problems:?}"),
            }
            assert_same(&site, &full, step);
        }
    }
}

/// Waits until `expression` is truthy in the tab, through reloads; fails with serve's stderr.
fn tab_shows(
    browser: &mut chrome::Browser,
    server: &Server,
    expression: &str,
) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let answer = browser.try_call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
        );
        if let Ok(result) = answer {
            let value = result["result"]["value"].clone();
            let truthy = result.get("exceptionDetails").is_none()
                && !(value.is_null()
                    || value == serde_json::json!(false)
                    || value == serde_json::json!(""));
            if truthy {
                return value;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the tab did not show `{expression}` within {WAIT:?}; location {:?}; serve's stderr:\n{}",
            browser.try_call("Runtime.evaluate", serde_json::json!({"expression": "location.href + ' ' + document.readyState", "returnByValue": true})),
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// In a real tab: the overlay appears (text only) while the last good page stays, and the fix
/// reloads the tab and clears it.
#[test]
fn the_overlay_shows_in_a_browser_tab_and_clears_after_the_fix() {
    let portal = portal();
    let server = Server::start(&portal.root, &[]);
    let mut browser = chrome::Browser::launch();
    browser.goto(&format!("http://{}/{ENTITY_PAGE}", server.address));
    browser.wait_for("document.querySelector('script[src=\"/__greenroom/live.js\"]') !== null");
    eventually("the tab's event stream", &server, || {
        server.status_json()["streams"].as_u64().unwrap_or(0) >= 1
    });
    browser.eval("window.__sameDocument = true");

    let descriptor = portal.path(DESCRIPTOR);
    let original = std::fs::read_to_string(&descriptor).expect("descriptor");
    std::fs::write(&descriptor, format!("{original}  broken: [unclosed\n")).expect("break");
    let overlay = tab_shows(
        &mut browser,
        &server,
        "(document.getElementById('greenroom-overlay') || {}).textContent || ''",
    );
    let overlay = overlay.as_str().unwrap_or_default().to_string();
    assert!(
        overlay.contains(DESCRIPTOR) && overlay.contains("YAML"),
        "{overlay}"
    );
    assert!(browser.eval("window.__sameDocument === true") == serde_json::json!(true));
    assert!(browser
        .eval("document.body.textContent.includes('Authorises, captures')")
        .as_bool()
        .unwrap_or(false));

    let fixed = original.replacen("Authorises, captures", "Quux authorises, captures", 1);
    std::fs::write(&descriptor, fixed).expect("fix");
    tab_shows(
        &mut browser,
        &server,
        "!document.getElementById('greenroom-overlay') && document.body.textContent.includes('Quux authorises') && !window.__sameDocument",
    );

    // A page that lists the entity (on a big or debug-built portal it is brought up to date
    // after the reload, by the background settle and its `changed` event) ends up fresh too.
    browser.call(
        "Page.navigate",
        serde_json::json!({"url": format!("http://{}/catalog/index.html", server.address)}),
    );
    tab_shows(
        &mut browser,
        &server,
        "location.pathname === '/catalog/index.html' && document.readyState === 'complete'",
    );
    let renamed = original.replacen("Authorises, captures", "Zyzzyva authorises, captures", 1);
    std::fs::write(&descriptor, renamed).expect("edit");
    tab_shows(
        &mut browser,
        &server,
        "document.body.textContent.includes('Zyzzyva authorises')",
    );
}

#[test]
fn a_broken_config_at_start_is_explained_until_fixed() {
    let portal = portal();
    let config = portal.path("greenroom.yaml");
    let original = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{original}\ntitel: Typo\n")).expect("break");
    let server = Server::start(&portal.root, &[]);
    let page = server.get("/");
    assert_eq!(page.status, 503);
    assert!(
        page.text().contains("/__greenroom/live.js"),
        "the overlay can show"
    );
    let status = server.status_json();
    assert_eq!(status["ready"], serde_json::json!(false));
    let errors = status["errors"].to_string();
    assert!(
        errors.contains("titel") && errors.contains("greenroom.yaml"),
        "{errors}"
    );

    let events = server.events();
    next_event(&events, &["status"], &server);
    std::fs::write(&config, original).expect("fix");
    next_event(&events, &["reload"], &server);
    eventually("the site after the fix", &server, || {
        server.get("/").status == 200
    });
}

/// Connections that arrive together while others sit idle are all answered at once: tiny_http's
/// connection pool could leave one of several simultaneous connections unread until another
/// one arrived (a reloaded tab then waited for its stylesheet until the next request came).
#[test]
fn simultaneous_connections_beside_idle_ones_are_all_answered() {
    let portal = portal();
    let server = Server::start(&portal.root, &[]);
    let request = format!(
        "GET /index.html HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.address
    );
    let answered = |stream: &mut TcpStream| {
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("sending");
        let mut first = [0u8; 12];
        stream.read_exact(&mut first)
    };
    for round in 0..40 {
        // Keep-alive connections a browser leaves open between pages…
        let mut idle = Vec::new();
        for _ in 0..round % 8 {
            let mut stream = TcpStream::connect(&server.address).expect("connecting");
            answered(&mut stream).expect("an idle connection's first answer");
            idle.push(stream);
        }
        // …and new ones opened together, as a page opens them for its stylesheets and scripts.
        let mut burst: Vec<TcpStream> = (0..3)
            .map(|_| TcpStream::connect(&server.address).expect("connecting"))
            .collect();
        for (i, stream) in burst.iter_mut().enumerate() {
            if let Err(error) = answered(stream) {
                panic!("round {round}: connection {i} of a burst beside {} idle ones was not answered: {error}", idle.len());
            }
        }
        drop(idle);
        drop(burst);
        std::thread::sleep(Duration::from_millis(30));
    }
}
