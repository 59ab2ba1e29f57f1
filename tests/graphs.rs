//! Relation graphs on entity pages: every SVG parses, shows the expected nodes and edges, links
//! only to pages that exist, and keeps hostile names as text.

mod common;

use common::{example_org_dir, resolve_link, Portal, Site};
use std::collections::BTreeSet;

/// The graph SVGs of a page (the legend is not one).
fn graphs(html: &str) -> Vec<&str> {
    html.match_indices("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph graph-")
        .map(|(start, _)| {
            let end = html[start..].find("</svg>").expect("closed svg") + start + 6;
            &html[start..end]
        })
        .collect()
}

/// `(node titles, edge titles)` of one SVG.
fn parts(svg: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg:.300}"));
    let title_of = |class: &str| -> BTreeSet<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("g"))
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').next() == Some(class))
            })
            .filter_map(|n| {
                n.children()
                    .find(|c| c.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .map(str::to_string)
            })
            .collect()
    };
    (title_of("node"), title_of("edge"))
}

fn portal() -> Portal {
    let portal = Portal::copy_of(&example_org_dir());
    portal.write(
        "repos/hostile/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: hostile-widget\n  title: \"<img src=x onerror=alert(1)> ]]> & co\"\nspec:\n  type: service\n  lifecycle: experimental\n  owner: group:default/team-payments\n  dependsOn: [component:default/payments-gateway]\n",
    );
    portal.write(
        "repos/loop/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: loop-a\nspec:\n  type: team\n  parent: loop-b\n  children: [loop-b]\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: loop-b\nspec:\n  type: team\n  parent: loop-a\n  children: [loop-a]\n",
    );
    let run = portal.build(&[]);
    run.assert_no_crash();
    assert!(portal.site().exists("index.html"), "{}", run.describe());
    portal
}

/// The diagrams of an entity page after its neighbourhood graph, by heading.
fn diagram(html: &str, heading: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = html
        .find(&format!(">{heading}</h2>"))
        .unwrap_or_else(|| panic!("no {heading} section"));
    parts(graphs(&html[start..])[0])
}

#[test]
fn entity_pages_draw_their_neighbourhood() {
    let portal = portal();
    let site = portal.site();
    let (nodes, edges) =
        parts(graphs(&site.read("catalog/default/component/payments-gateway/index.html"))[0]);
    for expected in [
        "Payments Gateway",
        "Payments Team",
        "Checkout & Orders",
        "Payments REST API",
        "Ledger gRPC API",
        "Fraud Scoring",
    ] {
        assert!(
            nodes.contains(expected),
            "{expected} missing from {nodes:?}"
        );
    }
    for expected in [
        "Payments Team ownerOf Payments Gateway",
        "Checkout & Orders hasPart Payments Gateway",
        "Payments Gateway providesApi Payments REST API",
        "Payments Gateway consumesApi Ledger gRPC API",
        "Payments Gateway dependsOn Fraud Scoring",
    ] {
        assert!(
            edges.contains(expected),
            "{expected} missing from {edges:?}"
        );
    }
    // Inverse relations are drawn in their forward direction.
    assert!(
        edges.contains("<img src=x onerror=alert(1)> ]]> & co dependsOn Payments Gateway"),
        "{edges:?}"
    );
}

#[test]
fn every_graph_parses_and_links_to_existing_pages() {
    let portal = portal();
    let site = portal.site();
    let mut drawn = 0;
    for page in site.html_files() {
        let html = site.read(&page);
        for svg in graphs(&html) {
            drawn += 1;
            let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{page}: {e}"));
            for link in doc.descendants().filter(|n| n.has_tag_name("a")) {
                let href = link.attribute("href").expect("href");
                if let Some(fragment) = href.strip_prefix('#') {
                    assert!(
                        html.contains(&format!("id=\"{fragment}\"")),
                        "{page}: {href}"
                    );
                } else {
                    let target = resolve_link(&page, href).unwrap_or_default();
                    assert!(site.exists(&target), "{page}: {href} → {target}");
                }
            }
        }
    }
    assert!(drawn > 70, "only {drawn} graphs");
}

#[test]
fn hostile_names_are_text_in_graphs() {
    let portal = portal();
    let site: Site = portal.site();
    let html = site.read("catalog/default/component/hostile-widget/index.html");
    let svg = graphs(&html)[0];
    let doc = roxmltree::Document::parse(svg).expect("parses");
    assert!(doc.descendants().all(|n| !n.has_tag_name("img")));
    let (nodes, _) = parts(svg);
    assert!(
        nodes.contains("<img src=x onerror=alert(1)> ]]> & co"),
        "{nodes:?}"
    );
}

#[test]
fn systems_and_groups_get_their_diagrams() {
    let portal = portal();
    let site = portal.site();
    let system = site.read("catalog/default/system/checkout/index.html");
    let (nodes, edges) = diagram(&system, "System diagram");
    assert!(
        edges.contains("Checkout & Orders hasPart Payments Gateway"),
        "{edges:?}"
    );
    assert!(
        edges.contains("Payments Gateway providesApi Payments REST API"),
        "{edges:?}"
    );
    assert!(
        nodes.contains("Storefront BFF"),
        "consumers outside the system: {nodes:?}"
    );

    let domain = site.read("catalog/default/domain/commerce/index.html");
    let (nodes, _) = diagram(&domain, "Domain diagram");
    assert!(
        nodes.contains("Checkout & Orders") && nodes.contains("Cart Service"),
        "{nodes:?}"
    );

    let group = site.read("catalog/default/group/team-payments/index.html");
    let (nodes, edges) = diagram(&group, "Org chart");
    assert!(nodes.contains("Acme Fresh"), "up to the root: {nodes:?}");
    assert!(
        edges.contains("Checkout & Payments parentOf Payments Team"),
        "{edges:?}"
    );
    let (_, edges) = diagram(&group, "Ownership");
    assert!(
        edges.contains("Payments Team ownerOf Ledger database"),
        "{edges:?}"
    );

    // A parent loop draws, once each.
    let looped = site.read("catalog/default/group/loop-a/index.html");
    let (nodes, _) = diagram(&looped, "Org chart");
    assert_eq!(nodes.len(), 2, "{nodes:?}");
}

#[test]
fn the_home_page_maps_domains_systems_and_owners_within_a_cap() {
    let portal = Portal::empty();
    let mut yaml = String::from("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: owners\nspec:\n  type: team\n  children: []\n");
    for d in 0..12 {
        yaml += &format!("---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: domain-{d:02}\nspec:\n  owner: owners\n");
        for s in 0..8 {
            yaml += &format!("---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-{d:02}-{s}\nspec:\n  owner: owners\n  domain: domain-{d:02}\n");
        }
    }
    portal.write("repos/org/catalog-info.yaml", yaml);
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let home = site.read("index.html");
    let svg = graphs(&home)[0];
    let (nodes, edges) = parts(svg);
    assert_eq!(
        svg.matches("<g class=\"node ").count(),
        8 + 8 * 5 + 8 + 1 + 1,
        "8 domains, 5 systems each, a \"+3 more\" per domain, \"+4 more\" domains, the owner"
    );
    assert!(
        nodes.contains("+4 more") && nodes.contains("+3 more"),
        "{nodes:?}"
    );
    assert!(edges.contains("domain-00 hasPart system-00-0"), "{edges:?}");
    assert!(edges.contains("system-00-0 ownedBy owners"), "{edges:?}");
    let doc = roxmltree::Document::parse(svg).expect("parses");
    for link in doc.descendants().filter(|n| n.has_tag_name("a")) {
        let href = link.attribute("href").expect("href");
        let target = resolve_link("index.html", href).unwrap_or_default();
        assert!(site.exists(&target), "{href}");
    }
}

#[test]
fn graph_depth_two_adds_the_neighbours_relations() {
    let portal = Portal::copy_of(&example_org_dir());
    let config = std::fs::read_to_string(portal.path("greenroom.yaml")).expect("config");
    portal.write("greenroom.yaml", format!("{config}\ngraphs:\n  depth: 2\n"));
    portal.build(&[]).assert_code(0);
    let html = portal
        .site()
        .read("catalog/default/component/payments-gateway/index.html");
    let (nodes, edges) = parts(graphs(&html)[0]);
    assert!(nodes.contains("Checkout Service"), "{nodes:?}");
    assert!(
        edges.contains("Checkout Service consumesApi Payments REST API"),
        "{edges:?}"
    );

    portal.write("greenroom.yaml", format!("{config}\ngraphs:\n  depth: 3\n"));
    let (_, problems) = portal.check_json();
    let text = problems.to_string();
    assert!(
        text.contains("graphs.depth must be 1 or 2, not 3"),
        "{text}"
    );
}

#[test]
fn more_counts_each_left_out_entity_once() {
    let portal = Portal::empty();
    let component = |name: &str, depends: &[String]| {
        format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  dependsOn: [{}]\n",
            depends.join(", ")
        )
    };
    let targets: Vec<String> = (0..26).map(|i| format!("component:c{i:02}")).collect();
    let mut yaml = String::from("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\nspec:\n  type: team\n  children: []\n");
    yaml += &component("hub", &targets);
    for i in 0..26 {
        // The last ones depend back on the hub: two relations to the same left-out entity.
        let back = if i >= 22 {
            vec!["component:hub".to_string()]
        } else {
            Vec::new()
        };
        yaml += &component(&format!("c{i:02}"), &back);
    }
    portal.write("repos/hub/catalog-info.yaml", yaml);
    portal.build(&[]).assert_code(0);
    let html = portal
        .site()
        .read("catalog/default/component/hub/index.html");
    let (nodes, _) = parts(graphs(&html)[0]);
    // 26 dependencies and the owner: 24 drawn, 3 distinct entities left out.
    assert!(nodes.contains("+3 more"), "{nodes:?}");
}
