//! Measures search in a real browser for the benchmark harness: serves a built site, opens its
//! home page in headless Chromium, types each query one character at a time, and prints per
//! query the bytes of index files downloaded until its results showed, the first keystroke's
//! time (cold: manifest and shards load) and the median and slowest of the others.
//!
//! `cargo run --release --example search-probe -- SITE_DIR QUERY...`
//! Output: one TSV line per query: query, bytes, files, first ms, median ms, max ms.

#[path = "../tests/chrome/mod.rs"]
mod chrome;

use chrome::{Browser, StaticServer};
use serde_json::json;

const TIMING: &str = r#"
window.__probe = {start: 0, times: []};
const input = document.getElementById('site-search-input');
input.addEventListener('input', () => { window.__probe.start = performance.now(); }, true);
new MutationObserver(() => {
  const p = window.__probe;
  if (p.start) { p.times.push(performance.now() - p.start); p.start = 0; }
}).observe(document.getElementById('search-panel'), {attributes: true, childList: true});
true
"#;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((site, queries)) = args.split_first() else {
        eprintln!("usage: search-probe SITE_DIR QUERY...");
        std::process::exit(2);
    };
    let server = StaticServer::start(std::path::Path::new(site), "/");
    let mut browser = Browser::launch();
    browser.call("Network.enable", json!({}));
    browser.call("Network.setCacheDisabled", json!({"cacheDisabled": true}));
    for query in queries {
        browser.goto(&format!("{}index.html", server.base));
        browser.eval(TIMING);
        browser.eval("document.getElementById('site-search-input').focus(); true");
        let mut typed = String::new();
        for c in query.chars() {
            typed.push(c);
            let before = browser
                .eval("window.__probe.times.length")
                .as_u64()
                .unwrap_or(0);
            browser.type_text(&c.to_string());
            browser.wait_for(&format!(
                "window.__probe.times.length > {before} && \
                 document.getElementById('search-panel').dataset.query === {}",
                json!(typed.trim())
            ));
        }
        let times: Vec<f64> = browser
            .eval("window.__probe.times")
            .as_array()
            .map(|a| a.iter().filter_map(|t| t.as_f64()).collect())
            .unwrap_or_default();
        let resources = browser.eval(
            "performance.getEntriesByType('resource').filter(r => r.name.includes('/search/'))\
             .map(r => r.encodedBodySize)",
        );
        let sizes: Vec<u64> = resources
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_u64()).collect())
            .unwrap_or_default();
        let mut rest: Vec<f64> = times.iter().skip(1).copied().collect();
        rest.sort_by(|a, b| a.total_cmp(b));
        let median = rest.get(rest.len() / 2).copied().unwrap_or(0.0);
        let max = rest.last().copied().unwrap_or(0.0);
        println!(
            "{query}\t{}\t{}\t{:.1}\t{:.1}\t{:.1}",
            sizes.iter().sum::<u64>(),
            sizes.len(),
            times.first().copied().unwrap_or(0.0),
            median,
            max
        );
    }
}
