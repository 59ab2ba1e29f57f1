//! The one place that talks to the YAML library.
//!
//! serde_yaml is deprecated upstream; everything else in greenroom sees YAML only as
//! `serde_json::Value` documents with line numbers, so swapping the parser touches this file
//! alone. Multi-document files are split here, before parsing, so each document knows its exact
//! first line and a broken document does not take its neighbours down with it.

use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

/// One parsed YAML document of a (possibly multi-document) file.
#[derive(Debug, Clone)]
pub struct Document {
    /// 0-based position among the file's documents, counting empty ones.
    pub index: usize,
    /// 1-based line of the file on which the document's content starts.
    pub start_line: usize,
    /// The document's own text, used to find the line of a field for diagnostics.
    pub text: String,
    /// The document's content converted to JSON data (mapping keys become strings).
    pub value: Value,
    /// The block structure of `text`, scanned on the first [`locate`] and kept, so locating
    /// every field of a large document stays linear.
    line_index: std::sync::OnceLock<LineIndex>,
}

/// A document that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line of the file where the parser stopped, when it said.
    pub line: Option<usize>,
    /// What went wrong, with line numbers relative to the whole file.
    pub message: String,
}

/// A segment of a path into a document, for locating a field's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSegment<'a> {
    /// A mapping key.
    Key(&'a str),
    /// A sequence position.
    Index(usize),
}

/// Parses every document of a file. Empty documents (a trailing `---`, a file of comments) are
/// skipped, as Backstage skips them; each other document is a value or an error.
pub fn parse_documents(text: &str) -> Vec<Result<Document, YamlError>> {
    parse_first_documents(text, usize::MAX).0
}

/// Like [`parse_documents`], but parses at most `max` non-empty documents; the flag says
/// whether more followed (they are not parsed, so a huge file costs no more than `max`).
pub fn parse_first_documents(text: &str, max: usize) -> (Vec<Result<Document, YamlError>>, bool) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut documents = Vec::new();
    let mut chunks = split_documents(text).into_iter().enumerate();
    for (index, chunk) in chunks.by_ref() {
        match parse_chunk(&chunk.text, chunk.start_line) {
            Ok(Value::Null) => {}
            Ok(value) => documents.push(Ok(Document {
                index,
                start_line: first_content_line(&chunk.text, chunk.start_line),
                text: chunk.text,
                value,
                line_index: std::sync::OnceLock::new(),
            })),
            Err(e) => documents.push(Err(e)),
        }
        if documents.len() >= max {
            break;
        }
    }
    let more =
        chunks.any(|(_, chunk)| leading_blank_lines(&chunk.text) < chunk.text.lines().count());
    (documents, more)
}

/// Parses text that must hold exactly one document into typed data (used for config files).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_yaml::from_str(text).map_err(|e| convert_error(&e, text, 1))
}

/// Finds the 1-based line of the deepest part of `path` present in a block-style document.
/// Flow-style collections (`[a, b]`) are located at their key. Returns `document.start_line` when
/// even the first key is not found.
pub fn locate(document: &Document, path: &[PathSegment<'_>]) -> usize {
    let first_line_of_text = document.start_line - leading_blank_lines(&document.text);
    let index = document
        .line_index
        .get_or_init(|| LineIndex::new(&document.text));
    locate_in_text(&document.text, index, path)
        .map(|relative| first_line_of_text + relative)
        .unwrap_or(document.start_line)
}

struct Chunk {
    start_line: usize,
    text: String,
}

/// Splits at `---` and `...` lines. Content after `---` on the marker line stays with the new
/// document; the marker itself is blanked so columns are unchanged.
fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let mut seen_content_or_marker = false;
    for (number, line) in text.lines().enumerate() {
        let is_start = is_marker(line, "---");
        let is_end = is_marker(line, "...");
        if is_start || is_end {
            if seen_content_or_marker || !current.trim().is_empty() {
                chunks.push(Chunk {
                    start_line,
                    text: std::mem::take(&mut current),
                });
            }
            current.clear();
            start_line = number + 1;
            seen_content_or_marker = is_start;
            if is_start {
                current.push_str("   ");
                current.push_str(&line[3..]);
            }
            current.push('\n');
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if seen_content_or_marker || !current.trim().is_empty() {
        chunks.push(Chunk {
            start_line,
            text: current,
        });
    }
    chunks
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

fn leading_blank_lines(text: &str) -> usize {
    text.lines()
        .take_while(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        })
        .count()
}

fn first_content_line(text: &str, start_line: usize) -> usize {
    start_line + leading_blank_lines(text)
}

fn parse_chunk(text: &str, start_line: usize) -> Result<Value, YamlError> {
    if let Some(line) = flow_nesting_overflow(text) {
        return Err(YamlError {
            line: Some(line + start_line - 1),
            message: format!("document is nested too deeply (more than {MAX_DEPTH} levels)"),
        });
    }
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| convert_error(&e, text, start_line))?;
    to_json(value).map_err(|message| YamlError {
        line: Some(first_content_line(text, start_line)),
        message,
    })
}

/// Deepest nesting greenroom accepts; the YAML library's own recursion limit.
const MAX_DEPTH: usize = 128;

/// The 1-based line (of `text`) where flow collections (`[`, `{`) nest deeper than
/// [`MAX_DEPTH`], if they do. The YAML library refuses such documents too, but only after work
/// that grows with the square of the depth for flow mappings; this scan is linear. It follows
/// enough of YAML's lexical rules not to count brackets that are text: quoted scalars (a quote
/// opens one only where a scalar can start), comments, and block scalars (`|`, `>`).
fn flow_nesting_overflow(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar_parent: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar_parent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar_parent = None;
        }
        let mut previous: Option<char> = None;
        let mut chars = line.chars().peekable();
        let mut content_end = line.len();
        let mut position = 0;
        while let Some(c) = chars.next() {
            let here = position;
            position += c.len_utf8();
            match quote {
                Some('\'') if c == '\'' => {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                        position += 1;
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => {
                    if let Some(escaped) = chars.next() {
                        position += escaped.len_utf8();
                    }
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' if previous.is_none_or(|p| "[{,:-?".contains(p)) => quote = Some(c),
                    '#' if here == 0 || line[..here].ends_with([' ', '\t']) => {
                        content_end = here;
                        break;
                    }
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Some(index + 1);
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            if !c.is_whitespace() {
                previous = Some(c);
            }
        }
        if quote.is_none() && depth == 0 && starts_block_scalar(line[..content_end].trim_end()) {
            block_scalar_parent = Some(indent);
        }
    }
    None
}

/// Whether a line ends with a block scalar indicator (`key: |`, `- >-`, `|2`), so the more
/// indented lines after it are literal text.
fn starts_block_scalar(content: &str) -> bool {
    let token = content.rsplit(' ').next().unwrap_or("");
    let mut chars = token.chars();
    let indicator = matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
        && token.len() <= 3;
    let before = content[..content.len() - token.len()].trim_end();
    indicator && (before.is_empty() || before.ends_with(':') || before.ends_with('-'))
}

fn convert_error(error: &serde_yaml::Error, text: &str, start_line: usize) -> YamlError {
    let offset = start_line - 1;
    let line = error.location().map(|l| l.line() + offset);
    let raw = error.to_string();
    let mut message = shift_line_numbers(&raw, offset);
    if let Some(location) = error.location() {
        let bad_line = text
            .lines()
            .nth(location.line().saturating_sub(1))
            .unwrap_or("");
        let indent: String = bad_line.chars().take_while(|c| c.is_whitespace()).collect();
        if indent.contains('\t')
            || raw.contains("cannot start any token") && bad_line.contains('\t')
        {
            message =
                format!("tab character in indentation (YAML indents with spaces only): {message}");
        }
    }
    let mut line = line;
    if raw.contains("recursion limit exceeded") {
        message = format!("document is nested too deeply (more than {MAX_DEPTH} levels)");
    } else if raw.contains("repetition limit exceeded") {
        message = "document expands too many aliases (a YAML alias bomb?)".to_string();
        line = line.or(Some(first_content_line(text, start_line)));
    }
    YamlError { line, message }
}

/// Rewrites "line N" in a parser message so it counts from the start of the whole file.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    if offset == 0 {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(position) = rest.find("line ") {
        let (before, after) = rest.split_at(position + 5);
        out.push_str(before);
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&digits),
        }
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out
}

fn to_json(value: serde_yaml::Value) -> Result<Value, String> {
    Ok(match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => number_to_json(&n),
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        serde_yaml::Value::Mapping(mapping) => {
            let mut object = Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                let key = match key {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Null => "null".to_string(),
                    serde_yaml::Value::Tagged(t) => match t.value {
                        serde_yaml::Value::String(s) => s,
                        _ => return Err("a mapping key must be a plain value".to_string()),
                    },
                    _ => {
                        return Err(
                            "a mapping key is itself a list or mapping, which greenroom does not support"
                                .to_string(),
                        )
                    }
                };
                object.insert(key, to_json(value)?);
            }
            Value::Object(object)
        }
        serde_yaml::Value::Tagged(tagged) => to_json(tagged.value)?,
    })
}

fn number_to_json(n: &serde_yaml::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Number(i.into())
    } else if let Some(u) = n.as_u64() {
        Value::Number(u.into())
    } else {
        // `.inf` and `.nan` are numbers, not text (Backstage's parser says so too); JSON has no
        // such number, so they become `null`, which no string field accepts either.
        n.as_f64()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone)]
struct Line {
    number: usize,
    indent: usize,
    /// Byte range of the content in the document text (empty for dash lines).
    content: std::ops::Range<usize>,
    dash: bool,
}

/// A document's lines with their indentation, and the positions of list items per indentation,
/// so finding the n-th item of a list is a binary search rather than a scan.
#[derive(Debug, Clone)]
struct LineIndex {
    lines: Vec<Line>,
    dashes_by_indent: std::collections::BTreeMap<usize, Vec<usize>>,
    /// For each line, the first later line at the same or a smaller indentation: where the
    /// block of a list item ends.
    item_end: Vec<usize>,
    /// For each line, the first later line that is less indented, or equally indented and not
    /// a list item: where the block of a mapping key ends (its list may sit at its own indent).
    key_end: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let lines = scan_lines(text);
        let mut dashes_by_indent: std::collections::BTreeMap<usize, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            if line.dash {
                dashes_by_indent.entry(line.indent).or_default().push(i);
            }
        }
        let count = lines.len();
        let mut item_end = vec![count; count];
        let mut stack: Vec<usize> = Vec::new();
        for i in (0..count).rev() {
            while stack
                .last()
                .is_some_and(|&j| lines[j].indent > lines[i].indent)
            {
                stack.pop();
            }
            item_end[i] = stack.last().copied().unwrap_or(count);
            stack.push(i);
        }
        let mut key_end = vec![count; count];
        for i in (0..count).rev() {
            let next = item_end[i];
            key_end[i] = if next >= count {
                count
            } else if lines[next].indent < lines[i].indent || !lines[next].dash {
                next
            } else {
                key_end[next]
            };
        }
        LineIndex {
            lines,
            dashes_by_indent,
            item_end,
            key_end,
        }
    }
}

/// Block-structure scan: lines with their indentation; `- key: v` yields a dash line and a key
/// line two columns deeper, which is how YAML nests them.
fn scan_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for (number, raw) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw.len();
        let raw = raw.trim_end_matches(['\n', '\r']);
        let mut content = raw.trim_start();
        let mut indent = raw.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        while content == "-" || content.starts_with("- ") {
            lines.push(Line {
                number,
                indent,
                content: 0..0,
                dash: true,
            });
            let after = content[1..].trim_start();
            indent += content.len() - after.len();
            content = after;
            if content.is_empty() {
                break;
            }
        }
        if !content.is_empty() {
            let start = line_start + raw.len() - content.len();
            lines.push(Line {
                number,
                indent,
                content: start..start + content.len(),
                dash: false,
            });
        }
    }
    lines
}

fn is_key_line(content: &str, key: &str) -> bool {
    let unquoted = [
        (content.strip_prefix(key), ""),
        (
            content
                .strip_prefix('"')
                .and_then(|c| c.strip_prefix(key))
                .and_then(|c| c.strip_prefix('"')),
            "",
        ),
        (
            content
                .strip_prefix('\'')
                .and_then(|c| c.strip_prefix(key))
                .and_then(|c| c.strip_prefix('\'')),
            "",
        ),
    ];
    unquoted.iter().any(|(rest, _)| {
        rest.and_then(|r| r.strip_prefix(':'))
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
    })
}

fn locate_in_text(text: &str, index: &LineIndex, path: &[PathSegment<'_>]) -> Option<usize> {
    let lines = &index.lines;
    let mut range = 0..lines.len();
    let mut found = None;
    for segment in path {
        let block_indent = lines.get(range.start).map(|l| l.indent)?;
        let position = match segment {
            PathSegment::Key(key) => range.clone().find(|&i| {
                let l = &lines[i];
                !l.dash
                    && l.indent == block_indent
                    && is_key_line(text.get(l.content.clone()).unwrap_or(""), key)
            }),
            PathSegment::Index(n) => index
                .dashes_by_indent
                .get(&block_indent)
                .and_then(|dashes| {
                    let first = dashes.partition_point(|&i| i < range.start);
                    dashes.get(first + n).copied().filter(|&i| i < range.end)
                }),
        };
        let Some(position) = position else {
            break;
        };
        let owner = &lines[position];
        found = Some(owner.number);
        let end = if owner.dash {
            index.item_end[position]
        } else {
            index.key_end[position]
        }
        .min(range.end);
        range = position + 1..end;
        if range.is_empty() {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathSegment::{Index, Key};

    fn docs(text: &str) -> Vec<Document> {
        parse_documents(text)
            .into_iter()
            .map(|d| d.expect("parses"))
            .collect()
    }

    #[test]
    fn splits_documents_with_exact_start_lines() {
        let text = "a: 1\n---\n# comment\nb: 2\n---\n---\nc: 3\n---\n";
        let parsed = docs(text);
        let starts: Vec<usize> = parsed.iter().map(|d| d.start_line).collect();
        assert_eq!(starts, vec![1, 4, 7]);
        assert_eq!(parsed[2].value["c"], 3);
    }

    #[test]
    fn content_on_the_marker_line_belongs_to_the_document() {
        let parsed = docs("--- {a: 1}\n");
        assert_eq!(parsed[0].value["a"], 1);
    }

    #[test]
    fn errors_carry_file_line_numbers() {
        let text = "a: 1\n---\nb: [\n";
        let results = parse_documents(text);
        assert!(results[0].is_ok());
        let error = results[1].as_ref().expect_err("broken");
        assert_eq!(error.line, Some(4));
    }

    #[test]
    fn tabs_in_indentation_are_named() {
        let error = parse_documents("a:\n\tb: 1\n").remove(0).expect_err("tab");
        assert!(error.message.contains("tab character"), "{}", error.message);
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn locates_nested_keys_and_list_items() {
        let text = "apiVersion: v1\nmetadata:\n  name: x\n  tags:\n    - a\n    - b\nspec:\n  steps:\n  - id: one\n    input:\n      url: x\n  - id: two\n";
        let doc = docs(text).remove(0);
        assert_eq!(locate(&doc, &[Key("metadata"), Key("name")]), 3);
        assert_eq!(locate(&doc, &[Key("metadata"), Key("tags"), Index(1)]), 6);
        assert_eq!(
            locate(
                &doc,
                &[
                    Key("spec"),
                    Key("steps"),
                    Index(0),
                    Key("input"),
                    Key("url")
                ]
            ),
            11
        );
        assert_eq!(
            locate(&doc, &[Key("spec"), Key("steps"), Index(1), Key("id")]),
            12
        );
        assert_eq!(locate(&doc, &[Key("spec"), Key("missing")]), 7);
    }

    #[test]
    fn locates_in_later_documents() {
        let doc = docs("a: 1\n---\nkind: X\nmetadata:\n  name: y\n").remove(1);
        assert_eq!(locate(&doc, &[Key("metadata"), Key("name")]), 5);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused() {
        let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
        let error = parse_documents(&deep).remove(0).expect_err("too deep");
        assert!(
            error.message.contains("nested too deeply"),
            "{}",
            error.message
        );

        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let error = parse_documents(&bomb).remove(0).expect_err("bomb");
        assert!(error.message.contains("alias"), "{}", error.message);
    }

    #[test]
    fn flow_nesting_scan_skips_quotes_and_comments_and_names_the_line() {
        let brackets = "[".repeat(200);
        for harmless in [
            format!("a: \"{brackets}\"\n"),
            format!("a: '{brackets}'\n"),
            format!("a: 1 # {brackets}\n"),
            format!("a: |\n  it's \"quoted {brackets}\"\n"),
            format!("a: |\n  {brackets}\n  more\nb: 1\n"),
            format!("a: >-\n  {brackets}\n"),
            format!("- |\n  {brackets}\n"),
        ] {
            assert_eq!(flow_nesting_overflow(&harmless), None, "{harmless}");
            assert!(parse_documents(&harmless)[0].is_ok(), "{harmless}");
        }
        let sneaky = format!(
            "title: it is 'quoted\nb: {}1{}\n",
            "{a: ".repeat(500),
            "}".repeat(500)
        );
        assert_eq!(
            flow_nesting_overflow(&sneaky),
            Some(2),
            "an apostrophe mid-scalar opens no quote"
        );
        let deep = format!("a: 1\nb: {}1{}\n", "{a: ".repeat(500), "}".repeat(500));
        let error = parse_documents(&deep).remove(0).expect_err("too deep");
        assert_eq!(error.line, Some(2));
        assert!(
            error.message.contains("more than 128 levels"),
            "{}",
            error.message
        );
    }

    #[test]
    fn parsing_stops_at_the_document_cap() {
        let (first, more) = parse_first_documents("a: 1\n---\nb: 2\n---\nc: 3\n", 2);
        assert_eq!(first.len(), 2);
        assert!(more);
        let (all, more) = parse_first_documents("a: 1\n---\nb: 2\n---\n# only a comment\n---\n", 2);
        assert_eq!(all.len(), 2);
        assert!(!more, "trailing empty documents are not more documents");
    }
}
