//! Self-tests of the helpers in `common/`: the link resolver and HTML reader that the other
//! suites rely on must themselves be right.

mod common;

use common::*;

#[test]
fn resolves_relative_links() {
    let page = "catalog/default/component/x/index.html";
    assert_eq!(
        resolve_link(page, "../../../../index.html?v=1#top").as_deref(),
        Some("index.html")
    );
    assert_eq!(
        resolve_link(page, "../y/").as_deref(),
        Some("catalog/default/component/y/index.html")
    );
    assert_eq!(
        resolve_link("index.html", "./").as_deref(),
        Some("index.html")
    );
    assert_eq!(resolve_link("index.html", "../x.html"), None);
    assert_eq!(
        resolve_link("index.html", "a%20b.html").as_deref(),
        Some("a b.html")
    );
}

#[test]
fn reads_attributes_and_entities() {
    let html = r#"<a class="x" href="..&#x2F;a.html?q=1&amp;r=2">t</a><img src='b.png' data-src="no"><a href=c.html>"#;
    assert_eq!(links_of(html), vec!["../a.html?q=1&r=2", "c.html", "b.png"]);
    let code = "<pre><code>&lt;img src={img.url} href=\"x\"&gt;</code></pre><a title=\"t\" href=\"y.html\">";
    assert_eq!(links_of(code), vec!["y.html"]);
    assert_eq!(
        unescape_html("&lt;b&gt; &amp;amp; &#39; &unknown;"),
        "<b> &amp; ' &unknown;"
    );
}
