//! Stage 5: render the site model to bytes, pages in parallel. Touches no files.

use crate::output::{OutputFile, Produced};
use crate::site::{AssetPaths, Page, PageContent, SiteModel};
use crate::theme::Theme;
use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

/// Calls `$body` with the page's template name and its typed context.
macro_rules! with_context {
    ($page:expr, |$template:ident, $context:ident| $body:expr) => {
        match &$page.content {
            PageContent::Home(c) => {
                let ($template, $context) = ("home.html", c);
                $body
            }
            PageContent::CatalogIndex(c) => {
                let ($template, $context) = ("catalog_index.html", c);
                $body
            }
            PageContent::Facet(c) => {
                let ($template, $context) = ("facet.html", c);
                $body
            }
            PageContent::Entity(c) => {
                let ($template, $context) = ("entity.html", c.as_ref());
                $body
            }
            PageContent::Problems(c) => {
                let ($template, $context) = ("problems.html", c);
                $body
            }
            PageContent::NotFound(c) => {
                let ($template, $context) = ("404.html", c);
                $body
            }
            PageContent::Search(c) => {
                let ($template, $context) = ("search.html", c);
                $body
            }
            PageContent::Docs(c) => {
                let ($template, $context) = ("docs_page.html", c.as_ref());
                $body
            }
            PageContent::DocsIndex(c) => {
                let ($template, $context) = ("docs_index.html", c);
                $body
            }
            PageContent::ApiReference(c) => {
                let ($template, $context) = ("api_reference.html", c.as_ref());
                $body
            }
        }
    };
}

/// Compiles the theme's templates once per build.
pub fn compile(theme: &Theme) -> anyhow::Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html"]);
    tera.set_escape_fn(escape);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(name, source)| (name.as_str(), source.as_str())),
    )
    .map_err(|e| anyhow::anyhow!("{}", chain(&e)))
    .context("compiling theme templates")?;
    Ok(tera)
}

/// Escapes `& < > " '`: enough for text and quoted attributes. Tera's default also escapes `/`,
/// which bloats every href without adding safety.
fn escape(text: &str) -> String {
    crate::highlight::escape_html(text)
}

/// The theme's static files plus the generated highlight stylesheet, and their versioned URLs.
pub fn assets(theme: &Theme) -> (AssetPaths, Vec<OutputFile>) {
    let mut files: Vec<OutputFile> = theme
        .assets
        .iter()
        .map(|(name, bytes)| OutputFile {
            path: format!("assets/{name}"),
            bytes: bytes.clone(),
        })
        .collect();
    files.push(OutputFile {
        path: "assets/graph.css".to_string(),
        bytes: crate::graph::stylesheet().as_bytes().to_vec(),
    });
    files.push(OutputFile {
        path: "assets/highlight.css".to_string(),
        bytes: crate::highlight::stylesheet().into_bytes(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let versioned = |path: &str| {
        let version = files
            .iter()
            .find(|f| f.path == path)
            .map(|f| format!("?v={:08x}", crate::hash::fnv1a_bytes(&f.bytes) as u32))
            .unwrap_or_default();
        format!("{path}{version}")
    };
    let paths = AssetPaths {
        style: versioned("assets/style.css"),
        highlight: versioned("assets/highlight.css"),
        script: versioned("assets/catalog.js"),
        search: versioned("assets/search.js"),
        graph: versioned("assets/graph.css"),
    };
    (paths, files)
}

/// The templates a build renders with, compiled, and a hash of their sources: part of every
/// page's input key, so a theme change re-renders everything.
pub struct Templates {
    /// The compiled templates.
    pub tera: Tera,
    /// Hash of every template source and of greenroom's version.
    pub fingerprint: u128,
}

impl Templates {
    /// Compiles the theme's templates and fingerprints them.
    pub fn new(theme: &Theme) -> anyhow::Result<Templates> {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        for (name, source) in &theme.templates {
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
            hasher.update(source.as_bytes());
            hasher.update(&[0]);
        }
        Ok(Templates {
            tera: compile(theme)?,
            fingerprint: hasher.digest128(),
        })
    }
}

/// What the previous build rendered: each file's input key (from its `manifest.json`).
pub type PreviousKeys = std::collections::BTreeMap<String, String>;

/// How many pages were rendered and how many were skipped as unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Pages rendered with Tera.
    pub rendered: usize,
    /// Pages whose input key matched the previous build's, so not rendered.
    pub unchanged: usize,
}

/// Renders every page and data file in parallel, handing each finished file to `sink` (which
/// writes it), so the whole site is never held in memory at once. A page whose input key (its
/// template, the theme and its context) equals `previous`'s is not rendered: the sink gets
/// [`Produced::Unchanged`].
pub fn render(
    model: &SiteModel,
    templates: &Templates,
    previous: &PreviousKeys,
    sink: &(dyn Fn(Produced) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<RenderStats> {
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    model.pages.par_iter().try_for_each(|page| {
        let produced = with_context!(page, |template, context| produce(
            templates, previous, page, template, context
        ))
        .with_context(|| format!("rendering {}", page.path))?;
        if matches!(produced, Produced::New { .. }) {
            rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        sink(produced)
    })?;
    model.data.par_iter().try_for_each(|data| {
        sink(Produced::New {
            key: crate::output::content_hash(&data.bytes),
            file: OutputFile {
                path: data.path.clone(),
                bytes: data.bytes.clone(),
            },
        })
    })?;
    let rendered = rendered.into_inner();
    Ok(RenderStats {
        rendered,
        unchanged: model.pages.len() - rendered,
    })
}

/// Renders one page.
pub fn render_page(page: &Page, tera: &Tera) -> anyhow::Result<OutputFile> {
    let bytes = with_context!(page, |template, context| render_one(
        tera, page, template, context
    ))
    .with_context(|| format!("rendering {}", page.path))?;
    Ok(OutputFile {
        path: page.path.clone(),
        bytes,
    })
}

/// A stable hash of a page's template name and serialised context: with the same templates,
/// pages with equal hashes render to equal bytes. `serve` re-renders only pages whose hash
/// changed.
pub fn context_hash(page: &Page) -> u64 {
    let mut writer = HashWriter(xxhash_rust::xxh3::Xxh3::new());
    with_context!(page, |template, context| {
        writer.0.update(template.as_bytes());
        writer.0.update(&[0]);
        // Serialising these plain structs cannot fail; a failure would only make the hash
        // differ, which re-renders the page.
        serde_json::to_writer(&mut writer, context).ok();
    });
    writer.0.digest()
}

/// An `io::Write` that feeds xxHash3, so contexts are hashed while serialising, without a copy.
struct HashWriter(xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders one page unless its input key is the previous build's.
fn produce<T: Serialize>(
    templates: &Templates,
    previous: &PreviousKeys,
    page: &crate::site::Page,
    template: &str,
    context: &T,
) -> anyhow::Result<Produced> {
    let key = input_key(templates.fingerprint, template, context)?;
    if previous.get(&page.path) == Some(&key) {
        return Ok(Produced::Unchanged {
            path: page.path.clone(),
        });
    }
    let bytes = render_one(&templates.tera, page, template, context)?;
    Ok(Produced::New {
        file: OutputFile {
            path: page.path.clone(),
            bytes,
        },
        key,
    })
}

/// The largest key buffer a thread keeps between pages (a catalog index of a large org
/// serialises to megabytes).
const KEEP_BUFFER_BYTES: usize = 1 << 20;

/// Hash of a page's template name, the theme fingerprint and its serialised context: equal
/// keys render equal bytes. The bytes are gathered in a reused buffer and hashed in one call:
/// the serialiser writes in many small pieces, and each piece fed to a streaming hasher
/// costs more than copying it.
fn input_key<T: Serialize>(
    fingerprint: u128,
    template: &str,
    context: &T,
) -> anyhow::Result<String> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        buffer.extend_from_slice(&fingerprint.to_le_bytes());
        buffer.extend_from_slice(template.as_bytes());
        buffer.push(0);
        serde_json::to_writer(&mut *buffer, context)?;
        let key = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(buffer));
        if buffer.capacity() > KEEP_BUFFER_BYTES {
            *buffer = Vec::new();
        }
        Ok(key)
    })
}

fn render_one<T: Serialize>(
    tera: &Tera,
    page: &Page,
    template: &str,
    context: &T,
) -> anyhow::Result<Vec<u8>> {
    let context =
        tera::Context::from_serialize(context).map_err(|e| anyhow::anyhow!("{}", chain(&e)))?;
    let rendered = tera
        .render(template, &context)
        .map_err(|e| anyhow::anyhow!("template {template}: {}", chain(&e)))?;
    Ok(splice(rendered, &page.spliced()))
}

/// Puts each piece's HTML where the template wrote its marker (every place it did).
fn splice(rendered: String, pieces: &[&crate::site::context::Spliced]) -> Vec<u8> {
    let mut places: Vec<(usize, usize, &str)> = Vec::new();
    for piece in pieces.iter().filter(|p| !p.marker().is_empty()) {
        places.extend(
            rendered
                .match_indices(piece.marker())
                .map(|(at, marker)| (at, marker.len(), piece.html())),
        );
    }
    if places.is_empty() {
        return rendered.into_bytes();
    }
    places.sort_unstable_by_key(|&(at, _, _)| at);
    let grown: usize = places.iter().map(|(_, _, html)| html.len()).sum();
    let mut out = Vec::with_capacity(rendered.len() + grown);
    let mut from = 0;
    for (at, len, html) in places {
        out.extend_from_slice(&rendered.as_bytes()[from..at]);
        out.extend_from_slice(html.as_bytes());
        from = at + len;
    }
    out.extend_from_slice(&rendered.as_bytes()[from..]);
    out
}

/// Tera nests the useful message in `source()`; flatten the chain into one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut current = error.source();
    while let Some(e) = current {
        parts.push(e.to_string());
        current = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::context::Spliced;

    #[test]
    fn spliced_html_replaces_every_marker_and_keys_follow_the_html() {
        let body = Spliced::new("<p>body &amp; more</p>".to_string());
        let nav = Spliced::new("<ul><li>a</li></ul>".to_string());
        let empty = Spliced::new(String::new());
        assert_eq!(empty.marker(), "");
        let rendered = format!(
            "<nav>{}</nav><main>{}</main><footer>{}</footer>{}",
            nav.marker(),
            body.marker(),
            body.marker(),
            empty.marker()
        );
        let out = String::from_utf8(splice(rendered, &[&body, &nav, &empty])).expect("utf-8");
        assert_eq!(
            out,
            "<nav><ul><li>a</li></ul></nav><main><p>body &amp; more</p></main><footer><p>body &amp; more</p></footer>"
        );
        // A page key sees the marker, which changes with the HTML.
        let other = Spliced::new("<p>body &amp; less</p>".to_string());
        assert_ne!(
            serde_json::to_string(&body).expect("serialises"),
            serde_json::to_string(&other).expect("serialises")
        );
    }

    #[derive(Serialize)]
    struct Context {
        title: &'static str,
        body: String,
    }

    /// The key as builds before the reused buffer computed it (xxh3 fed piece by piece), so
    /// a manifest written by an older build still matches and its pages are not re-rendered.
    fn streamed_key<T: Serialize>(fingerprint: u128, template: &str, context: &T) -> String {
        let mut writer = HashWriter(xxhash_rust::xxh3::Xxh3::new());
        writer.0.update(&fingerprint.to_le_bytes());
        writer.0.update(template.as_bytes());
        writer.0.update(&[0]);
        serde_json::to_writer(&mut writer, context).unwrap();
        format!("{:032x}", writer.0.digest128())
    }

    #[test]
    fn input_keys_equal_the_streamed_keys_and_survive_a_large_page() {
        let small = Context {
            title: "Orders \"API\" <v2>",
            body: "<p>Ünïcode &amp; text</p>".to_string(),
        };
        let large = Context {
            title: "Catalog",
            body: "<tr><td>row</td></tr>".repeat(100_000),
        };
        for context in [&small, &large, &small] {
            assert_eq!(
                input_key(7, "entity.html", context).unwrap(),
                streamed_key(7, "entity.html", context)
            );
        }
        assert_ne!(
            input_key(7, "entity.html", &small).unwrap(),
            input_key(8, "entity.html", &small).unwrap()
        );
    }
}
