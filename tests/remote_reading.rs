//! `$text`/`$json`/`$yaml` with URLs, end to end against a real HTTP server on loopback (never
//! the internet): read only within `reading.allow`, cached and revalidated with `ETag`, the
//! cached copy used when the server fails, size-capped; URLs of source repositories read from
//! their checkouts; `check --repo` reads nothing unless asked.

mod common;

use common::git::{git, make_repo, write, GitPortal};
use common::{messages_but_owners as messages, Site};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Paths the test server answers, with their bodies.
type Files = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A loopback HTTP server answering from a table of paths; it counts requests and
/// conditional hits, and can be told to fail.
struct Server {
    port: u16,
    files: Files,
    requests: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
    failing: Arc<std::sync::atomic::AtomicBool>,
    _thread: std::thread::JoinHandle<()>,
}

impl Server {
    fn start() -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind loopback");
        let port = server.server_addr().to_ip().expect("ip address").port();
        let files: Files = Arc::default();
        let requests = Arc::new(AtomicUsize::new(0));
        let not_modified = Arc::new(AtomicUsize::new(0));
        let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (f, r, n, fail) = (
            Arc::clone(&files),
            Arc::clone(&requests),
            Arc::clone(&not_modified),
            Arc::clone(&failing),
        );
        let thread = std::thread::spawn(move || {
            for request in server.incoming_requests() {
                r.fetch_add(1, Ordering::SeqCst);
                if fail.load(Ordering::SeqCst) {
                    let _ = request.respond(tiny_http::Response::empty(503));
                    continue;
                }
                let found = f
                    .lock()
                    .expect("files")
                    .iter()
                    .find(|(path, _)| *path == request.url())
                    .map(|(_, body)| body.clone());
                let Some(body) = found else {
                    let _ = request.respond(tiny_http::Response::empty(404));
                    continue;
                };
                if let Some(target) = body.strip_prefix(b"REDIRECT ") {
                    let location =
                        tiny_http::Header::from_bytes("Location", target).expect("header");
                    let _ = request.respond(tiny_http::Response::empty(302).with_header(location));
                    continue;
                }
                let etag = format!("\"{}\"", body.len());
                let matches = request
                    .headers()
                    .iter()
                    .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
                let header =
                    tiny_http::Header::from_bytes("ETag", etag.as_bytes()).expect("header");
                if matches {
                    n.fetch_add(1, Ordering::SeqCst);
                    let _ = request.respond(tiny_http::Response::empty(304).with_header(header));
                } else {
                    let _ =
                        request.respond(tiny_http::Response::from_data(body).with_header(header));
                }
            }
        });
        Server {
            port,
            files,
            requests,
            not_modified,
            failing,
            _thread: thread,
        }
    }

    fn serve(&self, path: &str, body: impl Into<Vec<u8>>) {
        let mut files = self.files.lock().expect("files");
        files.retain(|(p, _)| p != path);
        files.push((path.to_string(), body.into()));
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn api(name: &str, placeholder: &str, url: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    {placeholder}: {url}\n"
    )
}

fn entity(site: &Site, name: &str) -> Value {
    site.json("catalog/entities.json")["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|e| e["metadata"]["name"] == name)
                .cloned()
        })
        .unwrap_or_else(|| panic!("no entity {name}"))
}

#[test]
fn urls_are_read_within_the_allow_list_cached_and_revalidated() {
    let server = Server::start();
    server.serve(
        "/petstore.yaml",
        "openapi: 3.0.0\ninfo: {title: Petstore, version: '1'}\n",
    );
    server.serve("/big.yaml", vec![b'a'; 11 * 1024 * 1024]);
    server.serve(
        "/moved.yaml",
        format!("REDIRECT {}", server.url("/petstore.yaml")),
    );
    server.serve(
        "/escaping.yaml",
        "REDIRECT http://169.254.169.254/latest/meta-data/",
    );
    let p = GitPortal::new();
    let descriptors = [
        api("petstore", "$text", &server.url("/petstore.yaml")),
        api("missing", "$text", &server.url("/missing.yaml")),
        api("big", "$text", &server.url("/big.yaml")),
        api("outside", "$text", "https://example.invalid/api.yaml"),
        api("moved", "$text", &server.url("/moved.yaml")),
        api("escaping", "$text", &server.url("/escaping.yaml")),
    ];
    write(
        &p.portal.path("repos/apis/catalog-info.yaml"),
        &descriptors.join("---\n"),
    );
    p.config(&format!(
        "sources:\n  - path: repos\nreading:\n  allow: ['{}']\n",
        server.url("/")
    ));

    p.build(&[]).assert_code(0);
    let site = p.site();
    assert_eq!(
        entity(&site, "petstore")["spec"]["definition"],
        "openapi: 3.0.0\ninfo: {title: Petstore, version: '1'}\n"
    );
    let first = messages(&site);
    let find = |all: &[String], needle: &str| {
        all.iter()
            .find(|m| m.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {all:#?}"))
            .clone()
    };
    assert!(find(&first, "/missing.yaml").contains("HTTP 404"));
    assert!(find(&first, "/big.yaml").contains("larger than 10 MB"));
    assert!(find(&first, "example.invalid").contains("reading: {allow: [example.invalid]}"));
    assert_eq!(
        entity(&site, "outside")["spec"]["definition"],
        "https://example.invalid/api.yaml",
        "a URL that is not read stands in for its content"
    );
    assert!(find(&first, "/escaping.yaml").contains("which reading.allow does not permit"));
    assert_eq!(
        entity(&site, "moved")["spec"]["definition"],
        entity(&site, "petstore")["spec"]["definition"],
        "a redirect within what is allowed is followed"
    );
    assert_eq!(first.len(), 4, "{first:#?}");

    // The next build revalidates: the server answers 304 and nothing changes.
    let before = server.not_modified.load(Ordering::SeqCst);
    p.build(&[]).assert_code(0);
    // Both the file and the one redirected to it.
    assert_eq!(server.not_modified.load(Ordering::SeqCst), before + 2);
    assert_eq!(messages(&p.site()), first);

    // A changed file is read again.
    server.serve("/petstore.yaml", "openapi: 3.1.0\n");
    p.build(&[]).assert_code(0);
    assert_eq!(
        entity(&p.site(), "petstore")["spec"]["definition"],
        "openapi: 3.1.0\n"
    );

    // The server fails: the cached copy is used, with a warning.
    server.failing.store(true, Ordering::SeqCst);
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert_eq!(
        entity(&site, "petstore")["spec"]["definition"],
        "openapi: 3.1.0\n"
    );
    assert!(find(&messages(&site), "/petstore.yaml").contains("using the copy fetched earlier"));

    // A damaged cache is no copy at all.
    let cache = p.portal.path(".greenroom-cache/http");
    for name in common::entry_names(&cache) {
        if name.ends_with(".body") {
            std::fs::write(cache.join(name), "damaged").expect("write");
        }
    }
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(find(&messages(&site), "/petstore.yaml").contains("HTTP 503"));
    assert!(server.requests.load(Ordering::SeqCst) >= 5);
}

#[test]
fn json_and_yaml_urls_become_structured_data() {
    let server = Server::start();
    server.serve(
        "/links.json",
        r#"[{"url": "https://example.com/runbook", "title": "Runbook"}]"#,
    );
    server.serve("/owner.yaml", "team-b\n");
    let p = GitPortal::new();
    write(
        &p.portal.path("repos/svc/catalog-info.yaml"),
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  links:\n    $json: {}\nspec:\n  type: service\n  lifecycle: production\n  owner:\n    $yaml: {}\n",
            server.url("/links.json"),
            server.url("/owner.yaml")
        ),
    );
    p.config(&format!(
        "sources:\n  - path: repos\nreading:\n  allow: ['{}']\n",
        server.url("/")
    ));
    p.build(&[]).assert_code(0);
    let svc = entity(&p.site(), "svc");
    assert_eq!(svc["metadata"]["links"][0]["title"], "Runbook");
    assert_eq!(svc["spec"]["owner"], "team-b");
}

#[test]
fn urls_of_source_repositories_are_read_from_their_checkouts() {
    let p = GitPortal::new();
    let apis = make_repo(
        &p.portal.path("repos/apis"),
        &[
            (
                "openapi/orders.yaml",
                "openapi: 3.0.0\n# from the checkout\n",
            ),
            (
                "more/catalog-info.yaml",
                &api("listed", "$text", "./../openapi/orders.yaml"),
            ),
        ],
    );
    git(
        &apis,
        &[
            "remote",
            "add",
            "origin",
            "https://github.com/acme/apis.git",
        ],
    );
    write(
        &p.portal.path("repos/portal/catalog-info.yaml"),
        &[
            api(
                "orders",
                "$text",
                "https://github.com/acme/apis/blob/main/openapi/orders.yaml",
            ),
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: elsewhere\nspec:\n  type: url\n  targets:\n    - https://github.com/acme/apis/blob/main/more/catalog-info.yaml\n".to_string(),
        ]
        .join("---\n"),
    );
    p.config("sources:\n  - path: repos\n");
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(messages(&site).is_empty(), "{:#?}", messages(&site));
    assert_eq!(
        entity(&site, "orders")["spec"]["definition"],
        "openapi: 3.0.0\n# from the checkout\n"
    );
    assert_eq!(
        entity(&site, "listed")["metadata"]["annotations"]["backstage.io/managed-by-location"],
        "url:https://github.com/acme/apis/blob/main/more/catalog-info.yaml"
    );
}

#[test]
fn a_repository_check_reads_urls_only_when_asked() {
    let server = Server::start();
    server.serve("/orders.yaml", "openapi: 3.0.0\n");
    let p = GitPortal::new();
    let repo = p.portal.path("repo");
    write(
        &repo.join("catalog-info.yaml"),
        &api("orders", "$text", &server.url("/orders.yaml")),
    );
    let run = common::run(&[
        "check".as_ref(),
        repo.as_os_str(),
        "--repo".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.assert_code(0);
    assert!(run.stdout.contains("is not read"), "{}", run.describe());
    assert_eq!(server.requests.load(Ordering::SeqCst), 0, "nothing fetched");
    let prefix = server.url("/");
    let run = common::run(&[
        "check".as_ref(),
        repo.as_os_str(),
        "--repo".as_ref(),
        "--allow-reading".as_ref(),
        prefix.as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    run.assert_code(0);
    let problems: Vec<Value> = serde_json::from_str(&run.stdout).expect("json");
    assert!(
        problems.iter().all(|d| d["message"]
            .as_str()
            .unwrap_or("")
            .contains("spec.owner refers to")),
        "{}",
        run.describe()
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
    let bad = common::run(&[
        "check".as_ref(),
        repo.as_os_str(),
        "--repo".as_ref(),
        "--allow-reading".as_ref(),
        "ftp://x/".as_ref(),
    ]);
    bad.assert_code(2);
}
