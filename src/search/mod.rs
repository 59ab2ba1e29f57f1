//! The search stage: catalog and docs → a search index split into small files, so the reader's
//! first query downloads only the parts it needs (see ARCHITECTURE.md, *Search*).
//!
//! Search documents are entities (one each) and docs sections (one per heading of levels 1
//! to 3, so a hit links to `page/#section`). Each document's fields are analysed with
//! [`analyze::terms`] and scored the way elasticlunr scores them: a term's weight in a field is
//! `boost × √count ÷ √(field length)`; the reader multiplies the sum over fields by the term's
//! idf, `1 + ln(N ÷ (df + 1))`. The weights are summed at build time, so a posting is two
//! numbers.
//!
//! Files, all JavaScript calling `__greenroomSearch(name, data)` so they load with `<script>`
//! from `file://` too (where `fetch` is refused):
//! - `search/manifest.js`: counts, the first term of every term shard, stop words.
//! - `search/t/<n>.js`: postings of a range of terms, about [`SHARD_BYTES`] each.
//! - `search/d/<n>.js`: display records of [`CHUNK_DOCS`] consecutive documents.
//! - `search/facets.js`: kind, type and owner of every entity and where its documents start;
//!   only the full results page loads it, to count facets over all hits.

pub mod analyze;

use crate::apis::ApiSet;
use crate::catalog::entity::{Entity, RelationType};
use crate::catalog::refs::EntityRef;
use crate::catalog::Catalog;
use crate::docs::{DocPage, DocSet, DocSite};
use crate::urls::{entity_path, relative_href};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Indexed fields and their boosts, in the order of [`SearchDoc::fields`].
pub const FIELDS: [(&str, f64); 4] = [
    ("title", 10.0),
    ("keywords", 4.0),
    ("description", 2.0),
    ("body", 1.0),
];

/// Entities outrank docs sections with the same words: a reader typing a service's name
/// wants the service first, its docs next.
pub const ENTITY_BOOST: f64 = 1.5;

/// Postings kept per term: the heaviest ones. A term in more documents than this has so low
/// an idf that the lighter hits would never reach a results page.
pub const MAX_POSTINGS: usize = 150;

/// Target size of a term shard, in bytes.
pub const SHARD_BYTES: usize = 24 * 1024;

/// Documents per display chunk.
pub const CHUNK_DOCS: usize = 32;

/// Characters of text kept per document for the result snippet.
pub const SNIPPET_CHARS: usize = 320;

/// What the search stage reads.
#[derive(Debug, Clone, Copy)]
pub struct SearchInput<'a> {
    /// The resolved catalog.
    pub catalog: &'a Catalog,
    /// Rendered docs, with their text by section.
    pub docs: &'a DocSet,
    /// API references: their items are documents too.
    pub apis: &'a ApiSet,
    /// Whether hrefs drop `index.html`.
    pub pretty_urls: bool,
}

/// One searchable thing: an entity or a docs section. Index text borrows from the docs.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc<'a> {
    /// What a result shows as its title.
    pub title: String,
    /// Site-relative href (with `#section` for docs).
    pub href: String,
    /// Kind of the entity (of the documented entity, for docs), lowercase.
    pub kind: String,
    /// Owner's display name, or empty.
    pub owner: String,
    /// A line under the title: `Component · service`, or `Site › Page`.
    pub context: String,
    /// The start of the text, for the snippet.
    pub text: String,
    /// Whether it comes from docs (else from the catalog).
    pub from_docs: bool,
    /// Index text per field of [`FIELDS`].
    pub fields: [Cow<'a, str>; 4],
}

/// Facet values of one entity, and where its documents start.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EntityFacets {
    kind: String,
    spec_type: String,
    owner: String,
    first_doc: usize,
}

/// Sizes of the written index, for the build report and the benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SearchStats {
    /// Documents indexed.
    pub documents: usize,
    /// Distinct terms.
    pub terms: usize,
    /// Term shard files.
    pub term_shards: usize,
    /// Display chunk files.
    pub doc_chunks: usize,
    /// Bytes of `manifest.js`.
    pub manifest_bytes: usize,
    /// Bytes of the largest term shard.
    pub largest_shard_bytes: usize,
    /// Bytes of the largest display chunk.
    pub largest_chunk_bytes: usize,
    /// Bytes of `facets.js`.
    pub facets_bytes: usize,
    /// Bytes of every search file together.
    pub total_bytes: usize,
}

/// The index files and their sizes.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// `(site path, contents)`, sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
    /// Sizes.
    pub stats: SearchStats,
}

/// Builds the search index.
pub fn build(input: &SearchInput<'_>) -> SearchIndex {
    let (docs, entities) = documents(input);
    let postings = postings(&docs);
    write_files(&docs, &entities, &postings)
}

/// The search documents, in entity order; each entity's docs sections follow it.
fn documents<'a>(input: &SearchInput<'a>) -> (Vec<SearchDoc<'a>>, Vec<EntityFacets>) {
    let per_entity: Vec<Vec<SearchDoc<'a>>> = input
        .catalog
        .entities
        .par_iter()
        .map(|(entity_ref, entity)| {
            let mut docs = vec![entity_doc(input, entity)];
            if let Some(reference) = input
                .apis
                .get(entity_ref)
                .and_then(|api| api.reference.as_ref())
            {
                let owner = docs[0].owner.clone();
                docs.extend(reference_docs(input, entity, &owner, reference));
            }
            if let Some(site) = input.docs.sites.get(entity_ref) {
                let owner = docs[0].owner.clone();
                for page in &site.pages {
                    docs.extend(section_docs(input, entity_ref, &owner, site, page));
                }
            }
            docs
        })
        .collect();
    let mut facets = Vec::with_capacity(per_entity.len());
    let mut all = Vec::new();
    for (entity, docs) in input.catalog.entities.values().zip(per_entity) {
        facets.push(EntityFacets {
            kind: entity.kind.lower().to_string(),
            spec_type: entity.spec_type.clone().unwrap_or_default(),
            owner: docs[0].owner.clone(),
            first_doc: all.len(),
        });
        all.extend(docs);
    }
    (all, facets)
}

fn label(catalog: &Catalog, target: &EntityRef) -> String {
    match catalog.get(target) {
        Some(entity) => entity.display_name().to_string(),
        None => target.short(),
    }
}

fn entity_doc<'a>(input: &SearchInput<'a>, entity: &Entity) -> SearchDoc<'a> {
    let catalog = input.catalog;
    let owner = entity
        .owner()
        .map(|o| label(catalog, o))
        .unwrap_or_default();
    let mut keywords: Vec<String> =
        vec![entity.kind.as_str().to_string(), entity.namespace.clone()];
    keywords.extend(entity.spec_type.clone());
    keywords.extend(entity.lifecycle.clone());
    if let Some(owner_ref) = entity.owner() {
        keywords.push(owner_ref.name.clone());
        keywords.push(owner.clone());
    }
    for system in entity.related(RelationType::PartOf) {
        keywords.push(system.name.clone());
        keywords.push(label(catalog, system));
    }
    keywords.extend(entity.tags.iter().cloned());
    if let Some(profile) = &entity.profile {
        keywords.extend(profile.display_name.clone());
        keywords.extend(profile.email.clone());
    }
    let title = entity.display_name().to_string();
    let mut title_field = title.clone();
    if analyze::terms(&entity.name) != analyze::terms(&title) {
        title_field.push(' ');
        title_field.push_str(&entity.name);
    }
    let description = entity.description.clone().unwrap_or_default();
    // An mcp-server's transports and endpoints, a custom kind's spec values: findable text.
    let mut body = String::new();
    for remote in &entity.remotes {
        keywords.push(remote.transport.clone());
        body.push_str(&remote.url);
        body.push(' ');
    }
    if matches!(entity.kind, crate::catalog::Kind::Custom(_)) {
        if let Some(spec) = entity.raw.get("spec") {
            spec_text(spec, &mut body);
        }
    }
    let context = match &entity.spec_type {
        Some(t) => format!("{} · {t}", entity.kind.as_str()),
        None => entity.kind.as_str().to_string(),
    };
    SearchDoc {
        href: site_href(&entity_path(&entity.entity_ref), input.pretty_urls),
        kind: entity.kind.lower().to_string(),
        owner,
        context,
        text: snippet(&description),
        from_docs: false,
        fields: [
            title_field.into(),
            keywords.join(" ").into(),
            description.into(),
            body.into(),
        ],
        title,
    }
}

/// The strings and numbers of a spec, space-separated, keys left out; bounded so an
/// enormous spec cannot swell the index.
fn spec_text(value: &serde_json::Value, out: &mut String) {
    const LIMIT: usize = 4096;
    if out.len() > LIMIT {
        return;
    }
    match value {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        serde_json::Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| spec_text(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| spec_text(v, out)),
        _ => {}
    }
}

fn section_docs<'a>(
    input: &SearchInput<'a>,
    entity_ref: &EntityRef,
    owner: &str,
    site: &'a DocSite,
    page: &'a DocPage,
) -> Vec<SearchDoc<'a>> {
    let kind = entity_ref.kind.clone();
    let page_href = site_href(&page.path, input.pretty_urls);
    let mut docs: Vec<SearchDoc<'a>> = page
        .sections
        .iter()
        .map(|section| {
            let title = if section.title.is_empty() {
                page.title.clone()
            } else {
                section.title.clone()
            };
            let href = if section.id.is_empty() {
                page_href.clone()
            } else {
                format!("{page_href}#{}", section.id)
            };
            let context = if title == page.title {
                site.site_name.clone()
            } else {
                format!("{} › {}", site.site_name, page.title)
            };
            SearchDoc {
                href,
                kind: kind.clone(),
                owner: owner.to_string(),
                context,
                text: snippet(&section.text),
                from_docs: true,
                fields: [
                    title.clone().into(),
                    format!("{} {}", page.title, site.site_name).into(),
                    Cow::Borrowed(""),
                    Cow::Borrowed(section.text.as_str()),
                ],
                title,
            }
        })
        .collect();
    if docs.is_empty() {
        // A page with no text still deserves to be found by its title.
        docs.push(SearchDoc {
            title: page.title.clone(),
            href: page_href,
            kind,
            owner: owner.to_string(),
            context: site.site_name.clone(),
            text: String::new(),
            from_docs: true,
            fields: [
                Cow::Borrowed(page.title.as_str()),
                Cow::Borrowed(site.site_name.as_str()),
                Cow::Borrowed(""),
                Cow::Borrowed(""),
            ],
        });
    }
    docs
}

/// One document per item of an API's reference (operation, schema, channel, type, RPC…),
/// linking to its permalink, filed under the API's kind and owner.
fn reference_docs<'a>(
    input: &SearchInput<'a>,
    entity: &Entity,
    owner: &str,
    reference: &'a crate::apis::Reference,
) -> Vec<SearchDoc<'a>> {
    let page_href = site_href(
        &crate::urls::api_reference_path(&entity.entity_ref),
        input.pretty_urls,
    );
    let api_name = entity.display_name();
    reference
        .sections
        .iter()
        .flat_map(|section| &section.items)
        .map(|item| {
            let title = match (&item.badge, item.kind) {
                (Some(method), crate::apis::ItemKind::Operation) => {
                    format!("{} {}", method.to_uppercase(), item.name)
                }
                _ => item.name.clone(),
            };
            let mut keywords = format!("{} {api_name} {}", item.kind.as_str(), entity.name);
            for extra in [&item.label, &item.badge].into_iter().flatten() {
                keywords.push(' ');
                keywords.push_str(extra);
            }
            let context = match &item.label {
                Some(label) if *label != item.name => {
                    format!("{api_name} · {} {label}", item.kind.as_str())
                }
                _ => format!("{api_name} · {}", item.kind.as_str()),
            };
            let summary = item.summary.as_deref().unwrap_or("");
            SearchDoc {
                href: format!(
                    "{page_href}#{}",
                    crate::apis::html::fragment_href(&item.anchor)
                ),
                kind: entity.kind.lower().to_string(),
                owner: owner.to_string(),
                context,
                text: snippet(if summary.is_empty() {
                    &item.search_text
                } else {
                    summary
                }),
                from_docs: true,
                fields: [
                    title.clone().into(),
                    keywords.into(),
                    Cow::Borrowed(summary),
                    Cow::Borrowed(item.search_text.as_str()),
                ],
                title,
            }
        })
        .collect()
}

/// A site path as the reader's links spell it (root-relative; `index.html` dropped when
/// pretty URLs are on).
fn site_href(path: &str, pretty: bool) -> String {
    relative_href("index.html", path, pretty)
}

/// The first [`SNIPPET_CHARS`] characters, cut at a word.
fn snippet(text: &str) -> String {
    if text.chars().count() <= SNIPPET_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > SNIPPET_CHARS / 2 => &cut[..space],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end())
}

/// A term's postings: `(document, weight × 100)` sorted by document, and its document
/// frequency before [`MAX_POSTINGS`] cut the list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Postings {
    df: usize,
    docs: Vec<(u32, u32)>,
}

impl Postings {
    /// A term's postings from all of its `(document, weight)` pairs, in document order:
    /// the [`MAX_POSTINGS`] heaviest are kept, still in document order.
    fn keep_heaviest(mut docs: Vec<(u32, u32)>) -> Postings {
        let df = docs.len();
        if docs.len() > MAX_POSTINGS {
            docs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            docs.truncate(MAX_POSTINGS);
            docs.sort_unstable();
        }
        Postings { df, docs }
    }
}

/// Documents analysed per parallel task.
const DOCS_PER_TASK: usize = 2048;

/// The postings of one task's run of consecutive documents, by the task's own term numbers.
struct TaskPostings {
    /// Each term the task met, numbered by first appearance.
    terms: Vec<String>,
    /// Postings per term number, in document order.
    lists: Vec<Vec<(u32, u32)>>,
}

/// Indexes documents `first..first + docs.len()`: every term's weight per document, summed
/// over fields, as integer hundredths. A term is hashed once per occurrence to get its
/// number; counting and summing then work on numbers, and only a term the task has not met
/// yet allocates a string.
fn index_run(first: usize, docs: &[SearchDoc<'_>]) -> TaskPostings {
    let mut numbers: HashMap<String, u32, foldhash::fast::RandomState> = HashMap::default();
    let mut lists: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut lowered = String::new();
    let mut field_terms: Vec<u32> = Vec::new();
    // Per document: each term's summed weight, and where a term number sits in that list.
    let mut weights: Vec<(u32, f64)> = Vec::new();
    let mut slot_of: Vec<u32> = Vec::new();
    for (offset, doc) in docs.iter().enumerate() {
        let id = (first + offset) as u32;
        let prior = if doc.from_docs { 1.0 } else { ENTITY_BOOST };
        for ((_, boost), field) in FIELDS.iter().zip(&doc.fields) {
            lower_into(field, &mut lowered);
            field_terms.clear();
            for term in analyze::lowercase_terms(&lowered) {
                let number = match numbers.get(term.as_ref()) {
                    Some(number) => *number,
                    None => {
                        let number = lists.len() as u32;
                        numbers.insert(term.into_owned(), number);
                        lists.push(Vec::new());
                        slot_of.push(u32::MAX);
                        number
                    }
                };
                field_terms.push(number);
            }
            if field_terms.is_empty() {
                continue;
            }
            let norm = prior * boost / (field_terms.len() as f64).sqrt();
            field_terms.sort_unstable();
            // Fields are added in field order, so each sum adds up in the same order as
            // elasticlunr's per-field scores.
            for run in field_terms.chunk_by(|a, b| a == b) {
                let weight = norm * (run.len() as f64).sqrt();
                let slot = &mut slot_of[run[0] as usize];
                if *slot == u32::MAX {
                    *slot = weights.len() as u32;
                    weights.push((run[0], weight));
                } else {
                    weights[*slot as usize].1 += weight;
                }
            }
        }
        for (number, total) in weights.drain(..) {
            slot_of[number as usize] = u32::MAX;
            let hundredths = ((total * 100.0).round() as u32).max(1);
            lists[number as usize].push((id, hundredths));
        }
    }
    let mut terms = vec![String::new(); lists.len()];
    for (term, number) in numbers {
        terms[number as usize] = term;
    }
    TaskPostings { terms, lists }
}

/// `field` lowercased into `into`, without an allocation for ASCII text.
fn lower_into(field: &str, into: &mut String) {
    into.clear();
    if field.is_ascii() {
        into.push_str(field);
        into.make_ascii_lowercase();
    } else {
        into.push_str(&field.to_lowercase());
    }
}

/// Postings of every term, sorted by term. Each task indexes a run of consecutive documents;
/// merging the runs in task order keeps every list sorted by document.
fn postings(docs: &[SearchDoc<'_>]) -> Vec<(String, Postings)> {
    let tasks: Vec<TaskPostings> = docs
        .par_chunks(DOCS_PER_TASK)
        .enumerate()
        .map(|(task, chunk)| index_run(task * DOCS_PER_TASK, chunk))
        .collect();
    let mut by_term: HashMap<String, Vec<(u32, u32)>, foldhash::fast::RandomState> =
        HashMap::default();
    for task in tasks {
        for (term, list) in task.terms.into_iter().zip(task.lists) {
            match by_term.get_mut(&term) {
                Some(all) => all.extend(list),
                None => {
                    by_term.insert(term, list);
                }
            }
        }
    }
    let mut terms: Vec<(String, Postings)> = by_term
        .into_par_iter()
        .map(|(term, docs)| (term, Postings::keep_heaviest(docs)))
        .collect();
    terms.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    terms
}

fn wrap(name: &str, json: &str) -> Vec<u8> {
    format!("__greenroomSearch({},{json});\n", json_string(name)).into_bytes()
}

fn json_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

#[derive(Serialize)]
struct Manifest<'a> {
    version: u32,
    documents: usize,
    chunk: usize,
    fields: Vec<&'a str>,
    stop: Vec<String>,
    shards: Vec<&'a str>,
}

#[derive(Serialize)]
struct FacetTable<'a> {
    kinds: Vec<&'a str>,
    types: Vec<&'a str>,
    owners: Vec<&'a str>,
    /// Per entity: first document, kind, type and owner indexes, flattened.
    entities: Vec<usize>,
}

fn write_files(
    docs: &[SearchDoc<'_>],
    entities: &[EntityFacets],
    postings: &[(String, Postings)],
) -> SearchIndex {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut stats = SearchStats {
        documents: docs.len(),
        terms: postings.len(),
        ..SearchStats::default()
    };

    let mut shard_starts: Vec<&str> = Vec::new();
    let mut shard = String::new();
    let mut flush = |shard: &mut String, files: &mut Vec<(String, Vec<u8>)>| {
        if shard.is_empty() {
            return;
        }
        let n = files.len();
        let bytes = wrap(&format!("t{n}"), &format!("{{{shard}}}"));
        stats.largest_shard_bytes = stats.largest_shard_bytes.max(bytes.len());
        files.push((format!("search/t/{n}.js"), bytes));
        shard.clear();
    };
    for (term, list) in postings {
        if shard.is_empty() {
            shard_starts.push(term);
        } else {
            shard.push(',');
        }
        shard.push_str(&json_string(term));
        shard.push_str(":[");
        shard.push_str(&list.df.to_string());
        let mut previous = 0u32;
        for (doc, weight) in &list.docs {
            let _ = write!(shard, ",{},{weight}", doc - previous);
            previous = *doc;
        }
        shard.push(']');
        if shard.len() >= SHARD_BYTES {
            flush(&mut shard, &mut files);
        }
    }
    flush(&mut shard, &mut files);
    stats.term_shards = files.len();

    let chunks: Vec<(String, Vec<u8>)> = docs
        .par_chunks(CHUNK_DOCS)
        .enumerate()
        .map(|(n, chunk)| {
            let records: Vec<serde_json::Value> = chunk
                .iter()
                .map(|d| {
                    serde_json::json!([
                        d.title,
                        d.href,
                        d.kind,
                        d.owner,
                        d.context,
                        d.text,
                        u8::from(d.from_docs)
                    ])
                })
                .collect();
            let json = serde_json::Value::Array(records).to_string();
            (format!("search/d/{n}.js"), wrap(&format!("d{n}"), &json))
        })
        .collect();
    stats.doc_chunks = chunks.len();
    stats.largest_chunk_bytes = chunks.iter().map(|(_, b)| b.len()).max().unwrap_or(0);
    files.extend(chunks);

    let mut kinds: Vec<&str> = entities.iter().map(|e| e.kind.as_str()).collect();
    let mut types: Vec<&str> = entities.iter().map(|e| e.spec_type.as_str()).collect();
    let mut owners: Vec<&str> = entities.iter().map(|e| e.owner.as_str()).collect();
    for values in [&mut kinds, &mut types, &mut owners] {
        values.sort_unstable();
        values.dedup();
    }
    let position = |values: &[&str], value: &str| values.binary_search(&value).unwrap_or(0);
    let table = FacetTable {
        entities: entities
            .iter()
            .flat_map(|e| {
                [
                    e.first_doc,
                    position(&kinds, &e.kind),
                    position(&types, &e.spec_type),
                    position(&owners, &e.owner),
                ]
            })
            .collect(),
        kinds,
        types,
        owners,
    };
    let facets = wrap("facets", &serde_json::to_string(&table).unwrap_or_default());
    stats.facets_bytes = facets.len();
    files.push(("search/facets.js".to_string(), facets));

    let manifest = Manifest {
        version: 1,
        documents: docs.len(),
        chunk: CHUNK_DOCS,
        fields: FIELDS.iter().map(|(name, _)| *name).collect(),
        stop: analyze::stop_words(),
        shards: shard_starts,
    };
    let manifest = wrap(
        "manifest",
        &serde_json::to_string(&manifest).unwrap_or_default(),
    );
    stats.manifest_bytes = manifest.len();
    files.push(("search/manifest.js".to_string(), manifest));

    stats.total_bytes = files.iter().map(|(_, bytes)| bytes.len()).sum();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    SearchIndex { files, stats }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(from_docs: bool, fields: [&'static str; 4]) -> SearchDoc<'static> {
        SearchDoc {
            title: String::new(),
            href: String::new(),
            kind: String::new(),
            owner: String::new(),
            context: String::new(),
            text: String::new(),
            from_docs,
            fields: fields.map(Cow::Borrowed),
        }
    }

    /// The indexer as it was before terms were numbered: each document's terms sorted as
    /// strings, weights pushed per field and summed per term. Kept as the reference the
    /// numbered indexer must equal exactly.
    fn reference_postings(docs: &[SearchDoc<'_>]) -> Vec<(String, Postings)> {
        let mut by_term: std::collections::BTreeMap<String, Vec<(u32, u32)>> =
            std::collections::BTreeMap::new();
        for (id, doc) in docs.iter().enumerate() {
            let prior = if doc.from_docs { 1.0 } else { ENTITY_BOOST };
            let mut weighted: Vec<(String, f64)> = Vec::new();
            for ((_, boost), field) in FIELDS.iter().zip(&doc.fields) {
                let lower = field.to_lowercase();
                let mut terms: Vec<String> = analyze::lowercase_terms(&lower)
                    .map(Cow::into_owned)
                    .collect();
                if terms.is_empty() {
                    continue;
                }
                let norm = prior * boost / (terms.len() as f64).sqrt();
                terms.sort_unstable();
                for run in terms.chunk_by(|a, b| a == b) {
                    weighted.push((run[0].clone(), norm * (run.len() as f64).sqrt()));
                }
            }
            weighted.sort_by(|a, b| a.0.cmp(&b.0));
            for run in weighted.chunk_by(|a, b| a.0 == b.0) {
                let total: f64 = run.iter().map(|(_, weight)| weight).sum();
                let hundredths = ((total * 100.0).round() as u32).max(1);
                by_term
                    .entry(run[0].0.clone())
                    .or_default()
                    .push((id as u32, hundredths));
            }
        }
        by_term
            .into_iter()
            .map(|(term, docs)| (term, Postings::keep_heaviest(docs)))
            .collect()
    }

    #[test]
    fn numbered_indexing_equals_the_reference_weights() {
        let mut docs = vec![
            // One term in three fields, a repeated term, stop words, mixed case.
            doc(
                false,
                ["Alpha beta", "alpha", "", "alpha ALPHA gamma and the of"],
            ),
            // Beta again after other terms took the low slots: a slot left from the
            // previous document would point at another term's weight.
            doc(true, ["zeta", "eta", "", "beta beta zeta"]),
            doc(true, ["", "", "", ""]),
            doc(true, ["", "", "", "the and of"]),
            // Non-ASCII: Greek final sigma, accents, folded plurals.
            doc(
                true,
                [
                    "ΟΔΟΣ Café",
                    "policies classes",
                    "",
                    "ΟΔΟΣ οδος services status",
                ],
            ),
            doc(
                false,
                [
                    "Payments-API v1.2",
                    "team:payments",
                    "node.js",
                    "payments_api",
                ],
            ),
        ];
        // Enough documents for several tasks, and a term in more than MAX_POSTINGS of them.
        for n in 0..(DOCS_PER_TASK * 2 + 300) {
            let from_docs = n % 3 != 0;
            docs.push(match n % 4 {
                0 => doc(
                    from_docs,
                    ["Common title", "alpha", "", "common common beta"],
                ),
                1 => doc(from_docs, ["", "", "beta", "common delta delta epsilon"]),
                2 => doc(from_docs, ["Zeta", "", "", "common"]),
                _ => doc(from_docs, ["Οδός", "", "", "café common alpha alpha alpha"]),
            });
        }
        let expected = reference_postings(&docs);
        let got = postings(&docs);
        assert!(expected.iter().any(|(_, p)| p.df > MAX_POSTINGS));
        assert_eq!(got.len(), expected.len());
        for (got, expected) in got.iter().zip(&expected) {
            assert_eq!(got, expected);
        }
    }
}
