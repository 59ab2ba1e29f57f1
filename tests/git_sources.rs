//! `git:` sources, end to end: real repositories made with `git init` and commits in a temporary
//! folder, cloned by the real binary from `file://` URLs (and from `https://github.com/...` URLs
//! that git's own `url.<base>.insteadOf` configuration points at local repositories, so the
//! code-host links can be checked without a network).

mod common;

use common::git::{commit, component, file_url, git, make_repo, write, GitPortal};
use common::Site;
use serde_json::Value;
use std::time::{Duration, Instant};

/// diagnostics.json without the dangling-owner warnings (the test repositories name an owner
/// group no repository defines).
fn diagnostics(site: &Site) -> Vec<Value> {
    site.json("diagnostics.json")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| {
            !d["message"]
                .as_str()
                .unwrap_or("")
                .contains("spec.owner refers to")
        })
        .collect()
}

fn entity<'a>(entities: &'a Value, name: &str) -> &'a Value {
    entities["items"]
        .as_array()
        .and_then(|items| items.iter().find(|e| e["metadata"]["name"] == name))
        .unwrap_or_else(|| panic!("no entity {name} in entities.json"))
}

fn page(name: &str) -> String {
    common::entity_page("default", "component", name)
}

#[test]
fn clones_a_repository_and_links_files_on_its_code_host() {
    let p = GitPortal::new();
    make_repo(
        &p.remotes().join("payments.git"),
        &[
            (
                "catalog-info.yaml",
                &component(
                    "payments",
                    "  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
                ),
            ),
            ("docs/index.md", "# Payments\n\nHello.\n"),
            (
                "services/ledger/catalog-info.yaml",
                &component("ledger", ""),
            ),
        ],
    );
    p.redirect_github("https://github.com/acme/");
    p.config("sources:\n  - git: https://github.com/acme/payments.git\ndiscover: ['**/catalog-info.yaml']\n");
    let run = p.build(&[]);
    run.assert_code(0);
    let site = p.site();
    assert!(diagnostics(&site).is_empty(), "{:?}", diagnostics(&site));

    let html = site.read(&page("payments"));
    assert!(
        html.contains("href=\"https://github.com/acme/payments/blob/main/catalog-info.yaml\""),
        "view link: {html}"
    );
    assert!(html.contains("href=\"https://github.com/acme/payments/tree/main/\""));
    assert!(html.contains("github.com/acme/payments/catalog-info.yaml:1"));
    assert!(html.contains("<code class=\"branch\">main</code>"));
    assert!(!html.contains(".greenroom-cache"), "no cache path in pages");

    let entities = site.json("catalog/entities.json");
    let annotations = &entity(&entities, "ledger")["metadata"]["annotations"];
    assert_eq!(
        annotations["backstage.io/managed-by-location"],
        "url:https://github.com/acme/payments/blob/main/services/ledger/catalog-info.yaml"
    );
    assert_eq!(
        annotations["backstage.io/source-location"],
        "url:https://github.com/acme/payments/tree/main/services/ledger/"
    );
    assert_eq!(
        annotations["backstage.io/edit-url"],
        "https://github.com/acme/payments/edit/main/services/ledger/catalog-info.yaml"
    );

    let docs = site.read("docs/default/component/payments/index.html");
    assert!(
        docs.contains("href=\"https://github.com/acme/payments/edit/main/docs/index.md\""),
        "edit link on docs page"
    );
    // The clone sits in the cache under a stable, readable name.
    let cache = p.portal.path(".greenroom-cache/git");
    let names = common::entry_names(&cache);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        names[0].starts_with("github.com-acme-payments-"),
        "{names:?}"
    );
}

#[test]
fn a_ref_picks_a_branch_or_a_tag() {
    let p = GitPortal::new();
    let branchy = make_repo(
        &p.remotes().join("branchy"),
        &[("catalog-info.yaml", &component("on-main", ""))],
    );
    git(&branchy, &["checkout", "-q", "-b", "dev"]);
    git(&branchy, &["rm", "-q", "catalog-info.yaml"]);
    commit(
        &branchy,
        &[("catalog-info.yaml", &component("on-dev", ""))],
        "dev",
    );
    git(&branchy, &["checkout", "-q", "main"]);

    let tagged = make_repo(
        &p.remotes().join("tagged"),
        &[("catalog-info.yaml", &component("released", ""))],
    );
    git(&tagged, &["tag", "v1.0"]);
    git(&tagged, &["rm", "-q", "catalog-info.yaml"]);
    commit(
        &tagged,
        &[("catalog-info.yaml", &component("unreleased", ""))],
        "next",
    );

    p.config(&format!(
        "sources:\n  - git: {}\n    ref: dev\n  - git: {}\n    ref: v1.0\n",
        file_url(&branchy),
        file_url(&tagged)
    ));
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(site.exists(&page("on-dev")));
    assert!(!site.exists(&page("on-main")));
    assert!(site.exists(&page("released")));
    assert!(!site.exists(&page("unreleased")));
    assert!(site
        .read(&page("released"))
        .contains("<code class=\"branch\">v1.0</code>"));
    // file:// remotes have no web pages: files are located by path, as Backstage's file
    // locations are.
    let entities = site.json("catalog/entities.json");
    assert_eq!(
        entity(&entities, "on-dev")["metadata"]["annotations"]["backstage.io/managed-by-location"],
        "file:branchy/catalog-info.yaml"
    );
}

#[test]
fn a_new_commit_is_picked_up_on_the_next_build() {
    let p = GitPortal::new();
    let repo = make_repo(
        &p.remotes().join("app"),
        &[("catalog-info.yaml", &component("first", ""))],
    );
    // No `ref:`: the remote's HEAD, found again on update.
    p.config(&format!("sources:\n  - git: {}\n", file_url(&repo)));
    p.build(&[]).assert_code(0);
    assert!(p.site().exists(&page("first")));

    commit(
        &repo,
        &[(
            "catalog-info.yaml",
            &format!("{}---\n{}", component("first", ""), component("second", "")),
        )],
        "second",
    );
    // Something left in the checkout by hand does not survive an update.
    let cache = p.portal.path(".greenroom-cache/git");
    let clone = cache.join(&common::entry_names(&cache)[0]);
    write(
        &clone.join("stray/catalog-info.yaml"),
        &component("stray", ""),
    );
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(
        site.exists(&page("second")),
        "the update brought the new commit"
    );
    assert!(!clone.join("stray").exists());
    assert!(diagnostics(&site).is_empty(), "{:?}", diagnostics(&site));
    assert!(site
        .read(&page("second"))
        .contains("<code class=\"branch\">main</code>"));
}

#[test]
fn a_missing_repository_is_a_diagnostic_and_the_rest_builds() {
    let p = GitPortal::new();
    let good = make_repo(
        &p.remotes().join("good"),
        &[("catalog-info.yaml", &component("good", ""))],
    );
    let missing = p.remotes().join("missing");
    p.config(&format!(
        "sources:\n  - git: {}\n  - git: {}\n",
        file_url(&good),
        file_url(&missing)
    ));
    let run = p.build(&[]);
    run.assert_code(0);
    let site = p.site();
    assert!(site.exists(&page("good")));
    let found = diagnostics(&site);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "error");
    assert_eq!(found[0]["file"], "greenroom.yaml");
    assert_eq!(found[0]["line"], 3);
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cannot fetch") && message.contains("missing"),
        "{message}"
    );

    let before = common::snapshot(&p.portal.out);
    p.build(&["--strict"]).assert_code(1);
    assert_eq!(
        before,
        common::snapshot(&p.portal.out),
        "strict keeps the site"
    );
    p.run("check", &[]).assert_code(1);
}

#[test]
fn a_repository_without_a_descriptor_is_a_warning() {
    let p = GitPortal::new();
    let good = make_repo(
        &p.remotes().join("good"),
        &[("catalog-info.yaml", &component("good", ""))],
    );
    let bare = make_repo(&p.remotes().join("readme-only"), &[("README.md", "# hi\n")]);
    p.config(&format!(
        "sources:\n  - git: {}\n  - git: {}\n",
        file_url(&good),
        file_url(&bare)
    ));
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(site.exists(&page("good")));
    let found = diagnostics(&site);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "warning");
    assert!(found[0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("readme-only has no descriptor"));
}

#[test]
fn fifty_repositories_are_cloned_in_parallel() {
    let p = GitPortal::new();
    let mut config = String::from("sources:\n");
    for i in 0..50 {
        let repo = make_repo(
            &p.remotes().join(format!("svc-{i:02}")),
            &[("catalog-info.yaml", &component(&format!("svc-{i:02}"), ""))],
        );
        config.push_str(&format!("  - git: {}\n", file_url(&repo)));
    }
    p.config(&config);
    let started = Instant::now();
    let run = p.build(&[]);
    let cloned = started.elapsed();
    run.assert_code(0);
    let site = p.site();
    for i in 0..50 {
        assert!(site.exists(&page(&format!("svc-{i:02}"))), "svc-{i:02}");
    }
    assert!(diagnostics(&site).is_empty(), "{:?}", diagnostics(&site));
    let started = Instant::now();
    p.build(&[]).assert_code(0);
    let updated = started.elapsed();
    eprintln!(
        "50 repositories: clone and build {:.2} s, update and build {:.2} s",
        cloned.as_secs_f64(),
        updated.as_secs_f64()
    );
    assert!(cloned < Duration::from_secs(45), "{cloned:?}");
}

#[test]
fn credentials_never_reach_the_output_or_the_cache() {
    let p = GitPortal::new();
    make_repo(
        &p.remotes().join("secretive.git"),
        &[("catalog-info.yaml", &component("secretive", ""))],
    );
    p.redirect_github("https://bot:s3cr3t-token@github.com/acme/");
    p.config(
        "sources:\n  - git: https://bot:s3cr3t-token@github.com/acme/secretive.git\n  - git: https://bot:s3cr3t-token@127.0.0.1:9/acme/unreachable.git\n",
    );
    let run = p.build(&[]);
    run.assert_code(0);
    let site = p.site();
    assert!(site.exists(&page("secretive")));
    let html = site.read(&page("secretive"));
    assert!(html.contains("https://github.com/acme/secretive/blob/main/catalog-info.yaml"));
    let found = diagnostics(&site);
    assert_eq!(found.len(), 1, "{found:?}");
    let message = found[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("https://***@127.0.0.1:9/acme/unreachable.git"),
        "{message}"
    );

    for (name, bytes) in common::snapshot(&p.portal.out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cr3t"),
            "{name} holds the secret"
        );
    }
    assert!(!run.stdout.contains("s3cr3t") && !run.stderr.contains("s3cr3t"));
    let check = p.run("check", &["--format", "json"]);
    assert!(!check.stdout.contains("s3cr3t"));
    for (name, bytes) in common::snapshot(&p.portal.path(".greenroom-cache")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cr3t"),
            "cache file {name} holds the secret"
        );
    }
}

#[test]
fn a_stale_clone_is_used_when_the_remote_is_gone() {
    let p = GitPortal::new();
    let repo = make_repo(
        &p.remotes().join("fleeting"),
        &[("catalog-info.yaml", &component("fleeting", ""))],
    );
    p.config(&format!(
        "sources:\n  - git: {}\n    ref: main\n",
        file_url(&repo)
    ));
    p.build(&[]).assert_code(0);
    std::fs::remove_dir_all(&repo).expect("remove the remote");
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(
        site.exists(&page("fleeting")),
        "built from the earlier clone"
    );
    let found = diagnostics(&site);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "warning");
    assert!(found[0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("building from the copy fetched earlier"));
}

#[test]
fn local_checkouts_link_to_their_origin() {
    let p = GitPortal::new();
    let app = p.portal.path("repos/app");
    make_repo(&app, &[("catalog-info.yaml", &component("app", ""))]);
    git(
        &app,
        &["remote", "add", "origin", "git@gitlab.com:acme/app.git"],
    );
    git(&app, &["checkout", "-q", "-b", "feature/x"]);
    p.build(&[]).assert_code(0);
    let site = p.site();
    let html = site.read(&page("app"));
    assert!(
        html.contains("href=\"https://gitlab.com/acme/app/-/blob/feature/x/catalog-info.yaml\""),
        "{html}"
    );
    assert!(html.contains("repos/app/catalog-info.yaml:1"));
}

#[test]
fn bad_git_sources_are_configuration_errors_with_a_line() {
    for (yaml, expected) in [
        (
            "sources:\n  - path: repos\n    git: https://github.com/a/b.git\n",
            "not both",
        ),
        ("sources:\n  - ref: main\n", "needs `path:`"),
        (
            "sources:\n  - git: http://github.com/a/b.git\n",
            "unsupported git URL",
        ),
        (
            "sources:\n  - git: https://github.com/a/b.git\n    branch: x\n",
            "unknown key",
        ),
        (
            "cache: site/cache\n",
            "must not be inside the output folder",
        ),
    ] {
        let p = GitPortal::new();
        p.config(yaml);
        let run = p.run("check", &["--format", "json"]);
        run.assert_code(1);
        assert!(run.stdout.contains(expected), "{yaml}: {}", run.stdout);
        assert!(run.stdout.contains("\"line\":"), "{}", run.stdout);
    }
}

#[test]
fn a_backstage_app_config_is_read_when_there_is_no_greenroom_yaml() {
    let p = GitPortal::new();
    // A local checkout whose origin is on GitHub: url locations into it are read from disk.
    let app = p.portal.path("repos/app");
    make_repo(
        &app,
        &[
            ("catalog-info.yaml", &component("app", "")),
            ("extra/more.yaml", &component("extra", "")),
        ],
    );
    git(
        &app,
        &["remote", "add", "origin", "https://github.com/acme/app.git"],
    );
    p.portal.write(
        "org/teams.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    );
    p.portal.write(
        "app-config.yaml",
        "app:\n  title: Acme Backstage\n  baseUrl: http://localhost:3000\nbackend:\n  database:\n    client: better-sqlite3\n    connection: ':memory:'\nintegrations:\n  github:\n    - host: github.com\n      token: ${GITHUB_TOKEN}\ncatalog:\n  rules:\n    - allow: [Component, Group, Location]\n  locations:\n    - type: file\n      target: org/teams.yaml\n    - type: url\n      target: https://github.com/acme/app/blob/main/extra/more.yaml\n    - type: url\n      target: https://github.com/acme/elsewhere/blob/main/catalog-info.yaml\n",
    );
    p.build(&[]).assert_code(0);
    let site = p.site();
    assert!(site.read("index.html").contains("Acme Backstage"));
    assert!(site.exists(&common::entity_page("default", "group", "team-a")));
    assert!(site.exists(&page("app")));
    assert!(site.exists(&page("extra")));
    let entities = site.json("catalog/entities.json");
    assert_eq!(
        entity(&entities, "extra")["metadata"]["annotations"]["backstage.io/managed-by-location"],
        "url:https://github.com/acme/app/blob/main/extra/more.yaml"
    );
    let found = diagnostics(&site);
    let messages: Vec<&str> = found
        .iter()
        .map(|d| d["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(found.len(), 2, "{messages:?}");
    assert!(found.iter().all(|d| d["file"] == "app-config.yaml"));
    assert!(messages
        .iter()
        .any(|m| m.contains("environment placeholders")));
    assert!(messages
        .iter()
        .any(|m| m.contains("acme/elsewhere") && m.contains("not fetched")));
}
