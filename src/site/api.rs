//! API pages: the definition summary of an API's entity page, its reference page
//! (`catalog/<ns>/api/<name>/reference/`), and the raw definition as a download.
//!
//! The reference's sections and items are written here as HTML, like the docs nav
//! (`site::nav`): a definition of 50 operations is hundreds of rows that a Tera loop would make
//! the slowest part of the build. Every text was escaped or sanitised by `apis::html`; the
//! markup added here is fixed strings around it.

use super::context::{ApiReferencePage, DefinitionView, ReferenceFact, ReferenceServer, Spliced};
use super::{Builder, DataFile, Page, PageContent};
use crate::apis::html::{fragment_href, id_attribute};
use crate::apis::{self, ApiReference, ItemKind, Reference};
use crate::catalog::entity::Entity;
use crate::highlight::{self, escape_html};
use crate::urls::{self, Linker};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Largest definition whose collapsed source on a reference page is highlighted: the
/// reference is the readable view, and syntect on a thousand 40 KB definitions would cost more
/// than reading them.
const HIGHLIGHTED_SOURCE_BYTES: usize = 16 * 1024;

/// What kind of file an API's raw definition is: its extension and the highlighter's tokens.
fn definition_kind(entity: &Entity, text: &str) -> (&'static str, Vec<String>) {
    let api_type = entity.spec_type.clone().unwrap_or_default();
    let looks_like_json = text.trim_start().starts_with('{');
    match api_type.as_str() {
        "openapi" | "asyncapi" if looks_like_json => ("json", vec!["json".into()]),
        "openapi" | "asyncapi" => ("yaml", vec!["yaml".into()]),
        "graphql" => ("graphql", vec!["graphql".into(), "gql".into()]),
        "grpc" => ("proto", vec!["proto".into(), "protobuf".into()]),
        other if looks_like_json => ("json", vec!["json".into(), other.to_string()]),
        other => ("txt", vec![other.to_string()]),
    }
}

/// The raw definition of an API, published beside its page.
pub(super) fn definition_file(entity: &Entity) -> Option<DataFile> {
    let text = entity.definition.as_deref()?;
    let (extension, _) = definition_kind(entity, text);
    Some(DataFile {
        path: urls::api_definition_path(&entity.entity_ref, extension),
        bytes: text.as_bytes().to_vec(),
    })
}

/// The file name a download of the definition is saved as: the source file's name when it is
/// a plain one, else `<api name>.<extension>`.
fn download_name(entity: &Entity, extension: &str) -> String {
    let original = entity
        .definition_source
        .as_ref()
        .and_then(|s| s.path.as_ref())
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .filter(|n| {
            n.len() <= 100
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        });
    match original {
        Some(name) => name.to_string(),
        None => format!("{}.{extension}", entity.name),
    }
}

/// The definition as shown on a page at `linker`: highlighted unless `with_source` is false
/// (an entity page whose API has a reference shows a summary instead).
pub(super) fn definition_view(
    linker: &Linker,
    entity: &Entity,
    text: &str,
    api: Option<&ApiReference>,
    with_source: bool,
) -> DefinitionView {
    let (extension, tokens) = definition_kind(entity, text);
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let highlighted = with_source.then(|| {
        if api.is_some() && text.len() > HIGHLIGHTED_SOURCE_BYTES {
            highlight::plain(text)
        } else {
            highlight::highlight(text, &tokens)
        }
    });
    let reference = api.and_then(|a| a.reference.as_ref());
    DefinitionView {
        api_type: entity.spec_type.clone().unwrap_or_default(),
        language: highlighted
            .as_ref()
            .map(|h| h.language.clone())
            .unwrap_or_else(|| extension.to_string()),
        html: highlighted.map(|h| Spliced::new(h.html)),
        lines: text.lines().count(),
        download_href: linker.href(&urls::api_definition_path(&entity.entity_ref, extension)),
        download_name: download_name(entity, extension),
        reference_href: api.map(|_| linker.href(&urls::api_reference_path(&entity.entity_ref))),
        summary: reference.map(summary).unwrap_or_default(),
        format: reference.map(|r| r.format.clone()),
    }
}

/// The items of a reference counted by kind: `12 operations`, `3 schemas`.
fn summary(reference: &Reference) -> Vec<String> {
    let mut counts: BTreeMap<ItemKind, usize> = BTreeMap::new();
    for item in reference.sections.iter().flat_map(|s| &s.items) {
        *counts.entry(item.kind).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(kind, n)| format!("{n} {}", plural(kind, n)))
        .collect()
}

/// A kind's name for `n` items.
fn plural(kind: ItemKind, n: usize) -> String {
    let one = match kind {
        ItemKind::Rpc => "RPC",
        other => other.as_str(),
    };
    if n == 1 {
        one.to_string()
    } else if let Some(stem) = one.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{one}s")
    }
}

impl Builder<'_> {
    /// The reference page of an API whose format has a reader.
    pub(super) fn api_reference_page(&self, entity: &Entity, api: &ApiReference) -> Page {
        let path = urls::api_reference_path(&entity.entity_ref);
        let linker = self.linker(&path);
        let text = entity.definition.as_deref().unwrap_or("");
        let definition = definition_view(&linker, entity, text, Some(api), true);
        let reference = api.reference.as_ref();
        let title = reference
            .and_then(|r| r.title.clone())
            .unwrap_or_else(|| entity.display_name().to_string());
        let description = format!("API reference of {}", entity.display_name());
        let problems = self
            .diagnostics_by_entity
            .get(entity.entity_ref.to_string().as_str())
            .map(|list| list.iter().map(|d| Self::diagnostic_view(d)).collect())
            .unwrap_or_default();
        let page = ApiReferencePage {
            page: self.meta(
                &linker,
                &format!("{title} · API reference"),
                &description,
                "catalog",
            ),
            entity: self.link(&linker, &entity.entity_ref),
            owner: entity.owner().map(|o| self.link(&linker, o)),
            lifecycle: entity.lifecycle.clone(),
            title,
            version: reference.and_then(|r| r.version.clone()),
            format: reference
                .map(|r| r.format.clone())
                .unwrap_or_else(|| entity.spec_type.clone().unwrap_or_default()),
            description_html: reference
                .and_then(|r| r.description.as_ref())
                .map(|d| d.as_str().to_string()),
            facts: reference
                .map(|r| {
                    r.facts
                        .iter()
                        .map(|f| ReferenceFact {
                            label: f.label.clone(),
                            text: f.text.clone(),
                            href: f
                                .href
                                .clone()
                                .filter(|h| crate::web::is_http_url(h) || h.starts_with("mailto:")),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            servers: reference
                .map(|r| {
                    r.servers
                        .iter()
                        .map(|s| ReferenceServer {
                            name: s.name.clone(),
                            url: s.url.clone(),
                            protocol: s.protocol.clone(),
                            description_html: s
                                .description
                                .as_ref()
                                .map(|d| d.as_str().to_string()),
                            details_html: s.details.as_str().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            nav_html: Spliced::new(reference.map(nav_html).unwrap_or_default()),
            content_html: Spliced::new(reference.map(content_html).unwrap_or_default()),
            unreadable: reference.is_none(),
            problems,
            definition,
        };
        Page {
            path,
            content: PageContent::ApiReference(Box::new(page)),
        }
    }
}

/// A badge class for an item's badge: HTTP methods and actions get their own colours.
fn badge_class(badge: &str) -> &'static str {
    match badge.to_ascii_lowercase().as_str() {
        "get" => "method method-get",
        "post" => "method method-post",
        "put" => "method method-put",
        "patch" => "method method-patch",
        "delete" => "method method-delete",
        "head" | "options" | "trace" | "query" => "method method-other",
        "send" | "publish" => "action action-send",
        "receive" | "subscribe" => "action action-receive",
        _ => "kind-badge",
    }
}

/// An item kind as a class name.
fn kind_class(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::SecurityScheme => "security-scheme",
        other => other.as_str(),
    }
}

/// The side navigation: each section, and under it each item (badge and name).
fn nav_html(reference: &Reference) -> String {
    let mut out = String::with_capacity(64 * reference.sections.len() + 4096);
    out.push_str("<ul class=\"ref-nav-sections\">");
    if !reference.servers.is_empty() {
        out.push_str("<li><a href=\"#servers\">Servers</a></li>");
    }
    for section in &reference.sections {
        let _ = write!(
            out,
            "<li><a class=\"ref-nav-section\" href=\"#{}\">{}</a> <span class=\"count\">{}</span><ul>",
            fragment_href(&section.id),
            escape_html(&section.title),
            section.items.len()
        );
        for item in &section.items {
            let _ = write!(out, "<li><a href=\"#{}\"", fragment_href(&item.anchor));
            if item.deprecated {
                out.push_str(" class=\"deprecated\"");
            }
            out.push('>');
            // Methods, actions and streaming tell items apart; a type-kind badge would only
            // repeat its section's title.
            let telling =
                |badge: &&String| badge_class(badge) != "kind-badge" || item.kind == ItemKind::Rpc;
            if let Some(badge) = item.badge.as_ref().filter(telling) {
                let _ = write!(
                    out,
                    "<span class=\"badge {}\">{}</span> ",
                    badge_class(badge),
                    escape_html(badge)
                );
            }
            let _ = write!(
                out,
                "<span class=\"ref-nav-name\">{}</span></a></li>",
                escape_html(&item.name)
            );
        }
        out.push_str("</ul></li>");
    }
    out.push_str("<li><a href=\"#source\">Source</a></li></ul>");
    out
}

/// Every section and its items.
fn content_html(reference: &Reference) -> String {
    let bytes: usize = reference
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.body.as_str().len() + 256)
        .sum();
    let mut out = String::with_capacity(bytes + 1024);
    for section in &reference.sections {
        let id = id_attribute(&section.id);
        let _ = write!(
            out,
            "<section class=\"ref-section\" id=\"{id}\" aria-labelledby=\"{id}-title\"><h2 id=\"{id}-title\">{}</h2>",
            escape_html(&section.title)
        );
        if let Some(description) = &section.description {
            let _ = write!(
                out,
                "<div class=\"ref-description\">{}</div>",
                description.as_str()
            );
        }
        for item in &section.items {
            item_html(&mut out, item);
        }
        out.push_str("</section>");
    }
    out
}

/// One item: heading with badge, name, label and permalink, then summary, description, body.
fn item_html(out: &mut String, item: &apis::Item) {
    let id = id_attribute(&item.anchor);
    let _ = write!(
        out,
        "<section class=\"ref-item ref-{}{}\" id=\"{id}\"><h3 class=\"ref-item-title\">",
        kind_class(item.kind),
        if item.deprecated { " deprecated" } else { "" }
    );
    if let Some(badge) = &item.badge {
        let _ = write!(
            out,
            "<span class=\"badge {}\">{}</span> ",
            badge_class(badge),
            escape_html(badge)
        );
    }
    let _ = write!(
        out,
        "<span class=\"ref-name\">{}</span>",
        escape_html(&item.name)
    );
    if let Some(label) = &item.label {
        let _ = write!(
            out,
            " <code class=\"ref-label\">{}</code>",
            escape_html(label)
        );
    }
    if item.deprecated {
        out.push_str(" <span class=\"badge deprecated\">deprecated</span>");
    }
    let _ = write!(
        out,
        " <a class=\"ref-permalink\" href=\"#{}\" aria-label=\"Link to {}\">#</a></h3>",
        fragment_href(&item.anchor),
        escape_html(&item.name)
    );
    if let Some(summary) = &item.summary {
        let _ = write!(out, "<p class=\"ref-summary\">{}</p>", escape_html(summary));
    }
    if let Some(description) = &item.description {
        let _ = write!(
            out,
            "<div class=\"ref-description\">{}</div>",
            description.as_str()
        );
    }
    out.push_str(item.body.as_str());
    out.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_counted_in_plain_english() {
        assert_eq!(plural(ItemKind::Query, 2), "queries");
        assert_eq!(plural(ItemKind::Rpc, 3), "RPCs");
        assert_eq!(plural(ItemKind::Operation, 1), "operation");
        assert_eq!(plural(ItemKind::SecurityScheme, 2), "security schemes");
    }

    #[test]
    fn item_text_is_escaped_and_anchors_stay_in_attributes() {
        let item = apis::Item {
            anchor: "operation/get-/a\"<b>".to_string(),
            kind: ItemKind::Operation,
            badge: Some("<get>".to_string()),
            name: "/a\"<b>".to_string(),
            label: Some("<script>".to_string()),
            summary: Some("<img src=x onerror=alert(1)>".to_string()),
            description: None,
            deprecated: true,
            body: Default::default(),
            search_text: String::new(),
        };
        let mut out = String::new();
        item_html(&mut out, &item);
        assert!(!out.contains("<script>"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains("id=\"operation/get-/a&quot;&lt;b&gt;\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"#operation/get-/a%22%3Cb%3E\""),
            "{out}"
        );
        assert!(
            out.contains("class=\"badge kind-badge\">&lt;get&gt;"),
            "{out}"
        );
    }
}
