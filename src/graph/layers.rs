//! The middle steps of the layered layout, on plain vertex indices: a layer for each vertex,
//! an order within each layer that reduces crossings, and positions along each layer.

/// Barycenter sweeps (down and up) when ordering layers.
const SWEEPS: usize = 8;
/// Alternating passes when placing vertices along their layers.
const PLACEMENT_PASSES: usize = 12;

/// Longest path from the sources (Kahn's order), then each source moved down to just above
/// its nearest target so it does not drag long edges across the drawing.
pub(super) fn assign_layers(m: usize, oriented: &[(usize, usize, usize)]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); m];
    let mut indegree = vec![0usize; m];
    for &(s, t, _) in oriented {
        out[s].push(t);
        indegree[t] += 1;
    }
    let sources: Vec<bool> = indegree.iter().map(|&d| d == 0).collect();
    let mut layer = vec![0usize; m];
    let mut queue: Vec<usize> = (0..m).filter(|&v| indegree[v] == 0).collect();
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push(w);
            }
        }
    }
    for v in 0..m {
        if sources[v] {
            if let Some(nearest) = out[v].iter().map(|&w| layer[w]).min() {
                layer[v] = nearest.saturating_sub(1);
            }
        }
    }
    layer
}

/// Orders each layer to reduce crossings: a depth-first initial order, then barycenter sweeps
/// down and up, keeping the best ordering seen.
pub(super) fn order_layers(
    layer: &[usize],
    layer_count: usize,
    up: &[Vec<(usize, f64)>],
    down: &[Vec<(usize, f64)>],
) -> Vec<Vec<usize>> {
    let nv = layer.len();
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    let mut seen = vec![false; nv];
    let mut stack = Vec::new();
    for root in (0..nv).filter(|&v| up[v].is_empty()).chain(0..nv) {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        stack.push(root);
        while let Some(v) = stack.pop() {
            layers[layer[v]].push(v);
            for &(w, _) in down[v].iter().rev() {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
    }
    reduce_crossings(&mut layers, up, down);
    layers
}

/// Barycenter sweeps down and up over `layers`, leaving the ordering with the fewest crossings
/// seen; stops early at zero crossings or when a round brings no improvement.
pub(super) fn reduce_crossings(
    layers: &mut Vec<Vec<usize>>,
    up: &[Vec<(usize, f64)>],
    down: &[Vec<(usize, f64)>],
) {
    let mut pos = vec![0usize; up.len()];
    for l in layers.iter() {
        for (i, &v) in l.iter().enumerate() {
            pos[v] = i;
        }
    }
    let mut best = layers.clone();
    let mut best_crossings = count_crossings(layers, &pos, down);
    for _ in 0..SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let before = best_crossings;
        for downward in [true, false] {
            if downward {
                for layer in layers.iter_mut().skip(1) {
                    sort_by_barycenter(layer, &mut pos, up);
                }
            } else {
                for layer in layers.iter_mut().rev().skip(1) {
                    sort_by_barycenter(layer, &mut pos, down);
                }
            }
            let c = count_crossings(layers, &pos, down);
            if c < best_crossings {
                best_crossings = c;
                best.clone_from(layers);
            }
        }
        if best_crossings == before {
            break;
        }
    }
    *layers = best;
}

/// Sorts one layer by the mean position of each vertex's neighbours in `adj`; a vertex without
/// neighbours keeps its position, ties keep the current order.
fn sort_by_barycenter(layer: &mut [usize], pos: &mut [usize], adj: &[Vec<(usize, f64)>]) {
    let mut keyed: Vec<(f64, usize, usize)> = layer
        .iter()
        .map(|&v| {
            let n = &adj[v];
            let b = if n.is_empty() {
                pos[v] as f64
            } else {
                n.iter().map(|&(u, _)| pos[u] as f64).sum::<f64>() / n.len() as f64
            };
            (b, pos[v], v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (i, &(_, _, v)) in keyed.iter().enumerate() {
        layer[i] = v;
        pos[v] = i;
    }
}

/// Exact number of crossings between consecutive layers, by counting inversions with a
/// Fenwick tree.
pub(super) fn count_crossings(
    layers: &[Vec<usize>],
    pos: &[usize],
    down: &[Vec<(usize, f64)>],
) -> usize {
    let mut total = 0;
    let mut targets = Vec::new();
    for pair in layers.windows(2) {
        let n = pair[1].len();
        let mut tree = vec![0usize; n + 1];
        let mut inserted = 0;
        for &u in &pair[0] {
            targets.clear();
            targets.extend(down[u].iter().map(|&(w, _)| pos[w]));
            targets.sort_unstable();
            for &t in &targets {
                let mut not_greater = 0;
                let mut i = t + 1;
                while i > 0 {
                    not_greater += tree[i];
                    i &= i - 1;
                }
                total += inserted - not_greater;
                let mut i = t + 1;
                while i <= n {
                    tree[i] += 1;
                    i += i & i.wrapping_neg();
                }
                inserted += 1;
            }
        }
    }
    total
}

/// Positions along each layer: alternating passes pull every vertex towards the weighted mean
/// of its neighbours in the previous (then next) layer, and each layer is solved exactly as a
/// least-squares fit that keeps the order and the minimum gaps.
pub(super) fn place_cross(
    layers: &[Vec<usize>],
    size: &[f64],
    up: &[Vec<(usize, f64)>],
    down: &[Vec<(usize, f64)>],
    gap: impl Fn(usize, usize) -> f64,
) -> Vec<f64> {
    let mut cross = vec![0.0; size.len()];
    let offsets = |l: &[usize]| {
        let mut o = Vec::with_capacity(l.len());
        let mut at = 0.0;
        for (i, &v) in l.iter().enumerate() {
            if i > 0 {
                at += size[l[i - 1]] / 2.0 + gap(l[i - 1], v) + size[v] / 2.0;
            }
            o.push(at);
        }
        o
    };
    for l in layers {
        let o = offsets(l);
        let mid = o.last().copied().unwrap_or(0.0) / 2.0;
        for (i, &v) in l.iter().enumerate() {
            cross[v] = o[i] - mid;
        }
    }
    let n = layers.len();
    let mut target = Vec::new();
    let mut weight = Vec::new();
    for pass in 0..PLACEMENT_PASSES {
        let downward = pass % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..n).collect()
        } else {
            (0..n.saturating_sub(1)).rev().collect()
        };
        let adj = if downward { up } else { down };
        for i in order {
            let l = &layers[i];
            let o = offsets(l);
            target.clear();
            weight.clear();
            for (j, &v) in l.iter().enumerate() {
                let (sum, w) = adj[v]
                    .iter()
                    .fold((0.0, 0.0), |(s, ws), &(u, w)| (s + w * cross[u], ws + w));
                if w > 0.0 {
                    target.push(sum / w - o[j]);
                    weight.push(w);
                } else {
                    target.push(cross[v] - o[j]);
                    weight.push(0.01);
                }
            }
            let fitted = isotonic(&target, &weight);
            for (j, &v) in l.iter().enumerate() {
                cross[v] = fitted[j] + o[j];
            }
        }
    }
    cross
}

/// Weighted least-squares fit of a non-decreasing sequence (pool adjacent violators).
fn isotonic(values: &[f64], weights: &[f64]) -> Vec<f64> {
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(values.len());
    for (&v, &w) in values.iter().zip(weights) {
        blocks.push((w, v, 1));
        while blocks.len() >= 2 {
            let (w2, m2, c2) = blocks[blocks.len() - 1];
            let (w1, m1, c1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            let w = w1 + w2;
            let last = blocks.len() - 1;
            blocks[last] = (w, (m1 * w1 + m2 * w2) / w, c1 + c2);
        }
    }
    let mut out = Vec::with_capacity(values.len());
    for (_, mean, count) in blocks {
        out.extend(std::iter::repeat_n(mean, count));
    }
    out
}
