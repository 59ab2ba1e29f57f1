//! Where pages live and how one page links to another.

use crate::catalog::EntityRef;
use crate::hash::fnv1a;
use crate::web::encode_path;

/// `catalog/<namespace>/<kind>/<name>/index.html`, lowercased like Backstage's routes.
pub fn entity_path(entity_ref: &EntityRef) -> String {
    format!(
        "catalog/{}/{}/{}/index.html",
        entity_ref.namespace, entity_ref.kind, entity_ref.name
    )
}

/// `catalog/<namespace>/api/<name>/reference/index.html`: an API's reference page, beside its
/// entity page (entity names cannot contain `/`, so no entity page can be there).
pub fn api_reference_path(entity_ref: &EntityRef) -> String {
    format!(
        "catalog/{}/{}/{}/reference/index.html",
        entity_ref.namespace, entity_ref.kind, entity_ref.name
    )
}

/// `catalog/<namespace>/api/<name>/definition.<extension>`: the raw definition, for download.
pub fn api_definition_path(entity_ref: &EntityRef, extension: &str) -> String {
    format!(
        "catalog/{}/{}/{}/definition.{extension}",
        entity_ref.namespace, entity_ref.kind, entity_ref.name
    )
}

/// `catalog/_by/<facet>/<value>/index.html`. The `_by` segment cannot clash with a namespace
/// (namespaces cannot contain `_`).
pub fn facet_path(facet: &str, value: &str) -> String {
    format!("catalog/_by/{facet}/{}/index.html", slug(value))
}

/// A file-name-safe form of any value: kept as is when already safe, otherwise with unsafe
/// characters replaced and a short hash appended so distinct values never collide.
pub fn slug(value: &str) -> String {
    let safe =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
    if !value.is_empty() && value.chars().all(safe) && !value.starts_with('.') {
        return value.to_string();
    }
    let cleaned: String = value
        .to_lowercase()
        .chars()
        .map(|c| if safe(c) && c != '.' { c } else { '-' })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    format!(
        "{}-{:08x}",
        if cleaned.is_empty() { "x" } else { cleaned },
        fnv1a(value) as u32
    )
}

/// Turns site-relative paths into hrefs relative to one page.
#[derive(Debug, Clone)]
pub struct Linker {
    root: String,
    pretty: bool,
}

impl Linker {
    /// A linker for the page at `page_path` (site-relative).
    pub fn for_page(page_path: &str, pretty: bool) -> Self {
        Linker {
            root: "../".repeat(page_path.matches('/').count()),
            pretty,
        }
    }

    /// A linker producing absolute URLs under `base_url` (for pages served at any path, like 404).
    pub fn absolute(base_url: &str, pretty: bool) -> Self {
        let mut root = base_url.to_string();
        if !root.ends_with('/') {
            root.push('/');
        }
        Linker { root, pretty }
    }

    /// The relative path to the site root.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The href of a site-relative target, as seen from this page.
    pub fn href(&self, target: &str) -> String {
        let target = if self.pretty {
            match target.strip_suffix("index.html") {
                Some(folder) => folder,
                None => target,
            }
        } else {
            target
        };
        let href = format!("{}{}", self.root, target);
        if href.is_empty() {
            "./".to_string()
        } else {
            href
        }
    }
}

pub use crate::web::is_web_url as is_safe_url;

/// A link for well-known annotations whose value points somewhere.
pub fn annotation_href(key: &str, value: &str) -> Option<String> {
    let url = match key {
        "backstage.io/source-location"
        | "backstage.io/managed-by-location"
        | "backstage.io/managed-by-origin-location" => value.strip_prefix("url:")?.to_string(),
        "backstage.io/view-url" | "backstage.io/edit-url" => value.to_string(),
        "github.com/project-slug" => format!("https://github.com/{}", project_slug(value)?),
        "gitlab.com/project-slug" => format!("https://gitlab.com/{}", project_slug(value)?),
        _ => return None,
    };
    is_safe_url(&url).then_some(url)
}

fn project_slug(value: &str) -> Option<&str> {
    let ok = value.contains('/')
        && !value.contains("..")
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then_some(value)
}

/// The href of site path `to` from the page at site path `from`: the shortest relative path.
pub fn relative_href(from: &str, to: &str, pretty: bool) -> String {
    let to = if pretty {
        to.strip_suffix("index.html").unwrap_or(to)
    } else {
        to
    };
    let mut from_dirs: Vec<&str> = from.split('/').collect();
    from_dirs.pop();
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dirs = &to_parts[..to_parts.len().saturating_sub(1)];
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut href = "../".repeat(from_dirs.len() - common);
    href.push_str(&encode_path(&to_parts[common..].join("/")));
    if href.is_empty() {
        "./".to_string()
    } else {
        href
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_page() {
        let deep = Linker::for_page("catalog/default/component/x/index.html", false);
        assert_eq!(deep.href("index.html"), "../../../../index.html");
        let top = Linker::for_page("index.html", false);
        assert_eq!(top.href("catalog/index.html"), "catalog/index.html");
        let pretty = Linker::for_page("index.html", true);
        assert_eq!(pretty.href("index.html"), "./");
        assert_eq!(pretty.href("catalog/index.html"), "catalog/");
    }

    #[test]
    fn slugs_are_safe_and_distinct() {
        assert_eq!(slug("service"), "service");
        assert_ne!(slug("c++"), slug("c#"));
        assert!(slug("group:default/team-a").starts_with("group-default-team-a-"));
        assert!(slug("..").starts_with("x-"));
        assert!(slug("Team A")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn only_web_urls_are_links() {
        assert!(is_safe_url("https://x"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" JavaScript:alert(1)"));
        assert_eq!(
            annotation_href("backstage.io/source-location", "url:javascript:alert(1)"),
            None
        );
        assert_eq!(
            annotation_href("github.com/project-slug", "acme/payments").as_deref(),
            Some("https://github.com/acme/payments")
        );
    }

    #[test]
    fn relative_hrefs_are_shortest() {
        let from = "docs/default/component/x/a/b/index.html";
        assert_eq!(
            relative_href(from, "docs/default/component/x/index.html", false),
            "../../index.html"
        );
        assert_eq!(
            relative_href(from, "docs/default/component/x/a/c/index.html", true),
            "../c/"
        );
        assert_eq!(relative_href(from, from, true), "./");
        assert_eq!(
            relative_href(from, "docs/default/component/y/img/a b.png", false),
            "../../../y/img/a%20b.png"
        );
    }
}
