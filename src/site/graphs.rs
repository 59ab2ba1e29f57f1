//! Which entities and relations each page's graph shows; `graph/` lays them out and draws them.

use crate::catalog::entity::{Entity, Kind, RelationType};
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::config::GraphDepth;
use crate::graph::{self, Direction, GraphEdge, GraphNode, GraphSpec, NodeKind};
use crate::urls::{entity_path, Linker};

/// Neighbours drawn around an entity before the rest collapse into one "+N more" node.
pub const MAX_NEIGHBOURS: usize = 24;

/// Entities two steps away drawn at depth 2.
pub const SECOND_RING: usize = 16;

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
        Some(Kind::Component) => NodeKind::Component,
        Some(Kind::Custom(_)) | None => NodeKind::Other,
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

/// The edge for `subject relation target`, pointing the forward way.
fn forward_edge(subject: &EntityRef, relation: RelationType, target: &EntityRef) -> GraphEdge {
    let (from, to, label) = if is_forward(relation) {
        (subject, target, relation)
    } else {
        (target, subject, relation.inverse())
    };
    GraphEdge {
        from: from.to_string(),
        to: to.to_string(),
        label: label.as_str().to_string(),
    }
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
pub fn neighbourhood(
    catalog: &Catalog,
    linker: &Linker,
    entity: &Entity,
    depth: GraphDepth,
) -> Option<DrawnGraph> {
    if entity.relations.is_empty() {
        return None;
    }
    let me = &entity.entity_ref;
    let mut nodes = vec![node(catalog, linker, me, true)];
    let mut edges = Vec::new();
    let mut neighbours: Vec<&EntityRef> = Vec::new();
    // Entities left out, each counted once however many relations lead to it.
    let mut hidden: std::collections::BTreeSet<&EntityRef> = Default::default();
    for relation in &entity.relations {
        if relation.target == *me {
            continue;
        }
        if !neighbours.contains(&&relation.target) {
            if neighbours.len() == MAX_NEIGHBOURS {
                hidden.insert(&relation.target);
                continue;
            }
            neighbours.push(&relation.target);
            nodes.push(node(catalog, linker, &relation.target, false));
        }
        edges.push(forward_edge(me, relation.kind, &relation.target));
    }
    if depth == GraphDepth::Two {
        // The neighbours' own relations: at most SECOND_RING more entities, edges among all
        // drawn ones (the engine ignores edges to entities left out).
        let mut second: Vec<&EntityRef> = Vec::new();
        for neighbour in neighbours.clone() {
            let Some(near) = catalog.get(neighbour) else {
                continue;
            };
            for relation in &near.relations {
                let target = &relation.target;
                if target != me
                    && !neighbours.contains(&target)
                    && !second.contains(&target)
                    && second.len() < SECOND_RING
                {
                    second.push(target);
                    nodes.push(node(catalog, linker, target, false));
                }
                edges.push(forward_edge(neighbour, relation.kind, target));
            }
        }
    }
    let hidden = hidden.len();
    if hidden > 0 {
        nodes.push(more_node(
            "+more".to_string(),
            hidden,
            "#graph-all".to_string(),
        ));
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

/// Nodes drawn in a diagram before the rest collapse into "+N more".
pub const MAX_DIAGRAM_NODES: usize = 40;

/// A diagram under construction: entities by ref, edges by id, a cap on nodes.
struct Diagram<'c> {
    catalog: &'c Catalog,
    linker: &'c Linker,
    focus: &'c EntityRef,
    nodes: Vec<EntityRef>,
    edges: Vec<GraphEdge>,
    /// Entities left out by the cap, each counted once.
    hidden: std::collections::BTreeSet<EntityRef>,
}

impl<'c> Diagram<'c> {
    fn new(catalog: &'c Catalog, linker: &'c Linker, focus: &'c EntityRef) -> Self {
        Diagram {
            catalog,
            linker,
            focus,
            nodes: vec![focus.clone()],
            edges: Vec::new(),
            hidden: Default::default(),
        }
    }

    /// Adds a node unless the diagram is full; says whether it is in the diagram.
    fn add(&mut self, node: &EntityRef) -> bool {
        if self.nodes.contains(node) {
            return true;
        }
        if self.nodes.len() >= MAX_DIAGRAM_NODES {
            self.hidden.insert(node.clone());
            return false;
        }
        self.nodes.push(node.clone());
        true
    }

    fn has(&self, node: &EntityRef) -> bool {
        self.nodes.contains(node)
    }

    fn edge(&mut self, from: &EntityRef, to: &EntityRef, label: RelationType) {
        if self.has(from) && self.has(to) && from != to {
            self.edges.push(GraphEdge {
                from: from.to_string(),
                to: to.to_string(),
                label: label.as_str().to_string(),
            });
        }
    }

    fn draw(self, title: String, more_href: &str) -> DrawnGraph {
        let mut nodes: Vec<GraphNode> = self
            .nodes
            .iter()
            .map(|n| node(self.catalog, self.linker, n, n == self.focus))
            .collect();
        let mut edges = self.edges;
        let hidden = self.hidden.len();
        if hidden > 0 {
            nodes.push(more_node(
                "+more".to_string(),
                hidden,
                more_href.to_string(),
            ));
            edges.push(GraphEdge {
                from: self.focus.to_string(),
                to: "+more".to_string(),
                label: String::new(),
            });
        }
        let kinds: Vec<NodeKind> = nodes.iter().map(|n| n.kind).collect();
        let direction = if nodes.len() > 8 {
            Direction::LeftToRight
        } else {
            Direction::TopToBottom
        };
        DrawnGraph {
            svg: graph::render_svg(&GraphSpec {
                nodes,
                edges,
                direction,
                title,
            }),
            legend: graph::legend_svg(&kinds),
            hidden,
        }
    }
}

/// A system's (or domain's) parts, the APIs they provide and consume, and the consumers of its
/// APIs outside it. `None` when it has no parts.
pub fn system_diagram(catalog: &Catalog, linker: &Linker, system: &Entity) -> Option<DrawnGraph> {
    let me = &system.entity_ref;
    let parts: Vec<&EntityRef> = system.related(RelationType::HasPart).collect();
    if parts.is_empty() {
        return None;
    }
    let mut diagram = Diagram::new(catalog, linker, me);
    for part in &parts {
        diagram.add(part);
        diagram.edge(me, part, RelationType::HasPart);
    }
    // A domain's diagram goes one level further: its systems' parts.
    let mut parts: Vec<&EntityRef> = parts;
    if system.kind == Kind::Domain {
        let systems = parts.clone();
        for sub in systems {
            let Some(sub_entity) = catalog.get(sub) else {
                continue;
            };
            for part in sub_entity.related(RelationType::HasPart) {
                if diagram.add(part) {
                    diagram.edge(sub, part, RelationType::HasPart);
                    parts.push(part);
                }
            }
        }
    }
    for part in &parts {
        let Some(entity) = catalog.get(part) else {
            continue;
        };
        for relation in &entity.relations {
            use RelationType::*;
            match relation.kind {
                ProvidesApi | ConsumesApi | DependsOn if diagram.has(&relation.target) => {
                    diagram.edge(part, &relation.target, relation.kind)
                }
                ApiConsumedBy => {
                    // Drawn only when the consumer fitted under the cap.
                    diagram.add(&relation.target);
                    diagram.edge(&relation.target, part, ConsumesApi);
                }
                _ => {}
            }
        }
    }
    let title = format!("Diagram of {}", system.display_name());
    Some(diagram.draw(title, "#parts-title"))
}

/// A group's place in the org: its parents up to the root and its children.
pub fn org_chart(catalog: &Catalog, linker: &Linker, group: &Entity) -> Option<DrawnGraph> {
    let me = &group.entity_ref;
    let mut diagram = Diagram::new(catalog, linker, me);
    let mut current = group;
    // Parent loops end where a group is already drawn.
    while let Some(parent) = current.related(RelationType::ChildOf).next() {
        if diagram.has(parent) || !diagram.add(parent) {
            diagram.edge(parent, &current.entity_ref, RelationType::ParentOf);
            break;
        }
        diagram.edge(parent, &current.entity_ref, RelationType::ParentOf);
        match catalog.get(parent) {
            Some(next) => current = next,
            None => break,
        }
    }
    for child in group.related(RelationType::ParentOf) {
        if diagram.add(child) {
            diagram.edge(me, child, RelationType::ParentOf);
        }
    }
    if diagram.nodes.len() < 2 {
        return None;
    }
    Some(diagram.draw(
        format!("Org chart around {}", group.display_name()),
        "#org-title",
    ))
}

/// What a group and its child groups own.
pub fn ownership(catalog: &Catalog, linker: &Linker, group: &Entity) -> Option<DrawnGraph> {
    let me = &group.entity_ref;
    let mut diagram = Diagram::new(catalog, linker, me);
    let owners: Vec<&Entity> = std::iter::once(group)
        .chain(
            group
                .related(RelationType::ParentOf)
                .filter_map(|child| catalog.get(child)),
        )
        .collect();
    for owner in &owners[1..] {
        if diagram.add(&owner.entity_ref) {
            diagram.edge(me, &owner.entity_ref, RelationType::ParentOf);
        }
    }
    let mut owned = 0;
    for owner in &owners {
        for target in owner.related(RelationType::OwnerOf) {
            if target.kind == "group" || target.kind == "user" {
                continue;
            }
            owned += 1;
            if diagram.add(target) {
                diagram.edge(&owner.entity_ref, target, RelationType::OwnerOf);
            }
        }
    }
    if owned == 0 {
        return None;
    }
    Some(diagram.draw(
        format!("What {} owns", group.display_name()),
        "#owned-title",
    ))
}

/// Domains drawn on the overview, and systems drawn per domain; the rest become "+N more"
/// nodes linking to the list they stand for.
pub const OVERVIEW_DOMAINS: usize = 8;
/// See [`OVERVIEW_DOMAINS`].
pub const OVERVIEW_SYSTEMS_PER_DOMAIN: usize = 5;

fn more_node(id: String, hidden: usize, href: String) -> GraphNode {
    GraphNode {
        id,
        label: format!("+{hidden} more"),
        kind: NodeKind::More,
        href: Some(href),
        focus: false,
        subtitle: None,
    }
}

/// The organisation at a glance: domains → their systems → the systems' owners.
pub fn overview(catalog: &Catalog, linker: &Linker) -> Option<DrawnGraph> {
    let domains: Vec<&Entity> = catalog
        .entities
        .values()
        .filter(|e| e.kind == Kind::Domain)
        .collect();
    if domains.is_empty() {
        return None;
    }
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut edges: Vec<GraphEdge> = Vec::new();
    let mut owners: Vec<EntityRef> = Vec::new();
    let edge = |from: &str, to: &str, label: &str| GraphEdge {
        from: from.to_string(),
        to: to.to_string(),
        label: label.to_string(),
    };
    for domain in domains.iter().take(OVERVIEW_DOMAINS) {
        let me = &domain.entity_ref;
        nodes.push(node(catalog, linker, me, false));
        let systems: Vec<&EntityRef> = domain
            .related(RelationType::HasPart)
            .filter(|r| r.kind == "system")
            .collect();
        for system in systems.iter().take(OVERVIEW_SYSTEMS_PER_DOMAIN) {
            nodes.push(node(catalog, linker, system, false));
            edges.push(edge(&me.to_string(), &system.to_string(), "hasPart"));
            if let Some(owner) = catalog.get(system).and_then(|s| s.owner()) {
                if !owners.contains(owner) {
                    owners.push(owner.clone());
                }
                edges.push(edge(&system.to_string(), &owner.to_string(), "ownedBy"));
            }
        }
        if systems.len() > OVERVIEW_SYSTEMS_PER_DOMAIN {
            let id = format!("+more:{me}");
            nodes.push(more_node(
                id.clone(),
                systems.len() - OVERVIEW_SYSTEMS_PER_DOMAIN,
                linker.href(&entity_path(me)),
            ));
            edges.push(edge(&me.to_string(), &id, ""));
        }
    }
    if domains.len() > OVERVIEW_DOMAINS {
        nodes.push(more_node(
            "+more:domains".to_string(),
            domains.len() - OVERVIEW_DOMAINS,
            linker.href(&crate::urls::facet_path("kind", "domain")),
        ));
    }
    for owner in &owners {
        nodes.push(node(catalog, linker, owner, false));
    }
    let kinds: Vec<NodeKind> = nodes.iter().map(|n| n.kind).collect();
    Some(DrawnGraph {
        svg: graph::render_svg(&GraphSpec {
            nodes,
            edges,
            direction: Direction::LeftToRight,
            title: "Domains, their systems and the systems' owners".to_string(),
        }),
        legend: graph::legend_svg(&kinds),
        hidden: 0,
    })
}
