//! Browser tests: headless Chromium against a real local server (under a base path, with no
//! directory index) and against `file://`. Search (issue 5): type, read the first result, use
//! the keyboard, apply a facet, open a result; hostile titles stay text.

mod chrome;
mod common;

use chrome::{Browser, StaticServer};
use common::{example_org_dir, Portal};
use serde_json::{json, Value};

/// example-org plus one entity whose title and description are HTML.
fn portal() -> Portal {
    let portal = Portal::copy_of(&example_org_dir());
    portal.write(
        "repos/hostile/catalog-info.yaml",
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile-widget
  title: "<img src=x onerror=window.__pwned=1> Zebrafish widget"
  description: "<script>window.__pwned=2</script> zebrafish <b>bold</b>"
spec:
  type: service
  lifecycle: experimental
  owner: group:default/team-payments
"#,
    );
    portal.build(&[]).assert_code(0);
    portal
}

const PANEL_HITS: &str = "Array.from(document.querySelectorAll('#search-panel .search-hit'))";

/// `[badge, title, href]` of the header box's results.
fn panel_hits(browser: &mut Browser) -> Vec<(String, String, String)> {
    let value = browser.eval(&format!(
        "{PANEL_HITS}.map(a => [a.querySelector('.badge').textContent, \
         a.querySelector('.search-hit-title').textContent, a.getAttribute('href')])"
    ));
    triples(&value)
}

fn triples(value: &Value) -> Vec<(String, String, String)> {
    value
        .as_array()
        .expect("an array of hits")
        .iter()
        .map(|hit| {
            let part = |i: usize| hit[i].as_str().unwrap_or_default().to_string();
            (part(0), part(1), part(2))
        })
        .collect()
}

fn wait_for_hits_matching(browser: &mut Browser, query: &str) {
    browser.wait_for(&format!(
        "document.querySelector('#search-panel').dataset.query === {} && \
         !document.querySelector('#search-panel').hidden && {PANEL_HITS}.length > 0",
        json!(query)
    ));
}

#[test]
fn header_search_finds_entities_and_sections_and_follows_the_keyboard() {
    let portal = portal();
    let server = StaticServer::start(&portal.out, "/portal/");
    let mut browser = Browser::launch();
    browser.goto(&format!("{}index.html", server.base));

    browser.press("/");
    assert_eq!(
        browser.eval("document.activeElement.id"),
        json!("site-search-input"),
        "/ focuses the search box"
    );
    browser.type_text("payments gateway");
    wait_for_hits_matching(&mut browser, "payments gateway");
    let hits = panel_hits(&mut browser);
    assert_eq!(
        hits[0],
        (
            "Component".to_string(),
            "Payments Gateway".to_string(),
            "catalog/default/component/payments-gateway/index.html".to_string()
        ),
        "{hits:#?}"
    );
    assert_eq!(
        browser.eval(&format!(
            "{PANEL_HITS}[0].querySelector('.search-hit-title mark').textContent"
        )),
        json!("Payments"),
        "matched words are highlighted"
    );
    assert_eq!(
        browser.eval(&format!(
            "{PANEL_HITS}[0].querySelector('.search-hit-meta').textContent"
        )),
        json!("Component · service · owner Payments Team")
    );

    browser.press("ArrowDown");
    browser.press("ArrowDown");
    browser.press("ArrowUp");
    assert_eq!(
        browser.eval(
            "[document.querySelector('#search-panel .active').id, \
             document.activeElement.getAttribute('aria-activedescendant')]"
        ),
        json!(["search-option-0", "search-option-0"])
    );
    browser.press("Enter");
    browser.wait_for(
        "location.pathname.endsWith('/portal/catalog/default/component/payments-gateway/index.html') \
         && document.readyState === 'complete'",
    );

    // From a page two folders deep, a docs section: the hit links to its heading.
    browser.press("/");
    browser.type_text("authorising");
    wait_for_hits_matching(&mut browser, "authorising");
    let hits = panel_hits(&mut browser);
    assert_eq!(hits[0].0, "Docs", "{hits:#?}");
    assert_eq!(hits[0].1, "Authorising a payment");
    assert_eq!(
        hits[0].2,
        "../../../../docs/default/component/payments-gateway/api/index.html#authorising-a-payment"
    );
    browser.press("Escape");
    assert_eq!(
        browser.eval("document.querySelector('#search-panel').hidden"),
        json!(true),
        "Escape closes the results"
    );
    browser.click("#site-search-input");
    browser.press("ArrowDown");
    browser.press("Enter");
    browser.wait_for(
        "location.href.endsWith('/docs/default/component/payments-gateway/api/index.html#authorising-a-payment') \
         && document.readyState === 'complete'",
    );

    // Enter with nothing selected opens the full results page for the query.
    browser.press("/");
    browser.type_text("ledger");
    wait_for_hits_matching(&mut browser, "ledger");
    browser.press("Enter");
    browser.wait_for("location.pathname.endsWith('/portal/search/index.html')");
    assert_eq!(browser.eval("location.search"), json!("?q=ledger"));
    browser.wait_for("document.querySelectorAll('#search-hits .search-hit').length > 0");
}

#[test]
fn results_page_filters_by_facet_with_shareable_urls() {
    let portal = portal();
    let server = StaticServer::start(&portal.out, "/");
    let mut browser = Browser::launch();
    browser.goto(&format!("{}search/index.html?q=payments", server.base));
    let results = "Array.from(document.querySelectorAll('#search-hits .search-hit'))";
    browser.wait_for(&format!("{results}.length > 0"));
    let badges = |browser: &mut Browser| -> Vec<String> {
        let value = browser.eval(&format!(
            "{results}.map(a => a.querySelector('.badge').textContent)"
        ));
        value
            .as_array()
            .expect("badges")
            .iter()
            .map(|b| b.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = badges(&mut browser);
    assert!(
        all.contains(&"Docs".to_string()) && all.contains(&"Group".to_string()),
        "{all:?}"
    );

    browser.click("fieldset[data-facet=kind] input[value=group]");
    browser.wait_for("location.search.includes('kind=group')");
    browser.wait_for(&format!(
        "{results}.length > 0 && {results}.every(a => a.querySelector('.badge').textContent === 'Group')"
    ));
    let filtered = badges(&mut browser);
    let count_text = browser.eval("document.querySelector('#search-count').textContent");
    assert_eq!(
        count_text,
        json!(format!("{} results for “payments”", filtered.len())),
        "the count follows the facet"
    );

    // The URL is shareable: opening it again restores the query and the facet.
    let url = browser.eval("location.href");
    browser.goto("about:blank");
    browser.goto(url.as_str().expect("url"));
    browser.wait_for(&format!("{results}.length > 0"));
    assert_eq!(
        browser.eval(
            "[document.querySelector('#search-page-input').value, \
             document.querySelector('fieldset[data-facet=kind] input[value=group]').checked]"
        ),
        json!(["payments", true])
    );
    assert_eq!(badges(&mut browser), filtered);

    // Only documentation, then open the first result.
    browser.click("fieldset[data-facet=kind] input[value=group]");
    browser.click("fieldset[data-facet=source] input[value=docs]");
    browser.wait_for(&format!(
        "location.search.includes('source=docs') && !location.search.includes('kind=') && \
         {results}.length > 0 && {results}.every(a => a.querySelector('.badge').textContent === 'Docs')"
    ));
    let href = browser.eval(&format!("{results}[0].href"));
    browser.click("#search-hits .search-hit");
    browser.wait_for(&format!("location.href === {href}"));
}

#[test]
fn search_works_from_file_urls_and_shows_hostile_titles_as_text() {
    let portal = portal();
    let mut browser = Browser::launch();
    let catalog = portal.out.join("catalog/index.html");
    browser.goto(&format!("file://{}", catalog.display()));
    browser.press("/");
    browser.type_text("zebrafish");
    wait_for_hits_matching(&mut browser, "zebrafish");
    let hits = panel_hits(&mut browser);
    assert_eq!(
        hits[0],
        (
            "Component".to_string(),
            "<img src=x onerror=window.__pwned=1> Zebrafish widget".to_string(),
            "../catalog/default/component/hostile-widget/index.html".to_string()
        )
    );
    assert_eq!(
        browser.eval(
            "[document.querySelectorAll('#search-panel img, #search-panel script, #search-panel b').length, \
             typeof window.__pwned]"
        ),
        json!([0, "undefined"]),
        "markup in titles and descriptions stays text"
    );
    assert!(browser
        .eval(&format!(
            "{PANEL_HITS}[0].querySelector('.search-hit-text').textContent"
        ))
        .as_str()
        .unwrap_or_default()
        .starts_with("<script>window.__pwned=2</script> zebrafish"));

    let page = portal.out.join("search/index.html");
    browser.goto(&format!("file://{}?q=zebrafish", page.display()));
    browser.wait_for("document.querySelectorAll('#search-hits .search-hit').length === 1");
    browser.click("#search-hits .search-hit");
    browser
        .wait_for("location.href.endsWith('/catalog/default/component/hostile-widget/index.html')");
    assert_eq!(browser.eval("typeof window.__pwned"), json!("undefined"));
}

#[test]
fn relation_graph_is_visible_and_its_nodes_navigate() {
    let portal = portal();
    let server = StaticServer::start(&portal.out, "/");
    let mut browser = Browser::launch();
    browser.goto(&format!(
        "{}catalog/default/component/payments-gateway/index.html",
        server.base
    ));
    let size = browser.eval(
        "(() => { const r = document.querySelector('svg.graph').getBoundingClientRect(); \
         return [Math.round(r.width) > 200, Math.round(r.height) > 100, \
         getComputedStyle(document.querySelector('svg.graph')).visibility]; })()",
    );
    assert_eq!(size, json!([true, true, "visible"]));
    browser.click("svg.graph a[href$='group/team-payments/index.html']");
    browser
        .wait_for("location.pathname.endsWith('/catalog/default/group/team-payments/index.html')");
}

#[test]
fn a_search_result_for_an_operation_lands_on_the_operation() {
    let portal = portal();
    let server = StaticServer::start(&portal.out, "/portal/");
    let mut browser = Browser::launch();
    browser.goto(&format!("{}index.html", server.base));
    browser.press("/");
    browser.type_text("createSession");
    wait_for_hits_matching(&mut browser, "createSession");
    let hits = panel_hits(&mut browser);
    assert_eq!(hits[0].1, "POST /sessions", "{hits:#?}");
    assert_eq!(
        hits[0].2,
        "catalog/default/api/checkout-api/reference/index.html#operation/createSession"
    );
    browser.press("ArrowDown");
    browser.press("Enter");
    browser.wait_for(
        "location.pathname.endsWith('/portal/catalog/default/api/checkout-api/reference/index.html') \
         && document.readyState === 'complete'",
    );
    assert_eq!(
        browser.eval(
            "[location.hash, document.querySelector(':target') && document.querySelector(':target').id, \
             document.querySelector(':target .ref-name').textContent]"
        ),
        json!(["#operation/createSession", "operation/createSession", "/sessions"]),
        "the page scrolled to the operation's permalink"
    );
    let visible = browser.eval(
        "(() => { const r = document.querySelector(':target').getBoundingClientRect(); \
         return r.top >= 0 && r.top < window.innerHeight; })()",
    );
    assert_eq!(visible, json!(true), "the operation is in view");
    // Its permalink and a schema link work within the page.
    browser.click("[id='operation/createSession'] .ref-permalink");
    browser.wait_for("location.hash === '#operation/createSession'");
}
