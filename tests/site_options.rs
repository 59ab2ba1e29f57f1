//! Site-level options: theme overrides, pretty URLs, base_url (sitemap, 404), catalog rules.

use std::path::Path;
use std::process::Command;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const DESCRIPTORS: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc, title: The Service}
spec: {type: service, lifecycle: production, owner: team-a}
";

fn portal(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "repos/app/catalog-info.yaml", DESCRIPTORS);
    if !config.is_empty() {
        write(dir.path(), "greenroom.yaml", config);
    }
    dir
}

fn build(root: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_greenroom"))
        .arg("build")
        .arg(root)
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join("site").join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_portal_theme_file_overrides_one_template_and_adds_assets() {
    let dir = portal("");
    write(
        dir.path(),
        "theme/entity.html",
        "{% extends \"base.html\" %}{% block content %}<h1 id=custom>{{ entity.display_name }}</h1>{% endblock %}",
    );
    write(
        dir.path(),
        "theme/assets/logo.svg",
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    );
    let (ok, log) = build(dir.path());
    assert!(ok, "{log}");
    let page = read(dir.path(), "catalog/default/component/svc/index.html");
    assert!(page.contains("<h1 id=custom>The Service</h1>"), "{page}");
    let home = read(dir.path(), "index.html");
    assert!(
        !home.contains("id=custom"),
        "other templates keep the default"
    );
    assert!(dir.path().join("site/assets/logo.svg").is_file());
}

#[test]
fn a_broken_override_fails_the_build_and_keeps_the_previous_site() {
    let dir = portal("");
    let (ok, log) = build(dir.path());
    assert!(ok, "{log}");
    let before = read(dir.path(), "index.html");
    write(dir.path(), "theme/home.html", "{% if %}");
    let (ok, log) = build(dir.path());
    assert!(!ok, "a template syntax error must fail the build");
    assert!(log.contains("home.html"), "{log}");
    assert_eq!(read(dir.path(), "index.html"), before);
}

#[test]
fn pretty_urls_link_to_folders() {
    let dir = portal("pretty_urls: true\n");
    let (ok, log) = build(dir.path());
    assert!(ok, "{log}");
    let home = read(dir.path(), "index.html");
    assert!(home.contains("href=\"catalog/\""), "{home}");
    assert!(!home.contains("catalog/index.html"), "{home}");
    let page = read(dir.path(), "catalog/default/component/svc/index.html");
    assert!(
        page.contains("href=\"../../../../catalog/default/group/team-a/\""),
        "{page}"
    );
}

#[test]
fn base_url_adds_a_sitemap_and_absolute_links_on_the_404_page() {
    let dir = portal("base_url: https://portal.example.com/docs-portal/\n");
    let (ok, log) = build(dir.path());
    assert!(ok, "{log}");
    let sitemap = read(dir.path(), "sitemap.xml");
    assert!(sitemap.contains("<loc>https://portal.example.com/docs-portal/catalog/default/component/svc/index.html</loc>"), "{sitemap}");
    assert!(!sitemap.contains("404.html"));
    let not_found = read(dir.path(), "404.html");
    assert!(
        not_found.contains("href=\"https://portal.example.com/docs-portal/index.html\""),
        "{not_found}"
    );

    let plain = portal("");
    assert!(build(plain.path()).0);
    assert!(!plain.path().join("site/sitemap.xml").exists());
}

#[test]
fn catalog_rules_reject_kinds_that_are_not_allowed() {
    let dir = portal("catalog:\n  rules:\n    - allow: [Component, API]\n");
    let output = Command::new(env!("CARGO_BIN_EXE_greenroom"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let diagnostics: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let messages: Vec<&str> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        vec![
            "kind Group is not allowed by catalog.rules in greenroom.yaml",
            "spec.owner refers to group:default/team-a, which is not in the catalog",
        ]
    );
}

#[test]
fn the_out_option_and_config_key_choose_the_folder() {
    let dir = portal("out: public\n");
    assert!(build(dir.path()).0);
    assert!(dir.path().join("public/index.html").is_file());
    assert!(!dir.path().join("site").exists());
}
