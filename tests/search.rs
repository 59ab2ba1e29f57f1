//! The search index on real builds: fields and boosts, docs sections, splitting into shards
//! and chunks, determinism, and the page parts that work without JavaScript.

mod common;

use common::{attribute_values, resolve_link, Portal, Site};
use serde_json::Value;
use std::collections::BTreeMap;

/// The data of one index file: `__greenroomSearch("name", DATA);`.
fn index_file(site: &Site, path: &str) -> (String, Value) {
    let text = site.read(path);
    let inner = text
        .strip_prefix("__greenroomSearch(")
        .and_then(|t| t.trim_end().strip_suffix(");"))
        .unwrap_or_else(|| panic!("{path} is not an index script: {text:.80}"));
    let (name, data) = inner.split_once(',').expect("name, data");
    (
        serde_json::from_str(name).expect("name"),
        serde_json::from_str(data).expect("data"),
    )
}

/// Everything in the index: terms → `(df, [(doc, weight)])`, and display records by doc.
struct Index {
    manifest: Value,
    shards: Vec<BTreeMap<String, Vec<u64>>>,
    records: Vec<Value>,
}

impl Index {
    fn read(site: &Site) -> Index {
        let (_, manifest) = index_file(site, "search/manifest.js");
        let count = manifest["shards"].as_array().expect("shards").len();
        let shards = (0..count)
            .map(|n| {
                let (name, data) = index_file(site, &format!("search/t/{n}.js"));
                assert_eq!(name, format!("t{n}"));
                serde_json::from_value(data).expect("term map")
            })
            .collect();
        let documents = manifest["documents"].as_u64().expect("documents") as usize;
        let chunk = manifest["chunk"].as_u64().expect("chunk") as usize;
        let mut records = Vec::new();
        for n in 0..documents.div_ceil(chunk) {
            let (name, data) = index_file(site, &format!("search/d/{n}.js"));
            assert_eq!(name, format!("d{n}"));
            let list = data.as_array().expect("records").clone();
            assert!(list.len() == chunk || n == documents.div_ceil(chunk) - 1);
            records.extend(list);
        }
        assert_eq!(records.len(), documents);
        Index {
            manifest,
            shards,
            records,
        }
    }

    /// `(href, weight)` of every posting of a term, heaviest first.
    fn postings(&self, term: &str) -> Vec<(String, u64)> {
        let Some(list) = self.shards.iter().find_map(|s| s.get(term)) else {
            return Vec::new();
        };
        let mut doc = 0;
        let mut out: Vec<(String, u64)> = list[1..]
            .chunks(2)
            .map(|pair| {
                doc += pair[0];
                let href = self.records[doc as usize][1]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                (href, pair[1])
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    fn record(&self, href: &str) -> &Value {
        self.records
            .iter()
            .find(|r| r[1] == href)
            .unwrap_or_else(|| panic!("no search document for {href}"))
    }
}

fn component(name: &str, title: &str, description: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  title: {title}\n  description: {description}\n{extra}spec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-a\n---\n"
    )
}

fn small_portal() -> Portal {
    let portal = Portal::empty();
    let mut yaml = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n  title: Team Alpha\nspec:\n  type: team\n  children: []\n---\n",
    );
    yaml += &component("zephyr-router", "Zephyr Router", "Routes requests.", "");
    yaml += &component(
        "plain-service",
        "Plain Service",
        "Talks to zephyr sometimes.",
        "",
    );
    yaml += &component(
        "documented",
        "Documented Thing",
        "Has docs.",
        "  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
    );
    portal.write("repos/app/catalog-info.yaml", yaml);
    portal.write(
        "repos/app/mkdocs.yml",
        "site_name: Thing Docs\nnav:\n  - Home: index.md\n",
    );
    portal.write(
        "repos/app/docs/index.md",
        "# Thing handbook\n\nIntro words about policies.\n\n## Install steps\n\nRun the installer; it may mention zephyr in passing among many other words here.\n\n```sh\ncodeonlyword --flag\n```\n\n#### Deeper detail\n\nStill inside install.\n\n## Configure\n\nSettings live in *config* files.\n",
    );
    portal.build(&[]).assert_code(0);
    portal
}

#[test]
fn titles_outrank_descriptions_and_docs_bodies() {
    let portal = small_portal();
    let index = Index::read(&portal.site());
    let zephyr = index.postings("zephyr");
    let hrefs: Vec<&str> = zephyr.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "catalog/default/component/zephyr-router/index.html",
            "catalog/default/component/plain-service/index.html",
            "docs/default/component/documented/index.html#install-steps",
        ],
        "{zephyr:?}"
    );
    assert!(
        zephyr[0].1 > 3 * zephyr[1].1,
        "title ≫ description: {zephyr:?}"
    );
    // The owner's name and title are keywords of what it owns.
    let alpha = index.postings("alpha");
    assert!(alpha
        .iter()
        .any(|(h, _)| h == "catalog/default/component/zephyr-router/index.html"));
    // Plurals fold: "policies" is indexed as "policy".
    assert_eq!(
        index.postings("policy")[0].0,
        "docs/default/component/documented/index.html#thing-handbook"
    );
    assert!(index.postings("policies").is_empty());
    // Stop words are not indexed but are shipped for the reader.
    assert!(index.postings("the").is_empty());
    assert!(index.manifest["stop"]
        .as_array()
        .expect("stop words")
        .contains(&Value::from("the")));
}

#[test]
fn docs_are_indexed_by_section_without_code() {
    let portal = small_portal();
    let index = Index::read(&portal.site());
    let page = "docs/default/component/documented/index.html";
    let install = index.record(&format!("{page}#install-steps"));
    assert_eq!(install[0], "Install steps");
    assert_eq!(install[2], "component");
    assert_eq!(install[3], "Team Alpha");
    assert_eq!(
        install[4], "Thing Docs › Home",
        "the nav title is the page title"
    );
    assert_eq!(
        install[5],
        "Run the installer; it may mention zephyr in passing among many other words here. Deeper detail Still inside install.",
        "an h4 stays inside its h2 section"
    );
    assert_eq!(install[6], 1);
    let configure = index.record(&format!("{page}#configure"));
    assert_eq!(configure[5], "Settings live in config files.");
    assert!(
        index.postings("codeonlyword").is_empty(),
        "code blocks are not indexed"
    );
    let entity = index.record("catalog/default/component/documented/index.html");
    assert_eq!(entity[4], "Component · service");
    assert_eq!(entity[6], 0);
}

#[test]
fn a_large_portal_is_split_into_bounded_shards() {
    let portal = Portal::empty();
    let mut yaml = String::new();
    for i in 0..1500 {
        yaml += &component(
            &format!("svc-{i}"),
            &format!("Service {i} word{i}x"),
            &format!("Unique term{i}q and shared words"),
            "",
        );
    }
    portal.write("repos/many/catalog-info.yaml", yaml);
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let index = Index::read(&site);
    let starts: Vec<&str> = index.manifest["shards"]
        .as_array()
        .expect("shards")
        .iter()
        .map(|s| s.as_str().expect("term"))
        .collect();
    assert!(starts.len() > 3, "{} shards", starts.len());
    assert!(
        starts.windows(2).all(|w| w[0] < w[1]),
        "shards in term order"
    );
    for (n, shard) in index.shards.iter().enumerate() {
        assert_eq!(shard.keys().next().map(String::as_str), Some(starts[n]));
        if let Some(next) = starts.get(n + 1) {
            assert!(
                shard.keys().all(|k| k.as_str() < *next),
                "shard {n} overlaps"
            );
        }
        let bytes = site.read(&format!("search/t/{n}.js")).len();
        assert!(bytes < 40 * 1024, "shard {n} is {bytes} bytes");
    }
    // A common word keeps its document frequency but only the heaviest postings.
    let shared = index
        .shards
        .iter()
        .find_map(|s| s.get("shared"))
        .expect("shared");
    assert_eq!(shared[0], 1500);
    assert_eq!((shared.len() - 1) / 2, 150);
    assert_eq!(index.postings("term77q").len(), 1);
    let chunks = site
        .files()
        .iter()
        .filter(|f| f.starts_with("search/d/"))
        .count();
    assert_eq!(chunks, 1500usize.div_ceil(32));
    let (_, facets) = index_file(&site, "search/facets.js");
    assert_eq!(
        facets["entities"].as_array().expect("table").len(),
        1500 * 4
    );
    assert_eq!(facets["kinds"], serde_json::json!(["component"]));
}

#[test]
fn the_index_is_deterministic() {
    let portal = small_portal();
    let first = portal.site().tree();
    let again = portal.tmp().join("again");
    portal.build_to(&again, &[]).assert_code(0);
    let second = Site::at(&again).tree();
    let search = |tree: &BTreeMap<String, Vec<u8>>| -> Vec<(String, Vec<u8>)> {
        tree.iter()
            .filter(|(k, _)| k.starts_with("search/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert!(!search(&first).is_empty());
    assert_eq!(search(&first), search(&second));
}

#[test]
fn without_javascript_the_search_box_leads_to_the_catalog() {
    let portal = small_portal();
    let site = portal.site();
    for page in site.html_files() {
        let html = site.read(&page);
        let forms: Vec<&str> = html
            .match_indices("<form class=\"site-search\"")
            .map(|(i, _)| &html[i..])
            .collect();
        assert_eq!(forms.len(), 1, "{page} has one header search form");
        let action = attribute_values(forms[0], "action")[0].clone();
        let target = if page == "404.html" {
            action.trim_start_matches('/').to_string()
        } else {
            resolve_link(&page, &action).unwrap_or_default()
        };
        assert_eq!(target, "catalog/index.html", "{page}: action {action}");
    }
    let search_page = site.read("search/index.html");
    let noscript = &search_page[search_page.find("<noscript>").expect("noscript")..];
    let links = attribute_values(noscript, "href");
    assert_eq!(links[0], "../catalog/index.html");
    assert_eq!(links[1], "../docs/index.html");
}

#[test]
fn mcp_remotes_and_custom_kind_specs_are_searchable() {
    let portal = Portal::empty();
    portal.write(
        "greenroom.yaml",
        "catalog:\n  kinds:\n    - kind: AiResource\n",
    );
    portal.write(
        "repos/ai/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: github-mcp\nspec:\n  type: mcp-server\n  lifecycle: production\n  owner: team-a\n  remotes:\n    - type: streamable-http\n      url: https://api.example.com/mcp/quasarpoint\n---\napiVersion: backstage.io/v1alpha1\nkind: AiResource\nmetadata:\n  name: migration-skill\nspec:\n  type: skill\n  owner: team-a\n  agents: [claude-code]\n  categories: [zirconmigration]\n",
    );
    portal.build(&[]).assert_code(0);
    let index = Index::read(&portal.site());
    let api = "catalog/default/api/github-mcp/index.html";
    let skill = "catalog/default/airesource/migration-skill/index.html";
    assert!(index.postings("streamable").iter().any(|(h, _)| h == api));
    assert!(index.postings("quasarpoint").iter().any(|(h, _)| h == api));
    assert!(index
        .postings("zirconmigration")
        .iter()
        .any(|(h, _)| h == skill));
    assert_eq!(index.record(skill)[1], skill);
    let airesource = index.postings("airesource");
    assert!(airesource.iter().any(|(h, _)| h == skill), "{airesource:?}");
}

#[test]
fn api_operations_types_and_rpcs_are_search_results_at_their_permalinks() {
    let portal = Portal::copy_of(&common::example_org_dir());
    portal.build(&[]).assert_code(0);
    let index = Index::read(&portal.site());
    let checkout = "catalog/default/api/checkout-api/reference/index.html";
    let hit = |term: &str, href: &str| {
        let postings = index.postings(term);
        assert!(
            postings.iter().any(|(h, _)| h == href),
            "{term} does not find {href}: {postings:?}"
        );
        index.record(href).clone()
    };
    let operation = hit(
        "createsession",
        &format!("{checkout}#operation/createSession"),
    );
    assert_eq!(operation[0], "POST /sessions", "{operation}");
    hit("session", &format!("{checkout}#operation/createSession"));
    // Filed under the API's kind and owner, for the results page's facets.
    assert_eq!(operation[2], "api", "{operation}");
    assert_eq!(operation[3], "Checkout Team", "{operation}");
    let graphql = "catalog/default/api/storefront-graphql/reference/index.html";
    assert!(
        index
            .postings("product")
            .iter()
            .any(|(h, _)| h.starts_with(&format!("{graphql}#type/"))),
        "GraphQL types are found"
    );
    let ledger = "catalog/default/api/ledger-api/reference/index.html";
    assert!(
        index
            .postings("ledger")
            .iter()
            .any(|(h, _)| h.starts_with(&format!("{ledger}#rpc/"))),
        "RPCs are found"
    );
}
