//! The layered layout (see the `graph` module documentation for the steps).
//!
//! Each component is laid out in abstract coordinates: `cross` runs along a layer (x when
//! top-to-bottom) and `rank` across layers (y when top-to-bottom). Only the last step maps
//! them to SVG x and y, so both directions share every line of the algorithm.

use super::layers::{assign_layers, order_layers, place_cross};
use super::{Direction, GraphSpec, NodeKind};
use std::collections::BTreeMap;

/// Node labels longer than this many characters are cut and end with "…".
pub(super) const LABEL_MAX_CHARS: usize = 28;
const SUBTITLE_MAX_CHARS: usize = 36;
const EDGE_LABEL_MAX_CHARS: usize = 28;
/// Estimated advance per character unit of a 13 px label.
const LABEL_PX: f64 = 7.0;
/// Estimated advance per character unit of an 11 px subtitle or edge label.
const SMALL_PX: f64 = 6.0;
const EDGE_LABEL_HEIGHT: f64 = 14.0;
const NODE_PAD: f64 = 14.0;
const NODE_MIN_WIDTH: f64 = 64.0;
const NODE_HEIGHT: f64 = 36.0;
const NODE_HEIGHT_SUBTITLE: f64 = 50.0;
/// Distance between edges that join the same pair of nodes.
const PARALLEL_SPACING: f64 = 10.0;
/// Room left around the drawing.
pub(super) const MARGIN: f64 = 16.0;
const COMPONENT_GAP: f64 = 40.0;
/// Barycenter weights of a segment between two real nodes, a real node and a dummy, and
/// two dummies (as in Gansner et al.): long edges are kept straight before short ones.
const WEIGHT_REAL: f64 = 1.0;
const WEIGHT_MIXED: f64 = 2.0;
const WEIGHT_DUMMY: f64 = 8.0;

/// A point in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal position, growing to the right.
    pub x: f64,
    /// Vertical position, growing downwards.
    pub y: f64,
}

/// Where one node of the spec is drawn.
#[derive(Debug, Clone)]
pub struct NodeBox {
    /// Index of the node in `GraphSpec::nodes`.
    pub node: usize,
    /// Centre, horizontally.
    pub x: f64,
    /// Centre, vertically.
    pub y: f64,
    /// Width of the node's bounding box.
    pub width: f64,
    /// Height of the node's bounding box.
    pub height: f64,
    /// Layer within the node's connected component (0 = first in the flow).
    pub layer: usize,
    /// Index of the node's connected component, in packing order.
    pub component: usize,
    /// The label as drawn (truncated when long).
    pub label: String,
    /// The subtitle as drawn (truncated when long).
    pub subtitle: Option<String>,
}

/// How one edge of the spec is drawn.
#[derive(Debug, Clone)]
pub struct EdgeRoute {
    /// Index of the source node in `GraphSpec::nodes`.
    pub from: usize,
    /// Index of the target node in `GraphSpec::nodes`.
    pub to: usize,
    /// The label as drawn (truncated when long); empty for none.
    pub label: String,
    /// Points the curve passes through with tangents parallel to the flow: the first is on the
    /// source's outline, the last (the arrow tip) on the target's.
    pub points: Vec<Point>,
    /// Centre of the label, when there is one.
    pub label_at: Option<Point>,
    /// The edge points against the flow because it closes a cycle.
    pub reversed: bool,
}

/// A laid-out graph, in SVG user units with the origin at the top left.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Which way the layers are stacked.
    pub direction: Direction,
    /// Width of the drawing, margins included.
    pub width: f64,
    /// Height of the drawing, margins included.
    pub height: f64,
    /// Drawn nodes in input order (duplicate ids left out).
    pub nodes: Vec<NodeBox>,
    /// Drawn edges in input order (unknown ends, self-loops and duplicates left out).
    pub edges: Vec<EdgeRoute>,
}

/// Lays out a graph; pure and deterministic.
pub fn layout(spec: &GraphSpec) -> Layout {
    let graph = Graph::new(spec);
    let comps = graph.components();
    let mut flipped = vec![false; graph.links.len()];
    let mut slot = vec![0usize; graph.spec_index.len()];
    let laid: Vec<CompLayout> = comps
        .iter()
        .map(|c| lay_out_component(&graph, c, &mut slot, &mut flipped))
        .collect();
    assemble(&graph, &comps, &laid, &slot, &flipped)
}

/// Cuts `s` to `max` characters, the last being "…".
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Width of `s` in character units: wide (CJK, emoji) characters count double.
pub(super) fn text_units(s: &str) -> f64 {
    s.chars()
        .map(|c| {
            let c = c as u32;
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
                | 0x20000..=0x3FFFD);
            if wide {
                2.0
            } else {
                1.0
            }
        })
        .sum()
}

/// Width of an edge label's box.
pub(super) fn edge_label_width(label: &str) -> f64 {
    text_units(label) * SMALL_PX + 8.0
}

/// How far the points of an API hexagon stick out on each side.
pub(super) fn hexagon_point(height: f64) -> f64 {
    (height * 0.3).round()
}

/// Height of the elliptic cap of a Resource cylinder.
pub(super) fn cylinder_cap(height: f64) -> f64 {
    (height / 8.0).clamp(3.0, 6.0)
}

/// Bounding box of a node with these texts.
fn node_size(kind: NodeKind, label: &str, subtitle: Option<&str>) -> (f64, f64) {
    let text =
        (text_units(label) * LABEL_PX).max(subtitle.map_or(0.0, |s| text_units(s) * SMALL_PX));
    let mut h = if subtitle.is_some() {
        NODE_HEIGHT_SUBTITLE
    } else {
        NODE_HEIGHT
    };
    let mut w = text + 2.0 * NODE_PAD;
    match kind {
        NodeKind::Api => w += 2.0 * hexagon_point(h),
        NodeKind::User => w = w * 1.15 + 8.0,
        NodeKind::More => w += h * 0.5,
        NodeKind::Template | NodeKind::Location => w += 8.0,
        NodeKind::Resource => h += 6.0,
        _ => {}
    }
    (w.max(NODE_MIN_WIDTH).ceil(), h)
}

/// How far inside its bounding box a node's outline is, at `off` from the middle of the side
/// that edges attach to (top/bottom when top-to-bottom, left/right when left-to-right).
fn outline_inset(kind: NodeKind, w: f64, h: f64, off: f64, dir: Direction) -> f64 {
    let (side, depth) = match dir {
        Direction::TopToBottom => (w, h),
        Direction::LeftToRight => (h, w),
    };
    let rel = (off.abs() / (side / 2.0)).min(1.0);
    let round = |r: f64| r * (1.0 - (1.0 - rel * rel).sqrt());
    match (kind, dir) {
        (NodeKind::User, _) => round(depth / 2.0),
        (NodeKind::Resource, Direction::TopToBottom) => round(cylinder_cap(h)),
        (NodeKind::Api, Direction::LeftToRight) => hexagon_point(h) * rel,
        (NodeKind::More, Direction::LeftToRight) => round(h / 2.0),
        _ => 0.0,
    }
}

/// The spec with duplicates and dangling edges removed, edges grouped by node pair.
struct Graph {
    direction: Direction,
    /// Index in the spec of each kept node.
    spec_index: Vec<usize>,
    kinds: Vec<NodeKind>,
    labels: Vec<String>,
    subtitles: Vec<Option<String>>,
    /// Bounding box (width, height) of each node.
    sizes: Vec<(f64, f64)>,
    focus: Vec<bool>,
    links: Vec<Link>,
    edges: Vec<Edge>,
}

/// All edges between one unordered pair of nodes; laid out as one edge.
struct Link {
    /// Orientation before cycle removal: the first edge's.
    from: usize,
    to: usize,
    edges: Vec<usize>,
}

struct Edge {
    from: usize,
    to: usize,
    label: String,
    link: usize,
}

impl Graph {
    fn new(spec: &GraphSpec) -> Graph {
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        let mut g = Graph {
            direction: spec.direction,
            spec_index: Vec::new(),
            kinds: Vec::new(),
            labels: Vec::new(),
            subtitles: Vec::new(),
            sizes: Vec::new(),
            focus: Vec::new(),
            links: Vec::new(),
            edges: Vec::new(),
        };
        for (i, node) in spec.nodes.iter().enumerate() {
            if ids.contains_key(node.id.as_str()) {
                continue;
            }
            ids.insert(node.id.as_str(), g.spec_index.len());
            let full = if node.label.is_empty() {
                &node.id
            } else {
                &node.label
            };
            let label = truncate(full, LABEL_MAX_CHARS);
            let subtitle = node
                .subtitle
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| truncate(s, SUBTITLE_MAX_CHARS));
            g.sizes
                .push(node_size(node.kind, &label, subtitle.as_deref()));
            g.spec_index.push(i);
            g.kinds.push(node.kind);
            g.labels.push(label);
            g.subtitles.push(subtitle);
            g.focus.push(node.focus);
        }
        let mut seen: BTreeMap<(usize, usize, &str), ()> = BTreeMap::new();
        let mut pairs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for edge in &spec.edges {
            let (Some(&from), Some(&to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str()))
            else {
                continue;
            };
            if from == to || seen.insert((from, to, edge.label.as_str()), ()).is_some() {
                continue;
            }
            let link = *pairs
                .entry((from.min(to), from.max(to)))
                .or_insert_with(|| {
                    g.links.push(Link {
                        from,
                        to,
                        edges: Vec::new(),
                    });
                    g.links.len() - 1
                });
            g.links[link].edges.push(g.edges.len());
            g.edges.push(Edge {
                from,
                to,
                label: truncate(&edge.label, EDGE_LABEL_MAX_CHARS),
                link,
            });
        }
        g
    }

    /// Size of a node along a layer.
    fn cross_size(&self, n: usize) -> f64 {
        let (w, h) = self.sizes[n];
        match self.direction {
            Direction::TopToBottom => w,
            Direction::LeftToRight => h,
        }
    }

    /// Size of a node across layers.
    fn rank_size(&self, n: usize) -> f64 {
        let (w, h) = self.sizes[n];
        match self.direction {
            Direction::TopToBottom => h,
            Direction::LeftToRight => w,
        }
    }

    /// Weakly connected components, the one holding a focus node first, then by first node.
    fn components(&self) -> Vec<Component> {
        let n = self.spec_index.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for link in &self.links {
            let (a, b) = (find(&mut parent, link.from), find(&mut parent, link.to));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut comp_of_root = vec![usize::MAX; n];
        let mut comps: Vec<Component> = Vec::new();
        let mut comp_of = vec![0usize; n];
        for (v, comp) in comp_of.iter_mut().enumerate() {
            let r = find(&mut parent, v);
            if comp_of_root[r] == usize::MAX {
                comp_of_root[r] = comps.len();
                comps.push(Component {
                    nodes: Vec::new(),
                    links: Vec::new(),
                    focus: false,
                });
            }
            let c = comp_of_root[r];
            *comp = c;
            comps[c].nodes.push(v);
            comps[c].focus |= self.focus[v];
        }
        for (l, link) in self.links.iter().enumerate() {
            comps[comp_of[link.from]].links.push(l);
        }
        comps.sort_by_key(|c| !c.focus);
        comps
    }
}

struct Component {
    nodes: Vec<usize>,
    links: Vec<usize>,
    focus: bool,
}

/// One component laid out in abstract coordinates. Vertices `0..nodes.len()` are the
/// component's nodes in order, the rest are dummies.
struct CompLayout {
    layer: Vec<usize>,
    cross: Vec<f64>,
    /// Rank where each layer starts and ends.
    bands: Vec<(f64, f64)>,
    /// For each of the component's links: the vertices it passes, source to target in the
    /// (possibly flipped) flow orientation.
    chains: Vec<(usize, Vec<usize>)>,
    min_cross: f64,
    max_cross: f64,
    max_rank: f64,
}

fn lay_out_component(
    g: &Graph,
    comp: &Component,
    slot: &mut [usize],
    flipped: &mut [bool],
) -> CompLayout {
    let m = comp.nodes.len();
    for (i, &n) in comp.nodes.iter().enumerate() {
        slot[n] = i;
    }
    remove_cycles(g, comp, slot, flipped);
    let oriented: Vec<(usize, usize, usize)> = comp
        .links
        .iter()
        .map(|&l| {
            let (s, t) = (slot[g.links[l].from], slot[g.links[l].to]);
            if flipped[l] {
                (t, s, l)
            } else {
                (s, t, l)
            }
        })
        .collect();
    let mut layer = assign_layers(m, &oriented);

    // Dummy vertices, one per layer crossed.
    let mut cross_size: Vec<f64> = comp.nodes.iter().map(|&n| g.cross_size(n)).collect();
    let mut dummy = vec![false; m];
    let mut chains = Vec::with_capacity(oriented.len());
    for &(s, t, l) in &oriented {
        let mut chain = vec![s];
        let width = (g.links[l].edges.len() - 1) as f64 * PARALLEL_SPACING;
        for k in layer[s] + 1..layer[t] {
            chain.push(layer.len());
            layer.push(k);
            cross_size.push(width);
            dummy.push(true);
        }
        chain.push(t);
        chains.push((l, chain));
    }
    let nv = layer.len();
    let mut up: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
    let mut down: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nv];
    for (_, chain) in &chains {
        for pair in chain.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let w = match (dummy[a], dummy[b]) {
                (false, false) => WEIGHT_REAL,
                (true, true) => WEIGHT_DUMMY,
                _ => WEIGHT_MIXED,
            };
            down[a].push((b, w));
            up[b].push((a, w));
        }
    }
    let layer_count = layer.iter().max().map_or(0, |&l| l + 1);

    let layers = order_layers(&layer, layer_count, &up, &down);
    let node_gap = match g.direction {
        Direction::TopToBottom => 24.0,
        Direction::LeftToRight => 16.0,
    };
    let gap = |a: usize, b: usize| match (dummy[a], dummy[b]) {
        (false, false) => node_gap,
        (true, true) => 8.0,
        _ => 12.0,
    };
    let cross = place_cross(&layers, &cross_size, &up, &down, gap);

    // Bands along the rank axis, with gaps wide enough for the labels placed in them.
    let mut band_size = vec![0.0f64; layer_count];
    for (i, &n) in comp.nodes.iter().enumerate() {
        band_size[layer[i]] = band_size[layer[i]].max(g.rank_size(n));
    }
    let mut gap_size: Vec<f64> = vec![
        match g.direction {
            Direction::TopToBottom => 56.0,
            Direction::LeftToRight => 64.0,
        };
        layer_count.saturating_sub(1)
    ];
    for (l, chain) in &chains {
        let span = chain.len() - 1;
        let at = layer[chain[0]] + span / 2;
        let labelled: Vec<&Edge> = g.links[*l]
            .edges
            .iter()
            .map(|&e| &g.edges[e])
            .filter(|e| !e.label.is_empty())
            .collect();
        if labelled.is_empty() || at >= gap_size.len() {
            continue;
        }
        let need = match g.direction {
            Direction::TopToBottom => labelled.len() as f64 * (EDGE_LABEL_HEIGHT + 4.0) + 20.0,
            Direction::LeftToRight => {
                labelled
                    .iter()
                    .map(|e| edge_label_width(&e.label))
                    .fold(0.0, f64::max)
                    + 32.0
            }
        };
        gap_size[at] = gap_size[at].max(need);
    }
    let mut bands = Vec::with_capacity(layer_count);
    let mut rank = 0.0;
    for (i, &size) in band_size.iter().enumerate() {
        bands.push((rank, rank + size));
        rank += size + gap_size.get(i).copied().unwrap_or(0.0);
    }
    let max_rank = bands.last().map_or(0.0, |b| b.1);
    let mut min_cross = f64::INFINITY;
    let mut max_cross = f64::NEG_INFINITY;
    for v in 0..nv {
        min_cross = min_cross.min(cross[v] - cross_size[v] / 2.0);
        max_cross = max_cross.max(cross[v] + cross_size[v] / 2.0);
    }
    if nv == 0 {
        (min_cross, max_cross) = (0.0, 0.0);
    }
    CompLayout {
        layer,
        cross,
        bands,
        chains,
        min_cross,
        max_cross,
        max_rank,
    }
}

/// Marks the links to flip so the component becomes acyclic: the back edges of an iterative
/// depth-first search started from the sources, then from the remaining nodes in order.
fn remove_cycles(g: &Graph, comp: &Component, slot: &[usize], flipped: &mut [bool]) {
    let m = comp.nodes.len();
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); m];
    let mut indegree = vec![0usize; m];
    for &l in &comp.links {
        let (s, t) = (slot[g.links[l].from], slot[g.links[l].to]);
        out[s].push((t, l));
        indegree[t] += 1;
    }
    const NEW: u8 = 0;
    const ON_STACK: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; m];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let roots = (0..m).filter(|&v| indegree[v] == 0).chain(0..m);
    for root in roots {
        if state[root] != NEW {
            continue;
        }
        state[root] = ON_STACK;
        stack.push((root, 0));
        while let Some(&(v, next)) = stack.last() {
            if let Some(&(w, l)) = out[v].get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                match state[w] {
                    NEW => {
                        state[w] = ON_STACK;
                        stack.push((w, 0));
                    }
                    ON_STACK => flipped[l] = true,
                    _ => {}
                }
            } else {
                state[v] = DONE;
                stack.pop();
            }
        }
    }
}

/// An axis-aligned box in abstract coordinates.
#[derive(Clone, Copy)]
struct Area {
    c0: f64,
    c1: f64,
    r0: f64,
    r1: f64,
}

impl Area {
    fn overlaps(&self, o: &Area) -> bool {
        self.c0 < o.c1 && o.c0 < self.c1 && self.r0 < o.r1 && o.r0 < self.r1
    }
}

/// Point at `t` on the cubic from `a` to `b` whose tangents at both ends follow the rank axis.
fn on_curve(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    let s = 1.0 - t;
    let (k0, k1, k2, k3) = (s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t);
    let dr = b.1 - a.1;
    let c = (k0 + k1) * a.0 + (k2 + k3) * b.0;
    let r = k0 * a.1 + k1 * (a.1 + dr / 2.0) + k2 * (b.1 - dr / 2.0) + k3 * b.1;
    (c, r)
}

/// Packs the components, attaches edges to node outlines and places edge labels.
fn assemble(
    g: &Graph,
    comps: &[Component],
    laid: &[CompLayout],
    slot: &[usize],
    flipped: &[bool],
) -> Layout {
    let dir = g.direction;
    let to_xy = |c: f64, r: f64| match dir {
        Direction::TopToBottom => Point { x: c, y: r },
        Direction::LeftToRight => Point { x: r, y: c },
    };

    // Shelves: components side by side along the cross axis, wrapping when too wide.
    let widest = laid
        .iter()
        .map(|c| c.max_cross - c.min_cross)
        .fold(0.0, f64::max);
    let limit = widest.max(match dir {
        Direction::TopToBottom => 1200.0,
        Direction::LeftToRight => 900.0,
    });
    let mut offset = Vec::with_capacity(laid.len());
    let (mut at_cross, mut shelf_rank, mut shelf_depth) = (0.0, 0.0, 0.0f64);
    for c in laid {
        let width = c.max_cross - c.min_cross;
        if at_cross > 0.0 && at_cross + width > limit {
            shelf_rank += shelf_depth + COMPONENT_GAP;
            at_cross = 0.0;
            shelf_depth = 0.0;
        }
        offset.push((at_cross - c.min_cross, shelf_rank));
        at_cross += width + COMPONENT_GAP;
        shelf_depth = shelf_depth.max(c.max_rank);
    }

    let n = g.spec_index.len();
    let mut comp_of = vec![0usize; n];
    for (ci, comp) in comps.iter().enumerate() {
        for &v in &comp.nodes {
            comp_of[v] = ci;
        }
    }
    // Centre of node v in abstract coordinates.
    let centre = |v: usize| {
        let (c, s) = (&laid[comp_of[v]], slot[v]);
        let (oc, or) = offset[comp_of[v]];
        let band = c.bands[c.layer[s]];
        (c.cross[s] + oc, (band.0 + band.1) / 2.0 + or)
    };

    // Ports: the links leaving a node spread along its far side, those entering along its
    // near side, each side ordered by where the other end goes.
    let mut far: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    let mut near: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    let mut link_comp = vec![(0usize, 0usize); g.links.len()];
    for (ci, c) in laid.iter().enumerate() {
        for (k, (l, chain)) in c.chains.iter().enumerate() {
            link_comp[*l] = (ci, k);
            let (s, t) = oriented_ends(g, *l, flipped);
            far[s].push((c.cross[chain[1]], *l));
            near[t].push((c.cross[chain[chain.len() - 2]], *l));
        }
    }
    let mut port_far = vec![0.0; g.links.len()];
    let mut port_near = vec![0.0; g.links.len()];
    for v in 0..n {
        let side = g.cross_size(v);
        for (list, port) in [(&mut far[v], &mut port_far), (&mut near[v], &mut port_near)] {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = list.len();
            if k < 2 {
                continue;
            }
            let spread = (side * 0.6).min((k - 1) as f64 * 16.0);
            for (i, &(_, l)) in list.iter().enumerate() {
                port[l] = -spread / 2.0 + spread * i as f64 / (k - 1) as f64;
            }
        }
    }

    let nodes: Vec<NodeBox> = (0..n)
        .map(|v| {
            let (c, r) = centre(v);
            let p = to_xy(c, r);
            NodeBox {
                node: g.spec_index[v],
                x: p.x,
                y: p.y,
                width: g.sizes[v].0,
                height: g.sizes[v].1,
                layer: laid[comp_of[v]].layer[slot[v]],
                component: comp_of[v],
                label: g.labels[v].clone(),
                subtitle: g.subtitles[v].clone(),
            }
        })
        .collect();

    let mut placed: BTreeMap<(usize, usize), Vec<Area>> = BTreeMap::new();
    let mut edges = Vec::with_capacity(g.edges.len());
    for (ei, edge) in g.edges.iter().enumerate() {
        let link = &g.links[edge.link];
        let (ci, k) = link_comp[edge.link];
        let c = &laid[ci];
        let (oc, or) = offset[ci];
        let chain = &c.chains[k].1;
        let (s, t) = oriented_ends(g, edge.link, flipped);
        let nth = link.edges.iter().position(|&e| e == ei).unwrap_or(0);
        let parallel = (nth as f64 - (link.edges.len() - 1) as f64 / 2.0) * PARALLEL_SPACING;

        // Abstract points: the source's far side, each dummy's band (entry and exit), the
        // target's near side.
        let mut pts: Vec<(f64, f64)> = Vec::with_capacity(chain.len() * 2);
        let (sc, sr) = centre(s);
        let off = port_far[edge.link] + parallel;
        let (w, h) = g.sizes[s];
        pts.push((
            sc + off,
            sr + g.rank_size(s) / 2.0 - outline_inset(g.kinds[s], w, h, off, dir),
        ));
        for &d in &chain[1..chain.len() - 1] {
            let band = c.bands[c.layer[d]];
            pts.push((c.cross[d] + oc + parallel, band.0 + or));
            pts.push((c.cross[d] + oc + parallel, band.1 + or));
        }
        let (tc, tr) = centre(t);
        let off = port_near[edge.link] + parallel;
        let (w, h) = g.sizes[t];
        pts.push((
            tc + off,
            tr - g.rank_size(t) / 2.0 + outline_inset(g.kinds[t], w, h, off, dir),
        ));

        let label_at = if edge.label.is_empty() {
            None
        } else {
            let span = chain.len() - 1;
            let j = span / 2;
            let gap_index = c.layer[slot[s]] + j;
            let (a, b) = (pts[2 * j], pts[2 * j + 1]);
            let lw = edge_label_width(&edge.label);
            let (half_c, half_r) = match dir {
                Direction::TopToBottom => (lw / 2.0, EDGE_LABEL_HEIGHT / 2.0),
                Direction::LeftToRight => (EDGE_LABEL_HEIGHT / 2.0, lw / 2.0),
            };
            let (lo, hi) = (c.bands[gap_index].1 + or, c.bands[gap_index + 1].0 + or);
            let preferred = if span == 1 {
                let (out_k, in_k) = (far[s].len(), near[t].len());
                if out_k > in_k {
                    0.68
                } else if in_k > out_k {
                    0.32
                } else {
                    0.5
                }
            } else {
                0.5
            };
            let taken = placed.entry((ci, gap_index)).or_default();
            let area_at = |f: f64| {
                let (pc, pr) = on_curve(a, b, f);
                Area {
                    c0: pc - half_c,
                    c1: pc + half_c,
                    r0: pr - half_r,
                    r1: pr + half_r,
                }
            };
            let inside = |a: &Area| a.r0 >= lo - 2.0 && a.r1 <= hi + 2.0;
            let candidates = [preferred, 0.5, 0.32, 0.68, 0.2, 0.8];
            let pick = candidates
                .iter()
                .map(|&f| area_at(f))
                .find(|a| inside(a) && !taken.iter().any(|o| o.overlaps(a)))
                .or_else(|| candidates.iter().map(|&f| area_at(f)).find(inside))
                .unwrap_or_else(|| area_at(0.5));
            taken.push(pick);
            Some(to_xy((pick.c0 + pick.c1) / 2.0, (pick.r0 + pick.r1) / 2.0))
        };

        // Repeated points go, and so do the inner points of straight runs along the flow.
        let mut kept: Vec<(f64, f64)> = Vec::with_capacity(pts.len());
        for &p in &pts {
            let n = kept.len();
            if kept.last() == Some(&p) {
                continue;
            }
            if n >= 2 && (kept[n - 2].0 - p.0).abs() < 0.01 && (kept[n - 1].0 - p.0).abs() < 0.01 {
                kept[n - 1] = p;
            } else {
                kept.push(p);
            }
        }
        let mut points: Vec<Point> = kept.iter().map(|&(c, r)| to_xy(c, r)).collect();
        let reversed = (edge.from != link.from) != flipped[edge.link];
        if reversed {
            points.reverse();
        }
        edges.push(EdgeRoute {
            from: g.spec_index[edge.from],
            to: g.spec_index[edge.to],
            label: edge.label.clone(),
            points,
            label_at,
            reversed,
        });
    }

    finish(dir, nodes, edges)
}

/// The link's (source, target) in flow orientation.
fn oriented_ends(g: &Graph, l: usize, flipped: &[bool]) -> (usize, usize) {
    let link = &g.links[l];
    if flipped[l] {
        (link.to, link.from)
    } else {
        (link.from, link.to)
    }
}

/// Moves everything so the drawing starts at the margin and measures its size.
fn finish(direction: Direction, mut nodes: Vec<NodeBox>, mut edges: Vec<EdgeRoute>) -> Layout {
    let (mut x0, mut y0, mut x1, mut y1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    let mut grow = |xa: f64, ya: f64, xb: f64, yb: f64| {
        x0 = x0.min(xa);
        y0 = y0.min(ya);
        x1 = x1.max(xb);
        y1 = y1.max(yb);
    };
    for nb in &nodes {
        grow(
            nb.x - nb.width / 2.0,
            nb.y - nb.height / 2.0,
            nb.x + nb.width / 2.0,
            nb.y + nb.height / 2.0,
        );
    }
    for e in &edges {
        for p in &e.points {
            grow(p.x, p.y, p.x, p.y);
        }
        if let Some(p) = e.label_at {
            let hw = edge_label_width(&e.label) / 2.0;
            let hh = EDGE_LABEL_HEIGHT / 2.0;
            grow(p.x - hw, p.y - hh, p.x + hw, p.y + hh);
        }
    }
    if nodes.is_empty() {
        return Layout {
            direction,
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
            nodes,
            edges,
        };
    }
    let (dx, dy) = (MARGIN - x0, MARGIN - y0);
    for nb in &mut nodes {
        nb.x += dx;
        nb.y += dy;
    }
    for e in &mut edges {
        for p in &mut e.points {
            p.x += dx;
            p.y += dy;
        }
        if let Some(p) = &mut e.label_at {
            p.x += dx;
            p.y += dy;
        }
    }
    Layout {
        direction,
        width: (x1 - x0 + 2.0 * MARGIN).ceil(),
        height: (y1 - y0 + 2.0 * MARGIN).ceil(),
        nodes,
        edges,
    }
}
