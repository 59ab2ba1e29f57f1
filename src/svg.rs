//! SVG from a renderer (Mermaid diagrams), made safe to inline in a page: parsed as XML and
//! written again from an allow-list of elements and attributes, so nothing executable survives
//! (no `<script>`, `<foreignObject>`, `<style>`, event handlers, `javascript:` or off-site
//! references); ids are prefixed so several drawings on one page never share one; literal
//! black and white become the theme's text and background variables, so a drawing follows
//! light and dark mode. A ground-floor helper: it knows no stage.

use crate::highlight::escape_html;
use std::fmt::Write as _;

/// Elements kept; any other element is dropped with everything inside it.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "marker",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "title",
    "desc",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "symbol",
    "use",
    "a",
];

/// Attributes kept (besides `href`, checked apart); any other is dropped.
const ATTRIBUTES: &[&str] = &[
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "fill-opacity",
    "fill-rule",
    "clip-rule",
    "opacity",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "dx",
    "dy",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "width",
    "height",
    "viewBox",
    "preserveAspectRatio",
    "transform",
    "id",
    "class",
    "style",
    "role",
    "aria-label",
    "aria-roledescription",
    "aria-hidden",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-decoration",
    "letter-spacing",
    "writing-mode",
    "marker-start",
    "marker-mid",
    "marker-end",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "orient",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "patternUnits",
    "clip-path",
    "mask",
    "visibility",
    "display",
    "textLength",
    "lengthAdjust",
];

/// Attributes holding a colour, mapped to theme variables when literal black or white.
const COLOUR_ATTRIBUTES: &[&str] = &["fill", "stroke", "stop-color"];

/// A sanitised drawing and the text it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanSvg {
    /// The `<svg>` element, safe to insert into a page as is.
    pub markup: String,
    /// Its `<text>` content, words separated by spaces (for search).
    pub text: String,
}

/// Parses `svg` and writes the allowed part of it, ids prefixed with `id_prefix`. `Err` when
/// it is not well-formed SVG.
pub fn clean(svg: &str, id_prefix: &str) -> Result<CleanSvg, String> {
    let document =
        roxmltree::Document::parse(svg).map_err(|e| format!("not well-formed SVG: {e}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return Err("the drawing is not an <svg> element".to_string());
    }
    let mut out = Cleaner {
        markup: String::with_capacity(svg.len()),
        text: String::new(),
        prefix: id_prefix,
    };
    out.element(root, true, false);
    Ok(CleanSvg {
        markup: out.markup,
        text: out.text.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

struct Cleaner<'p> {
    markup: String,
    text: String,
    prefix: &'p str,
}

impl Cleaner<'_> {
    fn element(&mut self, node: roxmltree::Node<'_, '_>, root: bool, in_text: bool) {
        let name = node.tag_name().name();
        let svg_namespace = node
            .tag_name()
            .namespace()
            .is_none_or(|ns| ns == "http://www.w3.org/2000/svg");
        if !svg_namespace || !ELEMENTS.contains(&name) {
            return;
        }
        let mut attributes = String::new();
        if root {
            attributes.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
        }
        let mut kept_link = name != "a";
        for attribute in node.attributes() {
            if attribute.namespace().is_some() && attribute.name() != "href" {
                continue;
            }
            let key = attribute.name();
            let value = attribute.value();
            let value = if key == "href" {
                match self.href(name, value) {
                    Some(href) => {
                        kept_link = true;
                        href
                    }
                    None => continue,
                }
            } else if ATTRIBUTES.contains(&key) {
                match self.value(key, value) {
                    Some(value) => value,
                    None => continue,
                }
            } else {
                continue;
            };
            let _ = write!(attributes, " {key}=\"{}\"", escape_html(&value));
        }
        if name == "a" {
            if !kept_link {
                // A link to nowhere (a `javascript:` click action): keep what it shows.
                self.children(node, in_text);
                return;
            }
            attributes.push_str(" rel=\"noopener noreferrer\"");
        }
        let _ = write!(self.markup, "<{name}{attributes}>");
        self.children(node, in_text || name == "text");
        let _ = write!(self.markup, "</{name}>");
        if name == "text" {
            // Labels stay separate words when the markup's tags are stripped.
            self.markup.push('\n');
        }
    }

    fn children(&mut self, node: roxmltree::Node<'_, '_>, in_text: bool) {
        for child in node.children() {
            if child.is_element() {
                self.element(child, false, in_text);
            } else if child.is_text() {
                let text = child.text().unwrap_or_default();
                self.markup.push_str(&escape_html(text));
                if in_text {
                    self.text.push_str(text);
                    self.text.push(' ');
                }
            }
        }
    }

    /// `href` of a link (http and https only) or of a `<use>` (an element of this drawing).
    fn href(&self, element: &str, value: &str) -> Option<String> {
        let value = value.trim();
        match element {
            "a" => crate::web::is_http_url(value).then(|| value.to_string()),
            "use" => value
                .strip_prefix('#')
                .filter(|id| is_plain_id(id))
                .map(|id| format!("#{}{id}", self.prefix)),
            _ => None,
        }
    }

    /// An allowed attribute's value, rewritten (ids, references, colours), or `None` to drop it.
    fn value(&self, key: &str, value: &str) -> Option<String> {
        let lower = value.to_ascii_lowercase();
        if lower.contains("javascript:")
            || lower.contains("expression(")
            || lower.contains('@')
            || lower.contains('\\')
            || value.contains('<')
        {
            return None;
        }
        if key == "id" {
            return is_plain_id(value).then(|| format!("{}{value}", self.prefix));
        }
        let value = self.local_references(value)?;
        if key == "style" {
            return clean_style(&value);
        }
        if COLOUR_ATTRIBUTES.contains(&key) {
            return Some(themed_colour(&value));
        }
        Some(value)
    }

    /// Rewrites `url(#id)` to the prefixed id; any other `url(...)` drops the attribute.
    fn local_references(&self, value: &str) -> Option<String> {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(at) = rest.to_ascii_lowercase().find("url(") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 4..];
            let end = after.find(')')?;
            let target = after[..end].trim().trim_matches(['"', '\'']);
            let id = target.strip_prefix('#').filter(|id| is_plain_id(id))?;
            let _ = write!(out, "url(#{}{id})", self.prefix);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// CSS properties a drawing's `style` attributes may set.
const STYLE_PROPERTIES: &[&str] = &[
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "fill-opacity",
    "opacity",
    "color",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "max-width",
    "width",
    "height",
    "text-anchor",
    "dominant-baseline",
    "text-decoration",
    "display",
    "visibility",
    "background-color",
];

/// A `style` attribute reduced to allowed properties whose values call no function but
/// colour and variable functions; `None` when nothing is left.
fn clean_style(style: &str) -> Option<String> {
    let kept: Vec<String> = style
        .split(';')
        .filter_map(|declaration| {
            let (name, value) = declaration.split_once(':')?;
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim();
            let lower = value.to_ascii_lowercase();
            let calls_only_colours = lower.match_indices('(').all(|(at, _)| {
                ["rgb", "rgba", "hsl", "hsla", "var", "calc"]
                    .iter()
                    .any(|f| lower[..at].ends_with(f))
            });
            let plain = value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " #%.,-_()'\"".contains(c));
            (STYLE_PROPERTIES.contains(&name.as_str()) && plain && calls_only_colours)
                .then(|| format!("{name}: {value}"))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// Literal black-ish colours become the text variable and white-ish ones the background
/// variable (with the literal as fallback); anything else is kept.
fn themed_colour(value: &str) -> String {
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    let rgb = match lower.as_str() {
        "black" => Some((0, 0, 0)),
        "white" => Some((255, 255, 255)),
        _ => hex_colour(&lower),
    };
    match rgb {
        Some((r, g, b)) => {
            let luminance =
                (0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b)) / 255.0;
            if luminance <= 0.25 {
                format!("var(--mmd-fg, {trimmed})")
            } else if luminance >= 0.97 {
                format!("var(--mmd-bg, {trimmed})")
            } else {
                trimmed.to_string()
            }
        }
        None => trimmed.to_string(),
    }
}

fn hex_colour(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text
        .strip_prefix('#')
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
    match hex.len() {
        3 => Some((digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        6 => Some((
            u8::from_str_radix(&hex[0..2], 16).ok()?,
            u8::from_str_radix(&hex[2..4], 16).ok()?,
            u8::from_str_radix(&hex[4..6], 16).ok()?,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_executable_survives() {
        let hostile = r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><style>*{}</style><foreignObject><div>x</div></foreignObject><a href="javascript:alert(3)"><text>click</text></a><a href="https://example.com"><text onclick="x">ok</text></a><rect fill="url(https://evil/x)" width="1"/><image href="https://evil/x.png"/></svg>"#;
        let clean = clean(hostile, "d1-").expect("parses");
        let html = clean.markup.to_ascii_lowercase();
        for bad in [
            "onload",
            "onclick",
            "<script",
            "<style",
            "foreignobject",
            "javascript:",
            "evil",
            "<image",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(
            clean.markup.contains("<text>click</text>"),
            "the text of a dropped link stays"
        );
        assert!(clean
            .markup
            .contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\">"));
        assert_eq!(clean.text, "click ok");
    }

    #[test]
    fn ids_are_prefixed_and_colours_themed() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow"><path fill="#333"/></marker></defs><path marker-end="url(#arrow)" stroke="#000" fill="#ECECFF"/><rect fill="#fff" stroke="#9370DB"/><use href="#arrow"/><text fill="black">A &amp; B &lt;x&gt;</text></svg>"##;
        let clean = clean(svg, "mmd3-").expect("parses");
        assert!(clean.markup.contains("id=\"mmd3-arrow\""));
        assert!(clean.markup.contains("marker-end=\"url(#mmd3-arrow)\""));
        assert!(clean.markup.contains("href=\"#mmd3-arrow\""));
        assert!(clean.markup.contains("fill=\"var(--mmd-fg, #333)\""));
        assert!(clean.markup.contains("fill=\"var(--mmd-bg, #fff)\""));
        assert!(
            clean.markup.contains("fill=\"#ECECFF\""),
            "pastels are kept"
        );
        assert!(
            clean.markup.contains("A &amp; B &lt;x&gt;"),
            "text stays escaped"
        );
        assert_eq!(clean.text, "A & B <x>");
        assert!(super::clean("<svg><unclosed></svg>", "x").is_err());
        // Non-ASCII "colours", uppercase URL(), namespaced attributes and free CSS.
        let odd = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x"><rect fill="#aé€" stroke="URL(https://evil/p#a)" x:onload="1" style="max-width: 5px; background-image: image-set('https://evil/x')"/><rect style="fill: URL(https://evil/y)"/></svg>"##;
        let clean = super::clean(odd, "p-").expect("parses");
        assert!(clean.markup.contains("fill=\"#aé€\""), "{}", clean.markup);
        assert!(
            !clean.markup.to_ascii_lowercase().contains("evil"),
            "{}",
            clean.markup
        );
        assert!(!clean.markup.contains("onload"), "{}", clean.markup);
        assert!(
            clean.markup.contains("style=\"max-width: 5px\""),
            "{}",
            clean.markup
        );
        assert!(super::clean("<html/>", "x").is_err());
    }
}
