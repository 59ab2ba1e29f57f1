//! Accessibility: axe-core's WCAG 2.1 A and AA rules on every page kind of example-org's site
//! (home, catalog index, a filter page, an entity page of each kind, docs index and a docs
//! page, search results, problems, 404), in light mode, in dark mode as the system asks for it,
//! and in dark mode chosen with the theme toggle. axe-core is a test-only npm package
//! (`tests/a11y`, installed by `scripts/test.sh`); nothing of it reaches a site.

mod chrome;
mod common;

use chrome::{Browser, StaticServer};
use common::{example_org_dir, Portal};
use serde_json::{json, Value};
use std::path::Path;

/// axe-core's browser build, installed by `scripts/test.sh` (`npm ci --prefix tests/a11y`).
fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the accessibility test needs axe-core at {}: run scripts/test.sh, or `npm ci --prefix tests/a11y` ({e})",
            path.display()
        )
    })
}

/// One page of every kind example-org's site has.
fn pages(site: &common::Site) -> Vec<String> {
    let mut pages: Vec<String> = [
        "index.html",
        "catalog/index.html",
        "catalog/_by/kind/component/index.html",
        "docs/index.html",
        "problems/index.html",
        "search/index.html?q=payments",
        "404.html",
        // Mermaid diagrams drawn as SVG.
        "docs/default/component/checkout-service/architecture/index.html",
        // API references of every format: method and action badges, tables, schema trees.
        "catalog/default/api/checkout-api/reference/index.html",
        "catalog/default/api/order-events/reference/index.html",
        "catalog/default/api/storefront-graphql/reference/index.html",
        "catalog/default/api/ledger-api/reference/index.html",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let entities = site.json("catalog/entities.json");
    let mut kinds_seen = std::collections::BTreeSet::new();
    for item in entities["items"].as_array().expect("items") {
        let kind = item["kind"].as_str().unwrap_or_default().to_lowercase();
        if kinds_seen.insert(kind.clone()) {
            let namespace = item["metadata"]["namespace"].as_str().unwrap_or("default");
            let name = item["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase();
            pages.push(common::entity_page(namespace, &kind, &name));
        }
    }
    assert!(
        kinds_seen.len() >= 8,
        "example-org should have most kinds: {kinds_seen:?}"
    );
    let docs = common::list_files(&site.root.join("docs"));
    let page = docs
        .iter()
        .find(|p| p.matches('/').count() >= 4 && p.ends_with("index.html"))
        .expect("a docs page");
    pages.push(format!("docs/{page}"));
    pages
}

/// The WCAG 2.1 A/AA violations axe finds on the loaded page, one line per failing node.
fn violations(browser: &mut Browser) -> Vec<String> {
    let found = browser.eval(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})\
         .then(r => r.violations.flatMap(v => v.nodes.slice(0, 4).map(n => v.id + ' (' + v.impact + '): ' + n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' '))))",
    );
    found
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_page_kind_passes_axe_in_light_and_dark() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let server = StaticServer::start(&site.root, "/portal/");
    let axe = axe_source();
    let mut browser = Browser::launch();
    let mut problems = Vec::new();
    let modes: [(&str, &str, Option<&str>); 3] = [
        ("light", "light", None),
        ("dark (system)", "dark", None),
        ("dark (toggle)", "light", Some("dark")),
    ];
    let pages = pages(&site);
    for (mode, scheme, toggle) in modes {
        browser.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
        for page in &pages {
            browser.goto(&format!("{}{page}", server.base));
            if let Some(theme) = toggle {
                browser.eval(&format!(
                    "document.documentElement.setAttribute('data-theme', {})",
                    json!(theme)
                ));
            }
            if page.starts_with("search/") {
                browser
                    .wait_for("document.querySelectorAll('#search-hits .search-hit').length > 0");
            }
            // Dark mode shows light text.
            let dark = browser.eval(
                "getComputedStyle(document.body).color.match(/\\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b, 0) > 382",
            );
            assert_eq!(
                dark,
                Value::Bool(scheme == "dark" || toggle.is_some()),
                "{mode} is applied on {page}"
            );
            browser.eval(&axe);
            for violation in violations(&mut browser) {
                problems.push(format!("{page} [{mode}]: {violation}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} accessibility violation(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
