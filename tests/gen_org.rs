//! The benchmark's synthetic organisations: `examples/gen-org.rs` must be deterministic for a
//! seed, and what it writes must be a clean portal (every reference and doc link resolves),
//! or the benchmark would measure error handling instead of building.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The example binary `cargo test` builds beside the test executables.
fn gen_org() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/..");
    let path = profile_dir.join("examples").join("gen-org");
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds examples",
        path.display()
    );
    path
}

fn generate(out: &Path, args: &[&str]) {
    let status = Command::new(gen_org())
        .args(args)
        .arg(out)
        .status()
        .expect("gen-org runs");
    assert!(status.success(), "gen-org {args:?} failed");
}

/// Every file under `root` with its bytes, by relative path.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, std::fs::read(&path).expect("read")));
            }
        }
    }
    files.sort();
    files
}

const ARGS: &[&str] = &[
    "--repos",
    "7",
    "--entities",
    "150",
    "--pages",
    "90",
    "--seed",
    "7",
];

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    generate(&a, ARGS);
    generate(&b, ARGS);
    let mut other = ARGS.to_vec();
    other[7] = "8";
    generate(&c, &other);
    let first = tree(&a);
    assert!(first.len() > 20, "only {} files", first.len());
    assert!(first == tree(&b), "two runs with seed 7 differ");
    assert!(first != tree(&c), "seeds 7 and 8 wrote the same org");
}

#[test]
fn generated_orgs_check_clean_and_build_their_docs() {
    let portal = Portal::empty();
    generate(&portal.root, ARGS);
    let (run, diagnostics) = portal.check_json();
    run.assert_code(0);
    assert_eq!(diagnostics, Value::Array(Vec::new()), "{diagnostics}");

    portal.build(&[]).assert_code(0);
    let site = portal.site();
    let pages: Vec<String> = site
        .html_files()
        .into_iter()
        .filter(|p| p.starts_with("docs/default/component/"))
        .collect();
    assert_eq!(pages.len(), 90, "every generated page is built");
    let sites: std::collections::BTreeSet<&str> =
        pages.iter().filter_map(|p| p.split('/').nth(3)).collect();
    assert_eq!(sites.len(), 5, "20 pages per site: {sites:?}");
}

#[test]
fn single_site_mode_writes_every_peer_layout_from_the_same_pages() {
    let portal = Portal::empty();
    let org = portal.root.clone();
    generate(
        &org,
        &[
            "--repos",
            "1",
            "--entities",
            "50",
            "--pages",
            "120",
            "--single-site",
            "--seed",
            "3",
        ],
    );
    let docs = org.join("repos/repo-0000/docs-component-0/docs");
    let ours: Vec<(String, Vec<u8>)> = tree(&docs)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".md"))
        .collect();
    assert_eq!(ours.len(), 120);
    for page in ours.iter().skip(1).take(5) {
        let text = String::from_utf8_lossy(&page.1);
        assert_eq!(text.matches("```").count(), 2, "one code block: {}", page.0);
    }
    let peers = org.join("peers");
    for (layout, folder) in [
        ("mkdocs", "docs"),
        ("mkdocs-techdocs", "docs"),
        ("hugo", "content"),
        ("mdbook", "src"),
    ] {
        for (path, bytes) in &ours {
            let path = if layout == "hugo" && path == "index.md" {
                "_index.md"
            } else {
                path.as_str()
            };
            let copy = peers.join(layout).join(folder).join(path);
            assert_eq!(
                std::fs::read(&copy).ok().as_ref(),
                Some(bytes),
                "{layout} lacks {path}"
            );
        }
    }
    let summary = std::fs::read_to_string(peers.join("mdbook/src/SUMMARY.md")).expect("SUMMARY.md");
    assert_eq!(summary.matches("](./").count(), 120);
    let techdocs =
        std::fs::read_to_string(peers.join("mkdocs-techdocs/mkdocs.yml")).expect("mkdocs.yml");
    assert!(techdocs.contains("techdocs-core"));
    let (run, diagnostics) = portal.check_json();
    run.assert_code(0);
    assert_eq!(diagnostics, Value::Array(Vec::new()), "{diagnostics}");
}
