//! Measures edit-to-reload for the benchmark harness: starts `greenroom serve --port 0` on a
//! portal, listens to its event stream like a browser tab, then repeatedly appends a line to
//! one docs page (and changes one descriptor's description) and times each edit from the
//! write to the `reload` event. The edited files are restored at the end.
//!
//! `cargo run --release --example reload-probe -- GREENROOM_BIN PORTAL [EDITS]`
//! Output: TSV lines `docs|descriptor  median_ms  min_ms  max_ms  edits  startup_s`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bin, portal, rest @ ..] = args.as_slice() else {
        eprintln!("usage: reload-probe GREENROOM_BIN PORTAL [EDITS]");
        std::process::exit(2);
    };
    let edits: usize = rest.first().and_then(|n| n.parse().ok()).unwrap_or(7);
    let portal = Path::new(portal);
    let page = first_docs_page(portal).expect("no docs page (repos/*/docs/*.md) in the portal");
    let descriptor = page
        .ancestors()
        .filter_map(|dir| {
            let file = dir.join("catalog-info.yaml");
            file.is_file().then_some(file)
        })
        .next()
        .expect("no catalog-info.yaml above the docs page");
    let page_text = std::fs::read_to_string(&page).expect("reading the page");
    let descriptor_text = std::fs::read_to_string(&descriptor).expect("reading the descriptor");

    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["serve", "--port", "0"])
        .arg(portal)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting greenroom serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let (line_tx, line_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = line_tx.send(line);
        }
    });
    let url = loop {
        let line = line_rx
            .recv_timeout(Duration::from_secs(600))
            .expect("serve printed no URL");
        if let Some(at) = line.find("http://") {
            let url = line[at..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string();
            break url;
        }
    };
    let startup = started.elapsed().as_secs_f64();
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let events = subscribe(&address);

    let mut docs_times = Vec::new();
    for i in 0..edits {
        let edit = format!(
            "{page_text}\n\nProbe edit {i} at {:?}.\n",
            started.elapsed()
        );
        docs_times.push(timed_edit(&page, &edit, &events));
    }
    std::fs::write(&page, &page_text).expect("restoring the page");
    wait_reload(&events, Duration::from_secs(60));

    let mut descriptor_times = Vec::new();
    for i in 0..edits.min(5) {
        let edit =
            descriptor_text.replacen("description: ", &format!("description: Probe {i} — "), 1);
        descriptor_times.push(timed_edit(&descriptor, &edit, &events));
    }
    std::fs::write(&descriptor, &descriptor_text).expect("restoring the descriptor");
    wait_reload(&events, Duration::from_secs(120));
    drop(server);
    for (label, times) in [("docs", docs_times), ("descriptor", descriptor_times)] {
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            continue;
        }
        println!(
            "{label}\t{:.1}\t{:.1}\t{:.1}\t{}\t{startup:.1}",
            sorted[sorted.len() / 2],
            sorted[0],
            sorted[sorted.len() - 1],
            sorted.len()
        );
    }
}

/// Writes the file, then waits for the reload event; milliseconds from write to event.
fn timed_edit(path: &Path, text: &str, events: &mpsc::Receiver<String>) -> f64 {
    // Let the previous rebuild and its background search settle, like a writer between saves.
    std::thread::sleep(Duration::from_millis(700));
    while events.try_recv().is_ok() {}
    let start = Instant::now();
    std::fs::write(path, text).expect("editing");
    assert!(
        wait_reload(events, Duration::from_secs(120)),
        "no reload event within 120 s"
    );
    start.elapsed().as_secs_f64() * 1000.0
}

fn wait_reload(events: &mpsc::Receiver<String>, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(event) if event == "reload" => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Opens the event stream and forwards event names.
fn subscribe(address: &str) -> mpsc::Receiver<String> {
    let mut stream = TcpStream::connect(address).expect("connecting to the event stream");
    write!(
        stream,
        "GET /__greenroom/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("requesting the event stream");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            if let Some(name) = line.trim_end().strip_prefix("event: ") {
                if tx.send(name.to_string()).is_err() {
                    break;
                }
            }
            line.clear();
        }
    });
    rx
}

/// The first Markdown page (in sorted order) inside a folder named `docs` under `repos/`.
fn first_docs_page(portal: &Path) -> Option<PathBuf> {
    fn walk(dir: &Path, in_docs: bool) -> Option<PathBuf> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        let (folders, files): (Vec<PathBuf>, Vec<PathBuf>) =
            entries.into_iter().partition(|p| p.is_dir());
        if in_docs {
            if let Some(page) = files
                .into_iter()
                .find(|p| p.extension().is_some_and(|e| e == "md"))
            {
                return Some(page);
            }
        }
        folders.into_iter().find_map(|folder| {
            let docs = in_docs || folder.file_name().is_some_and(|n| n == "docs");
            walk(&folder, docs)
        })
    }
    walk(&portal.join("repos"), false)
}
