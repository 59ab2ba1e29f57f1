//! SVG output: markup, shapes, escaping and number formatting. Colours come only from the
//! classes (see `graph.css`), so the page's stylesheet decides light or dark.

use super::layout::{
    cylinder_cap, hexagon_point, layout, text_units, EdgeRoute, Layout, NodeBox, Point,
};
use super::{Direction, GraphNode, GraphSpec, NodeKind};
use std::fmt::Write as _;

/// Length of an arrowhead along the edge.
const ARROW_LENGTH: f64 = 8.0;
/// Half the width of an arrowhead's base.
const ARROW_HALF_WIDTH: f64 = 4.0;
/// Font settings the layout's text widths assume; CSS may refine them.
const FONT_ATTRIBUTES: &str = r#"font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="13" text-anchor="middle""#;

/// Draws a graph as a standalone `<svg>` element (no XML declaration), ready to inline in HTML.
pub fn render_svg(spec: &GraphSpec) -> String {
    let lay = layout(spec);
    let mut out = String::with_capacity(512 + lay.nodes.len() * 400 + lay.edges.len() * 300);
    let direction = match lay.direction {
        Direction::TopToBottom => "graph-tb",
        Direction::LeftToRight => "graph-lr",
    };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="graph {direction}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="group" aria-label=""#,
        w = num(lay.width),
        h = num(lay.height),
    );
    push_escaped(&mut out, &spec.title);
    let _ = write!(out, "\" {FONT_ATTRIBUTES}><title>");
    push_escaped(&mut out, &spec.title);
    out.push_str("</title>");

    out.push_str(r#"<g class="edges">"#);
    for edge in &lay.edges {
        push_edge(&mut out, spec, &lay, edge);
    }
    out.push_str("</g>");

    out.push_str(r#"<g class="nodes">"#);
    for node in &lay.nodes {
        push_node(&mut out, spec, node);
    }
    out.push_str("</g>");

    if lay.edges.iter().any(|e| e.label_at.is_some()) {
        // A label on more than three edges would crowd the drawing: it is drawn once, and every
        // edge's tooltip still names its relation.
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for edge in &lay.edges {
            *counts.entry(edge.label.as_str()).or_default() += 1;
        }
        let mut drawn: std::collections::BTreeSet<&str> = Default::default();
        out.push_str(r#"<g class="edge-labels">"#);
        for edge in &lay.edges {
            let label = edge.label.as_str();
            let crowded = counts.get(label).is_some_and(|n| *n > 3);
            if !drawn.insert(label) && crowded {
                continue;
            }
            if let Some(at) = edge.label_at {
                let _ = write!(
                    out,
                    r#"<text class="edge-label" x="{}" y="{}">"#,
                    num(at.x),
                    num(at.y + 4.0)
                );
                push_escaped(&mut out, &edge.label);
                out.push_str("</text>");
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// A key to the shapes: each kind once, in the order given, drawn with its name. Empty when
/// `kinds` is empty.
pub fn legend_svg(kinds: &[NodeKind]) -> String {
    let mut seen = Vec::new();
    for &k in kinds {
        if !seen.contains(&k) {
            seen.push(k);
        }
    }
    if seen.is_empty() {
        return String::new();
    }
    const SHAPE_W: f64 = 30.0;
    const SHAPE_H: f64 = 18.0;
    const HEIGHT: f64 = 26.0;
    let mut items = String::new();
    let mut x = 0.0;
    for &kind in &seen {
        let name = kind.display_name();
        let _ = write!(
            items,
            r#"<g class="legend-item node {}" transform="translate({} {})">"#,
            kind.css_class(),
            num(x + SHAPE_W / 2.0),
            num(HEIGHT / 2.0)
        );
        push_shape(&mut items, kind, SHAPE_W, SHAPE_H);
        let _ = write!(
            items,
            r#"<text class="label" x="{}" y="4.5" text-anchor="start">{name}</text></g>"#,
            num(SHAPE_W / 2.0 + 8.0)
        );
        x += SHAPE_W + 8.0 + text_units(name) * 7.0 + 18.0;
    }
    let width = x - 18.0;
    let names: Vec<&str> = seen.iter().map(|k| k.display_name()).collect();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="graph graph-legend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Legend: {names}" {FONT_ATTRIBUTES}><title>Legend</title>{items}</svg>"#,
        w = num(width.ceil()),
        h = num(HEIGHT),
        names = names.join(", "),
    )
}

fn push_edge(out: &mut String, spec: &GraphSpec, lay: &Layout, edge: &EdgeRoute) {
    let Some((&tip, _)) = edge.points.split_last() else {
        return;
    };
    let class = if edge.reversed {
        "edge reversed"
    } else {
        "edge"
    };
    let _ = write!(out, r#"<g class="{class}"><title>"#);
    push_escaped(out, full_label(&spec.nodes[edge.from]));
    out.push(' ');
    push_escaped(
        out,
        if edge.label.is_empty() {
            "→"
        } else {
            &edge.label
        },
    );
    out.push(' ');
    push_escaped(out, full_label(&spec.nodes[edge.to]));
    out.push_str("</title>");

    let tb = lay.direction == Direction::TopToBottom;
    let rank = |p: Point| if tb { p.y } else { p.x };
    let cross = |p: Point| if tb { p.x } else { p.y };
    let at = |c: f64, r: f64| {
        if tb {
            Point { x: c, y: r }
        } else {
            Point { x: r, y: c }
        }
    };

    // The arrow points along the rank axis, the way the last stretch of the edge runs.
    let n = edge.points.len();
    let sign = |d: f64| if d < 0.0 { -1.0 } else { 1.0 };
    let flow = if n >= 2 {
        sign(rank(tip) - rank(edge.points[n - 2]))
    } else {
        1.0
    };
    let mut points = edge.points.clone();
    if n >= 2 && (rank(tip) - rank(points[n - 2])).abs() > ARROW_LENGTH {
        points[n - 1] = at(cross(tip), rank(tip) - flow * ARROW_LENGTH * 0.75);
    }

    out.push_str(r#"<path class="edge-line" d=""#);
    let _ = write!(out, "M{} {}", num(points[0].x), num(points[0].y));
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if (cross(a) - cross(b)).abs() < 0.05 {
            let _ = write!(out, "L{} {}", num(b.x), num(b.y));
        } else {
            let half = (rank(b) - rank(a)) / 2.0;
            let c1 = at(cross(a), rank(a) + half);
            let c2 = at(cross(b), rank(b) - half);
            let _ = write!(
                out,
                "C{} {} {} {} {} {}",
                num(c1.x),
                num(c1.y),
                num(c2.x),
                num(c2.y),
                num(b.x),
                num(b.y)
            );
        }
    }
    let base = rank(tip) - flow * ARROW_LENGTH;
    let left = at(cross(tip) - ARROW_HALF_WIDTH, base);
    let right = at(cross(tip) + ARROW_HALF_WIDTH, base);
    let _ = write!(
        out,
        r#""/><path class="edge-head" d="M{} {}L{} {}L{} {}Z"/></g>"#,
        num(tip.x),
        num(tip.y),
        num(left.x),
        num(left.y),
        num(right.x),
        num(right.y)
    );
}

fn push_node(out: &mut String, spec: &GraphSpec, node: &NodeBox) {
    let source = &spec.nodes[node.node];
    let href = source.href.as_deref().filter(|h| is_safe_href(h));
    if let Some(href) = href {
        out.push_str(r#"<a href=""#);
        push_escaped(out, href);
        out.push('"');
        if source.focus {
            out.push_str(r#" aria-current="page""#);
        }
        out.push('>');
    }
    let focus = if source.focus { " focus" } else { "" };
    let _ = write!(
        out,
        r#"<g class="node {}{focus}" transform="translate({} {})"><title>"#,
        source.kind.css_class(),
        num(node.x),
        num(node.y)
    );
    push_escaped(out, full_label(source));
    out.push_str("</title>");
    push_shape(out, source.kind, node.width, node.height);
    let shift = if source.kind == NodeKind::Resource {
        cylinder_cap(node.height) / 2.0
    } else {
        0.0
    };
    let (label_y, subtitle_y) = match node.subtitle {
        Some(_) => (-3.0 + shift, 13.0 + shift),
        None => (4.5 + shift, 0.0),
    };
    let _ = write!(out, r#"<text class="label" y="{}">"#, num(label_y));
    push_escaped(out, &node.label);
    out.push_str("</text>");
    if let Some(subtitle) = &node.subtitle {
        let _ = write!(out, r#"<text class="subtitle" y="{}">"#, num(subtitle_y));
        push_escaped(out, subtitle);
        out.push_str("</text>");
    }
    out.push_str("</g>");
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// The label, or the id when the label is empty (as the layout does).
fn full_label(node: &GraphNode) -> &str {
    if node.label.is_empty() {
        &node.id
    } else {
        &node.label
    }
}

/// The outline of a node of `kind`, centred on the origin.
fn push_shape(out: &mut String, kind: NodeKind, w: f64, h: f64) {
    let (l, r, t, b) = (-w / 2.0, w / 2.0, -h / 2.0, h / 2.0);
    let rect = |out: &mut String, rx: f64| {
        let _ = write!(
            out,
            r#"<rect class="shape" x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
            num(l),
            num(t),
            num(w),
            num(h),
            num(rx)
        );
    };
    match kind {
        NodeKind::Component => rect(out, 6.0_f64.min(h / 4.0)),
        NodeKind::Other => {
            rect(out, 2.0);
            let _ = write!(
                out,
                r#"<rect class="shape inner" x="{}" y="{}" width="{}" height="{}" rx="1"/>"#,
                num(l + 3.0),
                num(t + 3.0),
                num(w - 6.0),
                num(h - 6.0)
            );
        }
        NodeKind::System => rect(out, 2.0),
        NodeKind::Domain => rect(out, (h / 3.0).min(12.0)),
        NodeKind::More => rect(out, h / 2.0),
        NodeKind::User => {
            let _ = write!(
                out,
                r#"<ellipse class="shape" rx="{}" ry="{}"/>"#,
                num(w / 2.0),
                num(h / 2.0)
            );
        }
        NodeKind::Api => {
            let k = hexagon_point(h);
            let _ = write!(
                out,
                r#"<path class="shape" d="M{l} 0L{} {t}H{}L{r} 0L{} {b}H{}Z"/>"#,
                num(l + k),
                num(r - k),
                num(r - k),
                num(l + k),
                l = num(l),
                r = num(r),
                t = num(t),
                b = num(b),
            );
        }
        NodeKind::Resource => {
            let e = cylinder_cap(h);
            let (rx, ry) = (num(w / 2.0), num(e));
            let _ = write!(
                out,
                r#"<path class="shape" d="M{l} {top}A{rx} {ry} 0 0 1 {r} {top}V{bottom}A{rx} {ry} 0 0 1 {l} {bottom}Z"/><path class="shape-line" d="M{l} {top}A{rx} {ry} 0 0 0 {r} {top}"/>"#,
                l = num(l),
                r = num(r),
                top = num(t + e),
                bottom = num(b - e),
            );
        }
        NodeKind::Group => {
            let tab = (w * 0.35).min(40.0);
            let step = (h / 8.0).clamp(2.0, 5.0);
            let _ = write!(
                out,
                r#"<path class="shape" d="M{l} {t}H{}L{} {}H{r}V{b}H{l}Z"/>"#,
                num(l + tab),
                num(l + tab + step),
                num(t + step),
                l = num(l),
                r = num(r),
                t = num(t),
                b = num(b),
            );
        }
        NodeKind::Location => {
            let f = (h / 4.0).min(9.0);
            let _ = write!(
                out,
                r#"<path class="shape" d="M{l} {t}H{fx}L{r} {fy}V{b}H{l}Z"/><path class="shape-line" d="M{fx} {t}V{fy}H{r}"/>"#,
                fx = num(r - f),
                fy = num(t + f),
                l = num(l),
                r = num(r),
                t = num(t),
                b = num(b),
            );
        }
        NodeKind::Template => {
            let c = (h / 5.0).min(7.0);
            let _ = write!(
                out,
                r#"<path class="shape" d="M{} {t}H{}L{r} {}V{}L{} {b}H{}L{l} {}V{}Z"/>"#,
                num(l + c),
                num(r - c),
                num(t + c),
                num(b - c),
                num(r - c),
                num(l + c),
                num(b - c),
                num(t + c),
                l = num(l),
                r = num(r),
                t = num(t),
                b = num(b),
            );
        }
    }
}

/// Relative and http(s) links pass; script-bearing schemes do not, whatever the caller sent.
fn is_safe_href(href: &str) -> bool {
    let compact: String = href
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .flat_map(char::to_lowercase)
        .collect();
    !compact.is_empty()
        && !["javascript:", "vbscript:", "data:"]
            .iter()
            .any(|s| compact.starts_with(s))
}

/// Appends `s` escaped for XML text and attribute values, dropping characters XML 1.0 cannot
/// carry (C0 controls other than tab, newline and carriage return; U+FFFE and U+FFFF).
pub(super) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// A coordinate rounded to one decimal, without a trailing ".0" or a negative zero.
pub(super) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if !r.is_finite() || r == 0.0 {
        return "0".to_string();
    }
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}
