//! Fenced blocks of a page: Mermaid diagrams (drawn, see [`super::mermaid`]) and code,
//! highlighted the way pymdownx.highlight does (title, line numbers, marked lines).

use super::markdown::{strip_tags, Code, PageProblem};
use crate::highlight::{self, escape_html};
use std::collections::BTreeSet;

/// A stand-in for drawing `n` while the sanitiser runs: private-use characters, which no
/// sanitiser rewrites.
pub(super) fn diagram_slot(n: usize) -> String {
    format!("{SLOT_MARK}greenroom-diagram-{n}{SLOT_MARK}")
}

/// The private-use character that brackets a [`diagram_slot`]; removed from the page first.
pub(super) const SLOT_MARK: char = '\u{E000}';

/// A fenced block: a Mermaid diagram drawn as SVG (or, when it cannot be drawn, its source with
/// a warning), else highlighted code.
pub(super) fn render_fence(
    info: &str,
    code: &str,
    code_blocks: Code,
    line: usize,
    diagrams: &mut Vec<String>,
    problems: &mut Vec<PageProblem>,
) -> String {
    if FenceInfo::parse(info)
        .language
        .eq_ignore_ascii_case("mermaid")
    {
        match super::mermaid::draw(code, diagrams.len() + 1) {
            Ok(diagram) => {
                diagrams.push(diagram.html.clone());
                return diagram.html;
            }
            Err(why) => problems.push(PageProblem {
                line,
                error: false,
                message: format!("Mermaid diagram not drawn: {why}; its source is shown instead"),
            }),
        }
    }
    render_code(info, code, code_blocks)
}

/// Renders a fenced code block the way pymdownx.highlight does: optional title, optional line
/// numbers (`linenums="1"`), highlighted lines (`hl_lines="2 4-5"`), classed syntax colours.
fn render_code(info: &str, code: &str, code_blocks: Code) -> String {
    let fence = FenceInfo::parse(info);
    let highlighted = if code_blocks == Code::Plain {
        highlight::plain(code)
    } else if fence.language.is_empty() {
        highlight::highlight(code, &[])
    } else {
        highlight::highlight(code, &[fence.language.as_str()])
    };
    let mut out = String::from("<div class=\"highlight\">");
    if let Some(title) = &fence.title {
        out.push_str(&format!(
            "<span class=\"filename\">{}</span>",
            escape_html(title)
        ));
    }
    out.push_str(&format!(
        "<pre class=\"code\" data-lang=\"{}\" tabindex=\"0\"><code>",
        escape_html(&fence.language)
    ));
    if fence.line_start.is_none() && fence.highlight.is_empty() {
        out.push_str(&highlighted.html);
    } else {
        for (index, line) in balanced_lines(&highlighted.html).iter().enumerate() {
            let number = index + 1;
            let class = if fence.highlight.contains(&number) {
                "line hll"
            } else {
                "line"
            };
            out.push_str(&format!("<span class=\"{class}\">"));
            if let Some(start) = fence.line_start {
                out.push_str(&format!(
                    "<span class=\"ln\" aria-hidden=\"true\">{}</span>",
                    start + index
                ));
            }
            out.push_str(line);
            out.push_str("</span>\n");
        }
    }
    out.push_str("</code></pre></div>\n");
    out
}

/// Splits highlighted HTML into lines that each open and close their own spans.
fn balanced_lines(html: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut current = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with("</span>") {
            open.pop();
            current.push_str("</span>");
            rest = &rest[7..];
        } else if rest.starts_with("<span") {
            let end = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
            open.push(&rest[..end]);
            current.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix('\n') {
            current.push_str(&"</span>".repeat(open.len()));
            lines.push(std::mem::take(&mut current));
            for tag in &open {
                current.push_str(tag);
            }
            rest = after;
        } else {
            // Text up to the next tag or newline (both ASCII, so the cut is a char boundary);
            // a stray `<` that opens no span is copied as text.
            let first = rest.chars().next().map_or(1, char::len_utf8);
            let next = match rest[first..].find(['<', '\n']) {
                Some(i) => i + first,
                None => rest.len(),
            };
            current.push_str(&rest[..next]);
            rest = &rest[next..];
        }
    }
    if !strip_tags(&current).is_empty() {
        current.push_str(&"</span>".repeat(open.len()));
        lines.push(current);
    }
    lines
}

/// The fence's info string: language and `key="value"` options, with or without braces.
#[derive(Debug, Default, PartialEq, Eq)]
struct FenceInfo {
    language: String,
    title: Option<String>,
    line_start: Option<usize>,
    highlight: BTreeSet<usize>,
}

impl FenceInfo {
    fn parse(info: &str) -> FenceInfo {
        let info = info.trim();
        let info = info
            .strip_prefix('{')
            .and_then(|i| i.strip_suffix('}'))
            .unwrap_or(info);
        let mut fence = FenceInfo::default();
        for token in split_info(info) {
            match token.split_once('=') {
                Some((key, value)) => {
                    let value = value.trim_matches(|c| c == '"' || c == '\'');
                    match key {
                        "title" => fence.title = Some(value.to_string()),
                        "linenums" => {
                            fence.line_start = value
                                .split_whitespace()
                                .next()
                                .and_then(|n| n.parse().ok())
                                .map(|n: usize| n.max(1))
                        }
                        "hl_lines" => {
                            for part in value.split_whitespace() {
                                match part.split_once('-') {
                                    Some((a, b)) => {
                                        if let (Ok(a), Ok(b)) =
                                            (a.parse::<usize>(), b.parse::<usize>())
                                        {
                                            fence.highlight.extend(a..=b.min(a + 10_000));
                                        }
                                    }
                                    None => {
                                        if let Ok(n) = part.parse() {
                                            fence.highlight.insert(n);
                                        }
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                None if fence.language.is_empty() => {
                    fence.language = token
                        .trim_start_matches('.')
                        .trim_start_matches("language-")
                        .to_string();
                }
                None => {}
            }
        }
        fence
    }
}

fn split_info(info: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in info.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                current.push(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}
