//! The build cache across runs: `manifest.json`, pages skipped when their inputs are unchanged,
//! unchanged files kept with their inode, and the highlight memo.

mod common;

use common::{example_org_dir, snapshot, Portal, Run};
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Inode and modification time of every file of a site, by site path.
fn identities(root: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    common::list_files(root)
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(root.join(&path)).expect("metadata");
            (path, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// Files whose inode changed between two [`identities`] (new files included).
fn replaced(
    before: &BTreeMap<String, (u64, i64, i64)>,
    after: &BTreeMap<String, (u64, i64, i64)>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(path, id)| before.get(*path) != Some(id))
        .map(|(path, _)| path.clone())
        .collect()
}

/// `(rendered, unchanged, written, kept)` from the summary line.
fn counts(run: &Run) -> (usize, usize, usize, usize) {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_else(|| panic!("no summary line; {}", run.describe()));
    let inside = line
        .split_once(" s (")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside)
        .unwrap_or_else(|| panic!("no counts in {line:?}"));
    let numbers: Vec<usize> = inside
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("number"))
        .collect();
    assert_eq!(numbers.len(), 4, "{line}");
    (numbers[0], numbers[1], numbers[2], numbers[3])
}

fn edit(portal: &Portal, relative: &str, from: &str, to: &str) {
    let path = portal.path(relative);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{relative} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn manifest_lists_every_file_with_its_hash() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let manifest: Value = portal.site().json("manifest.json");
    assert_eq!(manifest["version"], 1);
    let files = manifest["files"].as_object().expect("files");
    let on_disk = snapshot(&portal.out);
    let listed: Vec<&String> = files.keys().collect();
    let expected: Vec<&String> = on_disk.keys().filter(|p| *p != "manifest.json").collect();
    assert_eq!(
        listed, expected,
        "the manifest lists exactly the site's files"
    );
    for (path, bytes) in &on_disk {
        if path == "manifest.json" {
            continue;
        }
        let entry = &files[path];
        assert_eq!(entry["bytes"], bytes.len() as u64, "{path}");
        assert_eq!(
            entry["hash"],
            format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes)),
            "{path}"
        );
        assert_eq!(entry["key"].as_str().map(str::len), Some(32), "{path}");
    }
}

#[test]
fn an_unchanged_rebuild_writes_nothing_new() {
    let portal = Portal::copy_of(&example_org_dir());
    let first = portal.build(&[]);
    first.assert_code(0);
    let (rendered, unchanged, _, kept) = counts(&first);
    assert!(
        rendered > 200 && unchanged == 0 && kept == 0,
        "{}",
        first.stdout
    );
    let before = identities(&portal.out);
    let bytes_before = snapshot(&portal.out);

    let second = portal.build(&[]);
    second.assert_code(0);
    assert_eq!(
        counts(&second),
        (0, rendered, 0, before.len() - 1),
        "{}",
        second.stdout
    );
    let after = identities(&portal.out);
    assert_eq!(
        replaced(&before, &after),
        Vec::<String>::new(),
        "every file keeps its inode and modification time, manifest.json included"
    );
    assert_eq!(snapshot(&portal.out), bytes_before);

    // --clean renders everything again, to the same bytes.
    let clean = portal.build(&["--clean"]);
    clean.assert_code(0);
    assert_eq!(counts(&clean).0, rendered, "{}", clean.stdout);
    assert_eq!(snapshot(&portal.out), bytes_before);
}

#[test]
fn a_descriptor_change_rerenders_only_the_pages_that_show_it() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let before = identities(&portal.out);
    edit(
        &portal,
        "repos/payments/catalog-info.yaml",
        "description: ",
        "description: Freshly edited. ",
    );
    let run = portal.build(&[]);
    run.assert_code(0);
    let (rendered, unchanged, written, _) = counts(&run);
    let after = identities(&portal.out);
    let changed = replaced(&before, &after);
    let changed_pages: Vec<&String> = changed.iter().filter(|p| p.ends_with(".html")).collect();
    assert_eq!(changed_pages.len(), rendered, "{changed_pages:?}");
    assert_eq!(
        changed.len(),
        written + 1,
        "written files plus the manifest"
    );
    assert!(
        rendered > 0 && rendered * 10 < unchanged,
        "a one-entity change re-renders a few pages: {}",
        run.stdout
    );
    let own = common::entity_page("default", "component", "payments-gateway");
    assert!(changed.contains(&own), "{changed:?}");
    assert!(portal.site().read(&own).contains("Freshly edited."));
    // The owner lists the description; an unrelated entity does not.
    assert!(changed.contains(&common::entity_page("default", "group", "team-payments")));
    let unrelated = common::entity_page("default", "component", "search-api");
    if before.contains_key(&unrelated) {
        assert!(!changed.contains(&unrelated), "{changed:?}");
    }
    assert!(!changed
        .iter()
        .any(|p| p.starts_with("docs/default/component/storefront")));
}

#[test]
fn a_docs_edit_rerenders_that_page_and_the_search_index_only() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let before = identities(&portal.out);
    let page = portal.path("repos/payments/docs/runbook.md");
    let text = std::fs::read_to_string(&page).expect("read");
    std::fs::write(&page, format!("{text}\nA brand-new closing paragraph.\n")).expect("write");
    let run = portal.build(&[]);
    run.assert_code(0);
    assert_eq!(counts(&run).0, 1, "{}", run.stdout);
    let changed = replaced(&before, &identities(&portal.out));
    let html: Vec<&String> = changed.iter().filter(|p| p.ends_with(".html")).collect();
    assert_eq!(html.len(), 1, "{changed:?}");
    assert!(html[0].contains("runbook"), "{html:?}");
    assert!(
        changed
            .iter()
            .all(|p| p.ends_with(".html") || p.starts_with("search/") || p == "manifest.json"),
        "{changed:?}"
    );
}

#[test]
fn deleting_an_entity_removes_its_pages_and_manifest_entries() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let page = common::entity_page("default", "component", "payments-gateway");
    assert!(portal.site().exists(&page));
    std::fs::remove_dir_all(portal.path("repos/payments")).expect("remove repo");
    let run = portal.build(&[]);
    run.assert_code(0);
    assert!(!portal.site().exists(&page));
    assert!(!portal
        .site()
        .exists("docs/default/component/payments-gateway/index.html"));
    let manifest: Value = portal.site().json("manifest.json");
    let files = manifest["files"].as_object().expect("files");
    assert!(!files.keys().any(|p| p.contains("payments-gateway")));
    assert_eq!(files.len() + 1, common::list_files(&portal.out).len());
}

#[test]
fn a_damaged_highlight_memo_or_manifest_only_costs_time() {
    let portal = Portal::copy_of(&example_org_dir());
    portal.build(&[]).assert_code(0);
    let memo = portal.path(".greenroom-cache/highlight.memo");
    assert!(
        std::fs::metadata(&memo).is_ok_and(|m| m.len() > 1000),
        "the build saves highlighted code for the next one"
    );
    let reference = snapshot(&portal.out);
    // A memo cut in half and one of garbage; a manifest that lies about a file's size.
    let bytes = std::fs::read(&memo).expect("memo");
    std::fs::write(&memo, &bytes[..bytes.len() / 2]).expect("cut");
    let page = common::entity_page("default", "component", "payments-gateway");
    std::fs::write(portal.out.join(&page), "tampered").expect("tamper");
    let run = portal.build(&[]);
    run.assert_code(0);
    assert_eq!(snapshot(&portal.out), reference, "{}", run.stdout);
    std::fs::write(&memo, "garbage").expect("garbage");
    std::fs::write(portal.out.join("manifest.json"), "{not json").expect("tamper manifest");
    portal.build(&[]).assert_code(0);
    assert_eq!(snapshot(&portal.out), reference);
}
