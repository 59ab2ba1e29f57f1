//! Stage 5: render the site model to bytes, pages in parallel. Touches no files.

use crate::output::OutputFile;
use crate::site::{AssetPaths, PageContent, SiteModel};
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
    model.pages.par_iter().try_for_each(|page| {
        let bytes = match &page.content {
            PageContent::Home(c) => render_one(tera, "home.html", c),
            PageContent::CatalogIndex(c) => render_one(tera, "catalog_index.html", c),
            PageContent::Facet(c) => render_one(tera, "facet.html", c),
            PageContent::Entity(c) => render_one(tera, "entity.html", c.as_ref()),
            PageContent::Problems(c) => render_one(tera, "problems.html", c),
            PageContent::NotFound(c) => render_one(tera, "404.html", c),
            PageContent::Search(c) => render_one(tera, "search.html", c),
            PageContent::Docs(c) => render_one(tera, "docs_page.html", c.as_ref()),
            PageContent::DocsIndex(c) => render_one(tera, "docs_index.html", c),
        }
        .with_context(|| format!("rendering {}", page.path))?;
        sink(OutputFile {
            path: page.path.clone(),
            bytes,
        })
    })?;
    model.data.par_iter().try_for_each(|data| {
        sink(OutputFile {
            path: data.path.clone(),
            bytes: data.bytes.clone(),
        })
    })
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
