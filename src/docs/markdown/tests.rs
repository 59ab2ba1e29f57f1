//! Unit tests of the Markdown renderer.

use super::*;

/// Resolves every link to itself, checking anchors on `#` links.
struct Identity;

impl LinkResolver for Identity {
    fn resolve(&self, destination: &str, _image: bool) -> Resolution {
        if destination.starts_with("javascript:") {
            return Resolution {
                href: String::new(),
                anchor: None,
                problem: Some("javascript: link removed".to_string()),
            };
        }
        Resolution {
            href: destination.to_string(),
            anchor: destination
                .strip_prefix('#')
                .map(|a| (String::new(), a.to_string())),
            problem: None,
        }
    }
}

fn html(source: &str) -> String {
    render(source, "p/index.html", &Identity).html
}

#[test]
fn slugs_match_mkdocs_toc() {
    assert_eq!(slugify("Rolling back a release"), "rolling-back-a-release");
    assert_eq!(slugify("What's new?"), "whats-new");
    assert_eq!(slugify("Café & Crème — déjà vu"), "cafe-creme-deja-vu");
    assert_eq!(slugify("  a  -  b_c  "), "a-b_c");
    assert_eq!(slugify("v1.2 (beta)"), "v12-beta");
    let mut used = HashSet::new();
    let ids: Vec<String> = ["x", "x", "x", ""]
        .iter()
        .map(|s| unique_id(s.to_string(), &mut used))
        .collect();
    assert_eq!(ids, vec!["x", "x_1", "x_2", "_1"]);
}

#[test]
fn headings_get_ids_permalinks_toc_and_title() {
    let page = render(
        "# Title\n\n## Set *up*\n\n## Set up\n\n### Custom {#own .wide}\n",
        "p",
        &Identity,
    );
    assert_eq!(page.title.as_deref(), Some("Title"));
    let ids: Vec<&str> = page.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec!["title", "set-up", "set-up_1", "own"]);
    assert!(
        page.html
            .contains("<h2 id=\"set-up\">Set <em>up</em><a class=\"headerlink\" href=\"#set-up\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("<h3 id=\"own\" class=\"wide\">"));
}

#[test]
fn plain_code_reports_what_highlighted_code_does() {
    let source = "# Guide\n\n## Run it\n\n```python title=\"run.py\"\nprint(\"<b>\")  # [x](#nowhere)\n```\n\nSee [below](#missing).\n";
    let highlighted = render_with(source, "p/index.html", &Identity, Code::Highlighted);
    let plain = render_with(source, "p/index.html", &Identity, Code::Plain);
    assert!(highlighted.html.contains("hl-"), "{}", highlighted.html);
    assert!(!plain.html.contains("hl-"), "{}", plain.html);
    assert!(
        plain.html.contains("print(&quot;&lt;b&gt;&quot;)"),
        "{}",
        plain.html
    );
    assert_eq!(plain.ids, highlighted.ids);
    assert_eq!(plain.problems, highlighted.problems);
    assert_eq!(plain.sections, highlighted.sections);
    assert_eq!(plain.toc, highlighted.toc);
}

#[test]
fn gfm_extensions_render() {
    let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo\n\nText[^n].\n\n[^n]: Note.\n\nTerm\n: Definition\n");
    assert!(out.contains("<table>"), "{out}");
    assert!(out.contains("<del>old</del>"));
    assert!(out.contains("type=\"checkbox\""));
    assert!(out.contains("footnote-definition"));
    assert!(out.contains("<dt>Term</dt>"), "{out}");
    assert!(out.contains("<dd>Definition</dd>"), "{out}");
}

#[test]
fn abbreviations_wrap_whole_words_only() {
    let page = render(
        "## PSP outage\n\n*[PSP]: Payment service provider\n",
        "p",
        &Identity,
    );
    assert_eq!(page.toc[0].id, "psp-outage");
    let out = html("The API and APIs.\n\n*[API]: Application <Programming> Interface\n");
    assert!(
        out.contains(
            "The <abbr title=\"Application &lt;Programming&gt; Interface\">API</abbr> and APIs."
        ),
        "{out}"
    );
}

#[test]
fn code_fences_highlight_with_title_numbers_and_marked_lines() {
    let out = html("```python title=\"app.py\" linenums=\"3\" hl_lines=\"2\"\ns = \"\"\"a\nb\"\"\"\nprint(s)\n```\n");
    assert!(
        out.contains("<span class=\"filename\">app.py</span>"),
        "{out}"
    );
    assert!(out.contains("data-lang=\"python\""));
    assert_eq!(out.matches("<span class=\"line").count(), 3, "{out}");
    assert!(
        out.contains("<span class=\"line hll\"><span class=\"ln\" aria-hidden=\"true\">4</span>"),
        "{out}"
    );
    for line in out.lines().filter(|l| l.starts_with("<span class=\"line")) {
        assert_eq!(
            line.matches("<span").count(),
            line.matches("</span>").count(),
            "{line}"
        );
    }
    let accents = html("```python hl_lines=\"1\"\né = \"ü\"\n```\n");
    assert!(accents.contains("<span class=\"line hll\">"), "{accents}");
    assert!(accents.contains('é') && accents.contains('ü'), "{accents}");
    let unknown = html("```notalanguage\ngraph <TD>\n```\n");
    assert!(unknown.contains("graph &lt;TD&gt;"), "{unknown}");
}

#[test]
fn refused_html_is_shown_as_text_and_reported() {
    let page = render(
        "<script>alert(1)</script>\n\nText <iframe src=\"x\"></iframe> and <kbd>Ctrl</kbd>.\n",
        "p",
        &Identity,
    );
    assert!(!page.html.contains("<script"), "{}", page.html);
    assert!(page.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.html.contains("<iframe"));
    assert!(page.html.contains("<kbd>Ctrl</kbd>"));
    assert_eq!(page.problems.len(), 2, "{:?}", page.problems);
    assert_eq!(page.problems[1].line, 3);
}

#[test]
fn event_handlers_and_javascript_urls_are_removed() {
    let page = render(
        "<img src=\"a.png\" onerror=\"alert(1)\">\n\n[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>\n",
        "p",
        &Identity,
    );
    assert!(!page.html.contains("onerror"), "{}", page.html);
    assert!(
        !page.html.to_lowercase().contains("javascript:"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains(">x<") || page.html.contains("x "),
        "{}",
        page.html
    );
    assert!(page
        .problems
        .iter()
        .any(|p| p.message.contains("event handler")));
}

#[test]
fn descriptions_keep_line_breaks_and_inline_code() {
    let page = render("# T\n\nCall `pay()`\nwhen ready.\n", "p", &Identity);
    assert_eq!(page.description.as_deref(), Some("Call pay() when ready."));
    let page = render("# T\n\n![A diagram](d.svg)\n\nThe text.\n", "p", &Identity);
    assert_eq!(
        page.description.as_deref(),
        Some("The text."),
        "an image's alt text is not a description"
    );
}

#[test]
fn refused_raw_hrefs_are_removed_not_emptied() {
    let page = render("<a href=\"javascript:alert(2)\">x</a>\n", "p", &Identity);
    assert!(!page.html.contains("href"), "{}", page.html);
    assert!(page.html.contains(">x</a>"), "{}", page.html);
}

#[test]
fn deep_nesting_is_refused_without_overflowing() {
    let quotes = format!("{}x\n", "> ".repeat(5_000));
    let page = render(&quotes, "p", &Identity);
    assert!(page.problems.iter().any(|p| p.error), "{:?}", page.problems);
    let lists = format!("{}x\n", "- ".repeat(3_000));
    let page = render(&lists, "p", &Identity);
    assert!(page.problems.iter().any(|p| p.error));
}

#[test]
fn admonitions_and_tabs_render_their_markdown() {
    let out = html("!!! note \"Heads up\"\n    Some **bold**.\n\n=== \"A\"\n    ```bash\n    ls\n    ```\n=== \"B\"\n    b\n");
    assert!(out.contains("<div class=\"admonition note\">"), "{out}");
    assert!(out.contains("<p class=\"admonition-title\">Heads up</p>"));
    assert!(out.contains("<strong>bold</strong>"));
    assert!(out.contains("<label for=\"__tabbed_1_2\">B</label>"));
    assert!(out.contains("data-lang=\"bash\""));
}
