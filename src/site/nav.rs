//! A docs site's navigation as HTML, written here rather than by a template loop.
//!
//! Every page of a site carries the site's nav (about 100 entries on a 2,000-page site), and a
//! Tera loop over that many entries was the largest part of rendering a docs page. Like mdBook's
//! `toc` helper, the nav is written in Rust and templates insert it with `{{ nav_html | safe }}`;
//! its look is the stylesheet's (`.docs-nav`, `.nav-page`, `.nav-section`, `.open`,
//! `.current`, `.nav-heading`, `.external`). Titles are escaped and hrefs encoded once per site
//! ([`PreparedNav`]); each page's nav only joins them.

use crate::docs::{self, DocSite, NavNode};
use crate::highlight::escape_html;
use crate::urls;

/// A docs site's nav with every title escaped and every page's href written below the site's
/// folder, so that writing one page's nav formats nothing.
#[derive(Debug, Clone)]
pub struct PreparedNav {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
enum Entry {
    Page {
        title: String,
        page: usize,
        below: Option<String>,
    },
    Link {
        title: String,
        href: Option<String>,
    },
    Section {
        title: String,
        /// The escaped href below the site's folder of the section's first page.
        first_below: Option<String>,
        /// Every page inside, sorted, to tell whether the section holds a page.
        pages: Vec<usize>,
        children: Vec<Entry>,
    },
}

/// Prepares `site`'s nav; `pretty` drops `index.html` from hrefs.
pub fn prepare(site: &DocSite, pretty: bool) -> PreparedNav {
    PreparedNav {
        entries: prepare_level(&site.nav, site, pretty),
    }
}

fn prepare_level(nodes: &[NavNode], site: &DocSite, pretty: bool) -> Vec<Entry> {
    nodes
        .iter()
        .map(|node| match node {
            NavNode::Page { title, page } => Entry::Page {
                title: escape_html(title),
                page: *page,
                below: below(site, *page, pretty),
            },
            NavNode::Link { title, url } => Entry::Link {
                title: escape_html(title),
                href: urls::is_safe_url(url).then(|| escape_html(url)),
            },
            NavNode::Section { title, children } => {
                let mut pages = Vec::new();
                docs::collect_order(children, &mut pages);
                let first_below = pages.first().and_then(|&page| below(site, page, pretty));
                pages.sort_unstable();
                Entry::Section {
                    title: escape_html(title),
                    first_below,
                    pages,
                    children: prepare_level(children, site, pretty),
                }
            }
        })
        .collect()
}

/// The escaped, encoded path of `page` below the site's folder.
fn below(site: &DocSite, page: usize, pretty: bool) -> Option<String> {
    let page = site.pages.get(page)?;
    let below = page
        .path
        .strip_prefix(site.root_path.as_str())
        .unwrap_or(&page.path);
    let below = if pretty {
        below.strip_suffix("index.html").unwrap_or(below)
    } else {
        below
    };
    Some(escape_html(&crate::web::encode_path(below)))
}

/// The nav of `site` as seen from its page `current` (whose output path is `from`): a `<ul>`
/// in which the sections holding the page are open with their entries nested, and every other
/// section links to its first page.
pub fn docs_nav_html(site: &DocSite, nav: &PreparedNav, current: usize, from: &str) -> String {
    // Every target is inside the site: one climb to the site's folder, then the target's path
    // below it (cheaper than a shortest path per entry).
    let climb = "../".repeat(
        from.strip_prefix(site.root_path.as_str())
            .unwrap_or(from)
            .matches('/')
            .count(),
    );
    let writer = NavWriter {
        current,
        climb: &climb,
    };
    let mut html = String::with_capacity(80 * (nav.entries.len() + 40));
    html.push_str("<ul>");
    writer.write_entries(&nav.entries, &mut html);
    html.push_str("\n</ul>");
    html
}

struct NavWriter<'a> {
    current: usize,
    climb: &'a str,
}

impl NavWriter<'_> {
    fn write_entries(&self, entries: &[Entry], html: &mut String) {
        for entry in entries {
            match entry {
                Entry::Page { title, page, below } => {
                    html.push_str("\n<li class=\"nav-page\">");
                    let marks = if *page == self.current {
                        " class=\"current\" aria-current=\"page\""
                    } else {
                        ""
                    };
                    self.write_entry(html, title, below.as_deref(), marks);
                    html.push_str("\n</li>");
                }
                Entry::Link { title, href } => {
                    html.push_str("\n<li class=\"nav-page\">");
                    match href {
                        Some(href) => {
                            html.push_str("\n<a href=\"");
                            html.push_str(href);
                            html.push_str("\" rel=\"noopener\">");
                            html.push_str(title);
                            html.push_str(
                                " <span class=\"external\" aria-label=\"(external link)\">↗</span></a>",
                            );
                        }
                        None => heading(html, title),
                    }
                    html.push_str("\n</li>");
                }
                Entry::Section {
                    title,
                    first_below,
                    pages,
                    children,
                } => {
                    let open = !children.is_empty() && pages.binary_search(&self.current).is_ok();
                    html.push_str(if open {
                        "\n<li class=\"nav-section open\">"
                    } else {
                        "\n<li class=\"nav-section\">"
                    });
                    self.write_entry(html, title, first_below.as_deref(), "");
                    if open {
                        html.push_str("\n<ul>");
                        self.write_entries(children, html);
                        html.push_str("\n</ul>");
                    }
                    html.push_str("\n</li>");
                }
            }
        }
    }

    /// A link to a page of the site, or a heading when there is none.
    fn write_entry(&self, html: &mut String, title: &str, below: Option<&str>, marks: &str) {
        let Some(below) = below else {
            heading(html, title);
            return;
        };
        html.push_str("\n<a href=\"");
        if self.climb.is_empty() && below.is_empty() {
            html.push_str("./");
        } else {
            html.push_str(self.climb);
            html.push_str(below);
        }
        html.push('"');
        html.push_str(marks);
        html.push('>');
        html.push_str(title);
        html.push_str("</a>");
    }
}

fn heading(html: &mut String, title: &str) {
    html.push_str("\n<span class=\"nav-heading\">");
    html.push_str(title);
    html.push_str("</span>");
}
