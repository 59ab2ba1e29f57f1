//! The block extensions of Python-Markdown that pulldown-cmark does not know: admonitions
//! (`!!!`, collapsible `???` / `???+`), content tabs (`===`), abbreviation definitions
//! (`*[HTML]: ...`) and YAML front matter.
//!
//! They are rewritten into CommonMark before parsing: each container becomes an HTML block
//! (`<div class="admonition note">`) followed by a blank line, its dedented body, and a closing
//! HTML block, so the body is still parsed as Markdown. A line map keeps every output line
//! pointing at its source line for diagnostics.

use crate::highlight::escape_html;

/// Deepest container nesting expanded; deeper markers are left as text.
const MAX_CONTAINER_DEPTH: usize = 16;

/// Markdown ready for pulldown-cmark, with what the block pass took out.
#[derive(Debug, Default)]
pub struct Prepared {
    /// CommonMark text.
    pub text: String,
    /// For each line of `text` (0-based), the 1-based line of the source it came from.
    pub line_map: Vec<usize>,
    /// For each line of `text`, whether this pass wrote it as HTML (trusted: its text is
    /// escaped here) rather than copying it from the page.
    pub generated: Vec<bool>,
    /// Abbreviations defined on the page: `(abbreviation, expansion)`.
    pub abbreviations: Vec<(String, String)>,
    /// Front matter `title`, if any.
    pub front_title: Option<String>,
    /// Front matter `description`, if any.
    pub front_description: Option<String>,
    /// Problems met (snippet includes that could not be read): `(source line, message)`.
    pub problems: Vec<(usize, String)>,
}

/// Reads the file a `--8<-- "path"` snippet line names, or says why it cannot.
pub type Includer<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// Most tabs in a set that switch like tabs; `theme/assets/style.css` has a rule per panel.
const MAX_SWITCHED_TABS: usize = 10;

/// Deepest chain of snippets including snippets.
const MAX_INCLUDE_DEPTH: usize = 4;

struct Writer<'a> {
    prepared: Prepared,
    tab_sets: usize,
    include: Includer<'a>,
    include_depth: usize,
}

impl Writer<'_> {
    fn line(&mut self, text: &str, source_line: usize) {
        self.prepared.text.push_str(text);
        self.prepared.text.push('\n');
        self.prepared.line_map.push(source_line);
        self.prepared.generated.push(false);
    }

    fn html(&mut self, text: &str, source_line: usize) {
        self.line(text, source_line);
        if let Some(last) = self.prepared.generated.last_mut() {
            *last = true;
        }
    }
}

/// Rewrites the page's block extensions into CommonMark; `include` reads snippet files.
pub fn prepare(source: &str, include: Includer<'_>) -> Prepared {
    let mut lines: Vec<(usize, &str)> = source
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    let mut front = (None, None);
    if let Some(end) = front_matter_end(&lines) {
        let yaml: String = lines[1..end]
            .iter()
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        front = front_matter_fields(&yaml);
        for line in &mut lines[..=end] {
            line.1 = "";
        }
    }
    let mut writer = Writer {
        prepared: Prepared::default(),
        tab_sets: 0,
        include,
        include_depth: 0,
    };
    let owned: Vec<(usize, String)> = lines.iter().map(|(n, l)| (*n, l.to_string())).collect();
    process(&owned, &mut writer, 0);
    writer.prepared.front_title = front.0;
    writer.prepared.front_description = front.1;
    writer.prepared
}

fn front_matter_end(lines: &[(usize, &str)]) -> Option<usize> {
    if lines.first().map(|(_, l)| l.trim_end()) != Some("---") {
        return None;
    }
    lines
        .iter()
        .enumerate()
        .skip(1)
        .take(200)
        .find(|(_, (_, l))| matches!(l.trim_end(), "---" | "..."))
        .map(|(i, _)| i)
}

fn front_matter_fields(yaml: &str) -> (Option<String>, Option<String>) {
    let Some(Ok(document)) = crate::yaml::parse_documents(yaml).into_iter().next() else {
        return (None, None);
    };
    let field = |key: &str| {
        document
            .value
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    (field("title"), field("description"))
}

fn process(lines: &[(usize, String)], out: &mut Writer, depth: usize) {
    let mut fence: Option<(char, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let (number, line) = (&lines[i].0, lines[i].1.as_str());
        let number = *number;
        if let Some((marker, length)) = fence {
            if closes_fence(line, marker, length) {
                fence = None;
            }
            out.line(line, number);
            i += 1;
            continue;
        }
        if let Some(opened) = opens_fence(line) {
            fence = Some(opened);
            out.line(line, number);
            i += 1;
            continue;
        }
        if depth < MAX_CONTAINER_DEPTH {
            if let Some(admonition) = parse_admonition(line) {
                let (body, next) = indented_body(lines, i + 1);
                write_admonition(&admonition, &body, number, out, depth);
                i = next;
                continue;
            }
            if parse_tab(line).is_some() {
                i = write_tab_set(lines, i, out, depth);
                continue;
            }
        }
        if let Some(target) = parse_snippet(line) {
            include_snippet(target, number, out, depth);
            i += 1;
            continue;
        }
        if let Some((abbreviation, expansion)) = parse_abbreviation(line) {
            out.prepared.abbreviations.push((abbreviation, expansion));
            out.line("", number);
            i += 1;
            continue;
        }
        out.line(line, number);
        i += 1;
    }
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next()?;
    if marker != '`' && marker != '~' {
        return None;
    }
    let length = trimmed.chars().take_while(|c| *c == marker).count();
    if length < 3 || (marker == '`' && trimmed[length..].contains('`')) {
        return None;
    }
    Some((marker, length))
}

fn closes_fence(line: &str, marker: char, length: usize) -> bool {
    let trimmed = line.trim();
    trimmed.len() >= length && trimmed.chars().all(|c| c == marker)
}

/// A parsed `!!! type "title"` or `???[+] type "title"` line.
#[derive(Debug, PartialEq, Eq)]
struct Admonition {
    classes: Vec<String>,
    title: Option<String>,
    collapsible: bool,
    open: bool,
}

fn parse_admonition(line: &str) -> Option<Admonition> {
    let (rest, collapsible, open) = if let Some(rest) = line.strip_prefix("!!!") {
        (rest, false, true)
    } else if let Some(rest) = line.strip_prefix("???+") {
        (rest, true, true)
    } else if let Some(rest) = line.strip_prefix("???") {
        (rest, true, false)
    } else {
        return None;
    };
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim();
    let (words, title) = match rest.find('"') {
        Some(quote) => {
            let title = rest[quote + 1..]
                .strip_suffix('"')
                .unwrap_or(&rest[quote + 1..]);
            (&rest[..quote], Some(title.to_string()))
        }
        None => (rest, None),
    };
    let classes: Vec<String> = words
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let first = classes.first()?;
    let title = title.or_else(|| {
        let mut chars = first.chars();
        chars
            .next()
            .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
    });
    Some(Admonition {
        classes,
        title,
        collapsible,
        open,
    })
}

/// The lines after a container marker that belong to it (blank, or indented by 4+), dedented,
/// and the index of the first line after them.
fn indented_body(lines: &[(usize, String)], start: usize) -> (Vec<(usize, String)>, usize) {
    let mut end = start;
    while end < lines.len() {
        let line = &lines[end].1;
        if line.trim().is_empty() || indent_width(line) >= 4 {
            end += 1;
        } else {
            break;
        }
    }
    let mut last = end;
    while last > start && lines[last - 1].1.trim().is_empty() {
        last -= 1;
    }
    let body = lines[start..last]
        .iter()
        .map(|(n, l)| (*n, dedent(l, 4)))
        .collect();
    (body, last)
}

fn indent_width(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => break,
        }
    }
    width
}

fn dedent(line: &str, columns: usize) -> String {
    let mut removed = 0;
    let mut chars = line.char_indices();
    for (index, c) in chars.by_ref() {
        if removed >= columns {
            return line[index..].to_string();
        }
        match c {
            ' ' => removed += 1,
            '\t' => removed += 4 - removed % 4,
            _ => return line[index..].to_string(),
        }
    }
    String::new()
}

fn write_admonition(
    admonition: &Admonition,
    body: &[(usize, String)],
    number: usize,
    out: &mut Writer,
    depth: usize,
) {
    let classes = admonition.classes.join(" ");
    let title = admonition.title.as_deref().map(escape_html);
    if admonition.collapsible {
        let open = if admonition.open { " open" } else { "" };
        out.html(
            &format!("<details class=\"admonition {classes}\"{open}>"),
            number,
        );
        out.html(
            &format!("<summary>{}</summary>", title.unwrap_or_default()),
            number,
        );
    } else {
        out.html(&format!("<div class=\"admonition {classes}\">"), number);
        if let Some(title) = title.filter(|t| !t.is_empty()) {
            out.html(
                &format!("<p class=\"admonition-title\">{title}</p>"),
                number,
            );
        }
    }
    out.line("", number);
    process(body, out, depth + 1);
    out.line("", number);
    let close = if admonition.collapsible {
        "</details>"
    } else {
        "</div>"
    };
    out.html(close, number);
    out.line("", number);
}

fn parse_tab(line: &str) -> Option<(String, bool)> {
    let rest = line.strip_prefix("===")?;
    let (rest, selected) = match rest.strip_prefix('+') {
        Some(rest) => (rest, true),
        None => (rest.strip_prefix('!').unwrap_or(rest), false),
    };
    let rest = rest.strip_prefix(' ')?.trim();
    let title = rest.strip_prefix('"')?.strip_suffix('"')?;
    Some((title.to_string(), selected))
}

/// Writes consecutive `=== "Tab"` blocks as one radio-button tab set, which switches tabs with
/// CSS alone; returns the index of the first line after the set.
/// One `=== "Title"` block: its line, title, whether it is marked selected, and its body.
type Tab = (usize, String, bool, Vec<(usize, String)>);

fn write_tab_set(lines: &[(usize, String)], start: usize, out: &mut Writer, depth: usize) -> usize {
    let mut tabs: Vec<Tab> = Vec::new();
    let mut i = start;
    while i < lines.len() {
        let Some((title, selected)) = parse_tab(&lines[i].1) else {
            break;
        };
        let (body, next) = indented_body(lines, i + 1);
        tabs.push((lines[i].0, title, selected, body));
        i = next;
        let mut look = i;
        while look < lines.len() && lines[look].1.trim().is_empty() {
            look += 1;
        }
        if look < lines.len() && parse_tab(&lines[look].1).is_some() {
            i = look;
        } else {
            break;
        }
    }
    let number = tabs.first().map(|t| t.0).unwrap_or(1);
    if tabs.len() > MAX_SWITCHED_TABS {
        // The stylesheet switches at most this many panels; show a larger set stacked, every
        // panel under its title, rather than leave some unreachable.
        out.html("<div class=\"tabbed-set tabbed-stacked\">", number);
        for (line, title, _, body) in &tabs {
            out.html(
                &format!("<p class=\"tabbed-title\">{}</p>", escape_html(title)),
                *line,
            );
            write_tab_block(body, *line, out, depth);
        }
        out.html("</div>", number);
        out.line("", number);
        return i;
    }
    out.tab_sets += 1;
    let set = out.tab_sets;
    let checked = tabs.iter().position(|t| t.2).unwrap_or(0);
    let mut head = format!(
        "<div class=\"tabbed-set\" data-tabs=\"{set}:{}\">",
        tabs.len()
    );
    for index in 0..tabs.len() {
        let mark = if index == checked { " checked" } else { "" };
        head.push_str(&format!(
            "<input type=\"radio\" name=\"__tabbed_{set}\" id=\"__tabbed_{set}_{}\"{mark}>",
            index + 1
        ));
    }
    head.push_str("<div class=\"tabbed-labels\">");
    for (index, tab) in tabs.iter().enumerate() {
        head.push_str(&format!(
            "<label for=\"__tabbed_{set}_{}\">{}</label>",
            index + 1,
            escape_html(&tab.1)
        ));
    }
    head.push_str("</div>");
    out.html(&head, number);
    out.html("<div class=\"tabbed-content\">", number);
    for (line, _, _, body) in &tabs {
        write_tab_block(body, *line, out, depth);
    }
    out.html("</div>", number);
    out.html("</div>", number);
    out.line("", number);
    i
}

/// The file of a `--8<-- "path"` line (pymdownx.snippets, which TechDocs enables).
fn parse_snippet(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("--8<--")?.trim();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = rest[1..].strip_suffix(quote)?;
    (!inner.is_empty() && !inner.contains(quote)).then_some(inner)
}

/// Splices a snippet's lines in place of the include line; every spliced line maps to it.
fn include_snippet(target: &str, number: usize, out: &mut Writer<'_>, depth: usize) {
    if out.include_depth >= MAX_INCLUDE_DEPTH {
        out.prepared.problems.push((
            number,
            format!("snippet \"{target}\" not included: snippets nest more than {MAX_INCLUDE_DEPTH} deep"),
        ));
        out.line("", number);
        return;
    }
    match (out.include)(target) {
        Ok(text) => {
            let lines: Vec<(usize, String)> =
                text.lines().map(|l| (number, l.to_string())).collect();
            out.include_depth += 1;
            process(&lines, out, depth);
            out.include_depth -= 1;
        }
        Err(message) => {
            out.prepared.problems.push((
                number,
                format!("snippet \"{target}\" not included: {message}"),
            ));
            out.line("", number);
        }
    }
}

/// One tab's panel: its body, still Markdown, inside a `tabbed-block` HTML block.
fn write_tab_block(body: &[(usize, String)], line: usize, out: &mut Writer<'_>, depth: usize) {
    out.html("<div class=\"tabbed-block\">", line);
    out.line("", line);
    process(body, out, depth + 1);
    out.line("", line);
    out.html("</div>", line);
}

fn parse_abbreviation(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("*[")?;
    let (abbreviation, rest) = rest.split_once("]:")?;
    let abbreviation = abbreviation.trim();
    if abbreviation.is_empty() {
        return None;
    }
    Some((abbreviation.to_string(), rest.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepare(source: &str) -> Prepared {
        super::prepare(source, &|_| Err("no files in this test".to_string()))
    }

    #[test]
    fn snippets_are_spliced_with_the_include_line_number() {
        let include = |path: &str| -> Result<String, String> {
            match path {
                "part.md" => Ok("!!! note\n    from part\n--8<-- \"inner.md\"\n".to_string()),
                "inner.md" => Ok("inner text\n".to_string()),
                "loop.md" => Ok("--8<-- \"loop.md\"\n".to_string()),
                _ => Err("does not exist".to_string()),
            }
        };
        let prepared = super::prepare(
            "a\n--8<-- \"part.md\"\nb\n--8<-- 'missing.md'\n--8<-- \"loop.md\"\n",
            &include,
        );
        assert!(
            prepared.text.contains("<div class=\"admonition note\">"),
            "{}",
            prepared.text
        );
        assert!(prepared.text.contains("from part"));
        let inner = prepared
            .text
            .lines()
            .position(|l| l == "inner text")
            .expect("inner");
        assert_eq!(prepared.line_map[inner], 2);
        let b = prepared.text.lines().position(|l| l == "b").expect("b");
        assert_eq!(prepared.line_map[b], 3);
        assert_eq!(prepared.problems.len(), 2, "{:?}", prepared.problems);
        assert_eq!(
            prepared.problems[0],
            (
                4,
                "snippet \"missing.md\" not included: does not exist".to_string()
            )
        );
        assert!(prepared.problems[1].1.contains("nest more than"));
    }

    #[test]
    fn admonitions_become_html_blocks_around_markdown() {
        let prepared = prepare(
            "intro\n\n!!! warning \"Mind <this>\"\n    Body *text*.\n\n    - item\n\nafter\n",
        );
        assert!(prepared
            .text
            .contains("<div class=\"admonition warning\">\n<p class=\"admonition-title\">Mind &lt;this&gt;</p>\n\nBody *text*.\n\n- item\n\n</div>"),
            "{}", prepared.text);
        assert_eq!(prepared.line_map.len(), prepared.text.lines().count());
        let after = prepared
            .text
            .lines()
            .position(|l| l == "after")
            .expect("after");
        assert_eq!(prepared.line_map[after], 8);
    }

    #[test]
    fn collapsible_default_titles_and_nesting() {
        let prepared = prepare("???+ tip\n    outer\n\n    !!! note \"\"\n        inner\n");
        assert!(
            prepared
                .text
                .starts_with("<details class=\"admonition tip\" open>\n<summary>Tip</summary>"),
            "{}",
            prepared.text
        );
        assert!(prepared
            .text
            .contains("<div class=\"admonition note\">\n\ninner\n"));
    }

    #[test]
    fn markers_inside_code_fences_are_text() {
        let prepared = prepare("```\n!!! note\n    x\n=== \"A\"\n```\n");
        assert!(!prepared.text.contains("admonition"));
        assert!(!prepared.text.contains("tabbed"));
    }

    #[test]
    fn tabs_group_into_one_set() {
        let prepared = prepare("=== \"One\"\n    a\n\n=== \"Two\"\n    b\n\nend\n");
        assert_eq!(prepared.text.matches("tabbed-set").count(), 1);
        assert!(prepared
            .text
            .contains("<label for=\"__tabbed_1_2\">Two</label>"));
        assert!(prepared.text.contains("id=\"__tabbed_1_1\" checked"));
        assert!(prepared.text.trim_end().ends_with("end"));
    }

    #[test]
    fn sets_of_more_tabs_than_the_stylesheet_switches_are_stacked() {
        let source: String = (1..=12)
            .map(|n| format!("=== \"T{n}\"\n    body {n}\n\n"))
            .collect();
        let prepared = prepare(&source);
        assert!(
            prepared.text.contains("tabbed-set tabbed-stacked"),
            "{}",
            prepared.text
        );
        assert!(!prepared.text.contains("type=\"radio\""));
        assert!(prepared.text.contains("<p class=\"tabbed-title\">T12</p>"));
        assert!(prepared.text.contains("body 12"));
    }

    #[test]
    fn abbreviations_and_front_matter_are_taken_out() {
        let prepared =
            prepare("---\ntitle: Front\n---\n# H\n*[API]: Application Programming Interface\n");
        assert_eq!(prepared.front_title.as_deref(), Some("Front"));
        assert_eq!(
            prepared.abbreviations,
            vec![(
                "API".to_string(),
                "Application Programming Interface".to_string()
            )]
        );
        assert!(!prepared.text.contains("title:"));
        let heading = prepared.text.lines().position(|l| l == "# H").expect("h");
        assert_eq!(prepared.line_map[heading], 4);
    }
}
