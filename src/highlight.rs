//! Syntax highlighting with syntect into CSS classes, so one stylesheet serves light and dark
//! mode. The syntax set is loaded once per process.

use std::collections::HashMap;
use std::sync::LazyLock;
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
/// Results are remembered (see [`load_memo`]): the same code with the same tokens is
/// highlighted once per process, and across builds when the memo is saved and loaded.
pub fn highlight(code: &str, tokens: &[&str]) -> Highlighted {
    let key = memo_key(code, tokens);
    if let Some(found) = MEMO.get(key) {
        return found;
    }
    let highlighted = highlight_now(code, tokens);
    MEMO.insert(key, &highlighted);
    highlighted
}

/// Highlighted code remembered across builds: the highlighting equivalent of a build cache.
/// It only ever returns what [`highlight_now`] returned for the same key, so output is the same
/// with or without it; it holds no other state.
struct Memo {
    /// Loaded from the previous build, by key; entries move to `fresh` when used.
    loaded: std::sync::Mutex<HashMap<u128, (String, String)>>,
    /// Used by this build (found or newly highlighted): what [`save_memo`] writes.
    fresh: std::sync::Mutex<HashMap<u128, (String, String)>>,
}

static MEMO: LazyLock<Memo> = LazyLock::new(|| Memo {
    loaded: std::sync::Mutex::new(HashMap::new()),
    fresh: std::sync::Mutex::new(HashMap::new()),
});

impl Memo {
    fn get(&self, key: u128) -> Option<Highlighted> {
        if let Some((language, html)) = self.fresh.lock().ok()?.get(&key) {
            return Some(Highlighted {
                html: html.clone(),
                language: language.clone(),
            });
        }
        let (language, html) = self.loaded.lock().ok()?.remove(&key)?;
        let found = Highlighted {
            html: html.clone(),
            language: language.clone(),
        };
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.insert(key, (language, html));
        }
        Some(found)
    }

    fn insert(&self, key: u128, highlighted: &Highlighted) {
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.insert(
                key,
                (highlighted.language.clone(), highlighted.html.clone()),
            );
        }
    }
}

/// First bytes of a saved memo; the version makes a file from another greenroom (whose syntect
/// may highlight differently) start empty.
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

/// Replaces the memo with one saved by [`save_memo`]. Bytes in another format or cut short
/// load as much as is intact (a damaged cache only costs time).
pub fn load_memo(bytes: &[u8]) {
    let loaded = parse_memo(bytes);
    if let Ok(mut memo) = MEMO.loaded.lock() {
        *memo = loaded;
    }
    if let Ok(mut fresh) = MEMO.fresh.lock() {
        fresh.clear();
    }
}

fn parse_memo(bytes: &[u8]) -> HashMap<u128, (String, String)> {
    let mut loaded = HashMap::new();
    if let Some(mut rest) = bytes.strip_prefix(MEMO_MAGIC.as_bytes()) {
        while let Some((key, language, html, next)) = read_memo_entry(rest) {
            loaded.insert(key, (language, html));
            rest = next;
        }
    }
    loaded
}

fn read_memo_entry(bytes: &[u8]) -> Option<(u128, String, String, &[u8])> {
    let (key, rest) = bytes.split_first_chunk::<16>()?;
    let (language, rest) = read_memo_string(rest)?;
    let (html, rest) = read_memo_string(rest)?;
    Some((u128::from_le_bytes(*key), language, html, rest))
}

fn read_memo_string(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len() < len {
        return None;
    }
    let (text, rest) = rest.split_at(len);
    Some((String::from_utf8(text.to_vec()).ok()?, rest))
}

/// The memo entries this process used, in key order, for the next build's [`load_memo`].
pub fn save_memo() -> Vec<u8> {
    let fresh = MEMO.fresh.lock().map(|f| f.clone()).unwrap_or_default();
    let mut entries: Vec<(&u128, &(String, String))> = fresh.iter().collect();
    entries.sort_unstable_by_key(|(key, _)| **key);
    let mut out = MEMO_MAGIC.as_bytes().to_vec();
    for (key, (language, html)) in entries {
        out.extend_from_slice(&key.to_le_bytes());
        for text in [language, html] {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
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
    fn memo_survives_a_round_trip_and_damage() {
        let code = "memo_round_trip: [1, 2]\n";
        let key = memo_key(code, &["yaml"]);
        let first = highlight(code, &["yaml"]);
        assert_eq!(first, highlight_now(code, &["yaml"]));
        let saved = save_memo();
        let parsed = parse_memo(&saved);
        assert_eq!(
            parsed.get(&key),
            Some(&(first.language.clone(), first.html.clone()))
        );
        // Cut inside the last entry: everything before it still loads, nothing panics.
        let mut last = MEMO_MAGIC.as_bytes().to_vec();
        last.extend_from_slice(&key.to_le_bytes());
        last.extend_from_slice(&4u32.to_le_bytes());
        last.extend_from_slice(b"YAML");
        last.extend_from_slice(&100u32.to_le_bytes());
        last.extend_from_slice(b"short");
        assert!(parse_memo(&last).is_empty());
        assert!(parse_memo(b"not a memo").is_empty());
        assert!(parse_memo(&saved[..saved.len() - 1]).len() < parsed.len());
    }

    #[test]
    fn stylesheet_has_light_and_dark_rules() {
        let css = stylesheet();
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(css.contains(":root[data-theme=dark] .hl-"));
    }
}
