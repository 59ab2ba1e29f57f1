//! Mermaid diagrams in docs, drawn at build time: inline SVG with real text (selectable, in the
//! search index), theme colours as CSS variables, sanitised; a diagram that cannot be drawn is
//! a warning with file and line and its source is shown; pages with raw HTML keep their
//! drawings through the HTML sanitiser.

mod common;

use common::Portal;
use serde_json::Value;

const PAGE: &str = "docs/default/component/svc/index.html";

fn portal(markdown: &str) -> Portal {
    let portal = Portal::empty();
    portal.write(
        "repos/svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    portal.write("repos/svc/docs/index.md", markdown);
    portal
}

fn messages(portal: &Portal) -> Vec<(u64, String)> {
    let diagnostics: Value = portal.site().json("diagnostics.json");
    diagnostics
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|d| !d["message"].as_str().unwrap_or("").contains("spec.owner"))
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn diagrams_become_inline_svg_with_text_and_theme_colours() {
    let portal = portal(
        "# Flow\n\n```mermaid\nflowchart LR\n  A[Quokka gateway] --> B[(Ledger)]\n```\n\n<div class=\"note\">Raw <b>HTML</b> on this page.</div>\n\n```mermaid\nsequenceDiagram\n  Alice->>Bob: Wombat handshake\n```\n",
    );
    portal.build(&[]).assert_code(0);
    let html = portal.site().read(PAGE);
    assert_eq!(
        html.matches("<figure class=\"diagram mermaid\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        html.contains(">Quokka gateway</text>"),
        "labels are text: {html}"
    );
    assert!(
        html.contains("var(--mmd-node"),
        "theme colours are variables"
    );
    assert!(
        html.contains("id=\"mmd1-") && html.contains("id=\"mmd2-"),
        "ids unique per page"
    );
    assert!(!html.contains("```mermaid") && !html.contains("data-lang=\"mermaid\""));
    assert!(messages(&portal).is_empty(), "{:?}", messages(&portal));
    // Labels are in the search index.
    let shards = common::list_files(&portal.site().root.join("search/t"));
    let terms: String = shards
        .iter()
        .map(|s| portal.site().read(&format!("search/t/{s}")))
        .collect();
    for word in ["quokka", "wombat", "ledger"] {
        assert!(terms.contains(&format!("\"{word}\"")), "{word} indexed");
    }
}

#[test]
fn a_diagram_that_cannot_be_drawn_is_a_warning_and_shows_its_source() {
    let long = format!("flowchart TD\n{}", "  a --> b\n".repeat(700));
    let portal = portal(&format!(
        "# Broken\n\nText.\n\n```mermaid\nnotADiagram <b>x</b>\n```\n\n```mermaid\n{long}```\n"
    ));
    portal.build(&[]).assert_code(0);
    let html = portal.site().read(PAGE);
    assert!(!html.contains("<figure class=\"diagram"), "{html}");
    assert!(
        html.contains("notADiagram &lt;b&gt;x&lt;/b&gt;"),
        "source shown, escaped"
    );
    let messages = messages(&portal);
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(messages[0].0, 5, "the fence's line");
    assert!(
        messages[0].1.starts_with("Mermaid diagram not drawn:"),
        "{messages:?}"
    );
    assert!(
        messages[1]
            .1
            .contains("greenroom draws diagrams up to 600 lines"),
        "{messages:?}"
    );
    // `check` reports the same, without building.
    let run = portal.check(&["--format", "json"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("Mermaid diagram not drawn"),
        "{}",
        run.describe()
    );
}

#[test]
fn hostile_diagrams_draw_nothing_executable() {
    let portal = portal(
        "# Hostile\n\n```mermaid\nflowchart TD\n  A[\"<img src=x onerror=alert(1)>\"] --> B[\"</text><script>alert(2)</script>\"]\n  click A \"javascript:alert(3)\"\n  click B \"https://example.com/ok\"\n```\n",
    );
    portal.build(&[]).assert_code(0);
    let html = portal.site().read(PAGE).to_ascii_lowercase();
    let body = &html[html.find("<figure").unwrap_or(0)..];
    for bad in ["<script", "onerror", "javascript:", "<img"] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
}

#[test]
fn a_page_cannot_move_a_drawing_into_its_own_html() {
    let portal = portal(
        "# Slots\n\n<span title=\"\u{E000}greenroom-diagram-0\u{E000}\">decoy</span>\n\n```mermaid\nflowchart LR\n  A[Kestrel] --> B\n```\n",
    );
    portal.build(&[]).assert_code(0);
    let html = portal.site().read(PAGE);
    let decoy = html.find("decoy").expect("the span is kept");
    let figure = html
        .find("<figure class=\"diagram mermaid\"")
        .expect("the drawing is kept");
    assert!(figure > decoy, "the drawing stays where its fence was");
    assert!(!html.contains("title=\"<figure"), "{html}");
    assert!(
        !html.contains('\u{E000}'),
        "no slot marker reaches the page"
    );
}
