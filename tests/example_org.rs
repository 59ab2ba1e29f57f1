//! End-to-end tests on `example-org/`, a realistic portal of 83 entities: it checks clean, builds
//! into a site whose every page and link exists, stitches relations both ways, builds the same
//! bytes twice, replaces the previous site atomically, and refuses to clobber foreign folders.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Entities in example-org.
const ENTITIES: usize = 83;

/// A copy of example-org, built into its `out` folder; the build must succeed.
fn built() -> (Portal, Run) {
    let portal = Portal::copy_of(&example_org_dir());
    let run = portal.build(&[]);
    run.assert_code(0);
    (portal, run)
}

/// The items of `catalog/entities.json`.
fn items(site: &Site) -> Vec<Value> {
    site.json("catalog/entities.json")["items"]
        .as_array()
        .expect("entities.json has an items array")
        .clone()
}

fn canonical_ref(item: &Value) -> String {
    format!(
        "{}:{}/{}",
        item["kind"].as_str().expect("kind").to_lowercase(),
        item["metadata"]["namespace"]
            .as_str()
            .expect("namespace filled in")
            .to_lowercase(),
        item["metadata"]["name"]
            .as_str()
            .expect("name")
            .to_lowercase()
    )
}

fn item<'a>(items: &'a [Value], entity_ref: &str) -> &'a Value {
    items
        .iter()
        .find(|i| canonical_ref(i) == entity_ref)
        .unwrap_or_else(|| panic!("{entity_ref} is not in entities.json"))
}

fn has_relation(item: &Value, relation: &str, target: &str) -> bool {
    item["relations"]
        .as_array()
        .expect("relations array")
        .iter()
        .any(|r| r["type"] == relation && r["targetRef"] == target)
}

/// Site-relative targets of every relative link on a page.
fn page_targets(site: &Site, page: &str) -> BTreeSet<String> {
    links_of(&site.read(page))
        .iter()
        .filter(|l| !is_external_or_fragment(l))
        .filter_map(|l| resolve_link(page, l))
        .collect()
}

// -------------------------------------------------------------------------------------- check

#[test]
fn check_is_clean() {
    let portal = Portal::copy_of(&example_org_dir());
    let (run, diagnostics) = portal.check_json();
    run.assert_code(0);
    assert_eq!(
        diagnostics,
        Value::Array(Vec::new()),
        "example-org must have no diagnostics"
    );
    let human = portal.check(&[]);
    human.assert_code(0);
    assert_eq!(
        human.stdout,
        format!("checked {ENTITIES} entities: 0 errors, 0 warnings\n"),
        "{}",
        human.describe()
    );
    let strict = portal.check(&["--strict"]);
    strict.assert_code(0);
}

// -------------------------------------------------------------------------------------- build

#[test]
fn build_has_one_page_per_entity() {
    let (portal, run) = built();
    let site = portal.site();

    // The summary line: "built 83 entities, N pages, 0 errors, 0 warnings in X s → OUT".
    let summary = run
        .stdout
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_else(|| panic!("no summary line; {}", run.describe()));
    let summary_entities: usize = summary["built ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the entity count in {summary:?}"));
    assert!(summary.contains(" 0 errors, 0 warnings"), "{summary}");
    assert!(
        summary.ends_with(&portal.out.display().to_string()),
        "{summary}"
    );

    let document = site.json("catalog/entities.json");
    let items = items(&site);
    assert_eq!(
        document["totalItems"],
        items.len(),
        "totalItems counts the items"
    );
    assert_eq!(
        items.len(),
        summary_entities,
        "the summary counts the exported entities"
    );
    assert_eq!(items.len(), ENTITIES);
    assert!(document["pageInfo"].is_object(), "pageInfo is an object");

    let mut expected_pages = BTreeSet::new();
    for item in &items {
        let page = entity_page(
            item["metadata"]["namespace"].as_str().expect("namespace"),
            item["kind"].as_str().expect("kind"),
            item["metadata"]["name"].as_str().expect("name"),
        );
        assert!(
            site.exists(&page),
            "{} has no page at {page}",
            canonical_ref(item)
        );
        assert!(expected_pages.insert(page), "two entities share a page");
        for relation in item["relations"].as_array().expect("relations") {
            let target = &relation["target"];
            assert_eq!(
                relation["targetRef"],
                format!(
                    "{}:{}/{}",
                    target["kind"].as_str().expect("target.kind"),
                    target["namespace"].as_str().expect("target.namespace"),
                    target["name"].as_str().expect("target.name")
                ),
                "targetRef and target agree in {}",
                canonical_ref(item)
            );
            assert!(relation["type"].is_string());
        }
    }
    let entity_pages: BTreeSet<String> = site
        .html_files()
        .into_iter()
        .filter(|f| {
            f.starts_with("catalog/")
                && !f.starts_with("catalog/_by/")
                && f.matches('/').count() == 4
        })
        .collect();
    assert_eq!(
        entity_pages, expected_pages,
        "no entity pages beyond the exported entities"
    );

    for file in [
        "index.html",
        "catalog/index.html",
        "problems/index.html",
        "404.html",
    ] {
        assert!(site.exists(file), "{file} is missing");
    }
    assert!(site.exists("catalog/_by/kind/component/index.html"));
    assert!(
        site.files().iter().any(|f| f.starts_with("assets/")),
        "assets are published"
    );
    assert_eq!(site.json("diagnostics.json"), Value::Array(Vec::new()));
}

/// Checks every link of every page: relative ones (and absolute ones under `base_url`, when
/// given) must name an existing file. Returns how many were checked and the broken ones.
fn broken_links(site: &Site, base_url: Option<&str>) -> (usize, Vec<String>) {
    let files: BTreeSet<String> = site.files().into_iter().collect();
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in site.html_files() {
        for link in links_of(&site.read(&page)) {
            let target = match base_url.and_then(|base| link.strip_prefix(base)) {
                Some(inside) => resolve_link("index.html", inside),
                None if is_external_or_fragment(&link) => continue,
                None => resolve_link(&page, &link),
            };
            checked += 1;
            match target {
                Some(target) if files.contains(&target) => {}
                target => broken.push(format!("{page}: {link:?} -> {target:?}")),
            }
        }
    }
    (checked, broken)
}

#[test]
fn every_relative_link_resolves() {
    let (portal, _) = built();
    let (checked, broken) = broken_links(&portal.site(), None);
    assert!(
        checked > ENTITIES * 5,
        "only {checked} links checked; is the link reader broken?"
    );
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

/// With `pretty_urls` links name folders, and with `base_url` the 404 page links absolutely and a
/// sitemap lists every page: all of them must still lead to files of the site.
#[test]
fn pretty_urls_and_base_url_links_resolve() {
    let base = "https://portal.acme.example/dev/";
    let portal = Portal::copy_of(&example_org_dir());
    let config = std::fs::read_to_string(portal.path("greenroom.yaml")).expect("config");
    portal.write(
        "greenroom.yaml",
        format!("{config}pretty_urls: true\nbase_url: {base}\n"),
    );
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let (checked, broken) = broken_links(&site, Some(base));
    assert!(checked > ENTITIES * 5, "only {checked} links checked");
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    let gateway = site.read(&entity_page("default", "component", "payments-gateway"));
    assert!(
        links_of(&gateway)
            .iter()
            .any(|l| l.ends_with("/group/team-payments/")),
        "pretty_urls links to folders"
    );

    let sitemap = site.read("sitemap.xml");
    let locations: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|rest| rest.split("</loc>").next().unwrap_or(""))
        .collect();
    let mut listed = BTreeSet::new();
    for location in &locations {
        let inside = location
            .strip_prefix(base)
            .unwrap_or_else(|| panic!("sitemap entry outside base_url: {location}"));
        let file = resolve_link("index.html", &unescape_html(inside)).expect("inside the site");
        assert!(
            site.exists(&file),
            "sitemap lists {location}, which is not a page"
        );
        listed.insert(file);
    }
    let pages: BTreeSet<String> = site
        .html_files()
        .into_iter()
        .filter(|p| p != "404.html" && p != "search/index.html")
        .collect();
    assert_eq!(
        listed, pages,
        "the sitemap lists every page but 404.html and the search page"
    );
}

#[test]
fn relations_are_stitched_both_ways() {
    let (portal, _) = built();
    let site = portal.site();
    let items = items(&site);

    // Declared on both sides.
    let team = item(&items, "group:default/team-checkout");
    let jane = item(&items, "user:default/jane-doe");
    assert!(
        has_relation(team, "hasMember", "user:default/jane-doe"),
        "{team}"
    );
    assert!(
        has_relation(jane, "memberOf", "group:default/team-checkout"),
        "{jane}"
    );

    // Declared only by the user: the group still gets hasMember.
    let storefront = item(&items, "group:default/team-storefront");
    let emma = item(&items, "user:default/emma-nowak");
    assert!(has_relation(
        emma,
        "memberOf",
        "group:default/team-storefront"
    ));
    assert!(
        has_relation(storefront, "hasMember", "user:default/emma-nowak"),
        "{storefront}"
    );

    // Declared only by the group (spec.members) and echoed on the user.
    let commerce = item(&items, "group:default/commerce");
    let lena = item(&items, "user:default/lena-fischer");
    assert!(has_relation(
        commerce,
        "hasMember",
        "user:default/lena-fischer"
    ));
    assert!(has_relation(lena, "memberOf", "group:default/commerce"));

    // Component providesApi ↔ API apiProvidedBy; owner ↔ ownerOf; parent ↔ child.
    let gateway = item(&items, "component:default/payments-gateway");
    let api = item(&items, "api:default/payments-api");
    assert!(has_relation(
        gateway,
        "providesApi",
        "api:default/payments-api"
    ));
    assert!(
        has_relation(api, "apiProvidedBy", "component:default/payments-gateway"),
        "{api}"
    );
    assert!(has_relation(
        gateway,
        "ownedBy",
        "group:default/team-payments"
    ));
    assert!(has_relation(
        item(&items, "group:default/team-payments"),
        "ownerOf",
        "component:default/payments-gateway"
    ));
    assert!(has_relation(commerce, "childOf", "group:default/acme"));
    assert!(has_relation(
        item(&items, "group:default/acme"),
        "parentOf",
        "group:default/commerce"
    ));

    // Every relation to an entity in the catalog has its inverse on the target.
    let inverse = |t: &str| -> &str {
        match t {
            "ownedBy" => "ownerOf",
            "ownerOf" => "ownedBy",
            "partOf" => "hasPart",
            "hasPart" => "partOf",
            "providesApi" => "apiProvidedBy",
            "apiProvidedBy" => "providesApi",
            "consumesApi" => "apiConsumedBy",
            "apiConsumedBy" => "consumesApi",
            "dependsOn" => "dependencyOf",
            "dependencyOf" => "dependsOn",
            "childOf" => "parentOf",
            "parentOf" => "childOf",
            "memberOf" => "hasMember",
            "hasMember" => "memberOf",
            other => panic!("unknown relation type {other}"),
        }
    };
    let mut missing = Vec::new();
    for source in &items {
        let source_ref = canonical_ref(source);
        for relation in source["relations"].as_array().expect("relations") {
            let kind = relation["type"].as_str().expect("type");
            let target_ref = relation["targetRef"].as_str().expect("targetRef");
            let target = item(&items, target_ref);
            if !has_relation(target, inverse(kind), &source_ref) {
                missing.push(format!(
                    "{source_ref} {kind} {target_ref}, but no {} back",
                    inverse(kind)
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    // The pages show it too.
    let jane_page = entity_page("default", "user", "jane-doe");
    assert!(page_targets(&site, &jane_page).contains(&entity_page(
        "default",
        "group",
        "team-checkout"
    )));
    let api_page = entity_page("default", "api", "payments-api");
    assert!(page_targets(&site, &api_page).contains(&entity_page(
        "default",
        "component",
        "payments-gateway"
    )));
}

#[test]
fn group_page_lists_what_its_subgroups_own() {
    let (portal, _) = built();
    let site = portal.site();
    let gateway = entity_page("default", "component", "payments-gateway");
    // team-payments owns payments-gateway; checkout-and-payments is its parent, acme the root.
    for group in ["team-payments", "checkout-and-payments", "acme"] {
        let page = entity_page("default", "group", group);
        assert!(
            page_targets(&site, &page).contains(&gateway),
            "{page} does not list payments-gateway, owned by its subgroup team-payments"
        );
    }
    // ...and not what a sibling area owns.
    let commerce = entity_page("default", "group", "commerce");
    assert!(!page_targets(&site, &commerce).contains(&gateway));
}

#[test]
fn api_definitions_are_highlighted_on_their_reference_pages() {
    let (portal, _) = built();
    let site = portal.site();
    for api in ["payments-api", "checkout-api"] {
        let page = entity_page("default", "api", api);
        let reference = format!("catalog/default/api/{api}/reference/index.html");
        assert!(
            site.read(&page)
                .contains(&format!("/api/{api}/reference/index.html\"")),
            "{page} does not link to its reference"
        );
        let html = site.read(&reference);
        assert!(
            html.contains("class=\"hl-"),
            "{reference} has no highlighted source"
        );
    }
    assert!(site.exists("assets/highlight.css"));
}

#[test]
fn no_javascript_urls_anywhere() {
    let (portal, _) = built();
    let site = portal.site();
    for file in site.files() {
        if !(file.ends_with(".html") || file.ends_with(".json")) {
            continue;
        }
        let text = unescape_html(&site.read(&file)).to_ascii_lowercase();
        assert!(!text.contains("javascript:"), "{file} contains javascript:");
    }
}

#[test]
fn every_output_folder_holds_something() {
    // Folders are made ahead of the pages (some while the model is still being built); one
    // made for a page that is never written would be left empty in the published site.
    let (portal, _) = built();
    let site = portal.site();
    let empty: Vec<_> = walkdir::WalkDir::new(&site.root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .filter(|e| std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_none()))
        .map(|e| e.path().display().to_string())
        .collect();
    assert!(empty.is_empty(), "empty folders in the site: {empty:?}");
}

// -------------------------------------------------------------------------------- determinism

#[test]
fn builds_are_deterministic() {
    let portal = Portal::copy_of(&example_org_dir());
    let a = assert_deterministic_build(&portal);
    assert!(a.len() > ENTITIES);
}

// --------------------------------------------------------------------------------- atomicity

/// A portal copy with an extra repository holding a broken descriptor.
fn broken_copy() -> Portal {
    let portal = Portal::copy_of(&example_org_dir());
    portal.write(
        "repos/zz-broken/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Componnet\nmetadata:\n  name: broken\nspec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n",
    );
    portal
}

#[test]
fn strict_build_with_problems_leaves_the_previous_site_untouched() {
    let clean = Portal::copy_of(&example_org_dir());
    let parent = clean.tmp().join("published");
    std::fs::create_dir_all(&parent).expect("mkdir");
    let out = parent.join("site");
    clean.build_to(&out, &["--strict"]).assert_code(0);
    let before = snapshot_with_folders(&out);
    assert!(before.contains_key("index.html"));

    let broken = broken_copy();
    let run = broken.build_to(&out, &["--strict"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("repos/zz-broken/catalog-info.yaml:2: error: unknown kind 'Componnet'"),
        "the strict failure says why; {}",
        run.describe()
    );
    assert!(
        run.stderr.contains("build failed (--strict)"),
        "{}",
        run.describe()
    );
    let after = snapshot_with_folders(&out);
    assert!(
        before == after,
        "a failed --strict build changed the previous site"
    );
    assert_eq!(
        entry_names(&parent),
        vec!["site"],
        "staging folders left beside the output"
    );

    // A clean rebuild over it still replaces it, and leaves nothing beside it either.
    clean.build_to(&out, &["--strict"]).assert_code(0);
    assert_eq!(snapshot_with_folders(&out), before);
    assert_eq!(entry_names(&parent), vec!["site"]);
}

#[test]
fn non_strict_build_publishes_and_reports_problems() {
    let portal = broken_copy();
    let run = portal.build(&[]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(&format!("built {ENTITIES} entities")),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout.contains("1 errors, 0 warnings"),
        "{}",
        run.describe()
    );
    let site = portal.site();
    let diagnostics = site.json("diagnostics.json");
    let list = diagnostics.as_array().expect("an array");
    assert_eq!(list.len(), 1, "{diagnostics}");
    assert_eq!(list[0]["file"], "repos/zz-broken/catalog-info.yaml");
    assert_eq!(list[0]["line"], 2);
    assert_eq!(list[0]["severity"], "error");
    let problems = site.read_unescaped("problems/index.html");
    assert!(
        problems.contains("repos/zz-broken/catalog-info.yaml"),
        "the problems page names the file"
    );
    assert!(
        problems.contains("Componnet"),
        "the problems page shows the message"
    );
    assert!(site.exists(&entity_page("default", "component", "payments-gateway")));
}

// ---------------------------------------------------------------------------------- refusals

#[test]
fn refuses_to_replace_a_folder_greenroom_did_not_write() {
    let portal = Portal::copy_of(&example_org_dir());
    let foreign = portal.tmp().join("documents");
    std::fs::create_dir_all(foreign.join("notes")).expect("mkdir");
    std::fs::write(foreign.join("thesis.txt"), "years of work").expect("write");
    std::fs::write(foreign.join("notes/todo.md"), "- finish").expect("write");
    let before = snapshot_with_folders(&foreign);
    let siblings = entry_names(portal.tmp());

    let run = portal.build_to(&foreign, &[]);
    run.assert_no_crash();
    assert_ne!(
        run.code(),
        Some(0),
        "building into a foreign folder must fail; {}",
        run.describe()
    );
    assert!(run.stderr.contains("refusing"), "{}", run.describe());
    assert_eq!(
        snapshot_with_folders(&foreign),
        before,
        "the foreign folder was changed"
    );
    assert_eq!(
        entry_names(portal.tmp()),
        siblings,
        "something was written beside it"
    );
}

#[test]
fn refuses_to_replace_a_file() {
    let portal = Portal::copy_of(&example_org_dir());
    let folder = portal.tmp().join("documents");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let file = folder.join("notes.txt");
    std::fs::write(&file, "precious").expect("write");

    let run = portal.build_to(&file, &[]);
    run.assert_no_crash();
    assert_ne!(
        run.code(),
        Some(0),
        "--out naming a file must fail; {}",
        run.describe()
    );
    assert!(
        run.stderr.contains("refusing"),
        "the refusal says why; {}",
        run.describe()
    );
    assert!(file.is_file(), "the file was replaced; {}", run.describe());
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "precious");
    assert_eq!(
        entry_names(&folder),
        vec!["notes.txt"],
        "files left beside it"
    );
}

#[test]
fn refuses_to_write_over_the_portal_itself() {
    let portal = Portal::copy_of(&example_org_dir());
    let before = snapshot_with_folders(&portal.root);
    for out in [
        portal.root.clone(),
        portal.tmp().to_path_buf(),
        portal.path("repos"),
    ] {
        let run = portal.build_to(&out, &[]);
        run.assert_no_crash();
        assert_ne!(
            run.code(),
            Some(0),
            "--out {} must be refused; {}",
            out.display(),
            run.describe()
        );
        assert!(run.stderr.contains("refusing"), "{}", run.describe());
    }
    assert_eq!(
        snapshot_with_folders(&portal.root),
        before,
        "the portal was changed"
    );
}

// ------------------------------------------------------------------------------------------ CLI

#[test]
fn help_and_version() {
    let build = run(&["build", "--help"]);
    build.assert_code(0);
    for flag in ["--out", "--strict"] {
        assert!(
            build.stdout.contains(flag),
            "build --help lacks {flag}; {}",
            build.describe()
        );
    }
    let check = run(&["check", "--help"]);
    check.assert_code(0);
    for flag in ["--format", "--strict"] {
        assert!(
            check.stdout.contains(flag),
            "check --help lacks {flag}; {}",
            check.describe()
        );
    }
    let version = run(&["--version"]);
    version.assert_code(0);
    assert_eq!(
        version.stdout.trim(),
        format!("greenroom {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_usage_errors_exit_2() {
    let unknown = run(&["check", "--no-such-flag"]);
    unknown.assert_code(2);
    assert!(
        unknown.stderr.contains("--no-such-flag"),
        "{}",
        unknown.describe()
    );
    let format = run(&["check", "--format", "yaml"]);
    format.assert_code(2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = tmp.path().join("no-such-portal");
    let cannot_run = run(&[std::ffi::OsStr::new("check"), missing.as_os_str()]);
    cannot_run.assert_code(2);
    assert!(
        !Path::new(&missing).exists(),
        "check created the portal root"
    );
}

/// Progress is drawn only on a terminal: a CI log (no terminal) gets no carriage returns or
/// escape codes, just the diagnostics and the one-line summary.
#[test]
fn no_progress_output_without_a_terminal() {
    let portal = Portal::copy_of(&example_org_dir());
    let run = portal.build(&[]);
    run.assert_code(0);
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains('\r') && !text.contains('\u{1b}'),
            "{stream} has terminal control characters: {text:?}"
        );
    }
    let summary = run.stdout.trim_end();
    assert!(
        summary.starts_with("built 83 entities, ")
            && summary.contains(" pages, 0 errors, 0 warnings in "),
        "{summary}"
    );
}
