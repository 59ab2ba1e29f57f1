//! A docs site's navigation as HTML, written here rather than by a template loop.
//!
//! Every page of a site carries the site's nav (about 100 entries on a 2,000-page site), and a
//! Tera loop over that many entries was the largest part of rendering a docs page. Like mdBook's
//! `toc` helper, the nav is written in Rust and templates insert it with `{{ nav_html | safe }}`;
//! its look is the stylesheet's (`.docs-nav`, `.nav-page`, `.nav-section`, `.open`,
//! `.current`, `.nav-heading`, `.external`).

use crate::docs::{DocSite, NavNode};
use crate::highlight::escape_html;
use crate::urls;
use std::fmt::Write as _;

/// The nav of `site` as seen from its page `current` (whose output path is `from`): a `<ul>`
/// in which the sections holding the page are open with their entries nested, and every other
/// section links to its first page. Text and hrefs are escaped.
pub fn docs_nav_html(site: &DocSite, current: usize, from: &str, pretty: bool) -> String {
    // Every target is inside the site: one climb to the site's folder, then the target's path
    // below it (cheaper than a shortest path per entry).
    let climb = "../".repeat(
        from.strip_prefix(site.root_path.as_str())
            .unwrap_or(from)
            .matches('/')
            .count(),
    );
    let writer = NavWriter {
        site,
        current,
        climb,
        pretty,
    };
    let mut html = String::with_capacity(64 * (site.pages.len().min(200) + 8));
    html.push_str("<ul>");
    writer.write_entries(&site.nav, &mut html);
    html.push_str("\n</ul>");
    html
}

struct NavWriter<'a> {
    site: &'a DocSite,
    current: usize,
    climb: String,
    pretty: bool,
}

impl NavWriter<'_> {
    fn href(&self, page: usize) -> Option<String> {
        let page = self.site.pages.get(page)?;
        let below = page
            .path
            .strip_prefix(self.site.root_path.as_str())
            .unwrap_or(&page.path);
        let below = if self.pretty {
            below.strip_suffix("index.html").unwrap_or(below)
        } else {
            below
        };
        let href = format!("{}{}", self.climb, urls::encode_path(below));
        Some(if href.is_empty() {
            "./".to_string()
        } else {
            href
        })
    }

    fn write_entries(&self, nodes: &[NavNode], html: &mut String) {
        for node in nodes {
            match node {
                NavNode::Page { title, page } => {
                    html.push_str("\n<li class=\"nav-page\">");
                    let marks = if *page == self.current {
                        " class=\"current\" aria-current=\"page\""
                    } else {
                        ""
                    };
                    write_entry(html, title, self.href(*page).as_deref(), marks, false);
                    html.push_str("\n</li>");
                }
                NavNode::Link { title, url } => {
                    html.push_str("\n<li class=\"nav-page\">");
                    let href = urls::is_safe_url(url).then_some(url.as_str());
                    write_entry(html, title, href, " rel=\"noopener\"", true);
                    html.push_str("\n</li>");
                }
                NavNode::Section { title, children } => {
                    let open = !children.is_empty() && section_holds(children, self.current);
                    html.push_str(if open {
                        "\n<li class=\"nav-section open\">"
                    } else {
                        "\n<li class=\"nav-section\">"
                    });
                    let href = first_page(children).and_then(|page| self.href(page));
                    write_entry(html, title, href.as_deref(), "", false);
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
}

/// A link, or a heading when there is nowhere to go.
fn write_entry(html: &mut String, title: &str, href: Option<&str>, marks: &str, external: bool) {
    let title = escape_html(title);
    match href {
        Some(href) => {
            let _ = write!(html, "\n<a href=\"{}\"{marks}>{title}", escape_html(href));
            if external {
                html.push_str(" <span class=\"external\" aria-label=\"(external link)\">↗</span>");
            }
            html.push_str("</a>");
        }
        None => {
            let _ = write!(html, "\n<span class=\"nav-heading\">{title}</span>");
        }
    }
}

fn section_holds(nodes: &[NavNode], page: usize) -> bool {
    nodes.iter().any(|node| match node {
        NavNode::Page { page: p, .. } => *p == page,
        NavNode::Section { children, .. } => section_holds(children, page),
        NavNode::Link { .. } => false,
    })
}

fn first_page(nodes: &[NavNode]) -> Option<usize> {
    nodes.iter().find_map(|node| match node {
        NavNode::Page { page, .. } => Some(*page),
        NavNode::Section { children, .. } => first_page(children),
        NavNode::Link { .. } => None,
    })
}
