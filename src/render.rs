//! Stage 5: render the site model to bytes, pages in parallel. Touches no files.

use crate::output::OutputFile;
use crate::site::{AssetPaths, Page, PageContent, SiteModel};
use crate::theme::Theme;
use anyhow::Context as _;
use rayon::prelude::*;
use serde::Serialize;
use tera::Tera;

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
            .map(|f| format!("?v={:08x}", crate::site::fnv1a_bytes(&f.bytes) as u32))
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

/// Renders every page and data file in parallel, handing each finished file to `sink` (which
/// writes it), so the whole site is never held in memory at once.
pub fn render(
    model: &SiteModel,
    tera: &Tera,
    sink: &(dyn Fn(OutputFile) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    model
        .pages
        .par_iter()
        .try_for_each(|page| sink(render_page(page, tera)?))?;
    model.data.par_iter().try_for_each(|data| {
        sink(OutputFile {
            path: data.path.clone(),
            bytes: data.bytes.clone(),
        })
    })
}

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
        }
    };
}

/// Renders one page.
pub fn render_page(page: &Page, tera: &Tera) -> anyhow::Result<OutputFile> {
    let bytes = with_context!(page, |template, context| render_one(
        tera, template, context
    ))
    .with_context(|| format!("rendering {}", page.path))?;
    Ok(OutputFile {
        path: page.path.clone(),
        bytes,
    })
}

/// A stable hash (FNV-1a) of a page's template name and serialized context: with the same
/// templates, pages with equal hashes render to equal bytes. `serve` re-renders only pages
/// whose hash changed.
pub fn context_hash(page: &Page) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    with_context!(page, |template, context| {
        std::io::Write::write_all(&mut hasher, template.as_bytes()).ok();
        // Serialising into a hasher cannot fail for these plain structs; a failure would only
        // make the hash differ, which re-renders the page.
        serde_json::to_writer(&mut hasher, context).ok();
    });
    hasher.0
}

struct Fnv(u64);

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn render_one<T: Serialize>(tera: &Tera, template: &str, context: &T) -> anyhow::Result<Vec<u8>> {
    let context =
        tera::Context::from_serialize(context).map_err(|e| anyhow::anyhow!("{}", chain(&e)))?;
    tera.render(template, &context)
        .map(String::into_bytes)
        .map_err(|e| anyhow::anyhow!("template {template}: {}", chain(&e)))
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
