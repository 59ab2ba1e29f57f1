//! Machine-readable outputs: the catalog in Backstage's API shape, diagnostics, sitemap.

use crate::catalog::{Catalog, Entity};
use crate::diag::Diagnostic;
use crate::hash::fnv1a;
use rayon::prelude::*;
use serde_json::{json, Value};

/// `catalog/entities.json`: the shape of Backstage's `GET /api/catalog/entities/by-query`
/// response (`items`, `totalItems`, `pageInfo`), each item with `relations` and stable
/// `uid`/`etag` derived from its content.
pub fn entities_json(catalog: &Catalog) -> Vec<u8> {
    // Items are serialised in parallel and joined in catalog order.
    let items: Vec<Vec<u8>> = catalog
        .entities
        .par_iter()
        .map(|(_, entity)| serde_json::to_vec(&entity_item(entity)).unwrap_or_default())
        .collect();
    let mut bytes = Vec::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 64);
    bytes.extend_from_slice(b"{\"items\":[");
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(item);
    }
    bytes.extend_from_slice(
        format!(
            "],\"totalItems\":{},\"pageInfo\":{{}}}}\n",
            catalog.entities.len()
        )
        .as_bytes(),
    );
    bytes
}

/// One entity as Backstage's API returns it: its descriptor with `relations`, and `uid` and
/// `etag` derived from its ref and content.
fn entity_item(entity: &Entity) -> Value {
    let mut item = entity.raw.clone();
    let relations: Vec<Value> = entity
        .relations
        .iter()
        .map(|r| {
            json!({
                "type": r.kind.as_str(),
                "targetRef": r.target.to_string(),
                "target": {"kind": r.target.kind, "namespace": r.target.namespace, "name": r.target.name},
            })
        })
        .collect();
    let body = serde_json::to_string(&item).unwrap_or_default();
    if let Some(meta) = item.get_mut("metadata").and_then(Value::as_object_mut) {
        let uid = fnv1a(&entity.entity_ref.to_string());
        let uid2 = fnv1a(&format!("greenroom:{}", entity.entity_ref));
        meta.insert(
            "uid".to_string(),
            Value::String(format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                uid >> 32,
                (uid >> 16) & 0xffff,
                uid & 0xffff,
                uid2 >> 48,
                uid2 & 0xffff_ffff_ffff
            )),
        );
        meta.insert(
            "etag".to_string(),
            Value::String(format!("{:016x}", fnv1a(&body))),
        );
    }
    if let Some(object) = item.as_object_mut() {
        object.insert("relations".to_string(), Value::Array(relations));
        object.remove("status");
    }
    item
}

/// `diagnostics.json`: every diagnostic with severity, file, line, entity and message.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(diagnostics).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `sitemap.xml` with absolute URLs under `base_url`.
pub fn sitemap(base_url: &str, page_paths: &[&str], pretty: bool) -> Vec<u8> {
    let base = base_url.trim_end_matches('/');
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in page_paths
        .iter()
        .filter(|p| **p != "404.html" && **p != "search/index.html")
    {
        let path = if pretty {
            page.strip_suffix("index.html").unwrap_or(page)
        } else {
            page
        };
        xml.push_str("  <url><loc>");
        xml.push_str(&crate::highlight::escape_html(&format!("{base}/{path}")));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}
