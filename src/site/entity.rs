//! The entity page: one per entity, whatever its kind, with the sections its kind has
//! (API definition and remotes, group organisation, user groups, template form, location
//! targets, a custom kind's spec) and its graphs.

use super::context::*;
use super::{graph_view, graphs, Builder, Page, PageContent, OWNED_ROWS_LIMIT};
use crate::catalog::relations::owned_by_group_tree;
use crate::catalog::{Entity, EntityRef, Kind, RelationType};
use crate::urls::{self, entity_path, facet_path, Linker};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    fn diagrams(&self, linker: &Linker, entity: &Entity) -> Vec<DiagramView> {
        let drawn = match entity.kind {
            Kind::System | Kind::Domain => vec![(
                if entity.kind == Kind::System {
                    "System diagram"
                } else {
                    "Domain diagram"
                },
                graphs::system_diagram(self.catalog, linker, entity),
            )],
            Kind::Group => vec![
                ("Org chart", graphs::org_chart(self.catalog, linker, entity)),
                ("Ownership", graphs::ownership(self.catalog, linker, entity)),
            ],
            _ => Vec::new(),
        };
        drawn
            .into_iter()
            .filter_map(|(heading, graph)| {
                graph.map(|g| DiagramView {
                    heading: heading.to_string(),
                    graph: graph_view(g),
                })
            })
            .collect()
    }

    pub(super) fn entity_page(&self, entity: &Entity) -> Page {
        let path = entity_path(&entity.entity_ref);
        let linker = self.linker(&path);
        let mut relations: BTreeMap<RelationType, Vec<EntityLink>> = BTreeMap::new();
        for relation in &entity.relations {
            relations
                .entry(relation.kind)
                .or_default()
                .push(self.link(&linker, &relation.target));
        }
        let relations = relations
            .into_iter()
            .map(|(kind, items)| RelationGroup {
                heading: kind.heading().to_string(),
                relation: kind.as_str().to_string(),
                items,
            })
            .collect();
        let links_of = |kind: RelationType| -> Vec<EntityLink> {
            entity
                .related(kind)
                .map(|r| self.link(&linker, r))
                .collect()
        };
        let group = (entity.kind == Kind::Group).then(|| self.group_section(&linker, entity));
        let user = (entity.kind == Kind::User).then(|| UserSection {
            groups: links_of(RelationType::MemberOf),
            owned: self.rows(&linker, entity.related(RelationType::OwnerOf)),
        });
        let parts = if matches!(entity.kind, Kind::System | Kind::Domain | Kind::Component) {
            self.rows(&linker, entity.related(RelationType::HasPart))
        } else {
            Vec::new()
        };
        let definition = entity.definition.as_ref().map(|text| {
            let api = self.input.apis.get(&entity.entity_ref);
            super::api::definition_view(&linker, entity, text, api, api.is_none())
        });
        let template = (entity.kind == Kind::Template).then(|| template_section(&entity.raw));
        let remotes = entity
            .remotes
            .iter()
            .map(|r| RemoteView {
                transport: r.transport.clone(),
                url: r.url.clone(),
                href: crate::web::is_http_url(&r.url).then(|| r.url.clone()),
            })
            .collect();
        let spec_fields = match entity.kind {
            Kind::Custom(_) => spec_fields(&entity.raw),
            _ => Vec::new(),
        };
        let location_targets = if entity.kind == Kind::Location {
            location_targets(&entity.raw)
        } else {
            Vec::new()
        };
        let diagnostics = self
            .diagnostics_by_entity
            .get(entity.entity_ref.to_string().as_str())
            .map(|list| list.iter().map(|d| Self::diagnostic_view(d)).collect())
            .unwrap_or_default();
        let title = format!("{} ({})", entity.display_name(), entity.kind);
        let description = entity
            .description
            .clone()
            .unwrap_or_else(|| format!("{} {} in the software catalog", entity.kind, entity.name));
        Page {
            content: PageContent::Entity(Box::new(EntityPage {
                page: self.meta(&linker, &title, &description, "catalog"),
                entity: self.entity_view(&linker, entity),
                relations,
                definition,
                remotes,
                spec_fields,
                group,
                user,
                parts,
                template,
                location_targets,
                diagnostics,
                docs_href: self.docs_href(&linker, entity),
                graph: graphs::neighbourhood(
                    self.catalog,
                    &linker,
                    entity,
                    self.input.config.graphs.depth,
                )
                .map(graph_view),
                diagrams: self.diagrams(&linker, entity),
            })),
            path,
        }
    }

    /// Parent, children, members, and ownership: the group's own entities in full, then its
    /// subgroups' up to [`OWNED_ROWS_LIMIT`] rows, with per-child totals for the rest, so the
    /// root group of a 10,000-entity org stays a readable page.
    fn group_section(&self, linker: &Linker, group: &Entity) -> GroupSection {
        let direct: Vec<&EntityRef> = group.related(RelationType::OwnerOf).collect();
        let subtree = owned_by_group_tree(self.catalog, &group.entity_ref);
        let direct_set: BTreeSet<&EntityRef> = direct.iter().copied().collect();
        let mut owned = self.rows(linker, direct.iter().copied());
        let room = OWNED_ROWS_LIMIT.saturating_sub(owned.len());
        let inherited: Vec<&EntityRef> = subtree
            .iter()
            .filter(|r| !direct_set.contains(r))
            .take(room)
            .collect();
        owned.extend(self.rows(linker, inherited));
        let owned_by_children = group
            .related(RelationType::ParentOf)
            .filter(|child| child.kind == "group")
            .map(|child| OwnedCount {
                group: self.link(linker, child),
                count: owned_by_group_tree(self.catalog, child).len(),
            })
            .collect();
        GroupSection {
            parent: group
                .related(RelationType::ChildOf)
                .next()
                .map(|r| self.link(linker, r)),
            children: group
                .related(RelationType::ParentOf)
                .map(|r| self.link(linker, r))
                .collect(),
            members: group
                .related(RelationType::HasMember)
                .map(|r| self.link(linker, r))
                .collect(),
            owned,
            owned_total: subtree.len(),
            owned_by_children,
        }
    }

    /// The entity's docs: its own site, else the site of its `backstage.io/techdocs-entity`.
    fn docs_href(&self, linker: &Linker, entity: &Entity) -> Option<String> {
        let site = self.input.docs.site_of(&entity.entity_ref)?;
        site.pages.first().map(|p| linker.href(&p.path))
    }

    fn entity_view(&self, linker: &Linker, entity: &Entity) -> EntityView {
        let annotations: Vec<AnnotationView> = entity
            .annotations
            .iter()
            .map(|(key, value)| AnnotationView {
                key: key.clone(),
                value: value.clone(),
                href: urls::annotation_href(key, value),
            })
            .collect();
        let mut actions: Vec<ExternalLink> = Vec::new();
        for (key, title) in [
            ("backstage.io/source-location", "View source"),
            ("backstage.io/view-url", "View"),
            ("backstage.io/edit-url", "Edit"),
            ("github.com/project-slug", "GitHub"),
            ("gitlab.com/project-slug", "GitLab"),
        ] {
            if let Some(url) = entity
                .annotation(key)
                .and_then(|v| urls::annotation_href(key, v))
            {
                if !actions.iter().any(|a| a.url == url) {
                    actions.push(ExternalLink {
                        title: title.to_string(),
                        url,
                        icon: None,
                    });
                }
            }
        }
        EntityView {
            entity_ref: entity.entity_ref.to_string(),
            name: entity.name.clone(),
            display_name: entity.display_name().to_string(),
            kind: entity.kind.as_str().to_string(),
            kind_lower: entity.kind.lower().to_string(),
            namespace: entity.namespace.clone(),
            spec_type: entity.spec_type.clone(),
            lifecycle: entity.lifecycle.clone(),
            description: entity.description.clone().unwrap_or_default(),
            owner: entity.owner().map(|o| self.link(linker, o)),
            part_of: entity
                .related(RelationType::PartOf)
                .map(|r| self.link(linker, r))
                .collect(),
            tags: entity
                .tags
                .iter()
                .map(|t| TagLink {
                    label: t.clone(),
                    href: linker.href(&facet_path("tag", t)),
                })
                .collect(),
            labels: entity
                .labels
                .iter()
                .map(|(k, v)| KeyValue {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
            links: entity
                .links
                .iter()
                .filter(|l| urls::is_safe_url(&l.url))
                .map(|l| ExternalLink {
                    title: l.title.clone().unwrap_or_else(|| l.url.clone()),
                    url: l.url.clone(),
                    icon: l.icon.clone(),
                })
                .collect(),
            annotations,
            actions,
            source_file: entity.origin.file.clone(),
            source_line: entity.origin.line,
            repo: entity.origin.repo.clone(),
            branch: entity.origin.branch.clone(),
            source_url: entity
                .annotation("backstage.io/view-url")
                .filter(|u| urls::is_safe_url(u))
                .map(str::to_string),
            profile: entity.profile.as_ref().map(|p| ProfileView {
                display_name: p.display_name.clone(),
                email: p.email.clone(),
                picture: p.picture.clone().filter(|u| crate::web::is_http_url(u)),
            }),
        }
    }
}

fn template_section(raw: &Value) -> TemplateSection {
    let spec = &raw["spec"];
    let pages: Vec<&Value> = match &spec["parameters"] {
        Value::Array(pages) => pages.iter().collect(),
        page @ Value::Object(_) => vec![page],
        _ => Vec::new(),
    };
    let form = pages
        .into_iter()
        .enumerate()
        .map(|(i, page)| {
            let required: BTreeSet<&str> = page["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields = page["properties"]
                .as_object()
                .map(|props| {
                    props
                        .iter()
                        .map(|(name, schema)| TemplateField {
                            name: name.clone(),
                            title: schema["title"].as_str().unwrap_or(name).to_string(),
                            field_type: schema["type"].as_str().unwrap_or("").to_string(),
                            required: required.contains(name.as_str()),
                            description: schema["description"].as_str().unwrap_or("").to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            TemplateFormPage {
                title: page["title"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("Step {}", i + 1)),
                fields,
            }
        })
        .collect();
    let steps = spec["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| TemplateStep {
                    id: s["id"].as_str().unwrap_or("").to_string(),
                    name: s["name"].as_str().unwrap_or("").to_string(),
                    action: s["action"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    TemplateSection { form, steps }
}

fn location_targets(raw: &Value) -> Vec<String> {
    let spec = &raw["spec"];
    let mut targets: Vec<String> = spec["target"]
        .as_str()
        .map(str::to_string)
        .into_iter()
        .collect();
    if let Some(list) = spec["targets"].as_array() {
        targets.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
    }
    targets
}

/// A custom kind's spec for its page: scalars as text, lists of scalars as items, the rest as
/// indented text.
fn spec_fields(raw: &Value) -> Vec<SpecFieldView> {
    let Some(spec) = raw.get("spec").and_then(Value::as_object) else {
        return Vec::new();
    };
    spec.iter()
        .map(|(key, value)| {
            let scalar = |v: &Value| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            let mut field = SpecFieldView {
                key: key.clone(),
                text: scalar(value),
                items: Vec::new(),
                block: None,
            };
            if field.text.is_none() {
                match value {
                    Value::Array(items) if items.iter().all(|i| scalar(i).is_some()) => {
                        field.items = items.iter().filter_map(scalar).collect();
                    }
                    Value::Null => field.text = Some("null".to_string()),
                    other => {
                        let mut text = String::new();
                        indented(other, 0, &mut text);
                        field.block = Some(text.trim_end().to_string());
                    }
                }
            }
            field
        })
        .collect()
}

/// YAML-like text of a nested value, for reading, not for parsing back.
fn indented(value: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match child {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        indented(child, depth + 1, out);
                    }
                    scalar => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(scalar))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{pad}-\n"));
                        indented(item, depth + 1, out);
                    }
                    scalar => out.push_str(&format!("{pad}- {}\n", scalar_text(scalar))),
                }
            }
        }
        scalar => out.push_str(&format!("{pad}{}\n", scalar_text(scalar))),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
