//! Relation and ownership graphs, laid out and drawn as static SVG at build time.
//!
//! Plain data in ([`GraphSpec`]), an SVG string out ([`render_svg`]); no I/O, no JavaScript, and
//! nothing here knows the catalog: the caller picks the nodes and edges for a page.
//!
//! **Layout is our own, not the `layout-rs` crate.** layout-rs (0.1.x, a handful of releases
//! since 2022, about a quarter of it documented) lays out Graphviz graphs well, but its SVG
//! writer would have to be replaced: it writes inline colours and fonts, cannot emit links,
//! classes or `<title>`s, keeps font classes in a `HashMap` whose iteration order reaches the
//! output, uses fixed element ids that clash when two graphs share a page, and passes control
//! characters through. Its layout API hands a backend shapes without our node identities, so
//! keeping only its layout would still mean mapping back and trusting its determinism. A
//! layered layout for the few hundred nodes a page shows is about 1,100 lines of std-only Rust
//! (`layout.rs` and the layering, ordering and placement steps in `layers.rs`), the SVG
//! writer about 350 (`svg.rs`).
//!
//! The pipeline ([`layout`]), Sugiyama-style, per weakly connected component:
//! 1. cycle removal: an iterative DFS reverses back edges (sources first, then input order);
//! 2. layering: longest path from the sources, then sources pulled down next to their targets;
//! 3. dummy vertices on every layer an edge crosses, so long edges route between nodes;
//! 4. crossing reduction: up to 8 down/up barycenter sweeps, crossings counted exactly
//!    (Fenwick tree, `O(E log V)` per layer pair), best ordering kept;
//! 5. coordinates: alternating barycenter passes, each layer solved as an isotonic regression
//!    (pool-adjacent-violators) so order and minimum gaps hold and long edges stay straight;
//! 6. edges as cubic curves with axis-parallel tangents through the dummies, ports spread along
//!    node sides, arrowheads as polygons (no marker ids), labels placed in the gap between
//!    layers at the first candidate spot that does not overlap another label.
//!
//! Components are packed side by side in shelves. Everything is ordered by input index or
//! `BTreeMap`, so identical input gives byte-identical output.

mod layers;
mod layout;
mod svg;
#[cfg(test)]
mod tests;

pub use layout::{layout, EdgeRoute, Layout, NodeBox, Point};
pub use svg::{legend_svg, render_svg};

/// Everything needed to draw one graph.
#[derive(Debug, Clone)]
pub struct GraphSpec {
    /// Nodes in the caller's order; a later node with an id already seen is ignored.
    pub nodes: Vec<GraphNode>,
    /// Directed edges between node ids.
    pub edges: Vec<GraphEdge>,
    /// Which way edges flow.
    pub direction: Direction,
    /// Accessible name of the drawing (`aria-label` and `<title>`).
    pub title: String,
}

/// Which way the layers of a graph are stacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sources at the top, edges pointing down.
    TopToBottom,
    /// Sources on the left, edges pointing right.
    LeftToRight,
}

/// One box in the drawing.
#[derive(Debug, Clone)]
pub struct GraphNode {
    /// Unique key that edges refer to.
    pub id: String,
    /// Text in the node; truncated with "…" past 28 characters (the full text is the tooltip).
    pub label: String,
    /// Decides the shape and the colour class.
    pub kind: NodeKind,
    /// Link target, already relative to the page; escaped on output.
    pub href: Option<String>,
    /// The page's own entity: drawn emphasised.
    pub focus: bool,
    /// Small second line, e.g. "component · service".
    pub subtitle: Option<String>,
}

/// What a node stands for; each kind has its own shape and colour class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A Component entity: rounded rectangle.
    Component,
    /// An API entity: hexagon.
    Api,
    /// A Resource entity: cylinder.
    Resource,
    /// A System entity: rectangle with a thick border.
    System,
    /// A Domain entity: rounded rectangle with a dashed border.
    Domain,
    /// A Group entity: folder with a tab.
    Group,
    /// A User entity: ellipse.
    User,
    /// A Location entity: page with a folded corner.
    Location,
    /// A Template entity: rectangle with cut corners.
    Template,
    /// An entity of a custom kind (`catalog.kinds`): rectangle with a double border.
    Other,
    /// A "+N more" node standing for entities left out: dashed pill.
    More,
}

impl NodeKind {
    /// Every kind, in legend order.
    pub const ALL: [NodeKind; 11] = [
        NodeKind::Domain,
        NodeKind::System,
        NodeKind::Component,
        NodeKind::Api,
        NodeKind::Resource,
        NodeKind::Group,
        NodeKind::User,
        NodeKind::Location,
        NodeKind::Template,
        NodeKind::Other,
        NodeKind::More,
    ];

    /// The CSS class shared with the site's kind colours (`kind-component`, ...).
    pub fn css_class(self) -> &'static str {
        match self {
            NodeKind::Component => "kind-component",
            NodeKind::Api => "kind-api",
            NodeKind::Resource => "kind-resource",
            NodeKind::System => "kind-system",
            NodeKind::Domain => "kind-domain",
            NodeKind::Group => "kind-group",
            NodeKind::User => "kind-user",
            NodeKind::Location => "kind-location",
            NodeKind::Template => "kind-template",
            NodeKind::Other => "kind-other",
            NodeKind::More => "kind-more",
        }
    }

    /// The name shown in the legend.
    pub fn display_name(self) -> &'static str {
        match self {
            NodeKind::Component => "Component",
            NodeKind::Api => "API",
            NodeKind::Resource => "Resource",
            NodeKind::System => "System",
            NodeKind::Domain => "Domain",
            NodeKind::Group => "Group",
            NodeKind::User => "User",
            NodeKind::Location => "Location",
            NodeKind::Template => "Template",
            NodeKind::Other => "Other kind",
            NodeKind::More => "More",
        }
    }
}

/// A directed edge between two node ids.
#[derive(Debug, Clone)]
pub struct GraphEdge {
    /// Id of the node the arrow leaves.
    pub from: String,
    /// Id of the node the arrow points at.
    pub to: String,
    /// Relation name drawn at the middle of the edge, e.g. "ownerOf"; empty for none.
    pub label: String,
}

/// CSS for graphs and legends: colours from the site's tokens and `.kind-*` hues, light by
/// default, dark for `prefers-color-scheme: dark` and `html[data-theme="dark"]`.
pub fn stylesheet() -> &'static str {
    include_str!("graph.css")
}
