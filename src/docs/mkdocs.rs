//! `mkdocs.yml`: the keys TechDocs sites use, read leniently (unknown keys, plugins and YAML
//! tags such as `!!python/name:` are ignored), and the nav tree.

use crate::yaml::{self, PathSegment};
use serde_json::Value;

/// The part of an mkdocs config greenroom uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MkdocsConfig {
    /// `site_name`.
    pub site_name: Option<String>,
    /// `site_description`.
    pub site_description: Option<String>,
    /// `docs_dir`, default `docs`.
    pub docs_dir: String,
    /// Line of `docs_dir` in the file (0 when absent), for diagnostics about it.
    pub docs_dir_line: usize,
    /// `nav`, when given.
    pub nav: Option<Vec<NavEntry>>,
    /// `repo_url`.
    pub repo_url: Option<String>,
    /// `edit_uri`.
    pub edit_uri: Option<String>,
}

/// One entry of `nav`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavEntry {
    /// A page: path relative to `docs_dir`; title from the page when not given.
    Page {
        /// Title written in the nav.
        title: Option<String>,
        /// Path relative to `docs_dir`.
        source: String,
        /// Line in mkdocs.yml.
        line: usize,
    },
    /// A titled group of entries.
    Section {
        /// Title.
        title: String,
        /// Entries.
        children: Vec<NavEntry>,
    },
    /// An external link.
    Link {
        /// Title.
        title: String,
        /// Absolute URL.
        url: String,
    },
}

/// A problem in mkdocs.yml: line and message.
pub type ConfigProblem = (usize, String);

/// Parses mkdocs.yml text. Errors that make the file unusable are `Err`; problems in single
/// entries are returned beside a usable config.
pub fn parse(text: &str) -> Result<(MkdocsConfig, Vec<ConfigProblem>), ConfigProblem> {
    let document = match yaml::parse_documents(text).into_iter().next() {
        Some(Ok(document)) => document,
        Some(Err(error)) => return Err((error.line.unwrap_or(1), error.message)),
        None => return Err((1, "mkdocs.yml is empty".to_string())),
    };
    let Value::Object(map) = &document.value else {
        return Err((
            document.start_line,
            "mkdocs.yml must be a mapping of settings".to_string(),
        ));
    };
    let mut problems = Vec::new();
    let text_of = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let docs_dir = text_of("docs_dir").unwrap_or_else(|| "docs".to_string());
    if docs_dir.starts_with('/') || docs_dir.split(['/', '\\']).any(|part| part == "..") {
        return Err((
            yaml::locate(&document, &[PathSegment::Key("docs_dir")]),
            format!("docs_dir \"{docs_dir}\" must be a relative path inside the project"),
        ));
    }
    let nav = map.get("nav").map(|nav| {
        let mut path = vec![PathSegment::Key("nav")];
        entries(nav, &document, &mut path, &mut problems)
    });
    Ok((
        MkdocsConfig {
            site_name: text_of("site_name"),
            site_description: text_of("site_description"),
            docs_dir_line: if map.contains_key("docs_dir") {
                yaml::locate(&document, &[PathSegment::Key("docs_dir")])
            } else {
                0
            },
            docs_dir,
            nav,
            repo_url: text_of("repo_url"),
            edit_uri: text_of("edit_uri"),
        },
        problems,
    ))
}

fn entries<'a>(
    value: &'a Value,
    document: &yaml::Document,
    path: &mut Vec<PathSegment<'a>>,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<NavEntry> {
    let Some(items) = value.as_array() else {
        problems.push((
            yaml::locate(document, path),
            "nav must be a list of pages and sections".to_string(),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        path.push(PathSegment::Index(index));
        let line = yaml::locate(document, path);
        match item {
            Value::String(source) => out.push(page_or_link(None, source, line)),
            Value::Object(map) if map.len() == 1 => {
                if let Some((title, target)) = map.iter().next() {
                    path.push(PathSegment::Key(title));
                    match target {
                        Value::String(source) => {
                            out.push(page_or_link(Some(title.clone()), source, line))
                        }
                        Value::Array(_) => out.push(NavEntry::Section {
                            title: title.clone(),
                            children: entries(target, document, path, problems),
                        }),
                        _ => problems.push((
                            line,
                            format!("nav entry \"{title}\" must name a page, a URL or a list"),
                        )),
                    }
                    path.pop();
                }
            }
            _ => problems.push((
                line,
                "nav entry must be a page path or a single `Title: target` pair".to_string(),
            )),
        }
        path.pop();
    }
    out
}

fn page_or_link(title: Option<String>, target: &str, line: usize) -> NavEntry {
    if target.contains("://") || target.starts_with("mailto:") {
        NavEntry::Link {
            title: title.unwrap_or_else(|| target.to_string()),
            url: target.to_string(),
        }
    } else {
        NavEntry::Page {
            title,
            source: target.trim_start_matches("./").to_string(),
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_real_world_configs_with_python_tags() {
        let text = "site_name: Payments\nrepo_url: https://github.com/acme/payments\nedit_uri: edit/main/docs/\nplugins:\n  - techdocs-core\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n  - toc:\n      permalink: true\nextra:\n  version: !ENV [VERSION, '1']\nnav:\n  - Home: index.md\n  - guide.md\n  - Runbooks:\n      - Deploy: runbooks/deploy.md\n      - Status: https://status.acme.example/\n";
        let (config, problems) = parse(text).expect("parses");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.site_name.as_deref(), Some("Payments"));
        assert_eq!(config.docs_dir, "docs");
        assert_eq!(config.edit_uri.as_deref(), Some("edit/main/docs/"));
        let nav = config.nav.expect("nav");
        assert_eq!(
            nav[0],
            NavEntry::Page {
                title: Some("Home".to_string()),
                source: "index.md".to_string(),
                line: 15
            }
        );
        assert!(
            matches!(&nav[1], NavEntry::Page { title: None, source, line: 16 } if source == "guide.md")
        );
        let NavEntry::Section { title, children } = &nav[2] else {
            panic!("section expected: {nav:?}");
        };
        assert_eq!(title, "Runbooks");
        assert!(matches!(&children[0], NavEntry::Page { line: 18, .. }));
        assert!(
            matches!(&children[1], NavEntry::Link { url, .. } if url == "https://status.acme.example/")
        );
    }

    #[test]
    fn docs_dir_must_stay_inside() {
        for bad in ["docs_dir: ../elsewhere\n", "docs_dir: /etc\n"] {
            let (line, message) = parse(bad).expect_err("refused");
            assert_eq!(line, 1);
            assert!(message.contains("inside the project"), "{message}");
        }
        let (config, _) = parse("site_name: x\ndocs_dir: documentation\n").expect("ok");
        assert_eq!(config.docs_dir, "documentation");
    }

    #[test]
    fn odd_nav_entries_are_reported_not_fatal() {
        let (config, problems) = parse("nav:\n  - 42\n  - ok.md\n").expect("ok");
        assert_eq!(config.nav.map(|n| n.len()), Some(1));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 2);
    }
}
