//! Times the graph engine (`greenroom::graph`) on random graphs with cycles.
//!
//! `cargo run --release --example graph-bench`
//!
//! Graphs of 50, 200 and 500 nodes with about 1.5 edges per node, drawn from a fixed seed, so
//! every run times the same inputs. Prints the fastest and the median of several runs of
//! `layout` and of `render_svg` (which lays out again, then writes the SVG). A last row times
//! a worst case for dummy vertices: a 500-node chain with 300 edges spanning most of it.

use greenroom::graph::{layout, render_svg, Direction, GraphEdge, GraphNode, GraphSpec, NodeKind};
use std::time::{Duration, Instant};

/// A 64-bit linear congruential generator (Knuth's MMIX constants).
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

/// `n` nodes of every kind; edges mostly go forward (like ownership and dependencies), a
/// tenth go backwards so the graph has cycles.
fn random_graph(n: usize, seed: u64, direction: Direction) -> GraphSpec {
    let mut rng = Lcg(seed);
    let nodes = (0..n)
        .map(|i| GraphNode {
            id: format!("n{i}"),
            label: format!(
                "service-{i}-{}",
                ["api", "worker", "gateway", "db"][rng.below(4)]
            ),
            kind: NodeKind::ALL[rng.below(NodeKind::ALL.len())],
            href: Some(format!("../n{i}/index.html")),
            focus: i == 0,
            subtitle: (rng.below(2) == 0).then(|| "component · service".to_string()),
        })
        .collect();
    let edges = (0..n * 3 / 2)
        .map(|_| {
            let (a, b) = (rng.below(n), rng.below(n));
            let (from, to) = if (a < b) == (rng.below(10) != 0) {
                (a, b)
            } else {
                (b, a)
            };
            GraphEdge {
                from: format!("n{from}"),
                to: format!("n{to}"),
                label: ["ownerOf", "dependsOn", "providesApi", "hasPart"][rng.below(4)].to_string(),
            }
        })
        .collect();
    GraphSpec {
        nodes,
        edges,
        direction,
        title: format!("{n} random nodes"),
    }
}

/// A chain of `n` nodes plus `long` edges from its head to its far end; each long edge needs a
/// dummy vertex on almost every layer.
fn long_edges(n: usize, long: usize) -> GraphSpec {
    let mut spec = random_graph(n, 7, Direction::TopToBottom);
    let edge = |from: usize, to: usize, label: &str| GraphEdge {
        from: format!("n{from}"),
        to: format!("n{to}"),
        label: label.to_string(),
    };
    spec.edges = (0..n - 1).map(|i| edge(i, i + 1, "")).collect();
    spec.edges
        .extend((0..long).map(|k| edge(k % 3, n - 1 - k % (n / 3), "dependsOn")));
    spec
}

fn time(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[runs / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    println!(
        "{:>5} {:>5} {:>4}  {:>10} {:>10}  {:>10} {:>10}  {:>9} {:>11}",
        "nodes", "edges", "dir", "layout min", "median", "svg min", "median", "svg bytes", "size"
    );
    let cases = [50, 200, 500]
        .into_iter()
        .flat_map(|n| {
            [Direction::TopToBottom, Direction::LeftToRight]
                .map(|d| (n, random_graph(n, 42 + n as u64, d)))
        })
        .chain([(500, long_edges(500, 300))]);
    for (n, spec) in cases {
        let direction = spec.direction;
        {
            let runs = if n >= 500 { 10 } else { 30 };
            let drawn = layout(&spec);
            let (lay_min, lay_med) = time(runs, || {
                std::hint::black_box(layout(std::hint::black_box(&spec)));
            });
            let mut bytes = 0;
            let (svg_min, svg_med) = time(runs, || {
                bytes = std::hint::black_box(render_svg(std::hint::black_box(&spec))).len();
            });
            println!(
                "{:>5} {:>5} {:>4}  {:>8.2}ms {:>8.2}ms  {:>8.2}ms {:>8.2}ms  {:>9} {:>5}x{:<5}",
                n,
                drawn.edges.len(),
                if direction == Direction::TopToBottom {
                    "TB"
                } else {
                    "LR"
                },
                ms(lay_min),
                ms(lay_med),
                ms(svg_min),
                ms(svg_med),
                bytes,
                drawn.width,
                drawn.height,
            );
        }
    }
}
