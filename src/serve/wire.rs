//! The preview server's HTTP/1.1 connections: one thread per connection, reading requests
//! (parsed by httparse) and writing whole responses, with keep-alive and pipelining.
//!
//! Why not a pooled server: tiny_http 0.12 hands connections to a pool that counts a thread it
//! has just woken as still idle, so of several connections that arrive together (a page asking
//! for its stylesheets and scripts) one could wait unread until some other connection closed
//! or a new one came in; a reloaded tab then sat "loading" for many seconds. A thread per
//! connection, with a cap and idle timeouts, cannot strand one.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Most connections served at once; more are answered 503 and closed.
pub const MAX_CONNECTIONS: usize = 512;

/// How long a connection may sit without sending a (whole) request before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one write may block on a client that does not read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest wait for a client to finish sending after an error reply.
const LINGER: Duration = Duration::from_secs(1);

/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;

/// Most headers in a request.
const MAX_HEADERS: usize = 64;

/// Largest request body skipped on a kept-alive connection (the server reads no bodies).
const MAX_SKIPPED_BODY: u64 = 64 * 1024;

/// One request as the handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (`GET`, `HEAD`, …).
    pub method: String,
    /// The request target, as sent (`/docs/a%20b/?q=1`).
    pub target: String,
}

/// A whole response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers other than `Content-Length` and `Connection`, which are written here.
    pub headers: Vec<(&'static str, String)>,
    /// The body (not sent for `HEAD`, though its length is); shared, so a served file is
    /// written from the site in memory without a copy.
    pub body: Arc<Vec<u8>>,
}

/// What the handler makes of a request.
pub enum Answer {
    /// Send this and keep reading the connection.
    Reply(Reply),
    /// Hand the connection over (an event stream): the function owns it until it returns,
    /// and the connection is closed after.
    Takeover(Box<dyn FnOnce(TcpStream) + Send>),
}

/// Answers requests.
pub type Handler = Arc<dyn Fn(&Request) -> Answer + Send + Sync>;

/// Accepts connections on a thread of its own, each served on its own thread. Runs until the
/// process ends.
pub fn start(listener: TcpListener, handler: Handler) -> std::io::Result<()> {
    let open = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("http-accept".to_string())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                accept(stream, &handler, &open);
            }
        })
        .map(|_| ())
}

fn accept(stream: TcpStream, handler: &Handler, open: &Arc<AtomicUsize>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        open.fetch_sub(1, Ordering::SeqCst);
        // Written on the accepting thread, so a client that does not read may hold it briefly.
        let mut stream = stream;
        let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
        let reply = plain(503, "503 Service Unavailable: too many connections");
        let _ = write_reply(&mut stream, &reply, true, false);
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    let handler = Arc::clone(handler);
    let counter = Arc::clone(open);
    let spawned = std::thread::Builder::new()
        .name("http".to_string())
        .spawn(move || {
            serve_connection(stream, &handler);
            counter.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        // The stream went into the closure and is closed with it.
        open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A plain-text reply.
pub fn plain(status: u16, text: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".to_string())],
        body: Arc::new(format!("{text}\n").into_bytes()),
    }
}

/// What reading the next request found.
enum Next {
    Request {
        request: Request,
        keep_alive: bool,
        body: u64,
    },
    /// The client closed, went quiet or sent something that ends the connection, after the
    /// reply (if any) is written.
    Close(Option<Reply>),
}

fn serve_connection(mut stream: TcpStream, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let mut pending: Vec<u8> = Vec::new();
    loop {
        match next_request(&mut stream, &mut pending) {
            Next::Close(reply) => {
                if let Some(reply) = reply {
                    if write_reply(&mut stream, &reply, true, false).is_ok() {
                        linger(&mut stream);
                    }
                }
                break;
            }
            Next::Request {
                request,
                mut keep_alive,
                body,
            } => {
                if body > 0 && !skip_body(&mut stream, &mut pending, body) {
                    keep_alive = false;
                }
                let head_only = request.method == "HEAD";
                match handler(&request) {
                    Answer::Reply(reply) => {
                        if write_reply(&mut stream, &reply, !keep_alive, head_only).is_err()
                            || !keep_alive
                        {
                            break;
                        }
                    }
                    Answer::Takeover(stream_to) => {
                        // Closed when the function drops it.
                        stream_to(stream);
                        return;
                    }
                }
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// Stops writing and reads what the client is still sending (for at most [`LINGER`] and
/// 1 MiB), so that closing does not reset the connection before the client has read the
/// error reply.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = std::time::Instant::now() + LINGER;
    let mut chunk = [0u8; 8192];
    let mut drained = 0;
    while drained < 1024 * 1024 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Reads until a whole request head is buffered, then parses it.
fn next_request(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Next {
    let mut chunk = [0u8; 8192];
    loop {
        if !pending.is_empty() {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(pending) {
                Ok(httparse::Status::Complete(length)) if length <= MAX_HEAD => {
                    let next = interpret(&parsed);
                    pending.drain(..length);
                    return next;
                }
                Ok(httparse::Status::Complete(_)) | Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Next::Close(Some(plain(431, "431 Request Header Fields Too Large")))
                }
                Err(_) => return Next::Close(Some(plain(400, "400 Bad Request"))),
            }
            if pending.len() > MAX_HEAD {
                return Next::Close(Some(plain(431, "431 Request Header Fields Too Large")));
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Next::Close(None),
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

fn interpret(parsed: &httparse::Request<'_, '_>) -> Next {
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Next::Close(Some(plain(400, "400 Bad Request")));
    };
    let header = |name: &str| {
        parsed
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
    };
    let connection = header("connection").unwrap_or_default();
    let keep_alive = if minor == 0 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    if header("transfer-encoding").is_some() {
        // No request this server answers has a body; a chunked one is not worth reading.
        return Next::Close(Some(plain(
            400,
            "400 Bad Request: request bodies are not read",
        )));
    }
    let body = match header("content-length") {
        None => 0,
        Some(value) => match value.trim().parse::<u64>() {
            Ok(length) => length,
            Err(_) => return Next::Close(Some(plain(400, "400 Bad Request: bad Content-Length"))),
        },
    };
    Next::Request {
        request: Request {
            method: method.to_string(),
            target: target.to_string(),
        },
        keep_alive,
        body,
    }
}

/// Drops a request body so the next request can be read; false when it is too long to bother
/// with or the client went away (the connection then closes after the reply).
fn skip_body(stream: &mut TcpStream, pending: &mut Vec<u8>, length: u64) -> bool {
    if length > MAX_SKIPPED_BODY {
        return false;
    }
    let buffered = pending.len().min(length as usize);
    pending.drain(..buffered);
    let rest = length - buffered as u64;
    if rest == 0 {
        return true;
    }
    let mut sink = Vec::new();
    matches!(stream.take(rest).read_to_end(&mut sink), Ok(n) if n as u64 == rest)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    close: bool,
    head_only: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        // Values are ours, but a newline would still split the response.
        if !value.contains(['\r', '\n']) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    head.push_str(if close {
        "Connection: close\r\n\r\n"
    } else {
        "Connection: keep-alive\r\n\r\n"
    });
    // Two writes, not a copy of the body: with TCP_NODELAY the head does not wait for an ACK.
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(handler: Handler) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        start(listener, handler).expect("start");
        address
    }

    fn echo() -> Handler {
        Arc::new(|request: &Request| {
            Answer::Reply(Reply {
                status: 200,
                headers: vec![("Content-Type", "text/plain".to_string())],
                body: Arc::new(format!("{} {}", request.method, request.target).into_bytes()),
            })
        })
    }

    fn exchange(address: std::net::SocketAddr, raw: &[u8]) -> String {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream.write_all(raw).expect("send");
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn pipelined_requests_are_answered_in_order_and_close_ends_the_connection() {
        let address = serve(echo());
        let out = exchange(
            address,
            b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let a = out.find("GET /a").expect("first body");
        let b = out.find("Content-Length: 7\r\nConnection: keep-alive\r\n\r\nHTTP/1.1");
        let c = out.find("GET /c").expect("third body");
        assert!(b.is_some() && a < c, "{out}");
        assert!(!out.contains("HEAD /b"), "HEAD has no body: {out}");
        assert!(out.ends_with("Connection: close\r\n\r\nGET /c"), "{out}");
    }

    #[test]
    fn http_1_0_closes_unless_asked_and_bad_heads_get_4xx() {
        let address = serve(echo());
        assert!(exchange(address, b"GET /x HTTP/1.0\r\n\r\n").ends_with("close\r\n\r\nGET /x"));
        assert!(exchange(address, b"NOT A REQUEST\r\n\r\n").starts_with("HTTP/1.1 400"));
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD + 10));
        let refused = exchange(address, huge.as_bytes());
        assert!(refused.starts_with("HTTP/1.1 431"), "{refused:?}");
        let chunked = b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert!(exchange(address, chunked).starts_with("HTTP/1.1 400"));
    }

    #[test]
    fn a_small_body_is_skipped_and_the_next_request_read() {
        let address = serve(echo());
        let out = exchange(
            address,
            b"POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /n HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        assert!(out.contains("POST /p") && out.ends_with("GET /n"), "{out}");
    }

    #[test]
    fn a_client_trickling_after_an_error_reply_is_cut_off() {
        let address = serve(echo());
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream.write_all(b"NOT A REQUEST\r\n\r\n").expect("send");
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 400"));
        // A byte now and then, each sooner than a read timeout: the server still lets go.
        let started = std::time::Instant::now();
        let mut refused = None;
        while started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
            if stream.write_all(b"x").is_err() {
                refused = Some(started.elapsed());
                break;
            }
        }
        assert!(
            refused.is_some_and(|after| after < LINGER * 3),
            "still open after {refused:?}"
        );
    }

    #[test]
    fn a_takeover_owns_the_connection() {
        let address = serve(Arc::new(|_: &Request| {
            Answer::Takeover(Box::new(|mut stream: TcpStream| {
                let _ = stream.write_all(b"raw bytes");
            }))
        }));
        assert_eq!(exchange(address, b"GET / HTTP/1.1\r\n\r\n"), "raw bytes");
    }
}
