//! Tests for the graph engine: every SVG is parsed as XML.

use super::layers::{count_crossings, reduce_crossings};
use super::svg::{num, push_escaped};
use super::*;
use roxmltree::{Document, Node};

fn node(id: &str, kind: NodeKind) -> GraphNode {
    GraphNode {
        id: id.to_string(),
        label: id.to_string(),
        kind,
        href: Some(format!("../{id}/index.html")),
        focus: false,
        subtitle: None,
    }
}

fn edge(from: &str, to: &str, label: &str) -> GraphEdge {
    GraphEdge {
        from: from.to_string(),
        to: to.to_string(),
        label: label.to_string(),
    }
}

fn spec(nodes: Vec<GraphNode>, edges: Vec<GraphEdge>, direction: Direction) -> GraphSpec {
    GraphSpec {
        nodes,
        edges,
        direction,
        title: "Relations".to_string(),
    }
}

fn components(ids: &[&str]) -> Vec<GraphNode> {
    ids.iter().map(|id| node(id, NodeKind::Component)).collect()
}

/// A tiny deterministic generator for test graphs.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn has_class(n: &Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split(' ').any(|t| t == class))
}

fn elements_with_class<'a>(doc: &'a Document, tag: &str, class: &str) -> Vec<Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag && has_class(n, class))
        .collect()
}

/// Renders and parses; panics with the SVG when it is not well-formed XML.
fn render_checked(spec: &GraphSpec) -> String {
    let svg = render_svg(spec);
    if let Err(e) = Document::parse(&svg) {
        panic!("not XML ({e}):\n{svg}");
    }
    svg
}

fn texts<'a>(doc: &'a Document, tag: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == tag)
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

/// Pairs of node boxes that overlap.
fn overlaps(l: &Layout) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, a) in l.nodes.iter().enumerate() {
        for b in &l.nodes[i + 1..] {
            let dx = (a.x - b.x).abs() < (a.width + b.width) / 2.0;
            let dy = (a.y - b.y).abs() < (a.height + b.height) / 2.0;
            if dx && dy {
                found.push((a.label.clone(), b.label.clone()));
            }
        }
    }
    found
}

/// Crossings between edges that join adjacent layers, measured on the drawing.
fn drawn_crossings(l: &Layout) -> usize {
    let at = |i: usize| l.nodes.iter().find(|n| n.node == i).map(|n| (n.x, n.layer));
    let segments: Vec<(f64, f64, usize)> = l
        .edges
        .iter()
        .filter_map(|e| {
            let (a, b) = (at(e.from)?, at(e.to)?);
            (b.1 == a.1 + 1).then_some((a.0, b.0, a.1))
        })
        .collect();
    let mut count = 0;
    for (i, s) in segments.iter().enumerate() {
        for t in &segments[i + 1..] {
            if s.2 == t.2 && (s.0 - t.0) * (s.1 - t.1) < 0.0 {
                count += 1;
            }
        }
    }
    count
}

fn box_of(l: &Layout, spec_index: usize) -> &NodeBox {
    l.nodes
        .iter()
        .find(|n| n.node == spec_index)
        .expect("node laid out")
}

#[test]
fn output_parses_with_nodes_links_and_edges() {
    let mut nodes = components(&["web", "api", "db"]);
    nodes[1].kind = NodeKind::Api;
    nodes[2].kind = NodeKind::Resource;
    nodes[2].href = None;
    nodes[0].focus = true;
    nodes[0].subtitle = Some("component · website".to_string());
    let s = spec(
        nodes,
        vec![
            edge("web", "api", "consumesApi"),
            edge("api", "db", "dependsOn"),
        ],
        Direction::TopToBottom,
    );
    let svg = render_checked(&s);
    let doc = Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("group"));
    assert_eq!(root.attribute("aria-label"), Some("Relations"));
    let (w, h) = (
        root.attribute("width").unwrap(),
        root.attribute("height").unwrap(),
    );
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {w} {h}").as_str())
    );
    assert!(w.parse::<f64>().unwrap() > 0.0 && h.parse::<f64>().unwrap() > 0.0);
    assert_eq!(
        root.first_element_child().map(|n| n.tag_name().name()),
        Some("title")
    );

    let nodes = elements_with_class(&doc, "g", "node");
    assert_eq!(nodes.len(), 3);
    assert!(has_class(&nodes[0], "kind-component") && has_class(&nodes[0], "focus"));
    assert!(has_class(&nodes[1], "kind-api") && !has_class(&nodes[1], "focus"));
    assert!(has_class(&nodes[2], "kind-resource"));
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "a")
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert_eq!(hrefs, ["../web/index.html", "../api/index.html"]);
    assert_eq!(elements_with_class(&doc, "g", "edge").len(), 2);
    assert_eq!(elements_with_class(&doc, "text", "subtitle").len(), 1);
    let labels: Vec<&str> = elements_with_class(&doc, "text", "edge-label")
        .iter()
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels, ["consumesApi", "dependsOn"]);
    assert!(!svg.contains("fill=\"#") && !svg.contains("stroke=\"#") && !svg.contains("style="));
}

#[test]
fn hostile_text_stays_text() {
    let hostile = [
        "<img onerror=alert(1)>",
        "]]><script>x</script>",
        "a & b \"c\" 'd'",
        "&amp; &#x3c;",
        "<!-- --><![CDATA[",
    ];
    let mut nodes: Vec<GraphNode> = hostile
        .iter()
        .enumerate()
        .map(|(i, label)| GraphNode {
            id: format!("n{i}"),
            label: label.to_string(),
            kind: NodeKind::System,
            href: Some(format!("x.html?a={i}&b=\"'<>")),
            focus: false,
            subtitle: Some(label.to_string()),
        })
        .collect();
    nodes.push(GraphNode {
        id: "ctl".to_string(),
        label: "bell\u{7}nul\u{0}esc\u{1b}\u{FFFF}end".to_string(),
        kind: NodeKind::User,
        href: Some("javascript:alert(1)".to_string()),
        focus: false,
        subtitle: None,
    });
    let mut s = spec(
        nodes,
        vec![edge("n0", "n1", "<b>&</b>"), edge("n1", "ctl", "x\u{1}y")],
        Direction::LeftToRight,
    );
    s.title = "<title>\"graph\" & 'more'\u{2}".to_string();
    let svg = render_checked(&s);
    let doc = Document::parse(&svg).unwrap();
    let labels: Vec<&str> = elements_with_class(&doc, "text", "label")
        .iter()
        .filter_map(|n| n.text())
        .collect();
    for label in hostile {
        assert!(labels.contains(&label), "{label:?} not found in {labels:?}");
    }
    assert!(labels.contains(&"bellnulescend"));
    let subtitles: Vec<&str> = elements_with_class(&doc, "text", "subtitle")
        .iter()
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(subtitles, hostile);
    let edge_labels: Vec<&str> = elements_with_class(&doc, "text", "edge-label")
        .iter()
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(edge_labels, ["<b>&</b>", "xy"]);
    assert_eq!(
        doc.root_element().attribute("aria-label"),
        Some("<title>\"graph\" & 'more'")
    );
    assert!(texts(&doc, "title").contains(&"<title>\"graph\" & 'more'"));
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "a")
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert_eq!(
        hrefs.len(),
        hostile.len(),
        "the javascript: link is dropped"
    );
    assert_eq!(hrefs[2], "x.html?a=2&b=\"'<>");
    assert!(!svg.contains("<img") && !svg.contains("<script"));
}

#[test]
fn escaping_drops_what_xml_cannot_carry() {
    let mut out = String::new();
    push_escaped(
        &mut out,
        "a\u{0}\u{8}\u{b}\u{c}\u{1f}\u{FFFE}\u{FFFF}\tb\nc\rd<&>\"'é",
    );
    assert_eq!(out, "a&#9;b&#10;c&#13;d&lt;&amp;&gt;&quot;&apos;é");
}

#[test]
fn numbers_are_rounded_without_negative_zero() {
    assert_eq!(num(-0.04), "0");
    assert_eq!(num(-0.0), "0");
    assert_eq!(num(3.0), "3");
    assert_eq!(num(1.26), "1.3");
    assert_eq!(num(-2.5), "-2.5");
    assert_eq!(num(12.049), "12");
    assert_eq!(num(f64::NAN), "0");
}

fn assert_all_nodes(s: &GraphSpec) {
    let svg = render_checked(s);
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(elements_with_class(&doc, "g", "node").len(), s.nodes.len());
    let l = layout(s);
    assert_eq!(l.nodes.len(), s.nodes.len());
    assert!(overlaps(&l).is_empty(), "{:?}", overlaps(&l));
    for e in &l.edges {
        assert!(e.points.len() >= 2);
        assert!(e.points.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
    }
}

#[test]
fn cycles_terminate_and_keep_every_node() {
    let three = spec(
        components(&["a", "b", "c"]),
        vec![
            edge("a", "b", "dependsOn"),
            edge("b", "c", "dependsOn"),
            edge("c", "a", "dependsOn"),
        ],
        Direction::TopToBottom,
    );
    assert_all_nodes(&three);
    assert_eq!(
        layout(&three).edges.iter().filter(|e| e.reversed).count(),
        1
    );

    let mutual = spec(
        components(&["a", "b"]),
        vec![edge("a", "b", "dependsOn"), edge("b", "a", "dependsOn")],
        Direction::LeftToRight,
    );
    assert_all_nodes(&mutual);
    let l = layout(&mutual);
    assert_eq!(l.edges.len(), 2);
    assert_ne!(
        l.edges[0].points, l.edges[1].points,
        "parallel edges are drawn apart"
    );

    let ids: Vec<String> = (0..1000).map(|i| format!("n{i}")).collect();
    let ring = spec(
        ids.iter().map(|id| node(id, NodeKind::Component)).collect(),
        (0..1000)
            .map(|i| edge(&ids[i], &ids[(i + 1) % 1000], "dependsOn"))
            .collect(),
        Direction::TopToBottom,
    );
    assert_all_nodes(&ring);
    assert_eq!(layout(&ring).edges.len(), 1000);

    let mut groups: Vec<GraphNode> = ["root", "a", "b", "c"]
        .iter()
        .map(|id| node(id, NodeKind::Group))
        .collect();
    groups.push(node("jane", NodeKind::User));
    let parent_loop = spec(
        groups,
        vec![
            edge("a", "b", "parentOf"),
            edge("b", "c", "parentOf"),
            edge("c", "a", "parentOf"),
            edge("b", "a", "childOf"),
            edge("c", "b", "childOf"),
            edge("a", "c", "childOf"),
            edge("root", "a", "parentOf"),
            edge("jane", "c", "memberOf"),
        ],
        Direction::TopToBottom,
    );
    assert_all_nodes(&parent_loop);
    assert_eq!(layout(&parent_loop).edges.len(), 8);
}

/// A random graph on `n` nodes with about `1.5 n` edges, cycles included.
fn random_graph(n: usize, seed: u64, acyclic: bool) -> GraphSpec {
    let mut rng = Lcg(seed);
    let ids: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
    let nodes = ids
        .iter()
        .map(|id| {
            let kind = NodeKind::ALL[rng.below(NodeKind::ALL.len())];
            let mut g = node(id, kind);
            if rng.below(3) == 0 {
                g.subtitle = Some("component · service".to_string());
            }
            g
        })
        .collect();
    let mut edges = Vec::new();
    for _ in 0..n * 3 / 2 {
        let (mut a, mut b) = (rng.below(n), rng.below(n));
        if acyclic && a > b {
            std::mem::swap(&mut a, &mut b);
        }
        let label = ["ownerOf", "dependsOn", ""][rng.below(3)];
        edges.push(edge(&ids[a], &ids[b], label));
    }
    spec(nodes, edges, Direction::TopToBottom)
}

#[test]
fn acyclic_edges_point_down_the_layers() {
    for seed in 1..6 {
        let mut s = random_graph(40, seed, true);
        let l = layout(&s);
        assert!(!l.edges.is_empty());
        for e in &l.edges {
            let (a, b) = (box_of(&l, e.from), box_of(&l, e.to));
            assert!(!e.reversed);
            assert!(a.layer < b.layer, "{} -> {}", a.label, b.label);
            assert!(a.y < b.y, "{} -> {}", a.label, b.label);
        }
        s.direction = Direction::LeftToRight;
        let l = layout(&s);
        for e in &l.edges {
            assert!(box_of(&l, e.from).x < box_of(&l, e.to).x);
        }
    }
}

#[test]
fn no_nodes_overlap() {
    for seed in 1..6 {
        for direction in [Direction::TopToBottom, Direction::LeftToRight] {
            let mut s = random_graph(60, seed, false);
            s.direction = direction;
            let l = layout(&s);
            assert!(overlaps(&l).is_empty(), "seed {seed}: {:?}", overlaps(&l));
            for n in &l.nodes {
                assert!(n.x - n.width / 2.0 >= 0.0 && n.x + n.width / 2.0 <= l.width);
                assert!(n.y - n.height / 2.0 >= 0.0 && n.y + n.height / 2.0 <= l.height);
            }
        }
    }
}

#[test]
fn edges_run_from_outline_to_outline() {
    let s = random_graph(30, 7, false);
    let l = layout(&s);
    for e in &l.edges {
        let (a, b) = (box_of(&l, e.from), box_of(&l, e.to));
        let inside = |n: &NodeBox, p: &Point| {
            (p.x - n.x).abs() <= n.width / 2.0 + 0.01 && (p.y - n.y).abs() <= n.height / 2.0 + 0.01
        };
        let (first, last) = (e.points[0], e.points[e.points.len() - 1]);
        assert!(inside(a, &first), "{} starts outside {}", e.label, a.label);
        assert!(inside(b, &last), "{} ends outside {}", e.label, b.label);
    }
}

#[test]
fn barycenter_sweeps_remove_avoidable_crossings() {
    // Two layers in a naive order: a→z, a→y, b→y, c→x with x, y, z in that order cross four
    // times; reversing the lower layer makes the drawing planar.
    let (a, b, c, x, y, z) = (0, 1, 2, 3, 4, 5);
    let mut up = vec![Vec::new(); 6];
    let mut down = vec![Vec::new(); 6];
    for (s, t) in [(a, z), (a, y), (b, y), (c, x)] {
        down[s].push((t, 1.0));
        up[t].push((s, 1.0));
    }
    let mut layers = vec![vec![a, b, c], vec![x, y, z]];
    let pos = [0, 1, 2, 0, 1, 2];
    assert_eq!(count_crossings(&layers, &pos, &down), 4);
    reduce_crossings(&mut layers, &up, &down);
    let mut pos = [0; 6];
    for l in &layers {
        for (i, &v) in l.iter().enumerate() {
            pos[v] = i;
        }
    }
    assert_eq!(count_crossings(&layers, &pos, &down), 0);

    // The same through the public API, with a third layer fed in a crossing order.
    let s = spec(
        components(&["a", "b", "c", "x", "y", "z", "p", "q"]),
        vec![
            edge("a", "z", ""),
            edge("a", "y", ""),
            edge("b", "y", ""),
            edge("c", "x", ""),
            edge("x", "q", ""),
            edge("z", "p", ""),
        ],
        Direction::TopToBottom,
    );
    assert_eq!(drawn_crossings(&layout(&s)), 0);
}

#[test]
fn crossing_count_matches_a_brute_force_count() {
    let mut rng = Lcg(99);
    for _ in 0..20 {
        let (n0, n1) = (1 + rng.below(8), 1 + rng.below(8));
        let mut down = vec![Vec::new(); n0 + n1];
        let mut pairs = Vec::new();
        for _ in 0..rng.below(20) {
            let (s, t) = (rng.below(n0), n0 + rng.below(n1));
            down[s].push((t, 1.0));
            pairs.push((s, t - n0));
        }
        let layers = vec![(0..n0).collect::<Vec<_>>(), (n0..n0 + n1).collect()];
        let pos: Vec<usize> = (0..n0).chain(0..n1).collect();
        let mut brute = 0;
        for (i, p) in pairs.iter().enumerate() {
            for q in &pairs[i + 1..] {
                if (p.0 < q.0 && p.1 > q.1) || (p.0 > q.0 && p.1 < q.1) {
                    brute += 1;
                }
            }
        }
        assert_eq!(count_crossings(&layers, &pos, &down), brute);
    }
}

#[test]
fn output_is_deterministic_and_order_independent_in_validity() {
    let s = random_graph(80, 3, false);
    assert_eq!(render_svg(&s), render_svg(&s));
    assert_eq!(render_svg(&s), render_svg(&s.clone()));

    // A symmetric fan: root owning four leaves, fed in two node orders.
    let ids = ["root", "l1", "l2", "l3", "l4"];
    let edges: Vec<GraphEdge> = ids[1..]
        .iter()
        .map(|l| edge("root", l, "ownerOf"))
        .collect();
    let forward = spec(components(&ids), edges.clone(), Direction::TopToBottom);
    let mut reversed_ids = ids;
    reversed_ids.reverse();
    let backward = spec(components(&reversed_ids), edges, Direction::TopToBottom);
    for s in [&forward, &backward] {
        assert_all_nodes(s);
        let l = layout(s);
        let root = l.nodes.iter().find(|n| n.label == "root").unwrap();
        assert!(l
            .nodes
            .iter()
            .filter(|n| n.label != "root")
            .all(|n| n.y > root.y));
        assert_eq!(drawn_crossings(&l), 0);
    }
}

#[test]
fn unknown_ends_self_loops_and_duplicates_are_dropped() {
    let s = spec(
        components(&["a", "b", "a"]),
        vec![
            edge("a", "b", "dependsOn"),
            edge("a", "b", "dependsOn"),
            edge("a", "b", "consumesApi"),
            edge("a", "a", "dependsOn"),
            edge("a", "ghost", "dependsOn"),
            edge("ghost", "b", "dependsOn"),
        ],
        Direction::TopToBottom,
    );
    let svg = render_checked(&s);
    let doc = Document::parse(&svg).unwrap();
    assert_eq!(
        elements_with_class(&doc, "g", "node").len(),
        2,
        "duplicate id drawn once"
    );
    assert_eq!(elements_with_class(&doc, "g", "edge").len(), 2);
    let l = layout(&s);
    assert_eq!(l.edges.len(), 2);
    assert_eq!((l.edges[0].from, l.edges[0].to), (0, 1));
    assert_ne!(l.edges[0].points, l.edges[1].points);
    let (p, q) = (l.edges[0].label_at.unwrap(), l.edges[1].label_at.unwrap());
    assert!(
        (p.x - q.x).abs() > 20.0 || (p.y - q.y).abs() >= 14.0,
        "labels overlap: {p:?} {q:?}"
    );
}

#[test]
fn empty_graph_is_a_small_valid_svg() {
    let s = spec(
        Vec::new(),
        vec![edge("a", "b", "x")],
        Direction::LeftToRight,
    );
    let svg = render_checked(&s);
    let doc = Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.attribute("viewBox"), Some("0 0 32 32"));
    assert_eq!(elements_with_class(&doc, "g", "node").len(), 0);
    assert_eq!(elements_with_class(&doc, "g", "edge").len(), 0);
}

#[test]
fn long_labels_are_cut_with_the_full_text_in_the_tooltip() {
    let long = "a-component-name-far-longer-than-the-limit-allows";
    let mut nodes = components(&["short"]);
    nodes.push(GraphNode {
        label: long.to_string(),
        ..node("long", NodeKind::Component)
    });
    let s = spec(
        nodes,
        vec![edge("short", "long", "dependsOn")],
        Direction::TopToBottom,
    );
    let svg = render_checked(&s);
    let doc = Document::parse(&svg).unwrap();
    let g = elements_with_class(&doc, "g", "node")[1];
    let title = g
        .children()
        .find(|n| n.tag_name().name() == "title")
        .and_then(|n| n.text());
    assert_eq!(title, Some(long));
    let label = g
        .children()
        .find(|n| has_class(n, "label"))
        .and_then(|n| n.text())
        .unwrap();
    assert_eq!(label.chars().count(), 28);
    assert!(label.ends_with('…') && long.starts_with(label.trim_end_matches('…')));
    let short = elements_with_class(&doc, "text", "label")[0].text();
    assert_eq!(short, Some("short"));
}

#[test]
fn disconnected_components_sit_side_by_side() {
    let mut nodes = components(&["a", "b", "c", "d", "lonely"]);
    nodes[2].focus = true;
    let s = spec(
        nodes,
        vec![edge("a", "b", ""), edge("c", "d", "")],
        Direction::TopToBottom,
    );
    let l = layout(&s);
    assert!(overlaps(&l).is_empty());
    let c = box_of(&l, 2);
    assert_eq!(c.component, 0, "the focus component comes first");
    let a = box_of(&l, 0);
    assert!(a.x > c.x && a.component != c.component);
    assert_eq!(box_of(&l, 4).layer, 0);
}

#[test]
fn every_kind_has_a_class_a_name_and_a_legend_entry() {
    let classes: Vec<&str> = NodeKind::ALL.iter().map(|k| k.css_class()).collect();
    let mut unique = classes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), NodeKind::ALL.len());
    assert!(classes.iter().all(|c| c.starts_with("kind-")));
    assert_eq!(NodeKind::Api.css_class(), "kind-api");
    assert_eq!(NodeKind::More.css_class(), "kind-more");

    let legend = legend_svg(&[NodeKind::Api, NodeKind::Component, NodeKind::Api]);
    let doc = Document::parse(&legend).unwrap();
    let items = elements_with_class(&doc, "g", "legend-item");
    assert_eq!(items.len(), 2);
    assert!(has_class(&items[0], "kind-api"));
    assert_eq!(texts(&doc, "text"), ["API", "Component"]);
    assert_eq!(legend_svg(&[]), "");
    assert!(Document::parse(&legend_svg(&NodeKind::ALL)).is_ok());

    // Every kind draws a shape, and no two kinds draw the same one.
    let mut shapes = Vec::new();
    for kind in NodeKind::ALL {
        let svg = render_checked(&spec(
            vec![node("x", kind)],
            Vec::new(),
            Direction::TopToBottom,
        ));
        let doc = Document::parse(&svg).unwrap();
        let shape: Vec<String> = doc
            .descendants()
            .filter(|n| has_class(n, "shape") || has_class(n, "shape-line"))
            .map(|n| {
                format!(
                    "{}{:?}",
                    n.tag_name().name(),
                    n.attribute("rx").or(n.attribute("d"))
                )
            })
            .collect();
        assert!(!shape.is_empty(), "{kind:?}");
        shapes.push(shape);
    }
    let mut distinct = shapes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), shapes.len());
}

#[test]
fn stylesheet_covers_both_themes() {
    let css = stylesheet();
    for needle in [
        "@media (prefers-color-scheme: dark)",
        ":root:not([data-theme=\"light\"]) .graph",
        ":root[data-theme=\"dark\"] .graph",
        ":root[data-theme=\"light\"] .graph",
        "hsl(var(--kh",
        ".graph .edge-label",
        ".graph .focus .shape",
    ] {
        assert!(css.contains(needle), "{needle}");
    }
    assert_eq!(css.matches('{').count(), css.matches('}').count());
}

#[test]
fn a_label_on_many_edges_is_drawn_once_but_kept_in_every_tooltip() {
    let ids = ["hub", "a", "b", "c", "d", "e"];
    let edges = ids[1..]
        .iter()
        .map(|to| edge("hub", to, "hasPart"))
        .collect();
    let svg = render_svg(&spec(components(&ids), edges, Direction::TopToBottom));
    assert_eq!(svg.matches("class=\"edge-label\"").count(), 1, "{svg}");
    assert_eq!(
        svg.matches(" hasPart ").count(),
        5,
        "every edge's title names it"
    );
    let few = vec![edge("hub", "a", "dependsOn"), edge("hub", "b", "dependsOn")];
    let svg = render_svg(&spec(components(&ids[..3]), few, Direction::TopToBottom));
    assert_eq!(svg.matches("class=\"edge-label\"").count(), 2);
}
