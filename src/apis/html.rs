//! The markup of a reference, written in Rust like the docs nav (`site/nav.rs`): a 50-operation
//! definition is thousands of table rows and tree nodes, which a Tera loop would make the
//! slowest part of the build. Every reader writes through these helpers, so every format looks
//! the same and every text is escaped on the way in: [`Html`] can only be made from escaped
//! text, sanitised Markdown, highlighted code, or other [`Html`].

use crate::docs::links::{LinkResolver, Resolution};
use crate::docs::markdown::{self, Code};
use crate::highlight;
use std::fmt::Write as _;

/// Markup that is safe to insert into a page as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// The markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there is no markup.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The markup, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Escaped text.
    pub fn text(text: &str) -> Html {
        Html(highlight::escape_html(text))
    }

    /// `<code>text</code>`.
    pub fn code(text: &str) -> Html {
        Html(format!("<code>{}</code>", highlight::escape_html(text)))
    }

    /// A link to an element of the same page (`#schema/Pet`); `anchor` without the `#`.
    pub fn anchor_link(text: &str, anchor: &str) -> Html {
        Html(format!(
            "<a href=\"#{}\">{}</a>",
            fragment_href(anchor),
            highlight::escape_html(text)
        ))
    }

    /// Markup inside one `<code>`: a type like `[Film!]!` whose name is a link.
    pub fn in_code(inner: &Html) -> Html {
        Html(format!("<code>{}</code>", inner.0))
    }

    /// `<code>` text linking to an element of the same page: a type name.
    pub fn code_link(text: &str, anchor: &str) -> Html {
        Html(format!(
            "<a href=\"#{}\"><code>{}</code></a>",
            fragment_href(anchor),
            highlight::escape_html(text)
        ))
    }

    /// A link out of the site, only for `http(s)` and `mailto` URLs (`None` otherwise): a
    /// scalar's `@specifiedBy`, external docs.
    pub fn external_link(text: &str, url: &str) -> Option<Html> {
        let safe = crate::web::is_http_url(url) || url.starts_with("mailto:");
        safe.then(|| {
            Html(format!(
                "<a href=\"{}\" rel=\"noopener\">{}</a>",
                highlight::escape_html(url),
                highlight::escape_html(text)
            ))
        })
    }

    /// A small label: `required`, `deprecated`, a method, a type kind. `class` is one of the
    /// reference stylesheet's badge classes and is written as given, so it must be a literal.
    pub fn badge(text: &str, class: &'static str) -> Html {
        Html(format!(
            "<span class=\"badge {class}\">{}</span>",
            highlight::escape_html(text)
        ))
    }

    /// Appends other markup.
    pub fn push(&mut self, other: &Html) {
        self.0.push_str(&other.0);
    }

    /// Appends escaped text.
    pub fn push_text(&mut self, text: &str) {
        self.0.push_str(&highlight::escape_html(text));
    }
}

/// Markup joined from parts with a separator of escaped text (`, `, ` | `).
pub fn join(parts: impl IntoIterator<Item = Html>, separator: &str) -> Html {
    let mut out = Html::default();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_text(separator);
        }
        out.push(&part);
    }
    out
}

/// An anchor as the fragment of an `href` (without the `#`): percent-encodes what would end the attribute or the URL,
/// keeps `/` and the rest as written, so `#operation/get-/pets/{id}` finds `id="operation/get-/pets/{id}"`.
pub fn fragment_href(anchor: &str) -> String {
    let mut out = String::with_capacity(anchor.len());
    for c in anchor.chars() {
        match c {
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("%27"),
            '`' => out.push_str("%60"),
            c if c.is_control() => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{byte:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The value for an element's `id` attribute: the anchor, attribute-escaped.
pub fn id_attribute(anchor: &str) -> String {
    highlight::escape_html(anchor)
}

/// Renders a description written in Markdown (CommonMark, as OpenAPI, AsyncAPI and GraphQL
/// specify), sanitised like docs pages. Links within the page (`#operation/x`) and to
/// `http(s)`/`mailto` stay; other links keep their text. `None` for blank text.
pub fn markdown(text: &str) -> Option<Html> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    if is_plain(trimmed) {
        return Some(Html(format!("<p>{}</p>", highlight::escape_html(trimmed))));
    }
    let rendered = markdown::render_with(trimmed, "", &DescriptionLinks, Code::Highlighted);
    Some(Html(rendered.html))
}

/// Text with nothing Markdown would change: written as one escaped paragraph without a parse.
fn is_plain(text: &str) -> bool {
    !text.bytes().any(|b| {
        matches!(
            b,
            b'\n'
                | b'*'
                | b'_'
                | b'`'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'#'
                | b'!'
                | b'|'
                | b'\\'
                | b'~'
                | b'&'
                | b'='
                | b':'
                | b'-'
                | b'+'
        )
    })
}

/// Links of descriptions: same-page fragments and web links as written, the rest dropped.
struct DescriptionLinks;

impl LinkResolver for DescriptionLinks {
    fn resolve(&self, destination: &str, _image: bool) -> Resolution {
        let keep = destination.starts_with('#')
            || crate::web::is_http_url(destination)
            || destination.starts_with("mailto:");
        Resolution {
            href: if keep {
                destination.to_string()
            } else {
                String::new()
            },
            anchor: None,
            problem: None,
        }
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Escaped text.
    Text(String),
    /// Text in `<code>`.
    Code(String),
    /// Markup.
    Html(Html),
    /// Nothing.
    Empty,
}

/// Builds the body of an item: headings, tables, trees, examples, in order.
#[derive(Debug, Default)]
pub struct Body {
    out: String,
}

impl Body {
    /// An empty body.
    pub fn new() -> Self {
        Body::default()
    }

    /// A sub-heading inside an item (`Parameters`, `Responses`, `200 OK`).
    pub fn heading(&mut self, text: &str) {
        let _ = write!(
            self.out,
            "<h4 class=\"ref-subhead\">{}</h4>",
            highlight::escape_html(text)
        );
    }

    /// A sub-heading whose text is markup (a status code badge and its description).
    pub fn heading_html(&mut self, html: &Html) {
        let _ = write!(self.out, "<h4 class=\"ref-subhead\">{}</h4>", html.0);
    }

    /// A paragraph of escaped text.
    pub fn paragraph(&mut self, text: &str) {
        let _ = write!(self.out, "<p>{}</p>", highlight::escape_html(text));
    }

    /// Markup as is (a rendered description, a schema tree).
    pub fn html(&mut self, html: &Html) {
        self.out.push_str(&html.0);
    }

    /// A table with a header row. Rows shorter than the header are padded.
    pub fn table(&mut self, columns: &[&str], rows: &[Vec<Cell>]) {
        if rows.is_empty() {
            return;
        }
        self.out
            .push_str("<div class=\"table-wrap\"><table class=\"ref-table\"><thead><tr>");
        for column in columns {
            let _ = write!(
                self.out,
                "<th scope=\"col\">{}</th>",
                highlight::escape_html(column)
            );
        }
        self.out.push_str("</tr></thead><tbody>");
        for row in rows {
            self.out.push_str("<tr>");
            for i in 0..columns.len() {
                self.out.push_str("<td>");
                match row.get(i) {
                    Some(Cell::Text(text)) => self.out.push_str(&highlight::escape_html(text)),
                    Some(Cell::Code(text)) => {
                        let _ = write!(self.out, "<code>{}</code>", highlight::escape_html(text));
                    }
                    Some(Cell::Html(html)) => self.out.push_str(&html.0),
                    Some(Cell::Empty) | None => {}
                }
                self.out.push_str("</td>");
            }
            self.out.push_str("</tr>");
        }
        self.out.push_str("</tbody></table></div>");
    }

    /// A highlighted code block (an example, a signature). `tokens` name the language as
    /// [`highlight::highlight`] takes them (`json`, `yaml`, `graphql`, `proto`).
    pub fn code(&mut self, title: Option<&str>, tokens: &[&str], code: &str) {
        let highlighted = highlight::highlight(code, tokens);
        self.out.push_str("<div class=\"ref-code\">");
        if let Some(title) = title {
            let _ = write!(
                self.out,
                "<p class=\"ref-code-title\">{}</p>",
                highlight::escape_html(title)
            );
        }
        let _ = write!(
            self.out,
            "<pre class=\"code\" tabindex=\"0\"><code>{}</code></pre></div>",
            highlighted.html
        );
    }

    /// A collapsible part, closed unless `open`.
    pub fn details(&mut self, summary: &Html, inner: &Html, open: bool) {
        let _ = write!(
            self.out,
            "<details class=\"ref-details\"{}><summary>{}</summary>{}</details>",
            if open { " open" } else { "" },
            summary.0,
            inner.0
        );
    }

    /// The finished markup.
    pub fn finish(self) -> Html {
        Html(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_markdown_and_sanitised() {
        let html = markdown("Returns **all** pets. See [create](#operation/createPet) <script>alert(1)</script> [x](javascript:alert(1))")
            .expect("html");
        let html = html.as_str();
        assert!(html.contains("<strong>all</strong>"), "{html}");
        assert!(html.contains("href=\"#operation/createPet\""), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert_eq!(
            markdown("plain words").expect("html").as_str(),
            "<p>plain words</p>"
        );
        assert_eq!(markdown("  \n "), None);
    }

    #[test]
    fn anchors_stay_inside_the_attribute() {
        let link = Html::anchor_link("x", "operation/get-/a\"b c");
        assert_eq!(link.as_str(), "<a href=\"#operation/get-/a%22b%20c\">x</a>");
        assert_eq!(id_attribute("schema/<A>"), "schema/&lt;A&gt;");
    }

    #[test]
    fn external_links_are_web_links_only() {
        assert_eq!(
            Html::external_link("RFC", "https://x.org/a?b=1&c=\"2\"")
                .expect("link")
                .as_str(),
            "<a href=\"https://x.org/a?b=1&amp;c=&quot;2&quot;\" rel=\"noopener\">RFC</a>"
        );
        assert_eq!(Html::external_link("x", "javascript:alert(1)"), None);
    }

    #[test]
    fn tables_escape_every_cell() {
        let mut body = Body::new();
        body.table(
            &["Name", "Type"],
            &[vec![Cell::Code("<id>".into()), Cell::Text("a & b".into())]],
        );
        let html = body.finish();
        assert!(html.as_str().contains("<code>&lt;id&gt;</code>"));
        assert!(html.as_str().contains("a &amp; b"));
    }
}
