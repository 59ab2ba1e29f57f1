//! Syntax highlighting with syntect into a small set of CSS classes, so one stylesheet serves
//! light and dark mode. The syntax set is loaded once per process.
//!
//! syntect's own HTML output nests a `<span>` per scope, each carrying every atom of the scope
//! name as a class (`<span class="hl-string hl-quoted hl-double hl-json">`): about 4 KB of
//! markup for a seven-line snippet, most of a docs page's weight, and selectors whose
//! specificity fights between light and dark themes. Like Pygments, Chroma and GitHub, we map
//! each token's scope stack to one of [`TOKEN_CLASSES`] (TextMate selector rules, applied by
//! syntect's `Highlighter` with its usual specificity), write one flat `<span class="hl-k">`
//! per run of equal class, and style the classes in [`stylesheet`].

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, RwLock};
use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter, ScopeSelectors, StyleModifier, Theme,
    ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Sources above this size are shown without highlighting, to keep builds fast.
const MAX_HIGHLIGHT_BYTES: usize = 512 * 1024;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// One class of highlighted token: its CSS class, the TextMate scope selectors that give it,
/// and its look in the light and the dark theme.
pub struct TokenClass {
    /// The class, written `hl-<name>`.
    pub name: &'static str,
    /// What the class marks, for the stylesheet.
    pub meaning: &'static str,
    /// Comma-separated TextMate scope selectors (the most specific match wins).
    pub selectors: &'static str,
    /// CSS declarations in the light theme.
    pub light: &'static str,
    /// CSS declarations in the dark theme.
    pub dark: &'static str,
}

/// The token classes. Colours come from the two syntect themes greenroom used to ship
/// (InspiredGitHub for light, base16-ocean for dark), darkened or lightened where needed for a
/// contrast of at least 4.5:1 on the code background.
pub const TOKEN_CLASSES: &[TokenClass] = &[
    TokenClass {
        name: "c",
        meaning: "comment",
        selectors: "comment, punctuation.definition.comment",
        light: "color: #6a6d70; font-style: italic",
        dark: "color: #8c99a4; font-style: italic",
    },
    TokenClass {
        name: "k",
        meaning: "keyword, storage (let, fn, class, public)",
        selectors: "keyword, storage, keyword.operator.word, keyword.operator.logical.python, \
                    keyword.operator.new",
        light: "color: #a71d5d",
        dark: "color: #c4a3be",
    },
    TokenClass {
        name: "s",
        meaning: "string",
        selectors: "string",
        light: "color: #183691",
        dark: "color: #a3be8c",
    },
    TokenClass {
        name: "n",
        meaning: "number or other constant (true, null)",
        selectors: "constant, support.constant",
        light: "color: #00739a",
        dark: "color: #d08770",
    },
    TokenClass {
        name: "e",
        meaning: "escape or regular expression",
        selectors: "constant.character.escape, string.regexp, constant.other.placeholder",
        light: "color: #0f7466",
        dark: "color: #96b5b4",
    },
    TokenClass {
        name: "f",
        meaning: "function name or call",
        selectors: "entity.name.function, support.function, variable.function, \
                    meta.function-call.identifier, entity.name.function.decorator",
        light: "color: #795da3",
        dark: "color: #8fa1b3",
    },
    TokenClass {
        name: "t",
        meaning: "type, class or module name",
        selectors: "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, \
                    entity.name.trait, entity.name.interface, entity.name.namespace, \
                    entity.other.inherited-class, support.type, support.class, \
                    storage.type.primitive, storage.type.numeric, storage.type.java",
        light: "color: #8a5a00",
        dark: "color: #ebcb8b",
    },
    TokenClass {
        name: "v",
        meaning: "parameter or special variable (self, this)",
        selectors: "variable.parameter, variable.language, variable.other.readwrite.instance",
        light: "color: #9a4a14",
        dark: "color: #d9848c",
    },
    TokenClass {
        name: "tag",
        meaning: "tag, or a key of YAML, JSON or TOML",
        selectors: "entity.name.tag, meta.mapping.key string, \
                    meta.structure.dictionary.key string, support.type.property-name, \
                    entity.name.label, meta.tag.yaml",
        light: "color: #3b7a34",
        dark: "color: #d9848c",
    },
    TokenClass {
        name: "a",
        meaning: "attribute name",
        selectors: "entity.other.attribute-name",
        light: "color: #795da3",
        dark: "color: #d08770",
    },
    TokenClass {
        name: "d",
        meaning: "annotation or decorator",
        selectors: "meta.annotation, storage.type.annotation, \
                    punctuation.definition.annotation, meta.decorator",
        light: "color: #795da3",
        dark: "color: #8fa1b3",
    },
    TokenClass {
        name: "h",
        meaning: "heading",
        selectors: "markup.heading, entity.name.section",
        light: "color: #1b4f9c; font-weight: 600",
        dark: "color: #8fa1b3; font-weight: 600",
    },
    TokenClass {
        name: "b",
        meaning: "bold text",
        selectors: "markup.bold",
        light: "font-weight: 600",
        dark: "font-weight: 600",
    },
    TokenClass {
        name: "i",
        meaning: "italic text",
        selectors: "markup.italic",
        light: "font-style: italic",
        dark: "font-style: italic",
    },
    TokenClass {
        name: "add",
        meaning: "inserted line of a diff",
        selectors: "markup.inserted",
        light: "color: #2e7030",
        dark: "color: #a3be8c",
    },
    TokenClass {
        name: "del",
        meaning: "deleted line of a diff",
        selectors: "markup.deleted",
        light: "color: #b52a1d",
        dark: "color: #d9848c",
    },
];

/// Scopes shown as plain text although a broader selector above would colour them (SQL's
/// `table.column` names are "constants" to its grammar).
const PLAIN_SELECTORS: &str = "constant.other.database-name, constant.other.table-name";

/// syntect's `Highlighter` resolves styles from a theme; this theme's "colour" for a token is
/// its class: red channel = index into [`TOKEN_CLASSES`] plus one, 0 for plain text.
static CLASS_THEME: LazyLock<Theme> = LazyLock::new(|| Theme {
    name: Some("greenroom token classes".to_string()),
    author: None,
    settings: ThemeSettings {
        foreground: Some(class_colour(0)),
        ..ThemeSettings::default()
    },
    scopes: TOKEN_CLASSES
        .iter()
        .map(|class| class.selectors)
        .chain([PLAIN_SELECTORS])
        .enumerate()
        .filter_map(|(index, selectors)| {
            let scope = selectors.parse::<ScopeSelectors>().ok()?;
            // The plain selectors come last: index + 1 is past the table, which is no class.
            let class = if index < TOKEN_CLASSES.len() {
                index + 1
            } else {
                0
            };
            Some(ThemeItem {
                scope,
                style: StyleModifier {
                    foreground: Some(class_colour(class)),
                    background: None,
                    font_style: None,
                },
            })
        })
        .collect(),
});

static CLASS_HIGHLIGHTER: LazyLock<Highlighter<'static>> =
    LazyLock::new(|| Highlighter::new(&CLASS_THEME));

fn class_colour(class: usize) -> Color {
    Color {
        r: u8::try_from(class).unwrap_or(0),
        g: 0,
        b: 0,
        a: 255,
    }
}

/// Highlighted code: HTML whose text is escaped, and the language actually used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    /// Text with flat `<span class="hl-…">` runs (see [`TOKEN_CLASSES`]); all of it escaped.
    pub html: String,
    /// Name of the syntax used, or `text`.
    pub language: String,
}

/// Highlights `code` using the first syntax that knows one of `tokens` (language names or file
/// extensions, tried in order). Unknown languages and oversized input fall back to escaped text.
/// With a memo open (see [`open_memo`]), code highlighted by the previous build is read back
/// instead of highlighted again, and everything highlighted is recorded for the next build.
pub fn highlight(code: &str, tokens: &[&str]) -> Highlighted {
    if !memo_open() {
        return highlight_now(code, tokens);
    }
    let key = memo_key(code, tokens);
    let highlighted = read_previous(key).unwrap_or_else(|| highlight_now(code, tokens));
    record(key, &highlighted);
    highlighted
}

/// The highlight memo: the highlighting equivalent of a build cache, kept on disk so that it
/// costs no memory. The previous build's file is read by offset (only its index is held); what
/// this build highlights is appended to a new file, which replaces the old one on
/// [`close_memo`]. It only ever returns what [`highlight_now`] returned for the same key, so
/// output is the same with or without it.
#[derive(Default)]
struct Memo {
    previous: Option<PreviousMemo>,
    next: Option<NextMemo>,
}

struct PreviousMemo {
    file: std::fs::File,
    /// Key → (offset of the language, its length, length of the HTML that follows it).
    index: HashMap<u128, (u64, u32, u32)>,
}

struct NextMemo {
    path: PathBuf,
    temporary: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    written: HashSet<u128>,
    failed: bool,
}

static MEMO: LazyLock<RwLock<Memo>> = LazyLock::new(|| RwLock::new(Memo::default()));

/// First bytes of a memo file; the version makes a file from another greenroom (whose syntect
/// may highlight differently) count as empty.
/// The suffix names the markup's format, so a memo of older markup counts as empty too.
const MEMO_MAGIC: &str = concat!(
    "greenroom-highlight-memo ",
    env!("CARGO_PKG_VERSION"),
    " token-classes-1\n"
);

fn memo_key(code: &str, tokens: &[&str]) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for token in tokens {
        hasher.update(token.as_bytes());
        hasher.update(&[0]);
    }
    hasher.update(&[1]);
    hasher.update(code.as_bytes());
    hasher.digest128()
}

fn memo_open() -> bool {
    MEMO.read()
        .is_ok_and(|m| m.previous.is_some() || m.next.is_some())
}

/// Opens the memo at `path`: entries of the previous build are read from it (when `reuse`),
/// and this build's go to a temporary sibling that [`close_memo`] moves over it. A missing,
/// foreign or damaged file reads as empty or as far as it is intact; a damaged memo only costs
/// time.
pub fn open_memo(path: &Path, reuse: bool) {
    let previous = if reuse { index_memo(path) } else { None };
    let next = open_next(path);
    if let Ok(mut memo) = MEMO.write() {
        *memo = Memo { previous, next };
    }
}

fn index_memo(path: &Path) -> Option<PreviousMemo> {
    let file = std::fs::File::open(path).ok()?;
    let length = file.metadata().ok()?.len();
    let mut reader = std::io::BufReader::new(&file);
    let mut magic = vec![0; MEMO_MAGIC.len()];
    reader.read_exact(&mut magic).ok()?;
    if magic != MEMO_MAGIC.as_bytes() {
        return None;
    }
    let mut index = HashMap::new();
    let mut offset = MEMO_MAGIC.len() as u64;
    let mut header = [0u8; 24];
    while reader.read_exact(&mut header).is_ok() {
        let (key, lengths) = header.split_at(16);
        let key = u128::from_le_bytes(key.try_into().ok()?);
        let language = u32::from_le_bytes(lengths[..4].try_into().ok()?);
        let html = u32::from_le_bytes(lengths[4..].try_into().ok()?);
        let start = offset + 24;
        let end = start + u64::from(language) + u64::from(html);
        if end > length {
            break;
        }
        index.insert(key, (start, language, html));
        if reader
            .seek_relative(i64::from(language) + i64::from(html))
            .is_err()
        {
            break;
        }
        offset = end;
    }
    Some(PreviousMemo { file, index })
}

fn open_next(path: &Path) -> Option<NextMemo> {
    let parent = path.parent()?;
    std::fs::create_dir_all(parent).ok()?;
    let name = path.file_name()?.to_string_lossy();
    let temporary = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&temporary).ok()?);
    out.write_all(MEMO_MAGIC.as_bytes()).ok()?;
    Some(NextMemo {
        path: path.to_path_buf(),
        temporary,
        out,
        written: HashSet::new(),
        failed: false,
    })
}

fn read_previous(key: u128) -> Option<Highlighted> {
    use std::os::unix::fs::FileExt as _;
    let memo = MEMO.read().ok()?;
    let previous = memo.previous.as_ref()?;
    let &(offset, language, html) = previous.index.get(&key)?;
    let mut bytes = vec![0; language as usize + html as usize];
    previous.file.read_exact_at(&mut bytes, offset).ok()?;
    let html = String::from_utf8(bytes.split_off(language as usize)).ok()?;
    Some(Highlighted {
        language: String::from_utf8(bytes).ok()?,
        html,
    })
}

fn record(key: u128, highlighted: &Highlighted) {
    let Ok(mut memo) = MEMO.write() else {
        return;
    };
    let Some(next) = memo.next.as_mut() else {
        return;
    };
    if next.failed || !next.written.insert(key) {
        return;
    }
    let mut header = [0u8; 24];
    header[..16].copy_from_slice(&key.to_le_bytes());
    header[16..20].copy_from_slice(&(highlighted.language.len() as u32).to_le_bytes());
    header[20..].copy_from_slice(&(highlighted.html.len() as u32).to_le_bytes());
    let written = next.out.write_all(&header).is_ok()
        && next.out.write_all(highlighted.language.as_bytes()).is_ok()
        && next.out.write_all(highlighted.html.as_bytes()).is_ok();
    next.failed = !written;
}

/// Closes the memo. With `keep`, the file this build wrote replaces the previous one (by
/// rename, so an interrupted build never leaves a torn memo); otherwise it is deleted.
pub fn close_memo(keep: bool) -> std::io::Result<()> {
    let memo = match MEMO.write() {
        Ok(mut memo) => std::mem::take(&mut *memo),
        Err(_) => return Ok(()),
    };
    drop(memo.previous);
    let Some(next) = memo.next else {
        return Ok(());
    };
    let NextMemo {
        path,
        temporary,
        out,
        failed,
        ..
    } = next;
    let flushed = out.into_inner().map_err(|e| e.into_error());
    match flushed {
        Ok(file) if keep && !failed => {
            drop(file);
            std::fs::rename(&temporary, &path)
        }
        other => {
            let _ = std::fs::remove_file(&temporary);
            other.map(drop)
        }
    }
}

/// [`highlight`] without the memo.
fn highlight_now(code: &str, tokens: &[&str]) -> Highlighted {
    let syntax = find_syntax(tokens).filter(|_| code.len() <= MAX_HIGHLIGHT_BYTES);
    let Some(syntax) = syntax else {
        return plain(code);
    };
    let highlighter = &*CLASS_HIGHLIGHTER;
    let mut parser = ParseState::new(syntax);
    let mut styles = HighlightState::new(highlighter, ScopeStack::new());
    let mut html = String::with_capacity(code.len() * 2);
    let mut open = 0u8;
    for line in LinesWithEndings::from(code) {
        let Ok(ops) = parser.parse_line(line, &SYNTAXES) else {
            return plain(code);
        };
        for (style, text) in HighlightIterator::new(&mut styles, &ops, line, highlighter) {
            let class = style.foreground.r;
            // Whitespace takes any class, so a run is not split around it.
            if class != open && !text.trim().is_empty() {
                if open != 0 {
                    html.push_str("</span>");
                }
                if let Some(token) = TOKEN_CLASSES.get(usize::from(class).wrapping_sub(1)) {
                    html.push_str("<span class=\"hl-");
                    html.push_str(token.name);
                    html.push_str("\">");
                }
                open = class;
            }
            push_escaped(&mut html, text);
        }
    }
    if open != 0 {
        html.push_str("</span>");
    }
    Highlighted {
        html,
        language: syntax.name.clone(),
    }
}

fn find_syntax(tokens: &[&str]) -> Option<&'static SyntaxReference> {
    tokens.iter().find_map(|token| {
        SYNTAXES
            .find_syntax_by_token(token)
            .or_else(|| SYNTAXES.find_syntax_by_extension(token))
    })
}

/// `code` as escaped text without highlighting.
pub fn plain(code: &str) -> Highlighted {
    Highlighted {
        html: escape_html(code),
        language: "text".to_string(),
    }
}

/// Escapes the five HTML-significant characters.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut out, text);
    out
}

/// Appends `text` to `out` with the five HTML-significant characters escaped.
fn push_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// The stylesheet for highlighted code: the light theme by default, the dark one under
/// `prefers-color-scheme: dark` (unless the reader chose light) and under `data-theme="dark"`.
pub fn stylesheet() -> String {
    let mut css = String::from(
        "/* Generated by greenroom: one class per kind of token (see TOKEN_CLASSES in highlight.rs). */\n",
    );
    for class in TOKEN_CLASSES {
        let _ = writeln!(
            css,
            ".hl-{} {{ {}; }} /* {} */",
            class.name, class.light, class.meaning
        );
    }
    let dark = |scope: &str| {
        TOKEN_CLASSES
            .iter()
            .map(|class| format!("{scope} .hl-{} {{ {}; }}\n", class.name, class.dark))
            .collect::<String>()
    };
    let _ = write!(
        css,
        "@media (prefers-color-scheme: dark) {{\n{}}}\n{}",
        dark(":root:not([data-theme=light])"),
        dark(":root[data-theme=dark]"),
    );
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_and_escapes_everything() {
        let out = highlight("key: \"<script>\"\n", &["yaml"]);
        assert_eq!(out.language, "YAML");
        assert!(out.html.contains("hl-"), "{}", out.html);
        assert!(!out.html.contains("<script>"));
    }

    #[test]
    fn unknown_languages_are_plain_escaped_text() {
        let out = highlight("type Query { a: <b> }", &["no-such-language"]);
        assert_eq!(out.language, "text");
        assert_eq!(out.html, "type Query { a: &lt;b&gt; }");
    }

    #[test]
    fn memo_files_round_trip_and_damage_only_costs_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("highlight.memo");
        let snippets = ["one: 1\n", "two: [2]\n", "three: {a: 3}\n"];
        open_memo(&path, true);
        let first: Vec<Highlighted> = snippets.iter().map(|c| highlight(c, &["yaml"])).collect();
        close_memo(true).expect("close");
        // Other tests highlight in parallel and may add entries while the memo is open.
        let keys: Vec<u128> = snippets.iter().map(|c| memo_key(c, &["yaml"])).collect();
        let index = index_memo(&path).expect("a memo file");
        assert!(keys.iter().all(|k| index.index.contains_key(k)));
        // Every entry reads back as highlighted; a second build records what it read.
        open_memo(&path, true);
        for (code, expected) in snippets.iter().zip(&first) {
            assert_eq!(
                read_previous(memo_key(code, &["yaml"])).as_ref(),
                Some(expected)
            );
            assert_eq!(&highlight(code, &["yaml"]), expected);
        }
        close_memo(true).expect("close");
        let entries = index_memo(&path).expect("memo").index.len();
        assert!(entries >= 3);
        // Cut inside the last entry: the others still load.
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 2]).expect("cut");
        assert_eq!(index_memo(&path).expect("memo").index.len(), entries - 1);
        std::fs::write(&path, "not a memo").expect("garbage");
        assert!(index_memo(&path).is_none());
        // A build that is not kept leaves no temporary file and the old memo untouched.
        open_memo(&path, false);
        highlight("four: 4\n", &["yaml"]);
        close_memo(false).expect("close");
        assert_eq!(std::fs::read(&path).expect("read"), b"not a memo");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn stylesheet_styles_every_class_in_light_and_dark() {
        let css = stylesheet();
        assert!(css.contains("prefers-color-scheme: dark"));
        for class in TOKEN_CLASSES {
            for rule in [
                format!("\n.hl-{} {{ {}; }}", class.name, class.light),
                format!(
                    ":root:not([data-theme=light]) .hl-{} {{ {}; }}",
                    class.name, class.dark
                ),
                format!(
                    ":root[data-theme=dark] .hl-{} {{ {}; }}",
                    class.name, class.dark
                ),
            ] {
                assert!(css.contains(&rule), "missing {rule:?} in\n{css}");
            }
        }
    }

    #[test]
    fn every_selector_list_parses() {
        // A list that fails to parse would silently leave its class out of the theme.
        assert_eq!(CLASS_THEME.scopes.len(), TOKEN_CLASSES.len() + 1);
        let names: HashSet<&str> = TOKEN_CLASSES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), TOKEN_CLASSES.len(), "class names are unique");
    }

    /// The classes of `code` in order, one per run, with the run's text.
    fn runs(code: &str, language: &str) -> Vec<(String, String)> {
        let html = highlight(code, &[language]).html;
        let mut runs = Vec::new();
        let mut rest = html.as_str();
        while let Some(start) = rest.find("<span class=\"hl-") {
            let after = &rest[start + "<span class=\"hl-".len()..];
            let (class, after) = after.split_once("\">").expect("class attribute");
            let (text, after) = after.split_once("</span>").expect("closed span");
            assert!(!text.contains("<span"), "spans are flat: {html}");
            runs.push((class.to_string(), text.trim().to_string()));
            rest = after;
        }
        runs
    }

    #[test]
    fn tokens_get_one_flat_class_each() {
        let json = runs("{\"id\": \"ord_1\", \"n\": 42, \"ok\": true}\n", "json");
        assert_eq!(
            json,
            [
                ("tag", "&quot;id&quot;"),
                ("s", "&quot;ord_1&quot;"),
                ("tag", "&quot;n&quot;"),
                ("n", "42"),
                ("tag", "&quot;ok&quot;"),
                ("n", "true"),
            ]
            .map(|(c, t)| (c.to_string(), t.to_string()))
        );
        let python = runs("def handle(event):  # note\n    return \"x\"\n", "python");
        let classes: Vec<&str> = python.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(classes, ["k", "f", "v", "c", "k", "s"], "{python:?}");
        // SQL's table.column names are plain text, not constants.
        let sql = runs("SELECT o.id FROM orders o;\n", "sql");
        assert!(sql.iter().all(|(class, _)| class == "k"), "{sql:?}");
    }

    #[test]
    fn markup_is_far_smaller_than_scope_spans() {
        let code =
            "service:\n  name: orders\n  replicas: 3\n  limits: {cpu: 500m, memory: 512Mi}\n";
        let html = highlight(code, &["yaml"]).html;
        // syntect's span-per-scope markup took 2,433 bytes for these 75.
        assert!(html.len() < code.len() * 5, "{} bytes: {html}", html.len());
        assert_eq!(crate::docs::markdown::strip_tags(&html), escape_html(code));
    }
}
