//! The pull-request job: `check --repo DIR --against entities.json --format github` validates
//! one repository against the published portal, with annotations GitHub shows inline.

mod common;

use common::{example_org_dir, run, Portal};
use std::path::Path;

/// Builds example-org and returns (the portal holding it, a copy of its payments repository
/// outside the portal, the published entities.json).
fn published_and_repo() -> (Portal, std::path::PathBuf, std::path::PathBuf) {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let entities = portal.out.join("catalog/entities.json");
    assert!(entities.is_file());
    let repo = portal.tmp().join("pr/payments");
    common::copy_tree(&portal.path("repos/payments"), &repo, &|_| true);
    (portal, repo, entities)
}

fn check_repo(repo: &Path, extra: &[&str]) -> common::Run {
    let mut args = vec!["check", repo.to_str().expect("utf-8 path"), "--repo"];
    args.extend_from_slice(extra);
    run(&args)
}

fn line_of(file: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("read");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", file.display()))
}

#[test]
fn refs_to_the_published_portal_resolve_and_new_problems_are_annotated_inline() {
    let (_portal, repo, entities) = published_and_repo();
    let descriptor = repo.join("catalog-info.yaml");
    let text = std::fs::read_to_string(&descriptor).expect("read");
    // The last entity gets an invalid lifecycle (rejected), the first a dangling owner.
    let last = text.rfind("lifecycle: ").expect("a lifecycle");
    let end = last + text[last..].find('\n').expect("line end");
    let text = format!(
        "{}lifecycle: [not, a, string]{}",
        &text[..last],
        &text[end..]
    )
    .replacen("owner: team-payments", "owner: team-that-does-not-exist", 1);
    std::fs::write(&descriptor, text).expect("write");
    // A docs link to a catalog page that exists only in the published portal.
    let page = repo.join("docs/index.md");
    let docs = std::fs::read_to_string(&page).expect("read");
    std::fs::write(
        &page,
        format!("{docs}\nAsk [the SRE team](/catalog/default/group/team-platform) or [nobody](/catalog/default/group/nobody-here).\n"),
    )
    .expect("write");

    let against = entities.to_str().expect("utf-8");
    let checked = check_repo(&repo, &["--against", against, "--format", "github"]);
    checked.assert_code(1);
    let lines: Vec<&str> = checked.stdout.lines().collect();
    let owner_line = line_of(&descriptor, "team-that-does-not-exist");
    let lifecycle_line = line_of(&descriptor, "lifecycle: [not");
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "::warning file=catalog-info.yaml,line={owner_line},title=greenroom%3A component%3Adefault/payments-gateway::"
        )) && l.contains("team-that-does-not-exist")),
        "{}",
        checked.stdout
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=catalog-info.yaml,line=")
                && l.contains(&format!("line={lifecycle_line},"))),
        "{}",
        checked.stdout
    );
    // Entities that live elsewhere in the portal are not reported...
    for elsewhere in [
        "system:default/checkout",
        "api:default/order-events",
        "team-platform",
    ] {
        assert!(
            !checked.stdout.contains(elsewhere),
            "{elsewhere}: {}",
            checked.stdout
        );
    }
    // ...but a docs link to an entity nobody has is, at the docs file.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning file=docs/index.md,line=")
                && l.contains("nobody-here")),
        "{}",
        checked.stdout
    );
    assert!(lines
        .iter()
        .all(|l| l.starts_with("::") || l.starts_with("checked ")));
}

#[test]
fn without_the_published_catalog_refs_outside_the_repository_are_warnings() {
    let (_portal, repo, entities) = published_and_repo();
    let alone = check_repo(&repo, &["--format", "json"]);
    alone.assert_code(0);
    let diagnostics: serde_json::Value = serde_json::from_str(&alone.stdout).expect("json");
    let messages: Vec<&str> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("group:default/team-payments")),
        "{messages:?}"
    );
    assert!(diagnostics
        .as_array()
        .expect("array")
        .iter()
        .all(|d| d["file"]
            .as_str()
            .is_some_and(|f| !f.starts_with("payments/"))));
    let against = check_repo(&repo, &["--against", entities.to_str().expect("utf-8")]);
    against.assert_code(0);
    assert!(
        against.stdout.contains("0 errors, 0 warnings"),
        "{}",
        against.stdout
    );
    // --strict turns the warnings of the lone check into a failure.
    check_repo(&repo, &["--strict"]).assert_code(1);
}

#[test]
fn an_unreadable_published_catalog_stops_the_check() {
    let (portal, repo, _) = published_and_repo();
    let bogus = portal.tmp().join("bogus.json");
    std::fs::write(&bogus, "{\"no\": \"items\"}").expect("write");
    let bad = check_repo(&repo, &["--against", bogus.to_str().expect("utf-8")]);
    bad.assert_code(2);
    assert!(bad.stderr.contains("items"), "{}", bad.stderr);
    let missing = check_repo(&repo, &["--against", "/no/such/entities.json"]);
    missing.assert_code(2);
    // --against only makes sense for one repository.
    run(&["check", ".", "--against", "x.json"]).assert_code(2);
}
