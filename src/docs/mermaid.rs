//! ```` ```mermaid ```` blocks drawn at build time with the pure-Rust `mermaid-svg` renderer
//! (no JavaScript in the page): colours are the site's CSS variables (`--mmd-*`, light and
//! dark in the stylesheet), labels are real `<text>`, so they can be selected and are indexed
//! for search. Each diagram has a budget: at most [`MAX_SOURCE_BYTES`] and [`MAX_LINES`] of
//! source, [`TIME_BUDGET`] to draw, [`MAX_SVG_BYTES`] of SVG. The SVG then goes through the
//! allow-list of [`crate::svg`]. A diagram that cannot be drawn is the caller's warning, and the
//! page shows its source.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, LazyLock};
use std::time::Duration;

/// Largest diagram source drawn (real diagrams are a few KiB).
pub const MAX_SOURCE_BYTES: usize = 32 * 1024;
/// Most source lines drawn (a thousand-node flowchart takes the renderer about a second).
pub const MAX_LINES: usize = 600;
/// Longest a diagram may take to draw; a slower one is abandoned and shown as source.
pub const TIME_BUDGET: Duration = Duration::from_secs(3);
/// Largest SVG kept for one diagram.
pub const MAX_SVG_BYTES: usize = 2 * 1024 * 1024;

/// How a drawn diagram's HTML starts (the search stage indexes its labels).
pub const FIGURE_START: &str = "<figure class=\"diagram mermaid\"";

/// A drawn diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// `<figure>` holding the inline `<svg>`, safe to insert as is.
    pub html: String,
    /// The diagram's labels, for the search index.
    pub text: String,
}

/// The renderer's colours as the stylesheet's variables, with Mermaid's default palette as
/// the fallback of each.
static THEME: LazyLock<mermaid_svg::Theme> = LazyLock::new(|| {
    let var = |name: &str, fallback: &str| -> Cow<'static, str> {
        Cow::Owned(format!("var(--mmd-{name}, {fallback})"))
    };
    const PALETTE: [&str; 12] = [
        "#ECECFF", "#ffffde", "#b9e6c9", "#f9d0c4", "#c9daf8", "#e6d0f5", "#fde2a7", "#cfe8e3",
        "#f4c7d9", "#d9d2e9", "#fce5cd", "#d0e0e3",
    ];
    let palette: Vec<Cow<'static, str>> = PALETTE
        .iter()
        .enumerate()
        .map(|(i, colour)| var(&format!("c{i}"), colour))
        .collect();
    mermaid_svg::Theme {
        fg: var("fg", "#333"),
        fg_muted: var("muted", "#666"),
        bg: var("bg", "#fff"),
        actor_fill: var("node", "#ECECFF"),
        actor_stroke: var("border", "#9370DB"),
        lifeline: var("border", "#9370DB"),
        arrow_stroke: var("line", "#333"),
        note_fill: var("note", "#FFF5AD"),
        note_stroke: var("note-border", "#aaaa33"),
        activation_fill: var("node", "#ECECFF"),
        activation_stroke: var("border", "#9370DB"),
        frame_label_fill: var("node", "#ECECFF"),
        flow_node_fill: var("node", "#ECECFF"),
        flow_node_stroke: var("border", "#9370DB"),
        flow_edge_stroke: var("line", "#333"),
        flow_label_bg: var("label-bg", "#e8e8e8"),
        flow_cluster_fill: var("cluster", "#ffffde"),
        flow_cluster_stroke: var("cluster-border", "#aaaa33"),
        cscale_palette: Cow::Owned(palette.clone()),
        pie_palette: Cow::Owned(palette.clone()),
        git_palette: Cow::Owned(palette.clone()),
        xychart_palette: Cow::Owned(palette),
        font_family: Cow::Borrowed("system-ui, -apple-system, 'Segoe UI', sans-serif"),
        ..mermaid_svg::Theme::default_theme()
    }
});

/// Draws one diagram. `id` makes its element ids unique on the page (the page's diagram
/// number). `Err` says why it was not drawn.
pub fn draw(source: &str, id: usize) -> Result<Diagram, String> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(format!(
            "the diagram is {} KiB; greenroom draws diagrams up to {} KiB",
            source.len() / 1024,
            MAX_SOURCE_BYTES / 1024
        ));
    }
    let lines = source.lines().count();
    if lines > MAX_LINES {
        return Err(format!(
            "the diagram has {lines} lines; greenroom draws diagrams up to {MAX_LINES} lines"
        ));
    }
    let clean = render_in_time(source, id)?;
    let kind = source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%") && !l.starts_with("---"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("diagram");
    let html = format!(
        "{FIGURE_START} data-diagram=\"{}\">{}</figure>\n",
        crate::highlight::escape_html(kind),
        clean.markup
    );
    Ok(Diagram {
        html,
        text: clean.text,
    })
}

/// Drawings that ran past their budget and are still running; while this many are, no new
/// drawing starts (each holds a core and 16 MiB of stack until it ends).
const MAX_ABANDONED: usize = 2;

/// Renders and cleans on a thread of its own, so a diagram that takes too long (or panics, in
/// the renderer or the SVG allow-list) costs the page its drawing, not the build. An abandoned
/// render finishes in the background; the size limits above keep that bounded, and at most
/// [`MAX_ABANDONED`] may be running at once.
fn render_in_time(source: &str, id: usize) -> Result<crate::svg::CleanSvg, String> {
    static ABANDONED: AtomicUsize = AtomicUsize::new(0);
    if ABANDONED.load(Ordering::SeqCst) >= MAX_ABANDONED {
        return Err("earlier diagrams are still being drawn past their time budget".to_string());
    }
    let (sender, receiver) = mpsc::channel();
    let owned = source.to_string();
    let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = std::sync::Arc::clone(&finished);
    let spawned = std::thread::Builder::new()
        .name("greenroom-mermaid".to_string())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let result = std::panic::catch_unwind(|| {
                let svg = mermaid_svg::render_with(&owned, &THEME).map_err(|e| e.to_string())?;
                if svg.len() > MAX_SVG_BYTES {
                    return Err(format!(
                        "the drawing would be {} KiB of SVG, over the {} KiB budget",
                        svg.len() / 1024,
                        MAX_SVG_BYTES / 1024
                    ));
                }
                crate::svg::clean(&svg, &format!("mmd{id}-"))
            })
            .unwrap_or_else(|_| Err("the renderer failed on this diagram".to_string()));
            // An abandoned render that ends gives its place back.
            if done.swap(true, Ordering::SeqCst) {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            }
            let _ = sender.send(result);
        });
    if spawned.is_err() {
        return Err("could not start the diagram renderer".to_string());
    }
    match receiver.recv_timeout(TIME_BUDGET) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // Counted before the flag is set, so the thread's own decrement never comes first.
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            if finished.swap(true, Ordering::SeqCst) {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            }
            Err(format!(
                "drawing it took longer than {} s",
                TIME_BUDGET.as_secs()
            ))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err("the renderer failed on this diagram".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_common_kind_as_text_with_theme_colours() {
        for source in [
            "flowchart TD\n  A[Start] --> B{Ok?}\n  B -->|yes| C[Done]\n",
            "sequenceDiagram\n  Alice->>Bob: Hello\n  Bob-->>Alice: Hi\n",
            "stateDiagram-v2\n  [*] --> Idle\n  Idle --> Busy\n",
            "classDiagram\n  class Animal {\n    +name: String\n  }\n",
            "erDiagram\n  CUSTOMER ||--o{ ORDER : places\n",
            "gantt\n  title Plan\n  dateFormat YYYY-MM-DD\n  section A\n  Task :a1, 2024-01-01, 3d\n",
            "pie title Pets\n  \"Dogs\" : 3\n  \"Cats\" : 2\n",
            "journey\n  title Day\n  section Work\n    Code: 5: Me\n",
            "timeline\n  title History\n  2020 : Start\n",
            "gitGraph\n  commit\n  branch dev\n  commit\n",
        ] {
            let diagram = draw(source, 1).unwrap_or_else(|e| panic!("{source}: {e}"));
            assert!(diagram.html.starts_with("<figure class=\"diagram mermaid\""), "{source}");
            assert!(diagram.html.contains("<text"), "{source}");
            assert!(!diagram.text.is_empty(), "{source}");
        }
        let flow = draw("flowchart LR\n  A[Checkout] --> B[Payments]\n", 7).expect("draws");
        assert!(flow.text.contains("Checkout") && flow.text.contains("Payments"));
        assert!(flow.html.contains("var(--mmd-node"), "{}", flow.html);
        assert!(flow.html.contains("id=\"mmd7-"), "ids are prefixed");
    }

    #[test]
    fn bad_and_oversized_diagrams_are_refused() {
        assert!(draw("notADiagram\n  x --> y\n", 1).is_err());
        assert!(draw("flowchart TD\n  A[unterminated --> B\n", 1).is_err());
        let huge = format!("flowchart TD\n{}", "  a --> b\n".repeat(MAX_LINES));
        assert!(draw(&huge, 1).expect_err("too long").contains("lines"));
        let hostile = "flowchart TD\n  A[\"<script>alert(1)</script>\"] --> B\n  click A \"javascript:alert(2)\"\n";
        if let Ok(diagram) = draw(hostile, 1) {
            assert!(!diagram.html.contains("<script"), "{}", diagram.html);
            assert!(!diagram.html.contains("javascript:"), "{}", diagram.html);
        }
    }
}
