//! One Markdown page to HTML: pulldown-cmark with the extensions TechDocs writers rely on.
//!
//! Knows nothing about sites or files: links are resolved through a [`LinkResolver`] the caller
//! supplies, and problems come back as values with their source line.

use super::blocks;
use super::fences::{diagram_slot, render_fence, SLOT_MARK};
pub use super::links::{LinkResolver, Resolution};
use crate::highlight::escape_html;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// Deepest nesting of Markdown blocks and inlines rendered; a deeper page is refused.
pub const MAX_NESTING: usize = 100;

/// HTML tags that are never rendered from a page's raw HTML; a fragment holding one is shown as
/// escaped text instead, so nothing the author wrote silently disappears.
const REFUSED_TAGS: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base",
    "link", "meta", "noscript", "template", "textarea", "button", "select", "svg", "math",
];

/// A problem found while rendering, at a 1-based source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageProblem {
    /// Line in the Markdown source.
    pub line: usize,
    /// True for errors (the page was refused), false for warnings.
    pub error: bool,
    /// What is wrong.
    pub message: String,
}

/// A heading of the page, for the table of contents and anchor checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// 1 to 6.
    pub level: u8,
    /// The element id.
    pub id: String,
    /// Plain text.
    pub text: String,
}

/// A link whose `#anchor` must exist in a target page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorCheck {
    /// Source line of the link.
    pub line: usize,
    /// Site path of the target page.
    pub page: String,
    /// The anchor, without `#`.
    pub anchor: String,
}

/// A rendered page.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    /// Body HTML: escaped or sanitised, safe to insert as is.
    pub html: String,
    /// Front-matter title, else the first `# heading`.
    pub title: Option<String>,
    /// Front-matter description, else the start of the first paragraph.
    pub description: Option<String>,
    /// Headings in order.
    pub toc: Vec<TocEntry>,
    /// Every id a link may point at (headings, footnotes).
    pub ids: BTreeSet<String>,
    /// Anchors to verify in other pages (and this one).
    pub anchor_checks: Vec<AnchorCheck>,
    /// Problems, in source order.
    pub problems: Vec<PageProblem>,
    /// The page's text split at its headings of levels 1 to 3, for search.
    pub sections: Vec<Section>,
}

/// The plain text of a page from one heading (levels 1 to 3) to the next. Code blocks are
/// left out: they would swell the search index with identifiers nobody types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The heading's id; empty for the text before the first heading.
    pub id: String,
    /// The heading's text; empty before the first heading.
    pub title: String,
    /// Words of the section, whitespace collapsed.
    pub text: String,
}

/// Headings of this level or above start a search section.
const SECTION_LEVEL: u8 = 3;

/// What to do with the code blocks of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Highlight them (a build).
    Highlighted,
    /// Leave them as escaped text: nothing a page reports depends on highlighting, so `check`
    /// skips syntect, most of the docs stage's time.
    Plain,
}

/// Renders one page with its code highlighted. `self_path` is the page's site path, used for
/// same-page anchor checks.
pub fn render(source: &str, self_path: &str, links: &dyn LinkResolver) -> RenderedMarkdown {
    render_with(source, self_path, links, Code::Highlighted)
}

/// [`render`], with code blocks treated as `code` says.
pub fn render_with(
    source: &str,
    self_path: &str,
    links: &dyn LinkResolver,
    code_blocks: Code,
) -> RenderedMarkdown {
    let prepared = blocks::prepare(source, &|path| links.include(path));
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(prepared.text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // The prepared text's line holding a byte offset; its source line; whether it was generated.
    let prepared_line = |offset: usize| {
        line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    };
    let line_of = |offset: usize| -> usize {
        let index = prepared_line(offset);
        prepared
            .line_map
            .get(index)
            .or(prepared.line_map.last())
            .copied()
            .unwrap_or(1)
    };
    let generated_line = |offset: usize| {
        prepared
            .generated
            .get(prepared_line(offset))
            .copied()
            .unwrap_or(false)
    };

    let mut page = RenderedMarkdown {
        title: prepared.front_title.clone(),
        description: prepared.front_description.clone(),
        problems: prepared
            .problems
            .iter()
            .map(|(line, message)| PageProblem {
                line: *line,
                error: false,
                message: message.clone(),
            })
            .collect(),
        ..RenderedMarkdown::default()
    };
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut user_html = false;
    let mut dropped_link = false;
    let mut html_block: Option<(usize, String, bool)> = None;
    let mut code: Option<(String, String)> = None;
    let mut code_line = 1;
    // Mermaid drawings of this page: inserted after the sanitiser (see below).
    let mut diagrams: Vec<String> = Vec::new();
    // The description: the first paragraph with text of its own (an image's alt text does not
    // count), collected while `describing`.
    let mut first_paragraph: Option<String> = None;
    let mut paragraph_text = String::new();
    let mut describing = false;
    let mut images_open = 0usize;

    for (event, range) in Parser::new_ext(&prepared.text, options).into_offset_iter() {
        match &event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return refused(
                        line_of(range.start),
                        format!(
                            "page is nested more than {MAX_NESTING} levels deep (block quotes, lists or emphasis); it was not rendered"
                        ),
                    );
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if let Some((_, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((info, text)) = code.take() {
                        let html = render_fence(
                            &info,
                            &text,
                            code_blocks,
                            code_line,
                            &mut diagrams,
                            &mut page.problems,
                        );
                        events.push(Event::Html(html.into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, fragment, generated)) = &mut html_block {
            match event {
                Event::Html(t) | Event::Text(t) => {
                    if !generated_line(range.start) {
                        *generated = false;
                    }
                    fragment.push_str(&t);
                }
                Event::End(TagEnd::HtmlBlock) => {
                    if let Some((line, fragment, generated)) = html_block.take() {
                        if generated {
                            events.push(Event::Html(fragment.into()));
                        } else {
                            let (html, raw) =
                                raw_html(&fragment, true, line, links, &mut page.problems);
                            user_html |= raw;
                            events.push(Event::Html(html.into()));
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some((line_of(range.start), String::new(), true));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
                code_line = line_of(range.start);
            }
            Event::InlineHtml(fragment) => {
                let (html, raw) = raw_html(
                    &fragment,
                    false,
                    line_of(range.start),
                    links,
                    &mut page.problems,
                );
                user_html |= raw;
                events.push(Event::InlineHtml(html.into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let resolution = links.resolve(&dest_url, false);
                note(&resolution, line_of(range.start), &mut page);
                if resolution.href.is_empty() {
                    dropped_link = true;
                } else {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url: resolution.href.into(),
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if dropped_link {
                    dropped_link = false;
                } else {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::End(TagEnd::Image) => {
                images_open = images_open.saturating_sub(1);
                events.push(Event::End(TagEnd::Image));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                images_open += 1;
                let resolution = links.resolve(&dest_url, true);
                note(&resolution, line_of(range.start), &mut page);
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: resolution.href.into(),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                page.ids.insert(label.to_string());
                events.push(Event::Start(Tag::FootnoteDefinition(label)));
            }
            Event::Start(Tag::Paragraph) => {
                describing = first_paragraph.is_none();
                paragraph_text.clear();
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                if describing && !paragraph_text.trim().is_empty() {
                    first_paragraph = Some(std::mem::take(&mut paragraph_text));
                }
                describing = false;
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::SoftBreak | Event::HardBreak if describing => {
                paragraph_text.push(' ');
                events.push(event);
            }
            Event::Code(code) if describing => {
                paragraph_text.push_str(&code);
                events.push(Event::Code(code));
            }
            Event::Text(text) => {
                if describing && images_open == 0 {
                    paragraph_text.push_str(&text);
                }
                if prepared.abbreviations.is_empty() {
                    events.push(Event::Text(text));
                } else {
                    expand_abbreviations(&text, &prepared.abbreviations, &mut events);
                }
            }
            other => events.push(other),
        }
    }
    // pulldown-cmark closes every block at the end of the page, so nothing is pending here;
    // should that change, flush rather than lose the text.
    if let Some((info, text)) = code.take() {
        let html = render_fence(
            &info,
            &text,
            code_blocks,
            code_line,
            &mut diagrams,
            &mut page.problems,
        );
        events.push(Event::Html(html.into()));
    }
    if let Some((line, fragment, _)) = html_block.take() {
        let (html, raw) = raw_html(&fragment, true, line, links, &mut page.problems);
        user_html |= raw;
        events.push(Event::Html(html.into()));
    }

    page.problems.dedup();
    let events = number_headings(events, &mut page);
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    page.html = if user_html {
        // The sanitiser does not know SVG; drawings (already cleaned by `crate::svg`) step
        // out while it runs and come back after.
        // The page's own text loses the slot marker character first, so only greenroom's
        // slots can bring a drawing back, and only where it was.
        let mut html = html.replace(SLOT_MARK, "");
        let figures: Vec<String> = diagrams.iter().map(|f| f.replace(SLOT_MARK, "")).collect();
        for (n, figure) in figures.iter().enumerate() {
            html = html.replacen(figure.as_str(), &diagram_slot(n), 1);
        }
        let mut clean = SANITIZER.clean(&html).to_string();
        for (n, figure) in figures.iter().enumerate() {
            clean = clean.replacen(&diagram_slot(n), figure, 1);
        }
        clean
    } else {
        html
    };
    if page.description.is_none() {
        page.description = first_paragraph.map(|p| summary(&p));
    }
    for entry in &page.toc {
        page.ids.insert(entry.id.clone());
    }
    for check in &mut page.anchor_checks {
        if check.page.is_empty() {
            check.page = self_path.to_string();
        }
    }
    page
}

fn refused(line: usize, message: String) -> RenderedMarkdown {
    RenderedMarkdown {
        html: format!(
            "<div class=\"admonition failure\"><p class=\"admonition-title\">Not rendered</p><p>{}</p></div>",
            escape_html(&message)
        ),
        problems: vec![PageProblem {
            line,
            error: true,
            message,
        }],
        ..RenderedMarkdown::default()
    }
}

fn note(resolution: &Resolution, line: usize, page: &mut RenderedMarkdown) {
    if let Some(message) = &resolution.problem {
        page.problems.push(PageProblem {
            line,
            error: false,
            message: message.clone(),
        });
    }
    if let Some((target, anchor)) = &resolution.anchor {
        page.anchor_checks.push(AnchorCheck {
            line,
            page: target.clone(),
            anchor: anchor.clone(),
        });
    }
}

fn summary(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 200 {
        return text;
    }
    let cut: String = text.chars().take(197).collect();
    format!("{}…", cut.trim_end())
}

/// Gives every heading an id (explicit `{#id}`, else mkdocs' slug, made unique the way mkdocs'
/// toc extension does), a permalink, and a TOC entry; records the first H1 as the title.
fn number_headings<'a>(events: Vec<Event<'a>>, page: &mut RenderedMarkdown) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut used: HashSet<String> = HashSet::new();
    let mut section = Section::default();
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        let Event::Start(Tag::Heading {
            level, id, classes, ..
        }) = event
        else {
            match &event {
                Event::Text(t) | Event::Code(t) => push_words(&mut section.text, t),
                Event::InlineHtml(t) => push_words(&mut section.text, &strip_tags(t)),
                Event::Html(t) if t.starts_with(super::mermaid::FIGURE_START) => {
                    push_words(&mut section.text, " ");
                    push_words(&mut section.text, &strip_tags(t));
                    push_words(&mut section.text, " ");
                }
                Event::SoftBreak | Event::HardBreak => push_words(&mut section.text, " "),
                Event::End(end) if !is_inline(end) => push_words(&mut section.text, " "),
                _ => {}
            }
            out.push(event);
            continue;
        };
        let mut inner = Vec::new();
        let mut text = String::new();
        for event in iter.by_ref() {
            match &event {
                Event::End(TagEnd::Heading(_)) => break,
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                Event::Html(t) | Event::InlineHtml(t) => text.push_str(&strip_tags(t)),
                _ => {}
            }
            inner.push(event);
        }
        let text = text.trim().to_string();
        let wanted = id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&text));
        let id = unique_id(wanted, &mut used);
        let number = heading_number(level);
        if number == 1 && page.title.is_none() {
            page.title = Some(text.clone());
        }
        if number <= SECTION_LEVEL {
            finish_section(&mut section, &mut page.sections);
            section.id = id.clone();
            section.title = text.clone();
        } else {
            push_words(&mut section.text, " ");
            push_words(&mut section.text, &text);
            push_words(&mut section.text, " ");
        }
        page.toc.push(TocEntry {
            level: number,
            id: id.clone(),
            text,
        });
        let class = if classes.is_empty() {
            String::new()
        } else {
            let joined: Vec<String> = classes.iter().map(|c| escape_html(c)).collect();
            format!(" class=\"{}\"", joined.join(" "))
        };
        let id = escape_html(&id);
        out.push(Event::Html(
            format!("<h{number} id=\"{id}\"{class}>").into(),
        ));
        out.extend(inner);
        out.push(Event::Html(
            format!(
                "<a class=\"headerlink\" href=\"#{id}\" title=\"Permanent link\">¶</a></h{number}>\n"
            )
            .into(),
        ));
    }
    finish_section(&mut section, &mut page.sections);
    out
}

fn is_inline(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Appends text to a section, collapsing runs of whitespace to one space.
fn push_words(text: &mut String, words: &str) {
    for (i, word) in words.split(char::is_whitespace).enumerate() {
        if i > 0 && !text.ends_with(' ') && !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
}

fn finish_section(section: &mut Section, sections: &mut Vec<Section>) {
    let mut done = std::mem::take(section);
    done.text.truncate(done.text.trim_end().len());
    if !done.title.is_empty() || !done.text.is_empty() {
        sections.push(done);
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// mkdocs' default `toc` slug: NFKD, ASCII only, drop what is not a word character, space or
/// hyphen, lowercase, and join runs of spaces and hyphens with one `-`.
pub fn slugify(text: &str) -> String {
    let ascii: String = text.nfkd().filter(char::is_ascii).collect();
    let kept: String = ascii
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_whitespace())
        .collect();
    let lowered = kept.trim().to_lowercase();
    let mut slug = String::with_capacity(lowered.len());
    let mut in_run = false;
    for c in lowered.chars() {
        if c == '-' || c.is_whitespace() {
            if !in_run {
                slug.push('-');
            }
            in_run = true;
        } else {
            slug.push(c);
            in_run = false;
        }
    }
    slug
}

/// mkdocs' `unique`: an id already used (or empty) gets `_1`, or its `_N` suffix increased.
fn unique_id(mut id: String, used: &mut HashSet<String>) -> String {
    while id.is_empty() || used.contains(&id) {
        let bumped = id.rsplit_once('_').and_then(|(stem, n)| {
            n.parse::<u64>()
                .ok()
                .filter(|_| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
                .map(|n| format!("{stem}_{}", n + 1))
        });
        id = bumped.unwrap_or_else(|| format!("{id}_1"));
    }
    used.insert(id.clone());
    id
}

fn expand_abbreviations<'a>(
    text: &str,
    abbreviations: &[(String, String)],
    out: &mut Vec<Event<'a>>,
) {
    let mut rest = text;
    let mut plain = String::new();
    'scan: while !rest.is_empty() {
        let boundary_before = plain
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary_before {
            for (abbreviation, expansion) in abbreviations {
                if let Some(after) = rest.strip_prefix(abbreviation.as_str()) {
                    let boundary_after = after
                        .chars()
                        .next()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                    if boundary_after {
                        if !plain.is_empty() {
                            out.push(Event::Text(CowStr::from(std::mem::take(&mut plain))));
                        }
                        out.push(Event::InlineHtml(
                            format!(
                                "<abbr title=\"{}\">{}</abbr>",
                                escape_html(expansion),
                                escape_html(abbreviation)
                            )
                            .into(),
                        ));
                        rest = after;
                        continue 'scan;
                    }
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            plain.push(c);
        }
        rest = chars.as_str();
    }
    if !plain.is_empty() {
        out.push(Event::Text(CowStr::from(plain)));
    }
}

/// Applies the raw-HTML policy to one fragment: a fragment with a refused tag becomes escaped
/// text (a block shows as code); otherwise `src` and `href` values are resolved like Markdown
/// links and the fragment is kept for the sanitiser. Returns the HTML and whether raw user HTML
/// remains in it.
fn raw_html(
    fragment: &str,
    block: bool,
    line: usize,
    links: &dyn LinkResolver,
    problems: &mut Vec<PageProblem>,
) -> (String, bool) {
    let lower = fragment.to_ascii_lowercase();
    let refused: Vec<&str> = REFUSED_TAGS
        .iter()
        .copied()
        .filter(|tag| has_tag(&lower, tag))
        .collect();
    if !refused.is_empty() {
        let names: Vec<String> = refused.iter().map(|t| format!("<{t}>")).collect();
        problems.push(PageProblem {
            line,
            error: false,
            message: format!(
                "raw HTML {} is not allowed in docs; it is shown as text",
                names.join(", ")
            ),
        });
        let escaped = escape_html(fragment);
        let html = if block {
            format!("<pre class=\"refused-html\"><code>{escaped}</code></pre>\n")
        } else {
            format!("<code class=\"refused-html\">{escaped}</code>")
        };
        return (html, false);
    }
    if has_event_handler(&lower) {
        problems.push(PageProblem {
            line,
            error: false,
            message: "event handler attributes (on...=) in raw HTML are removed".to_string(),
        });
    }
    let mut out = String::with_capacity(fragment.len());
    let mut rest = fragment;
    while let Some((before, attribute, quote, value, after)) = next_url_attribute(rest) {
        out.push_str(before);
        let resolution = links.resolve(value, attribute.to_ascii_lowercase().starts_with("src"));
        if let Some(message) = &resolution.problem {
            problems.push(PageProblem {
                line,
                error: false,
                message: message.clone(),
            });
        }
        if !resolution.href.is_empty() {
            out.push_str(attribute);
            out.push(quote);
            out.push_str(&escape_html(&resolution.href));
            out.push(quote);
        }
        rest = after;
    }
    out.push_str(rest);
    (out, true)
}

fn has_tag(lower: &str, tag: &str) -> bool {
    lower.match_indices('<').any(|(i, _)| {
        let after = lower[i + 1..].trim_start_matches('/');
        after.starts_with(tag)
            && after[tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-')
    })
}

fn has_event_handler(lower: &str) -> bool {
    lower.match_indices("on").any(|(i, _)| {
        let before = lower[..i].chars().last();
        let name: String = lower[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        before.is_some_and(|c| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            && name.len() > 2
            && lower[i + name.len()..].trim_start().starts_with('=')
    })
}

/// Finds the next quoted `src=` or `href=` attribute: (text before, `name=`, quote, value, rest).
fn next_url_attribute(text: &str) -> Option<(&str, &str, char, &str, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..]
        .find("src=")
        .map(|i| (i, 4))
        .into_iter()
        .chain(lower[search..].find("href=").map(|i| (i, 5)))
        .min_by_key(|(i, _)| *i)
    {
        let start = search + found.0;
        let value_start = start + found.1;
        let preceded = lower[..start]
            .chars()
            .last()
            .is_some_and(char::is_whitespace);
        let quote = text[value_start..].chars().next();
        if let (true, Some(q @ ('"' | '\''))) = (preceded, quote) {
            if let Some(len) = text[value_start + 1..].find(q) {
                let value = &text[value_start + 1..value_start + 1 + len];
                return Some((
                    &text[..start],
                    &text[start..value_start],
                    q,
                    value,
                    &text[value_start + 2 + len..],
                ));
            }
        }
        search = value_start;
    }
    None
}

/// The sanitiser for pages with raw HTML: what TechDocs' DOMPurify pass allows, minus
/// scripts, styles, iframes and forms. Built once.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags([
            "details",
            "summary",
            "input",
            "label",
            "kbd",
            "abbr",
            "figure",
            "figcaption",
            "mark",
            "ins",
            "section",
            "aside",
            "picture",
            "source",
            "video",
            "audio",
            "caption",
        ])
        .add_generic_attributes(["class", "id", "title", "align", "lang", "dir"])
        .add_tag_attributes("input", ["type", "checked", "disabled", "name"])
        .add_tag_attributes("label", ["for"])
        .add_tag_attributes("details", ["open"])
        .add_tag_attributes("img", ["width", "height", "loading"])
        .add_tag_attributes("a", ["target"])
        .add_tag_attributes("video", ["src", "controls", "width", "height", "poster"])
        .add_tag_attributes("audio", ["src", "controls"])
        .add_tag_attributes("source", ["src", "type", "srcset", "media"])
        .add_tag_attributes("ol", ["start"])
        .add_tag_attributes("th", ["align", "colspan", "rowspan"])
        .add_tag_attributes("td", ["align", "colspan", "rowspan"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener"));
    builder
});

/// The text of an HTML fragment: everything outside `<…>` tags, entities left as written.
pub(crate) fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
