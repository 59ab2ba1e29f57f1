//! URL text, the ground floor under every stage: which URLs are safe to link, percent-encoding
//! and decoding of paths, URL schemes. Plain functions over strings; it knows no stage.

/// Only http, https and mailto URLs become links; anything else (`javascript:`, `data:`) is
/// shown as text at most.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

/// An `http://` or `https://` URL (scheme in any case): what can be fetched or shown as a
/// plain web link.
pub fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// An absolute URL: a scheme, a colon and something after it, no spaces.
pub fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    is_scheme(scheme) && !rest.is_empty() && !s.contains(char::is_whitespace)
}

/// The lowercased scheme of an absolute URL (`https`, `mailto`, `javascript`), if it has one.
pub fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    is_scheme(scheme).then(|| scheme.to_ascii_lowercase())
}

/// RFC 3986's `scheme`: a letter, then letters, digits, `+`, `-` and `.`.
fn is_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Percent-encodes the characters that would change a path's meaning in a URL.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '%' => out.push_str("%25"),
            '"' => out.push_str("%22"),
            _ => out.push(c),
        }
    }
    out
}

/// Decodes `%XX` escapes; a malformed escape is kept as written, and bytes that do not decode
/// to UTF-8 leave the text as it was.
pub fn decode_percent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_links() {
        assert!(is_web_url("https://x"));
        assert!(is_web_url("mailto:a@b.c"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" JavaScript:alert(1)"));
        assert!(is_http_url("HTTPS://x") && is_http_url("http://x"));
        assert!(!is_http_url("mailto:a@b.c") && !is_http_url("https:/x") && !is_http_url("é"));
    }

    #[test]
    fn absolute_urls_and_schemes() {
        assert!(is_absolute_url("https://x.dev/a"));
        assert!(is_absolute_url("mailto:a@b.c"));
        assert!(!is_absolute_url("/relative"));
        assert!(!is_absolute_url("no scheme"));
        assert_eq!(scheme_of("HTTPS://x").as_deref(), Some("https"));
        assert_eq!(scheme_of("./a:b"), None);
    }

    #[test]
    fn percent_coding_round_trips() {
        assert_eq!(encode_path("a b#c?.md"), "a%20b%23c%3F.md");
        assert_eq!(decode_percent("a%20b.md"), "a b.md");
        assert_eq!(decode_percent("100%"), "100%");
        assert_eq!(decode_percent("%zz%2"), "%zz%2");
        assert_eq!(decode_percent(&encode_path("x %25 y")), "x %25 y");
    }
}
