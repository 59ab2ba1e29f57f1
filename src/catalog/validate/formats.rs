//! The field formats of Backstage's `KubernetesValidatorFunctions` and
//! `CommonValidatorFunctions` (catalog-model 1.10): names, namespaces, label and annotation
//! keys, tags, apiVersions, kinds and URLs.

/// `metadata.name`: 1–63 characters of `[A-Za-z0-9-_.]`, starting and ending alphanumeric.
pub fn is_valid_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A DNS label as Backstage checks it since catalog-model 1.3 (IDN labels such as `xn--c6h`):
/// `^[a-z0-9]+(?:-+[a-z0-9]+)*$`, at most 63 characters, so runs of `-` are allowed inside.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    let alphanumeric = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(alphanumeric)
        && b.last().is_some_and(alphanumeric)
        && b.iter().all(|c| alphanumeric(c) || *c == b'-')
}

/// A tag: `^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`, at most 63 characters.
pub fn is_valid_tag(s: &str) -> bool {
    is_dashed_runs(s, 63, |b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b':' | b'+' | b'#')
    })
}

fn is_dashed_runs(s: &str, max: usize, allowed: impl Fn(u8) -> bool) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.split('-')
            .all(|run| !run.is_empty() && run.bytes().all(&allowed))
}

/// A DNS subdomain: dot-separated DNS labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain.
pub fn is_valid_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_valid_name(name),
        None => is_valid_name(s),
    }
}

/// A URL as browsers parse it (WHATWG, Backstage's `new URL(value)`): leading and trailing
/// spaces are ignored, and a special scheme (`http`, `https`, ...) needs a host.
pub fn is_valid_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// Backstage's `kind` format: a letter, then letters and digits, at most 63 characters.
pub(super) fn is_valid_kind_format(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Backstage's `apiVersion` format: `version` or `dns-subdomain/version`, the version being
/// 1 to 63 letters and digits.
pub(super) fn is_valid_api_version(s: &str) -> bool {
    let version_ok =
        |v: &str| !v.is_empty() && v.len() <= 63 && v.bytes().all(|b| b.is_ascii_alphanumeric());
    match s.split_once('/') {
        Some((prefix, version)) => is_dns_subdomain(prefix) && version_ok(version),
        None => version_ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_backstage_regex_not_its_docs() {
        for ok in [
            "a",
            "svc-1",
            "a--b",
            "a._b",
            "Payments.API",
            &"x".repeat(63),
        ] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a b", "ä", &"x".repeat(64), "a/b"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_are_lowercase_dns_labels() {
        for ok in ["team-a", "a--b", "xn--c6h", "a"] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in ["Team", "sdp.today", "-a", "a-", "", "a_b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }

    #[test]
    fn tags_allow_colon_plus_and_hash() {
        for ok in ["java", "c++", "c#", "lang:go", "a-b"] {
            assert!(is_valid_tag(ok), "{ok}");
        }
        for bad in ["Java", "a_b", "a--b", "-a", "a b"] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn keys_take_one_dns_prefix() {
        assert!(is_valid_key("backstage.io/techdocs-ref"));
        assert!(is_valid_key("team"));
        assert!(!is_valid_key("a/b/c"));
        assert!(!is_valid_key("Backstage.io/x"));
    }

    #[test]
    fn api_versions() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("backstage.io/v1/x"));
    }
}
