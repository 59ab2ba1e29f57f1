//! Syntax highlighting with syntect into CSS classes, so one stylesheet serves light and dark
//! mode. The syntax set is loaded once per process.

use std::collections::{HashMap, HashSet};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, RwLock};
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// CSS class prefix for highlighted tokens.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Sources above this size are shown without highlighting, to keep builds fast.
const MAX_HIGHLIGHT_BYTES: usize = 512 * 1024;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Highlighted code: HTML whose text is escaped, and the language actually used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    /// `<span class="hl-...">` markup; all source text escaped.
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
const MEMO_MAGIC: &str = concat!("greenroom-highlight-memo ", env!("CARGO_PKG_VERSION"), "\n");

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
/// time. Without `record` nothing is written (`check`).
pub fn open_memo(path: &Path, reuse: bool, record: bool) {
    let previous = if reuse { index_memo(path) } else { None };
    let next = if record { open_next(path) } else { None };
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
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return plain(code);
        }
    }
    Highlighted {
        html: generator.finalize(),
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

fn plain(code: &str) -> Highlighted {
    Highlighted {
        html: escape_html(code),
        language: "text".to_string(),
    }
}

/// Escapes the five HTML-significant characters.
pub fn escape_html(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
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
    out
}

/// The stylesheet for highlighted code: a light theme by default, a dark one under
/// `prefers-color-scheme: dark` (unless the reader chose light) and under `data-theme="dark"`.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes
            .themes
            .get(name)
            .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
            .unwrap_or_default()
    };
    let light = css("InspiredGitHub");
    let dark = css("base16-ocean.dark");
    format!(
        "/* Generated by greenroom from syntect themes. */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n{}\n",
        strip_backgrounds(&light),
        prefix_selectors(&strip_backgrounds(&dark), ":root:not([data-theme=light])"),
        prefix_selectors(&strip_backgrounds(&dark), ":root[data-theme=dark]"),
    )
}

/// Drops the theme's own page background so the site's code-block colours apply.
fn strip_backgrounds(css: &str) -> String {
    css.lines()
        .filter(|line| !line.trim_start().starts_with("background-color"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn prefix_selectors(css: &str, prefix: &str) -> String {
    let without_comments = strip_comments(css);
    let mut out = String::new();
    for rule in without_comments.split('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let prefixed: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{prefix} {s}"))
            .collect();
        if !prefixed.is_empty() {
            out.push_str(&prefixed.join(", "));
            out.push_str(" {");
            out.push_str(body);
            out.push_str("}\n");
        }
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find("*/") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
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
        open_memo(&path, true, true);
        let first: Vec<Highlighted> = snippets.iter().map(|c| highlight(c, &["yaml"])).collect();
        close_memo(true).expect("close");
        // Other tests highlight in parallel and may add entries while the memo is open.
        let keys: Vec<u128> = snippets.iter().map(|c| memo_key(c, &["yaml"])).collect();
        let index = index_memo(&path).expect("a memo file");
        assert!(keys.iter().all(|k| index.index.contains_key(k)));
        // Every entry reads back as highlighted; a second build records what it read.
        open_memo(&path, true, true);
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
        open_memo(&path, false, true);
        highlight("four: 4\n", &["yaml"]);
        close_memo(false).expect("close");
        assert_eq!(std::fs::read(&path).expect("read"), b"not a memo");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains(":root[data-theme=dark] .hl-"));
    }
}
