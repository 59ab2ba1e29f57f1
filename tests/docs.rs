//! TechDocs: entities annotated `backstage.io/techdocs-ref: dir:<path>` get their mkdocs project
//! rendered under `docs/<namespace>/<kind>/<name>/`.
//!
//! Every test drives the real binary on real files. Portals with several files are committed
//! under `tests/fixtures/docs/<case>/`; inputs too big or too odd for git (a 5 MB page, 5,000-deep
//! nesting, symlinks) are written into a temporary portal at run time. Diagnostics are compared
//! exactly, as the JSON array `check --format json` prints.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Every committed fixture folder; `every_docs_fixture_folder_has_a_test` keeps this honest.
const FIXTURES: &[&str] = &["fallback", "hostile", "links", "mkdocs-variants"];

/// The entities of example-org that have docs.
const DOCUMENTED: &[&str] = &[
    "acme-ui",
    "catalog-service",
    "checkout-service",
    "payments-gateway",
    "search-service",
    "storefront-web",
];

/// Time limit for the runs on generated giant inputs (the debug binary is used).
const SLOW: Duration = Duration::from_secs(120);

// ----------------------------------------------------------------------------------- helpers

fn diagnostic(severity: &str, file: &str, line: Option<u64>, entity: &str, message: &str) -> Value {
    json!({"severity": severity, "file": file, "line": line, "entity": entity, "message": message})
}

/// Asserts two diagnostic arrays are equal, printing both when not.
fn assert_diagnostics(actual: &Value, expected: &Value) {
    assert!(
        actual == expected,
        "diagnostics differ\n--- expected ---\n{}\n--- actual ---\n{}",
        serde_json::to_string_pretty(expected).expect("serialise"),
        serde_json::to_string_pretty(actual).expect("serialise"),
    );
}

/// A committed fixture: `check` must report exactly `expected`, then `build` must exit 0 and
/// write the same diagnostics to `diagnostics.json`.
fn checked_and_built(name: &str, expected: &Value) -> Portal {
    let portal = Portal::fixture(&format!("docs/{name}"));
    let (check, diagnostics) = portal.check_json();
    assert_diagnostics(&diagnostics, expected);
    check.assert_code(if has_errors(expected) { 1 } else { 0 });
    let build = portal.build(&[]);
    build.assert_code(0);
    let written: Value =
        serde_json::from_str(&portal.normalise(&portal.site().read("diagnostics.json")))
            .expect("diagnostics.json is JSON");
    assert_diagnostics(&written, expected);
    portal
}

/// The site path of an entity's docs page (`""` for the home page, `a/b/` for `a/b.md`).
fn doc_page(name: &str, page_dir: &str) -> String {
    format!("docs/default/component/{name}/{page_dir}index.html")
}

/// The part of `html` from `start` (included) to the next `end` (excluded).
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"));
    let rest = &html[from..];
    let to = rest.find(end).unwrap_or(rest.len());
    &rest[..to]
}

/// The rendered Markdown of a docs page.
fn content(html: &str) -> &str {
    between(
        html,
        "<div class=\"docs-content\">",
        "<footer class=\"docs-footer\">",
    )
}

/// The site navigation of a docs page.
fn docs_nav(html: &str) -> &str {
    between(html, "<details class=\"docs-nav\"", "</details>")
}

/// Everything from `<body` on.
fn body(html: &str) -> &str {
    between(html, "<body", "\u{0}")
}

/// Site-relative targets of the relative links in an HTML fragment found on `page`.
fn targets(page: &str, html: &str) -> Vec<String> {
    links_of(html)
        .iter()
        .filter(|l| !is_external_or_fragment(l))
        .filter_map(|l| resolve_link(page, l))
        .collect()
}

/// `(text, target)` of each `<a href>` of a nav fragment, in order.
fn nav_entries(page: &str, nav: &str) -> Vec<(String, String)> {
    nav.split("<a href=\"")
        .skip(1)
        .map(|rest| {
            let href = unescape_html(rest.split('"').next().unwrap_or(""));
            let text = rest
                .split_once('>')
                .map(|(_, t)| t.split("</a>").next().unwrap_or(""))
                .unwrap_or("");
            let text = text.split('<').next().unwrap_or("").trim();
            let target = if is_external_or_fragment(&href) {
                href.clone()
            } else {
                resolve_link(page, &href).unwrap_or_default()
            };
            (unescape_html(text), target)
        })
        .collect()
}

/// The `<title>` of a page, decoded.
fn title_of(html: &str) -> String {
    unescape_html(
        between(html, "<title>", "</title>")
            .trim_start_matches("<title>")
            .trim(),
    )
}

/// One start tag: its name and its attributes as written (names lowercased, values decoded).
#[derive(Debug)]
struct TagInfo {
    name: String,
    attributes: Vec<(String, String)>,
}

/// A small HTML tokenizer: every start tag of a document, with attribute values parsed properly
/// (an escaped `onerror=` inside a quoted value is text, not an attribute).
fn start_tags(html: &str) -> Vec<TagInfo> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"<!--") {
            i = html[i..]
                .find("-->")
                .map(|e| i + e + 3)
                .unwrap_or(bytes.len());
            continue;
        }
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        i += 1;
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'>' | b'/')
        {
            i += 1;
        }
        let mut tag = TagInfo {
            name: html[start..i].to_ascii_lowercase(),
            attributes: Vec::new(),
        };
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let name_start = i;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let end = html[i + 1..]
                            .find(quote as char)
                            .map(|e| i + 1 + e)
                            .unwrap_or(bytes.len());
                        value = unescape_html(&html[i + 1..end]);
                        i = end + 1;
                    }
                    _ => {
                        let value_start = i;
                        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>'
                        {
                            i += 1;
                        }
                        value = unescape_html(&html[value_start..i]);
                    }
                }
            }
            tag.attributes.push((name, value));
        }
        tags.push(tag);
    }
    tags
}

/// The ids of a page, cached.
fn ids_of<'a>(
    site: &Site,
    cache: &'a mut BTreeMap<String, BTreeSet<String>>,
    page: &str,
) -> &'a BTreeSet<String> {
    cache.entry(page.to_string()).or_insert_with(|| {
        attribute_values(&site.read(page), "id")
            .into_iter()
            .collect()
    })
}

/// Links that leave the site.
fn is_external(link: &str) -> bool {
    let lower = link.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:", "data:", "//"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// What [`check_every_link`] saw.
#[derive(Debug, Default)]
struct LinkReport {
    links: usize,
    fragments: usize,
    cross_page_fragments: usize,
    broken: Vec<String>,
}

/// Every relative `href`/`src` of every HTML file must name an existing file, and every
/// `#fragment` (same-page or cross-page) an element id of the target page.
fn check_every_link(site: &Site) -> LinkReport {
    let files: BTreeSet<String> = site.files().into_iter().collect();
    let mut ids = BTreeMap::new();
    let mut report = LinkReport::default();
    for page in site.html_files() {
        for link in links_of(&site.read(&page)) {
            if is_external(&link) {
                continue;
            }
            report.links += 1;
            let (path, fragment) = match link.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or("");
            let target = if path.is_empty() {
                Some(page.clone())
            } else {
                resolve_link(&page, &link)
            };
            let Some(target) = target.filter(|t| files.contains(t)) else {
                report
                    .broken
                    .push(format!("{page}: {link:?} names no file"));
                continue;
            };
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            if !target.ends_with(".html") {
                continue;
            }
            report.fragments += 1;
            if target != page {
                report.cross_page_fragments += 1;
            }
            let id = percent_decode(fragment);
            if !ids_of(site, &mut ids, &target).contains(&id) {
                report
                    .broken
                    .push(format!("{page}: {link:?}: {target} has no id {id:?}"));
            }
        }
    }
    report
}

// ------------------------------------------------------------------------------- bookkeeping

#[test]
fn every_docs_fixture_folder_has_a_test() {
    assert_eq!(
        entry_names(&fixtures_dir().join("docs")),
        FIXTURES,
        "tests/fixtures/docs/ and FIXTURES must list the same cases"
    );
}

#[test]
fn the_tag_reader_tells_attributes_from_text() {
    let tags = start_tags(
        "<!-- <img onerror=x> --><p title=\"a onerror=x\">&lt;img onerror=y&gt;</p><IMG SRC=x.png onError='alert(1)'><br/>",
    );
    let seen: Vec<(String, Vec<(String, String)>)> =
        tags.into_iter().map(|t| (t.name, t.attributes)).collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        seen,
        vec![
            ("p".to_string(), vec![pair("title", "a onerror=x")]),
            (
                "img".to_string(),
                vec![pair("src", "x.png"), pair("onerror", "alert(1)")]
            ),
            ("br".to_string(), vec![]),
        ]
    );
}

// ------------------------------------------------------------------------------- example-org

fn example_org_built() -> Portal {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    portal
}

#[test]
fn example_org_docs_check_clean_and_build_six_sites() {
    let portal = Portal::copy_of(&example_org_dir());
    let (run, diagnostics) = portal.check_json();
    run.assert_code(0);
    assert_diagnostics(&diagnostics, &json!([]));
    portal.build(&[]).assert_code(0);
    let site = portal.site();

    let roots: BTreeSet<String> = site
        .files()
        .iter()
        .filter(|f| f.starts_with("docs/") && f.split('/').count() >= 5)
        .map(|f| f.split('/').take(4).collect::<Vec<_>>().join("/"))
        .collect();
    let expected: BTreeSet<String> = DOCUMENTED
        .iter()
        .map(|name| format!("docs/default/component/{name}"))
        .collect();
    assert_eq!(roots, expected, "one docs site per documented entity");
    for name in DOCUMENTED {
        assert!(site.exists(&doc_page(name, "")), "{name} has no docs home");
    }

    // The docs index lists every site.
    let index = site.read("docs/index.html");
    let listed: BTreeSet<String> = targets("docs/index.html", &index).into_iter().collect();
    for name in DOCUMENTED {
        assert!(
            listed.contains(&doc_page(name, "")),
            "docs/index.html does not link to {name}'s docs"
        );
    }
    assert_eq!(
        index.matches("class=\"card docs-card\"").count(),
        DOCUMENTED.len(),
        "one card per site on the docs index"
    );

    // Each documented entity's page links to its docs; an undocumented one does not.
    for name in DOCUMENTED {
        let page = entity_page("default", "component", name);
        assert!(
            targets(&page, &site.read(&page)).contains(&doc_page(name, "")),
            "{page} has no link to its docs"
        );
    }
    let plain = entity_page("default", "component", "fraud-scoring");
    assert!(
        !targets(&plain, &site.read(&plain))
            .iter()
            .any(|t| t.starts_with("docs/default/")),
        "{plain} links to docs it does not have"
    );
}

#[test]
fn example_org_every_link_and_fragment_resolves() {
    let portal = example_org_built();
    let report = check_every_link(&portal.site());
    assert!(
        report.links > 3000,
        "only {} links checked; is the link reader broken?",
        report.links
    );
    assert!(
        report.fragments > 200 && report.cross_page_fragments >= 10,
        "too few fragments checked: {report:?}"
    );
    assert!(
        report.broken.is_empty(),
        "{} broken links:\n{}",
        report.broken.len(),
        report.broken.join("\n")
    );
}

#[test]
fn example_org_docs_use_every_extension() {
    let portal = example_org_built();
    let site = portal.site();
    let pages: Vec<(String, String)> = site
        .html_files()
        .into_iter()
        .filter(|f| f.starts_with("docs/default/"))
        .map(|f| {
            let html = site.read(&f);
            let body = content(&html).to_string();
            (f, body)
        })
        .collect();
    assert!(pages.len() >= 29, "only {} docs pages", pages.len());
    for markup in [
        "class=\"admonition",
        "<details class=\"admonition",
        "tabbed-set",
        "<dl>",
        "<abbr title=",
        "class=\"filename\"",
        "class=\"ln\"",
        "line hll",
        "<table>",
        "footnote-definition",
        "<del>",
        "type=\"checkbox\"",
        "class=\"headerlink\"",
    ] {
        assert!(
            pages.iter().any(|(_, body)| body.contains(markup)),
            "no docs page of example-org renders {markup:?}"
        );
    }

    // Assets are copied byte for byte and the pages that show them point at the copies.
    for (source, copy, shown_on) in [
        (
            "repos/checkout-service/docs/img/checkout-flow.svg",
            "docs/default/component/checkout-service/img/checkout-flow.svg",
            doc_page("checkout-service", "architecture/"),
        ),
        (
            "repos/design-system/docs/img/brand-green.png",
            "docs/default/component/acme-ui/img/brand-green.png",
            doc_page("acme-ui", ""),
        ),
    ] {
        let original = std::fs::read(portal.path(source)).expect("source asset");
        let copied = std::fs::read(site.root.join(copy)).expect("copied asset");
        assert!(original == copied, "{copy} differs from {source}");
        let html = site.read(&shown_on);
        assert!(
            targets(&shown_on, content(&html)).contains(&copy.to_string()),
            "{shown_on} does not show {copy}"
        );
    }

    // A page left out of the nav is built, reachable by a link, and in no page's nav.
    let hidden = doc_page("payments-gateway", "escalation-contacts/");
    assert!(site.exists(&hidden), "{hidden} was not built");
    let runbook = doc_page("payments-gateway", "runbook/");
    assert!(
        targets(&runbook, content(&site.read(&runbook))).contains(&hidden),
        "the runbook no longer links to the escalation contacts"
    );
    let mut navs = 0;
    for page in site
        .html_files()
        .into_iter()
        .filter(|f| f.starts_with("docs/default/component/payments-gateway/"))
    {
        let html = site.read(&page);
        let nav = docs_nav(&html);
        navs += 1;
        assert!(
            !targets(&page, nav).contains(&hidden),
            "the nav of {page} lists the page left out of mkdocs.yml's nav"
        );
        assert!(
            targets(&page, nav).contains(&runbook),
            "the nav of {page} lacks the runbook"
        );
    }
    assert_eq!(navs, 5, "payments-gateway has five pages");
}

// ------------------------------------------------------------------------------- hostile HTML

#[test]
fn hostile_html_is_refused_escaped_or_stripped() {
    let file = "repos/app/docs/index.md";
    let entity = "component:default/hostile";
    let shown = "it is shown as text";
    let handler = "event handler attributes (on...=) in raw HTML are removed";
    let javascript =
        "a javascript: link was removed (only http, https, mailto and tel links are kept)";
    let portal = checked_and_built(
        "hostile",
        &json!([
            diagnostic(
                "warning",
                file,
                Some(3),
                entity,
                &format!("raw HTML <script> is not allowed in docs; {shown}")
            ),
            diagnostic(
                "warning",
                file,
                Some(5),
                entity,
                &format!("raw HTML <iframe> is not allowed in docs; {shown}")
            ),
            diagnostic("warning", file, Some(7), entity, handler),
            diagnostic("warning", file, Some(9), entity, javascript),
            diagnostic("warning", file, Some(11), entity, javascript),
            diagnostic(
                "warning",
                file,
                Some(13),
                entity,
                &format!("raw HTML <style> is not allowed in docs; {shown}")
            ),
            diagnostic("warning", file, Some(15), entity, handler),
            diagnostic(
                "warning",
                "repos/app/mkdocs.yml",
                Some(5),
                entity,
                "nav entry javascript:alert(5) names a page that does not exist in the docs folder",
            ),
        ]),
    );
    let site = portal.site();
    // The nav is written in Rust, not by Tera: titles and hrefs are escaped there.
    let nav_html = site.read(&doc_page("hostile", ""));
    let nav = docs_nav(&nav_html);
    assert!(
        nav.contains(">&lt;img src=y onerror=alert(4)&gt;</a>")
            && nav.contains("href=\"https://status.example.com/?a=&quot;q&quot;&amp;b=&lt;c&gt;\"")
            && nav.contains(">Status &lt;b&gt;page&lt;/b&gt; <span class=\"external\"")
            && !nav.contains("javascript:"),
        "the nav is not escaped:\n{nav}"
    );
    for page in [doc_page("hostile", ""), "docs/index.html".to_string()] {
        let html = site.read(&page);
        let tags = start_tags(&html);
        assert!(tags.len() > 20, "{page}: the tokenizer found too few tags");
        for tag in &tags {
            for (name, value) in &tag.attributes {
                assert!(
                    !name.starts_with("on"),
                    "{page}: <{} {name}={value:?}> keeps an event handler",
                    tag.name
                );
                if matches!(name.as_str(), "href" | "src" | "action" | "formaction") {
                    let compact: String = value
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect();
                    assert!(
                        !compact.to_ascii_lowercase().starts_with("javascript:"),
                        "{page}: <{} {name}={value:?}>",
                        tag.name
                    );
                }
            }
        }
        for tag in start_tags(body(&html)) {
            assert!(
                !matches!(tag.name.as_str(), "script" | "iframe" | "style"),
                "{page}: a <{}> element in the body",
                tag.name
            );
        }
        // The hostile site_name is text wherever it is shown.
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{page} does not show the site name escaped"
        );
        assert!(
            !tags.iter().any(
                |t| t.name == "img" && t.attributes.iter().any(|(n, v)| n == "src" && v == "x")
            ),
            "{page}: the site name became an <img>"
        );
    }

    let html = site.read(&doc_page("hostile", ""));
    let content = content(&html);
    assert!(
        content.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the refused script is not shown as text:\n{content}"
    );
    assert!(content.contains("&lt;iframe src="), "{content}");
    assert!(
        content.contains(">text</div>"),
        "the div's text is gone:\n{content}"
    );
    assert!(
        content.contains("<p>click</p>"),
        "the link text is gone:\n{content}"
    );
    assert!(content.contains("<p>The end.</p>"), "{content}");
    // The image stays, without its handler, pointing at the copied asset.
    let page = doc_page("hostile", "");
    let images: Vec<TagInfo> = start_tags(content)
        .into_iter()
        .filter(|t| t.name == "img")
        .collect();
    assert_eq!(images.len(), 1, "{content}");
    let src = &images[0]
        .attributes
        .iter()
        .find(|(n, _)| n == "src")
        .expect("src")
        .1;
    assert_eq!(
        resolve_link(&page, src).as_deref(),
        Some("docs/default/component/hostile/x.png")
    );
    assert!(site.exists("docs/default/component/hostile/x.png"));
}

// ----------------------------------------------------------------------------- mkdocs.yml

#[test]
fn mkdocs_variants_docs_dir_yaml_tags_nested_nav_and_escaping_docs_dir() {
    let entity = "component:default/handbook";
    let portal = checked_and_built(
        "mkdocs-variants",
        &json!([
            diagnostic(
                "warning",
                "repos/handbook/mkdocs.yml",
                Some(18),
                entity,
                "nav entry missing.md names a page that does not exist in the docs folder"
            ),
            diagnostic(
                "error",
                "repos/outside/mkdocs.yml",
                Some(3),
                "component:default/outside",
                "docs_dir \"../outside\" must be a relative path inside the project"
            ),
        ]),
    );
    let site = portal.site();

    // docs_dir: documentation, and the page left out of the nav is still built.
    for dir in ["", "guides/setup/", "guides/deep/internals/", "hidden/"] {
        assert!(
            site.exists(&doc_page("handbook", dir)),
            "handbook page {dir:?} missing"
        );
    }
    // mkdocs.yaml is read: its site_name and nav titles are used.
    for dir in ["", "other/"] {
        assert!(
            site.exists(&doc_page("yaml-ext", dir)),
            "yaml-ext page {dir:?} missing"
        );
    }
    let yaml_home = doc_page("yaml-ext", "");
    let html = site.read(&yaml_home);
    assert_eq!(
        title_of(&html),
        "Start · Spelled YAML · Developer Portal",
        "a title written in nav is the page's title, as in mkdocs"
    );
    assert_eq!(
        nav_entries(&yaml_home, docs_nav(&html)),
        vec![
            ("Start".to_string(), yaml_home.clone()),
            ("Other page".to_string(), doc_page("yaml-ext", "other/")),
        ]
    );

    // The nav: nested sections (open on the page inside them) and the external link.
    let internals = doc_page("handbook", "guides/deep/internals/");
    let html = site.read(&internals);
    let nav = docs_nav(&html);
    assert!(nav.contains("<summary>The Handbook</summary>"), "{nav}");
    let home = doc_page("handbook", "");
    let setup = doc_page("handbook", "guides/setup/");
    assert_eq!(
        nav_entries(&internals, nav),
        vec![
            ("Home".to_string(), home.clone()),
            ("Guides".to_string(), setup.clone()),
            ("Setting up".to_string(), setup.clone()),
            ("Deep dive".to_string(), internals.clone()),
            ("Internals".to_string(), internals.clone()),
            (
                "Status page".to_string(),
                "https://status.example.com/".to_string()
            ),
        ]
    );
    assert!(
        nav.find(">Guides<").expect("Guides") < nav.find(">Deep dive<").expect("Deep dive")
            && nav.matches("<li class=\"nav-section open\">").count() == 2,
        "Deep dive is not an open section inside Guides:\n{nav}"
    );
    for page in [&home, &setup, &internals] {
        let html = site.read(page);
        let entries = nav_entries(page, docs_nav(&html));
        assert!(
            !entries
                .iter()
                .any(|(_, t)| t.contains("hidden") || t.contains("missing")),
            "{page}: the nav lists a page it should not: {entries:?}"
        );
    }
    assert_eq!(
        title_of(&site.read(&doc_page("handbook", "hidden/"))),
        "Hidden page · The Handbook · Developer Portal"
    );

    // docs_dir: ../outside leaves that entity without docs, and everything else is built.
    assert!(!site.root.join("docs/default/component/outside").exists());
    let outside = entity_page("default", "component", "outside");
    assert!(
        site.exists(&outside),
        "the entity page of outside is missing"
    );
    assert!(
        !targets(&outside, &site.read(&outside))
            .iter()
            .any(|t| t.starts_with("docs/default/")),
        "{outside} links to docs that were not built"
    );
    let index = site.read("docs/index.html");
    let listed: BTreeSet<String> = targets("docs/index.html", &index).into_iter().collect();
    assert!(listed.contains(&home) && listed.contains(&yaml_home));
    assert_eq!(index.matches("class=\"card docs-card\"").count(), 2);
}

// ---------------------------------------------------------------------------- no mkdocs.yml

#[test]
fn without_mkdocs_yml_the_folder_tree_is_the_nav() {
    let portal = Portal::fixture("docs/fallback");
    let (_, diagnostics) = portal.check_json();
    // index.md and README.md both want to be the home page: as in mkdocs, index.md wins and
    // README.md is skipped with a warning.
    assert_eq!(
        diagnostics,
        json!([{
            "severity": "warning",
            "file": "repos/app/docs/README.md",
            "line": null,
            "entity": "component:default/fallback",
            "message": "skipped: index.md already becomes the page index.html"
        }])
    );

    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let home = doc_page("fallback", "");
    let alpha = doc_page("fallback", "alpha/");
    let zeta = doc_page("fallback", "zeta/");
    let install = doc_page("fallback", "getting-started/install/");
    let pages: Vec<String> = site
        .html_files()
        .into_iter()
        .filter(|f| f.starts_with("docs/default/"))
        .collect();
    let mut expected = vec![home.clone(), alpha.clone(), zeta.clone(), install.clone()];
    expected.sort();
    assert_eq!(pages, expected);

    // Order: the home page, files by code point, then folders as sections.
    let html = site.read(&zeta);
    let entries = nav_entries(&zeta, docs_nav(&html));
    let order: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        order,
        vec![home.as_str(), &alpha, &zeta, &install],
        "{entries:?}"
    );
    assert_eq!(entries[1].0, "Alpha guide");
    assert_eq!(
        entries[2].0, "Zeta",
        "a page without H1 is titled by its file name"
    );
    assert_eq!(entries[3].0, "Getting started");
    assert!(
        docs_nav(&html).contains("<li class=\"nav-section\">\n<a href=\"../getting-started/install/index.html\">Getting started</a>"),
        "getting-started is not a section:\n{}",
        docs_nav(&html)
    );
    assert_eq!(
        title_of(&html),
        "Zeta · Fallback Service · Developer Portal"
    );
    assert_eq!(
        title_of(&site.read(&alpha)),
        "Alpha guide · Fallback Service · Developer Portal"
    );

    // Inside the section, the section is open and lists the page by its H1.
    let html = site.read(&install);
    let entries = nav_entries(&install, docs_nav(&html));
    assert_eq!(
        entries.last(),
        Some(&("Installing".to_string(), install.clone())),
        "{entries:?}"
    );
    assert!(docs_nav(&html).contains("<li class=\"nav-section open\">"));
    assert_eq!(
        title_of(&html),
        "Installing · Fallback Service · Developer Portal"
    );
}

// ------------------------------------------------------------------------------ link rewriting

#[test]
fn links_are_rewritten_and_broken_ones_reported_at_their_line() {
    let file = "repos/guide/docs/tutorials/broken.md";
    let entity = "component:default/guide";
    let portal = checked_and_built(
        "links",
        &json!([
            diagnostic("warning", file, Some(3), entity, "broken link: no-such-page.md names tutorials/no-such-page.md, which is not a page of these docs"),
            diagnostic("warning", file, Some(5), entity, "broken link: ../img/no-such-image.png names img/no-such-image.png, which does not exist in the docs folder"),
            diagnostic("warning", file, Some(7), entity, "broken anchor: #no-such-heading is not a heading of repos/guide/docs/tutorials/second-steps.md"),
        ]),
    );
    let site = portal.site();
    let page = doc_page("guide", "tutorials/first-steps/");
    let html = site.read(&page);
    let body = content(&html);
    let hrefs = links_of(body);
    assert_eq!(
        hrefs,
        vec![
            "#first-steps",
            "../second-steps/index.html#details",
            "../../index.html#overview",
            "../other/index.html",
            "../../../other-service/page/index.html#usage",
            "../../../../../../catalog/default/api/other-api/index.html",
            "#first-steps",
            "../../img/diagram.png",
        ],
        "rewritten links of {page}"
    );
    let expected_targets = [
        doc_page("guide", "tutorials/second-steps/"),
        doc_page("guide", ""),
        doc_page("guide", "tutorials/other/"),
        doc_page("other-service", "page/"),
        entity_page("default", "api", "other-api"),
        "docs/default/component/guide/img/diagram.png".to_string(),
    ];
    let resolved = targets(&page, body);
    for target in &expected_targets {
        assert!(
            resolved.contains(target),
            "{page} has no link to {target}: {resolved:?}"
        );
        assert!(site.exists(target), "{target} does not exist");
    }

    // Apart from the three reported ones, every link and fragment of the site resolves.
    let report = check_every_link(&site);
    let broken_page = doc_page("guide", "tutorials/broken/");
    assert_eq!(
        report.broken,
        vec![
            format!("{broken_page}: \"no-such-page.md\" names no file"),
            format!(
                "{broken_page}: \"../second-steps/index.html#no-such-heading\": {} has no id \"no-such-heading\"",
                doc_page("guide", "tutorials/second-steps/")
            ),
            format!("{broken_page}: \"../img/no-such-image.png\" names no file"),
        ]
    );
    assert!(report.cross_page_fragments >= 3, "{report:?}");
}

#[test]
fn strict_build_with_one_broken_link_keeps_the_previous_site() {
    let portal = Portal::fixture("docs/links");
    std::fs::remove_file(portal.path("repos/guide/docs/tutorials/broken.md")).expect("rm");
    let parent = portal.tmp().join("published");
    std::fs::create_dir_all(&parent).expect("mkdir");
    let out = parent.join("site");
    portal.build_to(&out, &["--strict"]).assert_code(0);
    let before = snapshot_with_folders(&out);
    assert!(before.contains_key(&doc_page("guide", "tutorials/first-steps/")));

    portal.write(
        "repos/guide/docs/tutorials/second-steps.md",
        "# Second steps\n\n## Details\n\nSee [nowhere](nowhere.md).\n",
    );
    let run = portal.build_to(&out, &["--strict"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "repos/guide/docs/tutorials/second-steps.md:5: warning: broken link: nowhere.md names tutorials/nowhere.md, which is not a page of these docs [component:default/guide]"
        ),
        "the strict failure names the broken link; {}",
        run.describe()
    );
    assert!(
        snapshot_with_folders(&out) == before,
        "a failed --strict build changed the previous site"
    );
    assert_eq!(
        entry_names(&parent),
        vec!["site"],
        "staging folders left behind"
    );
}

// ------------------------------------------------------------------------------------ safety

/// A tiny valid portal: Group `app-team`, Component `app` with `docs/index.md`.
fn small_portal() -> Portal {
    let portal = Portal::empty();
    portal
        .write(
            "repos/app/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: app-team\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: app\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: app-team\n",
        )
        .write("repos/app/docs/index.md", "# App\n\nThe app's docs.\n");
    portal
}

#[test]
fn a_techdocs_dir_outside_the_repository_is_an_error() {
    let portal = small_portal();
    portal
        .write(
            "repos/esc/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: escaper\n  annotations:\n    backstage.io/techdocs-ref: dir:../../elsewhere\nspec:\n  type: service\n  lifecycle: production\n  owner: app-team\n",
        )
        .write("elsewhere/docs/index.md", "# Elsewhere\n\nSECRET-ELSEWHERE\n");
    let (run, diagnostics) = portal.check_json();
    run.assert_code(1);
    assert_diagnostics(
        &diagnostics,
        &json!([diagnostic(
            "error",
            "repos/esc/catalog-info.yaml",
            Some(1),
            "component:default/escaper",
            "backstage.io/techdocs-ref: path \"../../elsewhere\" leaves the repository root"
        )]),
    );
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    assert!(site.exists(&doc_page("app", "")));
    assert!(site.exists(&entity_page("default", "component", "escaper")));
    assert!(!site.root.join("docs/default/component/escaper").exists());
    for (path, bytes) in site.tree() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET-ELSEWHERE"),
            "{path} contains the docs outside the repository"
        );
    }
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_repository_are_not_followed() {
    let portal = small_portal();
    let secret = portal.tmp().join("secret");
    std::fs::create_dir_all(&secret).expect("mkdir");
    std::fs::write(secret.join("leak.md"), "# Leak\n\nSECRET-PAGE\n").expect("write");
    std::fs::write(secret.join("key.txt"), "SECRET-KEY\n").expect("write");
    portal
        .symlink(secret.join("leak.md"), "repos/app/docs/leak.md")
        .symlink(&secret, "repos/app/docs/leaked-folder")
        // A symlink that stays inside the repository is followed.
        .write("repos/app/shared/inside.md", "# Inside\n\nShared page.\n")
        .symlink("../shared/inside.md", "repos/app/docs/inside.md");
    let (run, diagnostics) = portal.check_json();
    run.assert_code(0);
    let message = "symlink points outside the repository; not followed";
    assert_diagnostics(
        &diagnostics,
        &json!([
            diagnostic(
                "warning",
                "repos/app/docs/leak.md",
                None,
                "component:default/app",
                message
            ),
            diagnostic(
                "warning",
                "repos/app/docs/leaked-folder",
                None,
                "component:default/app",
                message
            ),
        ]),
    );
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    assert!(site.exists(&doc_page("app", "")));
    assert!(site.exists(&doc_page("app", "inside/")));
    assert!(!site.root.join("docs/default/component/app/leak").exists());
    assert!(!site
        .root
        .join("docs/default/component/app/leaked-folder")
        .exists());
    for (path, bytes) in site.tree() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("SECRET-PAGE") && !text.contains("SECRET-KEY"),
            "{path} contains a file from outside the repository"
        );
    }
}

#[test]
fn a_five_megabyte_page_renders() {
    let portal = small_portal();
    let paragraph =
        "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, see the [home](index.md).\n\n";
    let count = 5 * 1024 * 1024 / paragraph.len() + 1;
    let mut page = String::from("# Big page\n\n");
    page.push_str(&paragraph.repeat(count));
    page.push_str("The very last paragraph.\n");
    assert!(page.len() > 5 * 1024 * 1024);
    portal.write("repos/app/docs/big.md", &page);
    let run = portal.build_to_within(&portal.out, &[], SLOW);
    run.assert_code(0);
    let site = portal.site();
    assert_diagnostics(&site.json("diagnostics.json"), &json!([]));
    let html = site.read(&doc_page("app", "big/"));
    let content = content(&html);
    assert_eq!(content.matches("<em>consectetur</em>").count(), count);
    assert!(content.contains("<p>The very last paragraph.</p>"));
    assert_eq!(title_of(&html), "Big page · app · Developer Portal");
}

#[test]
fn pathological_nesting_is_refused_without_a_crash() {
    let portal = small_portal();
    portal
        .write(
            "repos/app/docs/quotes.md",
            format!("# Quotes\n\n{}deep\n", "> ".repeat(5000)),
        )
        .write(
            "repos/app/docs/lists.md",
            format!("# Lists\n\n{}deep\n", "- ".repeat(3000)),
        )
        .write("repos/app/docs/fine.md", "# Fine\n\n> one\n>> two\n");
    let (run, diagnostics) = portal.check_json_within(SLOW);
    run.assert_code(1);
    let message = "page is nested more than 100 levels deep (block quotes, lists or emphasis); it was not rendered";
    let expected = json!([
        diagnostic(
            "error",
            "repos/app/docs/lists.md",
            Some(3),
            "component:default/app",
            message
        ),
        diagnostic(
            "error",
            "repos/app/docs/quotes.md",
            Some(3),
            "component:default/app",
            message
        ),
    ]);
    assert_diagnostics(&diagnostics, &expected);
    let build = portal.build_to_within(&portal.out, &[], SLOW);
    build.assert_no_crash().assert_code(0);
    let site = portal.site();
    assert_diagnostics(&site.json("diagnostics.json"), &expected);
    for dir in ["quotes/", "lists/"] {
        let html = site.read(&doc_page("app", dir));
        let content = content(&html);
        assert!(content.contains("Not rendered"), "{dir}: {content}");
        assert!(
            !content.contains("<blockquote>") && !content.contains("<li>"),
            "{dir}"
        );
    }
    assert!(site.exists(&doc_page("app", "")));
    let fine = site.read(&doc_page("app", "fine/"));
    assert_eq!(content(&fine).matches("<blockquote>").count(), 2);
}

// ------------------------------------------------------------------------------- determinism

#[test]
fn docs_builds_are_byte_identical() {
    let portal = Portal::fixture("docs/links");
    let a = assert_deterministic_build(&portal);
    let docs = a.keys().filter(|k| k.starts_with("docs/")).count();
    assert_eq!(docs, 9, "docs files: 7 pages, 1 image and the index");
}

// ------------------------------------------------------------------------------- snippets

/// `--8<-- "file"` (pymdownx.snippets, enabled by techdocs-core) splices a file relative to the
/// mkdocs project; a snippet outside the repository is refused with a warning at its line.
#[test]
fn snippets_are_included_from_inside_the_repository_only() {
    let portal = Portal::empty();
    portal.write(
        "repos/app/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: app\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: nobody\n",
    );
    portal.write("repos/app/mkdocs.yml", "site_name: App\n");
    portal.write(
        "repos/app/shared/glossary.md",
        "Shared **glossary** text.\n",
    );
    portal.write("repos/secret.md", "TOP SECRET\n");
    portal.write(
        "repos/app/docs/index.md",
        "# App\n\n--8<-- \"shared/glossary.md\"\n\n--8<-- \"../secret.md\"\n",
    );
    let (_, diagnostics) = portal.check_json();
    let problems: Vec<&Value> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["file"] == "repos/app/docs/index.md")
        .collect();
    assert_eq!(problems.len(), 1, "{diagnostics}");
    assert_eq!(problems[0]["line"], 5);
    assert_eq!(
        problems[0]["message"],
        "snippet \"../secret.md\" not included: path \"../secret.md\" leaves the repository root"
    );
    portal.build(&[]).assert_code(0);
    let html = portal.site().read(&doc_page("app", ""));
    assert!(
        html.contains("Shared <strong>glossary</strong> text."),
        "{html}"
    );
    assert!(!html.contains("TOP SECRET"));
}

// ------------------------------------------------------------------------------ techdocs-entity

/// `backstage.io/techdocs-entity` borrows another entity's docs: the entity page links to them.
/// Pointing at an entity without docs, or at none, is a warning rather than a silently missing
/// link.
#[test]
fn techdocs_entity_borrows_docs_and_warns_when_there_are_none() {
    let portal = Portal::empty();
    let component = |name: &str, annotations: &str| {
        format!("---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n{annotations}spec:\n  type: service\n  lifecycle: production\n  owner: nobody\n")
    };
    portal.write(
        "repos/app/catalog-info.yaml",
        [
            component("documented", "    backstage.io/techdocs-ref: dir:.\n"),
            component(
                "borrower",
                "    backstage.io/techdocs-entity: component:documented\n",
            ),
            component("plain", "    acme.example/tier: \"2\"\n"),
            component("no-docs-there", "    backstage.io/techdocs-entity: plain\n"),
            component("dangling", "    backstage.io/techdocs-entity: gone\n"),
        ]
        .concat(),
    );
    portal.write("repos/app/docs/index.md", "# Documented\n");
    let (_, diagnostics) = portal.check_json();
    let warnings: Vec<(&str, &str)> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("backstage.io/techdocs-entity"))
        })
        .map(|d| {
            (
                d["entity"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        vec![
            (
                "component:default/no-docs-there",
                "backstage.io/techdocs-entity \"plain\" names component:default/plain, which has no docs; no docs link is shown"
            ),
            (
                "component:default/dangling",
                "backstage.io/techdocs-entity \"gone\" names component:default/gone, which is not in the catalog; no docs link is shown"
            ),
        ],
        "{diagnostics}"
    );
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let page = "catalog/default/component/borrower/index.html";
    let links = targets(page, &site.read(page));
    assert!(
        links.contains(&doc_page("documented", "")),
        "the borrower links to the docs it borrows: {links:?}"
    );
}

// ------------------------------------------------------------------------------- the reader

/// The reader around a page: `<title>` and meta description, the entity with its owner and a
/// link back, the "On this page" list, previous/next in nav order, and "Edit this page" from
/// `repo_url` + `edit_uri` or, without them, from the entity's `backstage.io/source-location`.
#[test]
fn the_reader_shows_context_toc_neighbours_and_edit_links() {
    let portal = example_org_built();
    let site = portal.site();
    let page = doc_page("checkout-service", "architecture/");
    let html = site.read(&page);
    assert_eq!(
        title_of(&html),
        "Architecture · Checkout Service · Acme Developer Portal"
    );
    let description = attribute_values(&html, "content")
        .into_iter()
        .find(|c| c.starts_with("A checkout is a short-lived session"))
        .unwrap_or_default();
    assert!(
        !description.is_empty(),
        "meta description from the first paragraph with text, not the image's alt text:\n{}",
        between(&html, "<head>", "</head>")
    );

    let context = between(&html, "<header class=\"docs-context\"", "</header>");
    let context_links = targets(&page, context);
    assert!(context_links
        .contains(&"catalog/default/component/checkout-service/index.html".to_string()));
    assert!(context_links.contains(&"catalog/default/group/team-checkout/index.html".to_string()));

    let toc = between(&html, "<aside class=\"docs-toc\"", "</aside>");
    let ids = attribute_values(&html, "id");
    let anchors: Vec<String> = attribute_values(toc, "href");
    assert!(anchors.len() >= 3, "{toc}");
    assert_eq!(anchors[0], "#request-flow");
    for anchor in &anchors {
        assert!(
            ids.contains(&anchor[1..].to_string()),
            "{anchor} has no target"
        );
    }

    let pager = between(&html, "<nav class=\"docs-pager\"", "</nav>");
    assert_eq!(
        targets(&page, pager),
        vec![
            doc_page("checkout-service", ""),
            doc_page("checkout-service", "api-usage/")
        ],
        "previous is Overview, next is Using the API, as in mkdocs.yml's nav"
    );
    assert!(html.contains(
        "href=\"https://github.com/acme/checkout-service/edit/main/docs/architecture.md\""
    ));

    // search-service has no mkdocs.yml: its source-location's tree URL becomes an edit URL.
    let search = site.read(&doc_page("search-service", "operations/runbook/"));
    assert!(
        search.contains(
            "href=\"https://github.com/acme/search/edit/main/docs/operations/runbook.md\""
        ),
        "{}",
        between(&search, "<footer class=\"docs-footer\"", "</footer>")
    );
}
