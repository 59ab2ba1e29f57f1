//! `greenroom serve`: build the portal into memory, serve it over HTTP, and with `--watch`
//! rebuild what changed and reload open tabs. See ARCHITECTURE.md, "serve".
//!
//! Three threads matter: the rebuild loop (this module: debounces changes and runs the
//! [`incremental::Engine`]), the HTTP workers ([`http`]: read the last published site), and a
//! background thread for search indexes too slow to build inline. The site lives only in
//! memory: `serve` never writes the output folder, so stopping it at any moment leaves that
//! folder as the last `greenroom build` left it.

pub mod http;
pub mod incremental;
pub mod parts;
pub mod problems;
pub mod watch;
pub mod wire;

use crate::diag::Diagnostic;
use http::Live;
use incremental::{Engine, Outcome, Start};
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use watch::Plan;

/// The default port (mdBook's; Zola uses 1111, Hugo 1313).
pub const DEFAULT_PORT: u16 = 3000;

/// How long the inputs must stay quiet before a rebuild starts: editors write a temp file,
/// rename it and format on save within a few milliseconds of each other.
pub const QUIET: Duration = Duration::from_millis(60);

/// A burst that never goes quiet is rebuilt after this long anyway.
const MAX_WAIT: Duration = Duration::from_millis(1000);

/// What `greenroom serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Portal root.
    pub root: PathBuf,
    /// Address to listen on (default 127.0.0.1: only this machine).
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Rebuild on changes.
    pub watch: bool,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// What the rebuild loop hears about.
#[derive(Debug)]
pub enum Message {
    /// Files changed.
    Changed(Vec<PathBuf>),
    /// Background work (search index, settling catalog pages) is done.
    Background(incremental::BackgroundResult),
    /// Ctrl-C.
    Stop,
}

/// Binds the address, or says clearly why not.
pub fn bind(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| anyhow::anyhow!("cannot use --host {host}: {e}"))?
        .collect();
    let mut last = None;
    for address in addresses {
        match TcpListener::bind(address) {
            Ok(listener) => return Ok(listener),
            Err(error) => last = Some((address, error)),
        }
    }
    match last {
        Some((address, error)) if error.kind() == std::io::ErrorKind::AddrInUse => {
            anyhow::bail!(
                "port {} is already in use on {}: stop the other server, pick another port with --port N, or use --port 0 for a free one",
                address.port(),
                address.ip()
            )
        }
        Some((address, error)) => anyhow::bail!("cannot listen on {address}: {error}"),
        None => anyhow::bail!("--host {host} resolves to no address"),
    }
}

/// Runs the preview server until Ctrl-C.
pub fn run(options: &ServeOptions) -> anyhow::Result<()> {
    let root = options.root.canonicalize().map_err(|e| {
        anyhow::anyhow!(
            "cannot read the portal root {}: {e}",
            options.root.display()
        )
    })?;
    let listener = bind(&options.host, options.port)?;
    let address = listener.local_addr()?;
    let url = format!("http://{address}/");
    let live = Arc::new(Live::new());
    http::start(listener, Arc::clone(&live))
        .map_err(|e| anyhow::anyhow!("cannot start the HTTP server: {e}"))?;

    let (sender, receiver) = mpsc::channel::<Message>();
    let stop = sender.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
        // The site is only in memory: if a long rebuild keeps the loop from answering, leaving
        // now loses nothing.
        std::thread::sleep(Duration::from_secs(2));
        eprintln!("stopped (a rebuild in progress was abandoned; nothing is written by serve)");
        std::process::exit(0);
    })
    .map_err(|e| anyhow::anyhow!("cannot handle Ctrl-C: {e}"))?;

    eprintln!("building {}…", root.display());
    let started = Instant::now();
    let mut engine: Option<Engine> = None;
    match Engine::start(&root) {
        Ok(Start::Built(built, patch, diagnostics)) => {
            print_diagnostics(&diagnostics);
            let counts = crate::diag::Counts::of(&diagnostics);
            eprintln!(
                "built {} files in {:.2} s ({} errors, {} warnings)",
                patch.changed.len(),
                started.elapsed().as_secs_f64(),
                counts.errors,
                counts.warnings
            );
            live.publish(patch);
            engine = Some(*built);
        }
        Ok(Start::Blocked(problems)) => {
            print_diagnostics(&problems);
            eprintln!("greenroom.yaml has errors: nothing to serve until they are fixed");
            live.fail("greenroom.yaml has errors", problems::problems(&problems));
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            live.fail(
                "The portal could not be built",
                problems::error_problem(&error),
            );
        }
    }
    // Watch before announcing the URL, so an edit made right after it is seen.
    let mut watcher = None;
    if options.watch {
        let layout = match &engine {
            Some(engine) => engine.layout(),
            None => watch::fallback_layout(&root),
        };
        match watch::Watcher::start(&layout, sender.clone()) {
            Ok(w) => watcher = Some(w),
            Err(error) => eprintln!("warning: not watching for changes: {error:#}"),
        }
    }
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines on the network can read this portal",
            address.ip()
        );
    }
    println!("serving {url} (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }

    let background_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "background".to_string())
        .build()
        .ok();

    let mut pending = Plan::default();
    'serve: while let Ok(message) = receiver.recv() {
        let paths = match message {
            Message::Stop => break,
            Message::Background(result) => {
                apply_background(engine.as_mut(), &live, result);
                continue;
            }
            Message::Changed(paths) => paths,
        };
        let mut plan = std::mem::take(&mut pending);
        let layout = match &engine {
            Some(engine) => engine.layout(),
            None => watch::fallback_layout(&root),
        };
        for path in &paths {
            plan.add(path, &layout);
        }
        // Debounce: wait until the inputs are quiet.
        let burst = Instant::now();
        loop {
            match receiver.recv_timeout(QUIET) {
                Ok(Message::Changed(paths)) => {
                    for path in &paths {
                        plan.add(path, &layout);
                    }
                }
                Ok(Message::Background(result)) => apply_background(engine.as_mut(), &live, result),
                Ok(Message::Stop) => break 'serve,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => break 'serve,
            }
            if burst.elapsed() > MAX_WAIT {
                break;
            }
        }
        if plan.is_empty() {
            continue;
        }
        let config_changed = plan.full;
        let started = Instant::now();
        let what = describe(&plan);
        let result = match engine.as_mut() {
            Some(engine) => engine.rebuild(&plan).map(Some),
            None => match Engine::start(&root) {
                Ok(Start::Built(built, patch, diagnostics)) => {
                    engine = Some(*built);
                    Ok(Some(Outcome::Published {
                        patch,
                        rendered: 0,
                        new_diagnostics: diagnostics,
                        fixed: 0,
                        background: None,
                    }))
                }
                Ok(Start::Blocked(problems)) => Ok(Some(Outcome::Blocked {
                    title: "greenroom.yaml has errors".to_string(),
                    problems,
                })),
                Err(error) => Err(error),
            },
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(Some(Outcome::Published {
                patch,
                rendered,
                new_diagnostics,
                fixed,
                background,
            })) => {
                print_diagnostics(&new_diagnostics);
                let files = patch.changed.len() + patch.removed.len();
                let mut line = format!(
                    "rebuilt in {ms:.0} ms ({what}): {rendered} pages rendered, {files} files changed"
                );
                if fixed > 0 {
                    line.push_str(&format!(", {fixed} problems fixed"));
                }
                eprintln!("{line}");
                live.publish(patch);
                if let (Some(job), Some(pool)) = (background, &background_pool) {
                    spawn_background(pool, job, sender.clone());
                }
                if config_changed {
                    if let (Some(w), Some(engine)) = (watcher.as_mut(), &engine) {
                        if let Err(error) = w.watch_all(&engine.layout()) {
                            eprintln!("warning: cannot watch the new folders: {error}");
                        }
                    }
                }
            }
            Ok(Some(Outcome::Blocked { title, problems })) => {
                print_diagnostics(&problems);
                eprintln!("not published ({what}): {title}");
                live.fail(&title, problems::problems(&problems));
                pending = plan;
            }
            Ok(None) => {}
            Err(error) => {
                eprintln!(
                    "rebuild failed ({what}): {error:#}; the last good build is still served"
                );
                live.fail("The rebuild failed", problems::error_problem(&error));
                pending = plan;
            }
        }
    }
    eprintln!("stopped");
    Ok(())
}

fn apply_background(
    engine: Option<&mut Engine>,
    live: &Live,
    result: incremental::BackgroundResult,
) {
    let Some(engine) = engine else { return };
    if let Some((patch, done)) = engine.apply_background(result) {
        let files = patch.changed.len() + patch.removed.len();
        live.update_quietly(patch);
        eprintln!("updated in the background: {done} ({files} files changed)");
    }
}

/// Runs background work on the one-thread pool, so page rebuilds keep the other core.
fn spawn_background(
    pool: &rayon::ThreadPool,
    job: Box<incremental::Background>,
    sender: mpsc::Sender<Message>,
) {
    pool.spawn(move || {
        let _ = sender.send(Message::Background(job.run()));
    });
}

fn describe(plan: &Plan) -> String {
    let mut paths = plan.paths.iter();
    let first = paths.next().cloned().unwrap_or_default();
    match plan.paths.len() {
        0 | 1 => first,
        n => format!("{first} and {} more", n - 1),
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    const LIMIT: usize = 50;
    for d in diagnostics.iter().take(LIMIT) {
        eprintln!("{d}");
    }
    if diagnostics.len() > LIMIT {
        eprintln!("… and {} more", diagnostics.len() - LIMIT);
    }
}

/// Opens `url` in the default browser; a failure is only reported.
pub fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(error) = command.spawn() {
        eprintln!("could not open a browser ({error}); open {url} yourself");
    }
}
