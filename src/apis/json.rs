//! JSON and YAML definition documents (OpenAPI, AsyncAPI) and their `$ref`s.
//!
//! [`Documents::open`] parses the definition and, eagerly, every other file of the repository
//! its `$ref`s reach (transitively, within a budget), so [`Documents::resolve`] can hand out
//! borrows. Files are confined to the repository root; web refs are never fetched.

use super::Source;
use crate::diag::Diagnostic;
use crate::yaml::{self, PathSegment};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Index of a file among a definition's documents; [`MAIN`] is the definition itself.
pub type FileId = usize;

/// The definition's own document.
pub const MAIN: FileId = 0;

/// Most files one definition's `$ref`s may bring in, the definition included.
const MAX_FILES: usize = 200;

/// Most bytes the referenced files (beyond the definition) may add up to.
const MAX_REFERENCED_BYTES: usize = 32 * 1024 * 1024;

/// A definition's documents: the definition itself and every file its `$ref`s reach.
pub struct Documents {
    files: Vec<File>,
    diagnostics: Vec<Diagnostic>,
}

/// One parsed file.
struct File {
    /// Where it is on disk; `None` for a definition written inline in its descriptor.
    path: Option<PathBuf>,
    content: Content,
    /// What each file part of its `$ref`s (`./pet.yaml`) leads to, or why it leads nowhere.
    links: HashMap<String, Result<FileId, String>>,
}

/// A file's value with the text it came from, for finding lines.
enum Content {
    Json {
        value: Value,
        text: String,
    },
    Yaml(yaml::Document),
    /// A referenced file that could not be read or parsed (reported once).
    Unreadable,
}

impl Content {
    fn value(&self) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Content::Json { value, .. } => value,
            Content::Yaml(document) => &document.value,
            Content::Unreadable => &NULL,
        }
    }

    fn text(&self) -> &str {
        match self {
            Content::Json { text, .. } => text,
            Content::Yaml(document) => &document.text,
            Content::Unreadable => "",
        }
    }
}

/// What a `$ref` points at.
#[derive(Debug, Clone, Copy)]
pub struct Target<'d> {
    /// The file holding it.
    pub file: FileId,
    /// The value.
    pub value: &'d Value,
    /// The last segment of the pointer (`Pet` for `#/components/schemas/Pet`), when the target
    /// is a member of a mapping.
    pub name: Option<&'d str>,
    /// The JSON pointer within the file, without `#` (`/components/schemas/Pet`), as written.
    pub pointer: &'d str,
}

impl Documents {
    /// Parses the definition (JSON or YAML). `Err` is the diagnostic of a text that is neither.
    pub fn open(source: &Source<'_>) -> Result<Documents, Diagnostic> {
        let content = parse(source.text).map_err(|(line, message)| {
            source.at(
                line,
                Diagnostic::error(format!(
                    "the API definition is not valid YAML or JSON: {message}"
                )),
            )
        })?;
        if content.value().is_null() {
            return Err(source.at(
                1,
                Diagnostic::warning(
                    "the API definition holds nothing (null): there is no reference to show",
                ),
            ));
        }
        let mut documents = Documents {
            files: vec![File {
                path: source.origin.path.clone(),
                content,
                links: HashMap::new(),
            }],
            diagnostics: Vec::new(),
        };
        documents.load_referenced(source);
        Ok(documents)
    }

    /// Reads every file the `$ref`s reach, breadth first, each once.
    fn load_referenced(&mut self, source: &Source<'_>) {
        let mut by_path: HashMap<PathBuf, FileId> = HashMap::new();
        if let Some(path) = &self.files[MAIN].path {
            by_path.insert(path.clone(), MAIN);
        }
        let mut bytes = 0usize;
        let mut next = 0;
        while next < self.files.len() {
            let from = next;
            next += 1;
            let parts = file_parts(self.files[from].content.value());
            for part in parts {
                if self.files[from].links.contains_key(&part) {
                    continue;
                }
                let link = self.link(source, from, &part, &mut by_path, &mut bytes);
                self.files[from].links.insert(part, link);
            }
        }
    }

    /// Where the file part of a `$ref` leads, loading the file when it is new.
    fn link(
        &mut self,
        source: &Source<'_>,
        from: FileId,
        part: &str,
        by_path: &mut HashMap<PathBuf, FileId>,
        bytes: &mut usize,
    ) -> Result<FileId, String> {
        if crate::web::is_absolute_url(part) || part.starts_with("//") {
            return Err(format!(
                "$ref \"{part}\" is on the web; greenroom does not fetch definitions"
            ));
        }
        let Some(from_path) = self.files[from].path.clone() else {
            return Err(format!(
                "$ref \"{part}\" names a file, but the definition is written in its descriptor, so there is no folder to find it in; use `$text: ./file` for the definition"
            ));
        };
        let folder = from_path.parent().unwrap_or(Path::new(""));
        let decoded = percent_decode(part);
        let path = crate::paths::resolve_confined(folder, &decoded, &source.origin.root)
            .map_err(|message| format!("$ref \"{part}\": {message}"))?;
        if let Some(&file) = by_path.get(&path) {
            return Ok(file);
        }
        if self.files.len() >= MAX_FILES {
            return Err(format!(
                "$ref \"{part}\" is not read: the definition already refers to {MAX_FILES} files"
            ));
        }
        let file = self.files.len();
        by_path.insert(path.clone(), file);
        let line = self.ref_line(from, part);
        let content = match crate::paths::read_text(&path) {
            Err(e) => {
                self.report(
                    source,
                    from,
                    line,
                    format!("$ref \"{part}\" cannot be read: {}", e.message()),
                );
                Content::Unreadable
            }
            Ok(text) if *bytes + text.len() > MAX_REFERENCED_BYTES => {
                self.report(
                    source,
                    from,
                    line,
                    format!(
                        "$ref \"{part}\" is not read: the files the definition refers to exceed {} MB",
                        MAX_REFERENCED_BYTES / 1_048_576
                    ),
                );
                Content::Unreadable
            }
            Ok(text) => {
                *bytes += text.len();
                match parse(&text) {
                    Ok(content) => content,
                    Err((at, message)) => {
                        self.diagnostics.push(source.at_file(
                            &path,
                            at,
                            Diagnostic::warning(format!(
                                "this file, which the API definition refers to, is not valid YAML or JSON: {message}"
                            )),
                        ));
                        Content::Unreadable
                    }
                }
            }
        };
        self.files.push(File {
            path: Some(path),
            content,
            links: HashMap::new(),
        });
        Ok(file)
    }

    /// A warning at a line of a file.
    fn report(&mut self, source: &Source<'_>, file: FileId, line: usize, message: String) {
        let diagnostic = Diagnostic::warning(message);
        let diagnostic = match &self.files[file].path {
            Some(path) => source.at_file(path, line, diagnostic),
            None => source.at(line, diagnostic),
        };
        self.diagnostics.push(diagnostic);
    }

    /// The root value of a file.
    pub fn root(&self, file: FileId) -> &Value {
        self.files
            .get(file)
            .map_or(&Value::Null, |f| f.content.value())
    }

    /// The file on disk a `FileId` is (`None` for a definition written in its descriptor).
    pub fn path(&self, file: FileId) -> Option<&Path> {
        self.files.get(file).and_then(|f| f.path.as_deref())
    }

    /// 1-based line of the value at `path` (mapping keys and sequence indexes as strings) in
    /// a file, for diagnostics; the file's first line when it cannot be found.
    pub fn line(&self, file: FileId, path: &[&str]) -> usize {
        let Some(file) = self.files.get(file) else {
            return 1;
        };
        match &file.content {
            Content::Json { text, .. } => json_line(text, path),
            Content::Yaml(document) => {
                let mut segments = Vec::with_capacity(path.len());
                let mut value = Some(&document.value);
                for segment in path {
                    let index = match value {
                        Some(Value::Array(_)) => segment.parse::<usize>().ok(),
                        _ => None,
                    };
                    value = match (value, index) {
                        (Some(Value::Array(items)), Some(i)) => items.get(i),
                        (Some(Value::Object(map)), _) => map.get(*segment),
                        _ => None,
                    };
                    segments.push(match index {
                        Some(i) => PathSegment::Index(i),
                        None => PathSegment::Key(segment),
                    });
                }
                yaml::locate(document, &segments)
            }
            Content::Unreadable => 1,
        }
    }

    /// 1-based line of the first line of a file that contains `needle` (a `$ref` as written),
    /// for diagnostics about values found without their path; 1 when none does.
    pub fn ref_line(&self, file: FileId, needle: &str) -> usize {
        let Some(file) = self.files.get(file) else {
            return 1;
        };
        let (text, offset) = match &file.content {
            Content::Yaml(document) => (
                document.text.as_str(),
                document
                    .start_line
                    .saturating_sub(leading_blank_lines(&document.text)),
            ),
            other => (other.text(), 1),
        };
        text.lines()
            .position(|line| line.contains(needle))
            .map_or(1, |index| index + offset)
    }

    /// A diagnostic at a line of one of the files.
    pub fn at(
        &self,
        source: &Source<'_>,
        file: FileId,
        line: usize,
        diagnostic: Diagnostic,
    ) -> Diagnostic {
        match self.path(file) {
            Some(path) => source.at_file(path, line, diagnostic),
            None => source.at(line, diagnostic),
        }
    }

    /// Follows a `$ref` written in `from`: local (`#/…`), or to another file of the same
    /// repository (`./pet.yaml`, `schemas.json#/Pet`). `Err` says why it cannot be followed
    /// (missing target, outside the repository, not a file greenroom read).
    pub fn resolve<'d>(&'d self, from: FileId, reference: &'d str) -> Result<Target<'d>, String> {
        let (part, fragment) = match reference.split_once('#') {
            Some((part, fragment)) => (part, fragment),
            None => (reference, ""),
        };
        let file = if part.is_empty() {
            from
        } else {
            let links = &self
                .files
                .get(from)
                .ok_or_else(|| format!("$ref \"{reference}\" is in a file greenroom did not read"))?
                .links;
            match links.get(part) {
                Some(Ok(file)) => *file,
                Some(Err(message)) => return Err(message.clone()),
                None => {
                    return Err(format!(
                        "$ref \"{reference}\" names a file greenroom did not read"
                    ))
                }
            }
        };
        let document = self.files.get(file).map(|f| &f.content);
        if let Some(Content::Unreadable) = document {
            return Err(format!(
                "$ref \"{reference}\" names a file that could not be read"
            ));
        }
        let root = self.root(file);
        if fragment.is_empty() {
            return Ok(Target {
                file,
                value: root,
                name: None,
                pointer: fragment,
            });
        }
        if !fragment.starts_with('/') {
            return Err(format!(
                "$ref \"{reference}\" is not a JSON pointer (`#/…`); greenroom does not follow anchors"
            ));
        }
        let (value, name) = follow_pointer(root, fragment)
            .ok_or_else(|| format!("$ref \"{reference}\" points at nothing"))?;
        Ok(Target {
            file,
            value,
            name,
            pointer: fragment,
        })
    }

    /// Problems found while reading the files `$ref`s reach (unreadable, escaping the
    /// repository, not parsing), each with its file and line.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }
}

/// Parses a file's text: JSON (fast) when it starts with `{`, YAML otherwise. `Err` is the
/// line and message of the parser's complaint.
fn parse(text: &str) -> Result<Content, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(value) => Ok(Content::Json {
                value,
                text: text.to_string(),
            }),
            Err(e) => Err((e.line().max(1), e.to_string())),
        };
    }
    match yaml::parse_documents(text).into_iter().next() {
        None => Ok(Content::Json {
            value: Value::Null,
            text: String::new(),
        }),
        Some(Ok(document)) => Ok(Content::Yaml(document)),
        Some(Err(e)) => Err((e.line.unwrap_or(1), e.message)),
    }
}

/// The distinct file parts (before `#`) of the `$ref` strings of a value, in document order.
fn file_parts(root: &Value) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, member) in map {
                    if key == "$ref" {
                        if let Value::String(reference) = member {
                            let part = reference.split('#').next().unwrap_or("");
                            if !part.is_empty() && !parts.iter().any(|p| p == part) {
                                parts.push(part.to_string());
                            }
                        }
                    } else if member.is_object() || member.is_array() {
                        stack.push(member);
                    }
                }
            }
            Value::Array(items) => {
                stack.extend(items.iter().filter(|v| v.is_object() || v.is_array()))
            }
            _ => {}
        }
    }
    parts
}

/// The value a JSON pointer (`/a/b~1c/0`, percent-encoded or not) names, with the mapping key
/// it is under (borrowed from the document).
fn follow_pointer<'d>(root: &'d Value, pointer: &str) -> Option<(&'d Value, Option<&'d str>)> {
    let mut value = root;
    let mut name = None;
    for raw in pointer.split('/').skip(1) {
        let segment = percent_decode(raw).replace("~1", "/").replace("~0", "~");
        match value {
            Value::Object(map) => {
                let (key, member) = map.get_key_value(segment.as_str())?;
                value = member;
                name = Some(key.as_str());
            }
            Value::Array(items) => {
                value = items.get(segment.parse::<usize>().ok()?)?;
                name = None;
            }
            _ => return None,
        }
    }
    Some((value, name))
}

/// `%XX` escapes decoded (invalid ones kept as written).
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn leading_blank_lines(text: &str) -> usize {
    text.lines().take_while(|l| l.trim().is_empty()).count()
}

/// The line of the value at `path` in a JSON text: a linear scan that skips the members and
/// elements before each step. Stops at the deepest step found.
fn json_line(text: &str, path: &[&str]) -> usize {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    let mut found = at;
    for segment in path {
        match bytes.get(at) {
            Some(b'{') => {
                let Some(member) = find_member(bytes, at, segment) else {
                    break;
                };
                at = member;
            }
            Some(b'[') => {
                let Some(element) = segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| find_element(bytes, at, n))
                else {
                    break;
                };
                at = element;
            }
            _ => break,
        }
        found = at;
    }
    bytes[..found.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// The end (exclusive) of the string starting at `at` (a `"`).
fn skip_string(bytes: &[u8], mut at: usize) -> usize {
    at += 1;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    at
}

/// The end (exclusive) of the value starting at `at`, nesting counted without recursion.
fn skip_value(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => {
                at = skip_string(bytes, at);
                if depth == 0 {
                    return at;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth <= 1 {
                    return at + 1;
                }
                depth -= 1;
            }
            b',' | b':' if depth == 0 => return at,
            _ => {}
        }
        at += 1;
    }
    at
}

/// The start of the value of member `key` of the object at `at`.
fn find_member(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    let mut at = skip_space(bytes, at + 1);
    while bytes.get(at) == Some(&b'"') {
        let end = skip_string(bytes, at);
        let raw = bytes.get(at..end)?;
        let matches = if raw.contains(&b'\\') {
            serde_json::from_slice::<String>(raw).is_ok_and(|k| k == key)
        } else {
            raw.get(1..raw.len().saturating_sub(1)) == Some(key.as_bytes())
        };
        at = skip_space(bytes, end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        if matches {
            return Some(at);
        }
        at = skip_space(bytes, skip_value(bytes, at));
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at = skip_space(bytes, at + 1);
    }
    None
}

/// The start of element `n` of the array at `at`.
fn find_element(bytes: &[u8], at: usize, n: usize) -> Option<usize> {
    let mut at = skip_space(bytes, at + 1);
    for _ in 0..n {
        at = skip_space(bytes, skip_value(bytes, at));
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at = skip_space(bytes, at + 1);
    }
    (bytes.get(at) != Some(&b']')).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_follow_the_path() {
        let text = "{\n  \"a\": {\"x\": 1,\n  \"b\": [\n    1,\n    {\"c\": \"}\"}\n  ]},\n  \"d\\\"\": 2\n}";
        assert_eq!(json_line(text, &["a", "b", "1", "c"]), 5);
        assert_eq!(json_line(text, &["a", "b", "0"]), 4);
        assert_eq!(json_line(text, &["d\""]), 7);
        assert_eq!(json_line(text, &["missing"]), 1);
        assert_eq!(json_line(text, &["a", "missing"]), 2);
    }

    #[test]
    fn pointers_decode_escapes() {
        let value: Value = serde_json::json!({"paths": {"/pets/{id}": {"get": 1}}, "a b": [0, 7]});
        let (found, name) = follow_pointer(&value, "/paths/~1pets~1%7Bid%7D/get").expect("found");
        assert_eq!((found, name), (&Value::from(1), Some("get")));
        assert_eq!(
            follow_pointer(&value, "/a%20b/1").map(|f| f.0),
            Some(&Value::from(7))
        );
        assert_eq!(follow_pointer(&value, "/a%20b/9"), None);
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
