//! Headless Chromium driven over the DevTools protocol, and a small static file server, for
//! browser tests. The test command (`scripts/test.sh`) installs Chromium; a missing browser
//! fails the test rather than skipping it.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How long any single wait may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// One headless Chromium with one page (tab) attached.
pub struct Browser {
    _chromium: Chromium,
    _profile: tempfile::TempDir,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
}

fn chromium_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::var("PATH").unwrap_or_default().split(':') {
            let candidate = Path::new(dir).join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "browser tests need Chromium: run scripts/test.sh (it installs it), \
         or `apt-get install -y chromium`, or set CHROMIUM=/path/to/chrome"
    );
}

impl Browser {
    /// Starts Chromium with a fresh profile and opens a blank page. A browser that fails to
    /// come up (a cold start on a loaded machine can lose the first DevTools exchange) is
    /// killed and started again, up to three times.
    pub fn launch() -> Browser {
        let mut failures = Vec::new();
        for _ in 0..3 {
            match Browser::try_launch() {
                Ok(browser) => return browser,
                Err(reason) => failures.push(reason),
            }
        }
        panic!("chromium did not start: {}", failures.join("; "));
    }

    fn try_launch() -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| format!("profile folder: {e}"))?;
        let mut chromium = Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--allow-file-access-from-files",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map(Chromium)
            .map_err(|e| format!("start chromium: {e}"))?;
        // Every early return from here on stops Chromium (the guard's drop).
        let stderr = chromium.0.stderr.take().ok_or("no stderr from chromium")?;
        let (found, wait) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    if !sent {
                        let _ = found.send(url.trim().to_string());
                        sent = true;
                    }
                }
            }
        });
        let url = wait.recv_timeout(PATIENCE).map_err(|error| match error {
            mpsc::RecvTimeoutError::Timeout => format!("no DevTools address within {PATIENCE:?}"),
            mpsc::RecvTimeoutError::Disconnected => "exited before listening".to_string(),
        })?;
        let address = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let stream = TcpStream::connect(&address)
            .and_then(|stream| stream.set_read_timeout(Some(PATIENCE)).map(|()| stream))
            .map_err(|e| format!("connect to {address}: {e}"))?;
        let (socket, _) = tungstenite::client(url.as_str(), stream)
            .map_err(|e| format!("devtools handshake: {e}"))?;
        let mut browser = Browser {
            _chromium: chromium,
            _profile: profile,
            socket,
            session: String::new(),
            next_id: 0,
        };
        let failed = |step: &str, error: Value| format!("{step}: {error}");
        let target = browser
            .try_call("Target.createTarget", json!({"url": "about:blank"}))
            .map_err(|e| failed("Target.createTarget", e))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or("no target id")?
            .to_string();
        let attached = browser
            .try_call(
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            )
            .map_err(|e| failed("Target.attachToTarget", e))?;
        browser.session = attached["sessionId"]
            .as_str()
            .ok_or("no session id")?
            .to_string();
        browser
            .try_call("Page.enable", json!({}))
            .map_err(|e| failed("Page.enable", e))?;
        browser
            .try_call("Runtime.enable", json!({}))
            .map_err(|e| failed("Runtime.enable", e))?;
        Ok(browser)
    }

    /// Sends one DevTools command to the page (or the browser, before a page is attached) and
    /// returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        match self.try_call(method, params) {
            Ok(result) => result,
            Err(error) => panic!("{method} failed: {error}"),
        }
    }

    /// [`Browser::call`], returning the protocol's error instead of failing (a page being
    /// reloaded answers `Runtime.evaluate` with one).
    pub fn try_call(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to chromium");
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < PATIENCE,
                "no answer to {method} within {PATIENCE:?}"
            );
            let reply = self.socket.read().expect("read from chromium");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(text.as_str()).expect("devtools json");
            if value["id"] == json!(id) {
                if let Some(error) = value.get("error") {
                    return Err(error.clone());
                }
                return Ok(value["result"].clone());
            }
        }
    }

    /// Evaluates JavaScript in the page (awaiting promises) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        match self.try_eval(expression) {
            Ok(value) => value,
            Err(error) => panic!("Runtime.evaluate failed: {error}"),
        }
    }

    /// [`Browser::eval`], returning the protocol's error (say, the page navigated away during
    /// the evaluation) instead of failing; a script error still fails.
    fn try_eval(&mut self, expression: &str) -> Result<Value, Value> {
        let result = self.try_call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(details) = result.get("exceptionDetails") {
            panic!("script failed: {expression}\n{details}");
        }
        Ok(result["result"]["value"].clone())
    }

    /// Waits until `expression` is truthy and returns its value. An evaluation cut short by a
    /// navigation (the page the expression waits for is loading) counts as not yet; a script
    /// error fails.
    pub fn wait_for(&mut self, expression: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = match self.try_eval(expression) {
                Ok(value) => value,
                Err(error) if is_navigation(&error) => Value::Null,
                Err(error) => panic!("Runtime.evaluate failed: {error}"),
            };
            if is_truthy(&value) {
                return value;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for: {expression}\nlocation: {:?}",
                self.try_eval("location.href")
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Waits until `expression` is truthy, treating a failed evaluation (the page is being
    /// replaced, say by a live reload) as not yet.
    pub fn wait_through_reloads(&mut self, expression: &str) -> Value {
        let started = Instant::now();
        loop {
            let answer = self.try_call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true}),
            );
            if let Ok(result) = answer {
                let value = result["result"]["value"].clone();
                if result.get("exceptionDetails").is_none() && is_truthy(&value) {
                    return value;
                }
            }
            assert!(
                started.elapsed() < PATIENCE * 2,
                "waited {:?} for: {expression}",
                PATIENCE * 2
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Opens a URL and waits for the page (and its deferred scripts) to load.
    pub fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(&format!(
            "document.readyState === 'complete' && location.href.startsWith({})",
            json!(url.split('?').next().unwrap_or(url))
        ));
    }

    /// Types text into the focused element, one character at a time, as a reader would.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.call("Input.insertText", json!({"text": c.to_string()}));
        }
    }

    /// Presses and releases a key: `ArrowDown`, `ArrowUp`, `Enter`, `Escape` or `/`.
    pub fn press(&mut self, key: &str) {
        let (code, key_code, text) = match key {
            "ArrowDown" => ("ArrowDown", 40, ""),
            "ArrowUp" => ("ArrowUp", 38, ""),
            "Enter" => ("Enter", 13, "\r"),
            "Escape" => ("Escape", 27, ""),
            "/" => ("Slash", 191, "/"),
            other => panic!("no key mapping for {other}"),
        };
        let mut down = json!({"type": "keyDown", "key": key, "code": code,
            "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code});
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": key, "code": code,
                "windowsVirtualKeyCode": key_code, "nativeVirtualKeyCode": key_code}),
        );
    }

    /// Clicks the middle of the first element matching `selector`, with the mouse.
    pub fn click(&mut self, selector: &str) {
        let rect = self.wait_for(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return r.width > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null; }})()",
            json!(selector)
        ));
        let (x, y) = (rect[0].clone(), rect[1].clone());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// A PNG screenshot of the viewport.
    pub fn screenshot(&mut self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let data = shot["data"].as_str().unwrap_or_default();
        let bytes = decode_base64(data);
        std::fs::write(path, bytes).expect("write screenshot");
    }
}

/// The Chromium process, killed and reaped when dropped (a failed launch attempt or a
/// finished test).
struct Chromium(Child);

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            _ => 63,
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

/// A static file server for a built site, on a free port of 127.0.0.1, serving the site under
/// `prefix` (e.g. `/` or `/portal/`). No directory index: folders answer 404, as a bucket does.
pub struct StaticServer {
    /// `http://127.0.0.1:PORT` plus the prefix.
    pub base: String,
}

impl StaticServer {
    /// Serves `dir` until the test process ends.
    pub fn start(dir: &Path, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let dir = dir.to_path_buf();
        let prefix = prefix.to_string();
        let base = format!("http://127.0.0.1:{port}{prefix}");
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let dir = dir.clone();
                let prefix = prefix.clone();
                std::thread::spawn(move || serve_one(stream, &dir, &prefix));
            }
        });
        StaticServer { base }
    }
}

fn serve_one(mut stream: TcpStream, dir: &Path, prefix: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request).to_string();
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = path
        .strip_prefix(prefix)
        .map(percent_decode)
        .filter(|p| !p.split('/').any(|part| part == ".."))
        .map(|p| dir.join(p))
        .filter(|p| p.is_file());
    let (status, body, kind) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((file, body)) => ("200 OK", body, content_type(&file)),
        None => (
            "404 Not Found",
            std::fs::read(dir.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    let _ = stream.write_all(&body);
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(n) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// Whether a DevTools error only says the page went away under the command (a navigation or
/// reload in progress).
fn is_navigation(error: &Value) -> bool {
    let message = error["message"].as_str().unwrap_or_default();
    message.contains("navigated or closed")
        || message.contains("Cannot find context")
        || message.contains("Execution context was destroyed")
}

/// JavaScript's truthiness for the values a test waits on.
fn is_truthy(value: &Value) -> bool {
    !(value.is_null() || *value == json!(false) || *value == json!(0) || *value == json!(""))
}
