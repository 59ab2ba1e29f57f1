//! Entity references: `[<kind>:][<namespace>/]<name>`, parsed as Backstage's newer parser does
//! and compared case-insensitively on all three parts.

use std::fmt;

/// A canonical entity reference: every part lowercased, namespace filled in. Used as the key of
/// the catalog and in every relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    /// Lowercased kind, e.g. `component`.
    pub kind: String,
    /// Lowercased namespace, e.g. `default`.
    pub namespace: String,
    /// Lowercased name.
    pub name: String,
}

impl EntityRef {
    /// Builds a canonical ref from parts in any case.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef {
            kind: kind.to_lowercase(),
            namespace: namespace.to_lowercase(),
            name: name.to_lowercase(),
        }
    }

    /// The shortest readable form relative to a namespace: `kind:name` in it, `kind:ns/name`
    /// elsewhere.
    pub fn short(&self) -> String {
        if self.namespace == "default" {
            format!("{}:{}", self.kind, self.name)
        } else {
            self.to_string()
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// Parses a ref string. `default_kind` is the field's default (None where the field has none,
/// like `dependsOn`); `default_namespace` is the referring entity's namespace.
pub fn parse(
    text: &str,
    default_kind: Option<&str>,
    default_namespace: &str,
) -> Result<EntityRef, String> {
    let malformed =
        || format!("entity reference \"{text}\" was not on the form [<kind>:][<namespace>/]<name>");
    let colon = text.find(':');
    let slash = text.find('/');
    let (kind, rest) = match (colon, slash) {
        (Some(c), Some(s)) if s < c => (None, text),
        (Some(c), _) => (Some(&text[..c]), &text[c + 1..]),
        (None, _) => (None, text),
    };
    let (namespace, name) = match rest.find('/') {
        Some(s) => (Some(&rest[..s]), &rest[s + 1..]),
        None => (None, rest),
    };
    if kind == Some("") || namespace == Some("") || name.is_empty() {
        return Err(malformed());
    }
    let kind = match kind.or(default_kind) {
        Some(kind) => kind,
        None => {
            return Err(format!(
                "entity reference \"{text}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
            ))
        }
    };
    Ok(EntityRef::new(
        kind,
        namespace.unwrap_or(default_namespace),
        name,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<String, String> {
        parse(text, Some("group"), "default").map(|r| r.to_string())
    }

    #[test]
    fn fills_defaults_and_lowercases() {
        assert_eq!(p("Team-A").as_deref(), Ok("group:default/team-a"));
        assert_eq!(p("user:JDoe").as_deref(), Ok("user:default/jdoe"));
        assert_eq!(p("ops/team-b").as_deref(), Ok("group:ops/team-b"));
        assert_eq!(p("Component:Ops/X").as_deref(), Ok("component:ops/x"));
    }

    #[test]
    fn namespace_defaults_to_the_referring_entity() {
        let r = parse("svc", Some("component"), "payments").expect("parses");
        assert_eq!(r.to_string(), "component:payments/svc");
    }

    #[test]
    fn a_slash_before_the_colon_means_no_kind() {
        assert_eq!(
            p("ns/name:with-colon").as_deref(),
            Ok("group:ns/name:with-colon")
        );
    }

    #[test]
    fn whitespace_is_a_name_as_in_backstage() {
        assert_eq!(p(" ").as_deref(), Ok("group:default/ "));
    }

    #[test]
    fn rejects_empty_parts() {
        for bad in [":x", "kind:", "a:/b", "ns/", "", "/x"] {
            assert!(p(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn fields_without_a_default_kind_need_one() {
        let e = parse("artists-db", None, "default").expect_err("needs kind");
        assert!(e.contains("missing or empty kind"), "{e}");
        assert!(parse("resource:artists-db", None, "default").is_ok());
    }
}
