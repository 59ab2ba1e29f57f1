//! Which entities and relations each page's graph shows; `graph/` lays them out and draws them.

use crate::catalog::entity::{Entity, Kind, RelationType};
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::graph::{self, Direction, GraphEdge, GraphNode, GraphSpec, NodeKind};
use crate::urls::{entity_path, Linker};

/// Neighbours drawn around an entity before the rest collapse into one "+N more" node.
pub const MAX_NEIGHBOURS: usize = 24;

/// A drawn graph and the legend for the kinds in it.
#[derive(Debug, Clone)]
pub struct DrawnGraph {
    /// The SVG (text escaped by `graph`).
    pub svg: String,
    /// The legend SVG.
    pub legend: String,
    /// Neighbours left out of the drawing (shown as "+N more", linking to `#graph-all`).
    pub hidden: usize,
}

/// The shape a kind is drawn with.
pub fn node_kind(kind: &str) -> NodeKind {
    match Kind::from_lower(kind) {
        Some(Kind::Api) => NodeKind::Api,
        Some(Kind::Resource) => NodeKind::Resource,
        Some(Kind::System) => NodeKind::System,
        Some(Kind::Domain) => NodeKind::Domain,
        Some(Kind::Group) => NodeKind::Group,
        Some(Kind::User) => NodeKind::User,
        Some(Kind::Location) => NodeKind::Location,
        Some(Kind::Template) => NodeKind::Template,
        Some(Kind::Component) | None => NodeKind::Component,
    }
}

/// Relations drawn in their own direction; the others are drawn as their inverse, so every
/// edge of a kind points the same way (owner → owned, system → part, provider → API).
fn is_forward(relation: RelationType) -> bool {
    use RelationType::*;
    matches!(
        relation,
        OwnerOf | HasPart | ProvidesApi | ConsumesApi | DependsOn | ParentOf | HasMember
    )
}

fn node(catalog: &Catalog, linker: &Linker, target: &EntityRef, focus: bool) -> GraphNode {
    let entity = catalog.get(target);
    let subtitle = match entity.and_then(|e| e.spec_type.as_deref()) {
        Some(t) => format!("{} · {t}", target.kind),
        None => target.kind.clone(),
    };
    GraphNode {
        id: target.to_string(),
        label: entity
            .map(|e| e.display_name().to_string())
            .unwrap_or_else(|| target.short()),
        kind: node_kind(&target.kind),
        href: (!focus && entity.is_some()).then(|| linker.href(&entity_path(target))),
        focus,
        subtitle: Some(subtitle),
    }
}

/// The entity and its direct relations, like Backstage's catalog-graph card. `None` when the
/// entity has no relations.
pub fn neighbourhood(catalog: &Catalog, linker: &Linker, entity: &Entity) -> Option<DrawnGraph> {
    if entity.relations.is_empty() {
        return None;
    }
    let me = &entity.entity_ref;
    let mut nodes = vec![node(catalog, linker, me, true)];
    let mut edges = Vec::new();
    let mut neighbours: Vec<&EntityRef> = Vec::new();
    let mut hidden = 0usize;
    for relation in &entity.relations {
        if relation.target == *me {
            continue;
        }
        if !neighbours.contains(&&relation.target) {
            if neighbours.len() == MAX_NEIGHBOURS {
                hidden += 1;
                continue;
            }
            neighbours.push(&relation.target);
            nodes.push(node(catalog, linker, &relation.target, false));
        }
        let (from, to, label) = if is_forward(relation.kind) {
            (me, &relation.target, relation.kind)
        } else {
            (&relation.target, me, relation.kind.inverse())
        };
        edges.push(GraphEdge {
            from: from.to_string(),
            to: to.to_string(),
            label: label.as_str().to_string(),
        });
    }
    // A label on more than three edges would crowd the drawing: keep it on the first only.
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for edge in &edges {
        *counts.entry(edge.label.clone()).or_default() += 1;
    }
    let mut seen: std::collections::BTreeSet<String> = Default::default();
    for edge in &mut edges {
        let crowded = counts.get(&edge.label).is_some_and(|n| *n > 3);
        if !seen.insert(edge.label.clone()) && crowded {
            edge.label.clear();
        }
    }
    if hidden > 0 {
        nodes.push(GraphNode {
            id: "+more".to_string(),
            label: format!("+{hidden} more"),
            kind: NodeKind::More,
            href: Some("#graph-all".to_string()),
            focus: false,
            subtitle: None,
        });
        edges.push(GraphEdge {
            from: me.to_string(),
            to: "+more".to_string(),
            label: String::new(),
        });
    }
    let kinds: Vec<NodeKind> = nodes.iter().map(|n| n.kind).collect();
    let spec = GraphSpec {
        nodes,
        edges,
        // Many neighbours make one wide layer; stacked left to right they stay readable in
        // the page's main column.
        direction: if neighbours.len() > 6 {
            Direction::LeftToRight
        } else {
            Direction::TopToBottom
        },
        title: format!("Relations of {}", entity.display_name()),
    };
    Some(DrawnGraph {
        svg: graph::render_svg(&spec),
        legend: graph::legend_svg(&kinds),
        hidden,
    })
}
