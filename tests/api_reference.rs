//! API references on real builds (issue 18): every API of the fixture org
//! (`tests/fixtures/apis`: OpenAPI 2.0/3.0/3.1, AsyncAPI 2 and 3, GraphQL, protobuf, and broken
//! ones) and of example-org gets a reference page with the fixed permalinks, in-page links
//! that land, search documents, a raw download, and diagnostics with file and line for bad
//! definitions, whose pages still show the source.

mod common;

use common::{attribute_values, example_org_dir, Portal, Site};
use serde_json::Value;
use std::collections::BTreeSet;

fn reference_path(name: &str) -> String {
    format!("catalog/default/api/{name}/reference/index.html")
}

/// The fixture org, built (it has broken definitions on purpose, so errors are expected).
fn fixture_org() -> Portal {
    let portal = Portal::fixture("apis");
    portal.build(&[]).assert_no_crash();
    portal
}

/// Every `id` of a page.
fn ids(html: &str) -> BTreeSet<String> {
    attribute_values(html, "id").into_iter().collect()
}

/// Every same-page link of a page lands on an element of it.
fn assert_fragment_links_land(site: &Site, page: &str) {
    let html = site.read(page);
    let ids = ids(&html);
    for href in attribute_values(&html, "href") {
        if let Some(fragment) = href.strip_prefix('#') {
            let fragment = common::percent_decode(fragment);
            assert!(ids.contains(&fragment), "{page}: #{fragment} lands nowhere");
        }
    }
}

/// Whether a page (at site path `page`) links to the site path `target`.
fn links_to(html: &str, page: &str, target: &str) -> bool {
    attribute_values(html, "href")
        .iter()
        .any(|href| common::resolve_link(page, href).as_deref() == Some(target))
}

fn assert_ids(site: &Site, api: &str, expected: &[&str]) {
    let page = reference_path(api);
    let ids = ids(&site.read(&page));
    for id in expected {
        assert!(ids.contains(*id), "{page} has no id {id}; ids: {ids:?}");
    }
}

/// Diagnostics of one file, as `(severity, line, message)`.
fn diagnostics_of(site: &Site, file_suffix: &str) -> Vec<(String, u64, String)> {
    let all = site.json("diagnostics.json");
    all.as_array()
        .expect("diagnostics array")
        .iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(file_suffix)))
        .map(|d| {
            (
                d["severity"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn every_format_gets_a_reference_with_its_permalinks() {
    let portal = fixture_org();
    let site = portal.site();
    assert_ids(
        &site,
        "petstore",
        &[
            "operation/listPets",
            "operation/createPets",
            "operation/showPetById",
            "schema/Pet",
            "schema/Pets",
            "schema/Error",
        ],
    );
    for api in [
        "petstore",
        "legacy-store",
        "modern-store",
        "events-v2",
        "events-v3",
        "films",
        "greeter",
        "legacy-rpc",
    ] {
        let page = reference_path(api);
        assert!(site.exists(&page), "no reference page for {api}");
        assert_fragment_links_land(&site, &page);
        let html = site.read(&page);
        assert!(
            html.contains("class=\"ref-item"),
            "{api}: the reference has no items"
        );
        assert!(
            !html.contains("could not be read as"),
            "{api} was unreadable"
        );
    }
}

#[test]
fn bad_definitions_are_diagnostics_with_lines_and_their_pages_show_the_source() {
    let portal = fixture_org();
    let site = portal.site();
    for api in [
        "broken-openapi",
        "unsupported-openapi",
        "broken-asyncapi",
        "broken-graphql",
        "broken-proto",
    ] {
        let page = reference_path(api);
        assert!(site.exists(&page), "{api} lost its page");
        let html = site.read(&page);
        assert!(html.contains("id=\"source\""), "{api}: no source section");
        let entity = site.read(&format!("catalog/default/api/{api}/index.html"));
        assert!(
            entity.contains("API reference"),
            "{api}: entity page has no reference link"
        );
    }
    let diagnostics: Value = site.json("diagnostics.json");
    let with_lines = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| {
            d["entity"].as_str().is_some_and(|e| {
                e.starts_with("api:default/broken-") || e == "api:default/unsupported-openapi"
            })
        })
        .collect::<Vec<_>>();
    assert!(!with_lines.is_empty(), "no diagnostics for the broken APIs");
    for d in &with_lines {
        assert!(
            d["file"].is_string() && d["line"].as_u64().is_some_and(|l| l > 0),
            "{d}"
        );
    }
    let has = |file: &str, line: u64, words: &str| {
        let found = diagnostics_of(&site, file);
        assert!(
            found
                .iter()
                .any(|(_, l, m)| *l == line && m.contains(words)),
            "{file}:{line} should say {words:?}: {found:?}"
        );
    };
    has(
        "broken-openapi/openapi.yaml",
        17,
        "#/components/schemas/Nowhere",
    );
    has(
        "broken-openapi/openapi.yaml",
        27,
        "leaves the repository root",
    );
    has(
        "unsupported-openapi/openapi.yaml",
        1,
        "OpenAPI 4.0.0 is not supported",
    );
    has(
        "unsupported-asyncapi/asyncapi.yaml",
        3,
        "AsyncAPI 1.2.0 is not supported",
    );
    has("broken-graphql/schema.graphql", 30, "syntax error");
    has(
        "broken-graphql/schema.graphql",
        13,
        "Address is not defined",
    );
    has(
        "broken-proto/protos/imports.proto",
        5,
        "not in the repository",
    );
    has("broken-proto/protos/imports.proto", 6, "is not read");
    // `check` turns them into a failing exit code.
    assert_eq!(portal.check(&[]).code(), Some(1));
}

#[test]
fn example_org_apis_have_references_downloads_and_a_clean_build() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&["--strict"]).assert_code(0);
    let site = portal.site();
    for (api, extension) in [
        ("checkout-api", "yaml"),
        ("catalog-api", "yaml"),
        ("payments-api", "json"),
        ("order-events", "yaml"),
        ("product-events", "yaml"),
        ("storefront-graphql", "graphql"),
        ("ledger-api", "proto"),
        ("search-api", "proto"),
    ] {
        let page = reference_path(api);
        let html = site.read(&page);
        assert!(html.contains("class=\"ref-item"), "{api}: no items");
        assert_fragment_links_land(&site, &page);
        let download = format!("catalog/default/api/{api}/definition.{extension}");
        assert!(site.exists(&download), "no {download}");
        assert!(links_to(&html, &page, &download), "{api}: no download link");
        let entity_page = format!("catalog/default/api/{api}/index.html");
        let entity = site.read(&entity_page);
        assert!(
            links_to(&entity, &entity_page, &page),
            "{api}: entity page does not link its reference"
        );
    }
    assert_ids(
        &site,
        "checkout-api",
        &["operation/createSession", "operation/getOrder"],
    );
}
