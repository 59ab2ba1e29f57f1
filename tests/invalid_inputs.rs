//! Bad input must be reported, never crash the binary, and never stop the rest of the portal
//! from building.
//!
//! Each case in `tests/fixtures/invalid/<case>/` is a portal root with the bad thing in
//! `repos/app/` (and sometimes more files) plus the valid repository `repos/ok/` (Group `ok-team`
//! owning Component `ok-service`). `expected.json` is the exact array `check --format json`
//! prints. For every case the tests assert that `check` and `build` exit with 0 or 1 (never a
//! panic, signal or hang), that the diagnostics are exactly the expected ones (in `check` and in
//! the site's `diagnostics.json`), and that `ok-service` still gets its page.
//!
//! Inputs too big or too odd for git (a 20 MB file, 20,000-deep nesting, symlinks) are generated
//! at run time into the temporary copy; their expected diagnostics are written inline.
//!
//! To refresh `expected.json` after an intended message change: `GREENROOM_BLESS=1 cargo test
//! --test invalid_inputs`, then review the diff.

mod common;

use common::*;
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::time::Duration;

/// Every committed case folder; `every_fixture_folder_has_a_test` keeps this list honest.
const CASES: &[&str] = &[
    "alias-bomb",
    "annotation-not-string",
    "api-missing-definition",
    "comment-only",
    "component-missing-spec-fields",
    "config-unknown-key",
    "dangling-owner",
    "depends-on-without-kind",
    "duplicate-entity",
    "empty-file",
    "group-missing-children",
    "group-parent-cycle",
    "hostile-text",
    "invalid-label",
    "invalid-name",
    "invalid-namespace",
    "invalid-tag",
    "javascript-link",
    "kind-typo",
    "location-target-escapes",
    "location-target-missing",
    "missing-name",
    "not-utf8",
    "root-is-list",
    "root-is-scalar",
    "subcomponent-cycle",
    "template-missing-steps",
    "text-escapes-repo",
    "text-missing-file",
    "text-symlink-outside",
    "unknown-root-field",
    "user-missing-memberof",
    "wrong-api-version",
    "yaml-tab-indent",
    "yaml-unclosed-bracket",
];

/// What a case run leaves for further assertions.
struct Outcome {
    portal: Portal,
    diagnostics: Value,
}

impl Outcome {
    fn site(&self) -> Site {
        self.portal.site()
    }
}

/// Runs `check` and `build` on a prepared portal and asserts the invariants every case shares:
/// no crash, the exact diagnostics in both outputs, the right exit codes, and the valid
/// repository's page in the site.
fn run_portal(portal: Portal, expected: &Value, timeout: Duration) -> Outcome {
    let (check, diagnostics) = portal.check_json_within(timeout);
    assert!(
        diagnostics == *expected,
        "check diagnostics differ\n--- expected ---\n{}\n--- actual ---\n{}",
        serde_json::to_string_pretty(expected).expect("serialise"),
        serde_json::to_string_pretty(&diagnostics).expect("serialise"),
    );
    check.assert_code(if has_errors(&diagnostics) { 1 } else { 0 });
    assert_files_exist(&portal, &diagnostics);

    let build = portal.build_to_within(&portal.out, &[], timeout);
    build.assert_no_crash();
    build.assert_code(0);
    let site = portal.site();
    assert!(
        site.exists(OK_PAGE),
        "the valid repository's component has no page ({OK_PAGE}); {}",
        build.describe()
    );
    let written: Value = serde_json::from_str(&portal.normalise(&site.read("diagnostics.json")))
        .expect("diagnostics.json is JSON");
    assert_eq!(
        written, diagnostics,
        "diagnostics.json of the build differs from what check reported"
    );
    Outcome {
        portal,
        diagnostics,
    }
}

/// A diagnostic's `file` is for jumping to: it must name something that exists in the portal.
fn assert_files_exist(portal: &Portal, diagnostics: &Value) {
    for d in diagnostics.as_array().expect("an array") {
        if let Some(file) = d["file"].as_str() {
            assert!(
                std::fs::symlink_metadata(portal.path(file)).is_ok(),
                "diagnostic names {file:?}, which does not exist in the portal: {d}"
            );
        }
    }
}

/// Runs one committed case against its `expected.json`.
fn case(name: &str) -> Outcome {
    case_with(name, |_| {})
}

/// Runs one committed case after `prepare` changed the temporary copy (symlinks and the like).
fn case_with(name: &str, prepare: impl FnOnce(&Portal)) -> Outcome {
    let folder = format!("invalid/{name}");
    let portal = Portal::fixture(&folder);
    prepare(&portal);
    let (_, diagnostics) = portal.check_json();
    let expected_file = fixtures_dir().join(&folder).join("expected.json");
    assert_json_file(&expected_file, &diagnostics, name);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(&expected_file).expect("expected.json"))
            .expect("JSON");
    run_portal(portal, &expected, DEFAULT_TIMEOUT)
}

/// A portal holding only the valid repository, for cases generated at run time.
fn generated() -> Portal {
    Portal::fixture("valid-minimal")
}

/// Asserts that no output file contains `needle`.
fn assert_nowhere_in_site(site: &Site, needle: &str) {
    for (path, bytes) in site.tree() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(needle), "{path} contains {needle:?}");
    }
}

/// The item of `catalog/entities.json` with this canonical ref, if any.
fn entity_item(site: &Site, entity_ref: &str) -> Option<Value> {
    site.json("catalog/entities.json")["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| {
            let kind = item["kind"].as_str().unwrap_or("").to_lowercase();
            let namespace = item["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_lowercase();
            let name = item["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_lowercase();
            format!("{kind}:{namespace}/{name}") == entity_ref
        })
        .cloned()
}

fn diagnostic(
    severity: &str,
    file: &str,
    line: Option<u64>,
    entity: Option<&str>,
    message: &str,
) -> Value {
    json!({"severity": severity, "file": file, "line": line, "entity": entity, "message": message})
}

// --------------------------------------------------------------------------------- bookkeeping

#[test]
fn every_fixture_folder_has_a_test() {
    let folders = entry_names(&fixtures_dir().join("invalid"));
    assert_eq!(
        folders, CASES,
        "tests/fixtures/invalid/ and CASES must list the same cases"
    );
    let ok = std::fs::read(fixtures_dir().join("valid-minimal/repos/ok/catalog-info.yaml"))
        .expect("base repo");
    for case in CASES {
        let folder = fixtures_dir().join("invalid").join(case);
        assert!(
            folder.join("expected.json").is_file(),
            "{case} has no expected.json"
        );
        let repo = std::fs::read(folder.join("repos/ok/catalog-info.yaml"))
            .unwrap_or_else(|e| panic!("{case} has no valid repository: {e}"));
        assert_eq!(
            repo, ok,
            "{case}: repos/ok must be the same valid repository as valid-minimal"
        );
    }
}

#[test]
fn the_valid_repository_alone_is_clean() {
    let outcome = run_portal(generated(), &json!([]), DEFAULT_TIMEOUT);
    assert!(outcome
        .site()
        .exists("catalog/default/group/ok-team/index.html"));
}

// ------------------------------------------------------------------------------- YAML and files

#[test]
fn yaml_unclosed_bracket() {
    case("yaml-unclosed-bracket");
}

#[test]
fn yaml_tab_in_indentation() {
    case("yaml-tab-indent");
}

#[test]
fn non_utf8_file() {
    let outcome = case("not-utf8");
    assert!(!outcome
        .site()
        .exists("catalog/default/component/latin1/index.html"));
}

#[test]
fn empty_file() {
    case("empty-file");
}

#[test]
fn comment_only_file() {
    case("comment-only");
}

#[test]
fn document_that_is_a_list() {
    let outcome = case("root-is-list");
    assert!(!outcome
        .site()
        .exists("catalog/default/component/in-a-list/index.html"));
}

#[test]
fn document_that_is_a_bare_scalar() {
    case("root-is-scalar");
}

#[test]
fn yaml_alias_bomb() {
    let started = std::time::Instant::now();
    case("alias-bomb");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "an alias bomb must be refused quickly, took {:?}",
        started.elapsed()
    );
}

// ------------------------------------------------------------------------------------ envelope

#[test]
fn unknown_kind_with_a_typo() {
    let outcome = case("kind-typo");
    let human = outcome.portal.check(&[]);
    human.assert_code(1);
    assert!(
        human.stdout.contains(
            "repos/app/catalog-info.yaml:2: error: unknown kind 'Componnet' (did you mean 'Component'?)"
        ),
        "human format must read file:line: severity: message; {}",
        human.describe()
    );
    assert!(
        human
            .stdout
            .contains("checked 2 entities: 1 errors, 0 warnings"),
        "{}",
        human.describe()
    );
}

#[test]
fn wrong_api_version() {
    case("wrong-api-version");
}

#[test]
fn unknown_root_field() {
    case("unknown-root-field");
}

#[test]
fn missing_metadata_name() {
    case("missing-name");
}

#[test]
fn invalid_name() {
    case("invalid-name");
}

#[test]
fn invalid_namespace() {
    case("invalid-namespace");
}

#[test]
fn invalid_tag() {
    case("invalid-tag");
}

#[test]
fn invalid_labels() {
    case("invalid-label");
}

#[test]
fn annotation_with_a_non_string_value() {
    case("annotation-not-string");
}

// -------------------------------------------------------------------------- required spec fields

#[test]
fn component_without_type_lifecycle_and_owner() {
    let outcome = case("component-missing-spec-fields");
    assert!(!outcome
        .site()
        .exists("catalog/default/component/half-done/index.html"));
}

#[test]
fn api_without_a_string_definition() {
    case("api-missing-definition");
}

#[test]
fn group_without_children() {
    case("group-missing-children");
}

#[test]
fn user_without_member_of() {
    case("user-missing-memberof");
}

#[test]
fn template_without_steps_or_actions() {
    case("template-missing-steps");
}

#[test]
fn depends_on_without_a_kind() {
    case("depends-on-without-kind");
}

// --------------------------------------------------------------------------- references, graph

#[test]
fn dangling_owner_is_a_warning_and_the_page_marks_it() {
    let outcome = case("dangling-owner");
    assert_eq!(outcome.diagnostics.as_array().map(Vec::len), Some(1));
    let site = outcome.site();
    let page = "catalog/default/component/orphaned/index.html";
    assert!(
        site.exists(page),
        "an entity with a dangling owner is still published"
    );
    let html = site.read_unescaped(page);
    assert!(
        html.contains("team-that-left"),
        "the page names the missing owner"
    );
    assert!(
        html.contains("unresolved"),
        "the page marks the owner as unresolved"
    );
    for link in links_of(&site.read(page)) {
        let resolved = resolve_link(page, &link).unwrap_or_default();
        assert!(
            !resolved.contains("team-that-left"),
            "the missing owner must not be linked: {link}"
        );
    }
    let item = entity_item(&site, "component:default/orphaned").expect("exported");
    // Warnings only: check passes, check --strict and build --strict fail without writing.
    outcome.portal.check(&["--strict"]).assert_code(1);
    let strict_out = outcome.portal.tmp().join("strict-out");
    outcome
        .portal
        .build_to(&strict_out, &["--strict"])
        .assert_code(1);
    assert!(
        !strict_out.exists(),
        "a failed --strict build must not write anything"
    );
    assert!(
        item["relations"]
            .as_array()
            .expect("relations")
            .iter()
            .any(|r| r["type"] == "ownedBy" && r["targetRef"] == "group:default/team-that-left"),
        "the relation to a missing entity is still recorded, as Backstage does: {item}"
    );
}

#[test]
fn same_entity_in_two_repositories() {
    let outcome = case("duplicate-entity");
    let message = outcome.diagnostics[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("repos/app/catalog-info.yaml")
            && outcome.diagnostics[0]["file"] == "repos/fork/catalog-info.yaml",
        "the conflict names both files"
    );
    let site = outcome.site();
    let html = site.read("catalog/default/component/shared-thing/index.html");
    assert!(
        html.contains("The definition from the app repository."),
        "the first definition wins"
    );
    assert!(!html.contains("The definition from the fork."));
    let items = site.json("catalog/entities.json")["items"].clone();
    let copies = items
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| {
            i["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("shared-thing"))
        })
        .count();
    assert_eq!(copies, 1, "exported once");
}

#[test]
fn group_parent_cycle_terminates() {
    let outcome = case("group-parent-cycle");
    for name in ["team-alpha", "team-beta", "team-gamma"] {
        assert!(
            outcome
                .site()
                .exists(&format!("catalog/default/group/{name}/index.html")),
            "{name} is still published"
        );
    }
}

#[test]
fn subcomponent_cycle_terminates() {
    let outcome = case("subcomponent-cycle");
    for name in ["chicken", "egg"] {
        assert!(outcome
            .site()
            .exists(&format!("catalog/default/component/{name}/index.html")));
    }
}

// ------------------------------------------------------------------------ placeholders, targets

#[test]
fn text_placeholder_to_a_missing_file() {
    let outcome = case("text-missing-file");
    assert!(!outcome
        .site()
        .exists("catalog/default/api/missing-spec-api/index.html"));
}

#[test]
fn text_placeholder_leaving_the_repository() {
    let outcome = case("text-escapes-repo");
    assert!(!outcome
        .site()
        .exists("catalog/default/api/sneaky-api/index.html"));
    assert_nowhere_in_site(&outcome.site(), "TOP-SECRET-PORTAL-FILE");
}

#[cfg(unix)]
#[test]
fn text_placeholder_through_a_symlink_leaving_the_repository() {
    let outcome = case_with("text-symlink-outside", |portal| {
        portal.symlink("../../secret.txt", "repos/app/openapi.yaml");
        assert!(
            portal.path("repos/app/openapi.yaml").is_file(),
            "the symlink resolves"
        );
    });
    assert!(!outcome
        .site()
        .exists("catalog/default/api/symlinked-api/index.html"));
    assert_nowhere_in_site(&outcome.site(), "TOP-SECRET-PORTAL-FILE");
}

#[test]
fn location_target_missing() {
    case("location-target-missing");
}

#[test]
fn location_target_leaving_the_repository() {
    let outcome = case("location-target-escapes");
    let site = outcome.site();
    assert!(!site.exists("catalog/default/component/must-not-load/index.html"));
    assert!(entity_item(&site, "component:default/must-not-load").is_none());
}

// ------------------------------------------------------------------------------- hostile input

#[test]
fn javascript_links_are_never_hrefs() {
    let outcome = case("javascript-link");
    let site = outcome.site();
    let page = "catalog/default/component/clicky/index.html";
    assert!(
        site.exists(page),
        "the entity is kept; only its links are dropped"
    );
    assert!(
        links_of(&site.read(page))
            .iter()
            .any(|l| l == "https://grafana.example/d/clicky"),
        "the valid link is still shown"
    );
    for file in site.html_files() {
        for link in links_of(&site.read(&file)) {
            let squeezed: String = link
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(
                !squeezed.contains("javascript:"),
                "{file} links to {link:?}"
            );
        }
    }
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let outcome = case("hostile-text");
    let site = outcome.site();
    let page = "catalog/default/component/hostile/index.html";
    assert!(site.exists(page));
    assert!(
        site.read_unescaped(page)
            .contains("<script>alert(1)</script>"),
        "the title is shown (escaped), not dropped"
    );
    let html_files = site.html_files();
    assert!(html_files.len() > 5);
    for file in &html_files {
        let html = site.read(file);
        for raw in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "\" onmouseover=\"alert(1)",
            "\"><script>",
        ] {
            assert!(
                !html.contains(raw),
                "{file} contains the raw markup {raw:?}"
            );
        }
    }
    for path in site.files() {
        assert!(
            !path.contains(['<', '>', '"', '\'', ' ']),
            "output path built from hostile text: {path}"
        );
    }
}

// -------------------------------------------------------------------------------- configuration

/// A typo in greenroom.yaml is reported with its line and a hint, and `build` refuses to
/// publish: with the config dropped, registered locations, title and output folder would
/// silently fall back to defaults. The previous site stays.
#[test]
fn unknown_key_in_greenroom_yaml() {
    let folder = "invalid/config-unknown-key";
    let portal = Portal::fixture(folder);
    let (check, diagnostics) = portal.check_json();
    assert_json_file(
        &fixtures_dir().join(folder).join("expected.json"),
        &diagnostics,
        "config-unknown-key",
    );
    check.assert_code(1);

    let build = portal.build_to(&portal.out, &[]);
    build.assert_no_crash();
    build.assert_code(1);
    assert!(
        build.stderr.contains("greenroom.yaml has errors"),
        "{}",
        build.describe()
    );
    assert!(!portal.out.exists(), "nothing may be published");
}

// ---------------------------------------------------------------------- generated at run time

#[test]
fn descriptor_over_the_size_limit() {
    let portal = generated();
    let mut text = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: huge\n  description: |\n",
    );
    let line = format!("    {}\n", "x".repeat(95));
    text.reserve(20 * 1024 * 1024 + 200);
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(&line);
    }
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: ok-team\n");
    portal.write("repos/app/catalog-info.yaml", &text);
    drop(text);
    let expected = json!([diagnostic(
        "error",
        "repos/app/catalog-info.yaml",
        None,
        None,
        "file is 20.0 MB; greenroom reads files up to 10 MB"
    )]);
    let outcome = run_portal(portal, &expected, Duration::from_secs(30));
    assert!(!outcome
        .site()
        .exists("catalog/default/component/huge/index.html"));
}

fn assert_too_deep(text: &str, line: u64) {
    let portal = generated();
    portal.write("repos/app/catalog-info.yaml", text);
    let expected = json!([diagnostic(
        "error",
        "repos/app/catalog-info.yaml",
        Some(line),
        None,
        "YAML error: document is nested too deeply (more than 128 levels)"
    )]);
    let started = std::time::Instant::now();
    run_portal(portal, &expected, Duration::from_secs(20));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "refusing deep nesting must be quick (check + build took {:?})",
        started.elapsed()
    );
}

#[test]
fn deep_flow_sequence_nesting() {
    assert_too_deep(
        &format!("{}{}\n", "[".repeat(20_000), "]".repeat(20_000)),
        1,
    );
}

#[test]
fn deep_flow_mapping_nesting() {
    assert_too_deep(
        &format!("{}1{}\n", "{a: ".repeat(20_000), "}".repeat(20_000)),
        1,
    );
}

#[test]
fn deep_block_sequence_nesting() {
    assert_too_deep(&format!("{}x\n", "- ".repeat(20_000)), 1);
}

#[test]
fn deep_block_mapping_nesting() {
    // One space per level keeps 2,000 levels at 2 MB; 20,000 would need 200 MB. The parser gives
    // up at level 129, which is on line 129.
    let mut text = String::new();
    for level in 0..2_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("a:\n");
    }
    text.push_str(&" ".repeat(2_000));
    text.push_str("end\n");
    assert_too_deep(&text, 129);
}

/// Deep nesting must be refused in time proportional to the input. Flow sequences are; flow
/// mappings (`{a: {a: ...}}`) take time growing with the square of the depth, so a 240 KB file
/// (far under the 10 MB limit) stalls the check.
#[test]
fn deep_flow_mapping_nesting_is_refused_in_linear_time() {
    let depth = 60_000;
    let linear = generated();
    linear.write(
        "repos/app/catalog-info.yaml",
        format!("{}{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    let baseline = linear.check_json_within(Duration::from_secs(30)).0;
    baseline
        .assert_code(1)
        .assert_faster_than(Duration::from_secs(10));

    let mappings = generated();
    mappings.write(
        "repos/app/catalog-info.yaml",
        format!("{}1{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
    );
    let run = run_in(
        mappings.tmp(),
        &[
            OsStr::new("check"),
            mappings.root.as_os_str(),
            OsStr::new("--format"),
            OsStr::new("json"),
        ],
        Duration::from_secs(10),
    );
    run.assert_faster_than(Duration::from_secs(10));
    run.assert_code(1);
    assert!(
        run.stdout.contains("nested too deeply"),
        "{}",
        run.describe()
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_inside_a_repository() {
    let portal = generated();
    portal.write("greenroom.yaml", "discover: [\"**/catalog-info.yaml\"]\n");
    portal.write(
        "repos/app/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: loopy\nspec:\n  type: service\n  lifecycle: production\n  owner: ok-team\n",
    );
    portal.symlink(".", "repos/app/loop");
    std::fs::create_dir_all(portal.path("repos/app/sub")).expect("mkdir");
    portal.symlink("..", "repos/app/sub/up");
    let expected = json!([
        diagnostic(
            "warning",
            "repos/app/loop",
            None,
            None,
            "symlink loop; not followed"
        ),
        diagnostic(
            "warning",
            "repos/app/sub/up",
            None,
            None,
            "symlink loop; not followed"
        ),
    ]);
    let outcome = run_portal(portal, &expected, Duration::from_secs(20));
    assert!(outcome
        .site()
        .exists("catalog/default/component/loopy/index.html"));
    let site = outcome.site();
    let entities = site.json("catalog/entities.json");
    assert_eq!(
        entities["totalItems"], 3,
        "loopy, ok-service and ok-team, each once"
    );
}

/// A checkout that is a symlink (`repos/linked -> ~/src/linked`) is read as a repository, so its
/// files must be reported relative to the portal root like any other, and the host's absolute
/// path must not end up in the published site.
#[cfg(unix)]
#[test]
fn symlinked_checkout_keeps_portal_relative_paths() {
    let portal = generated();
    let elsewhere = portal.tmp().join("elsewhere/linked");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::fs::write(
        elsewhere.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: linked\nspec:\n  type: service\n  lifecycle: production\n  owner: team-that-left\n",
    )
    .expect("write");
    portal.symlink(&elsewhere, "repos/linked");
    let expected = json!([diagnostic(
        "warning",
        "repos/linked/catalog-info.yaml",
        Some(8),
        Some("component:default/linked"),
        "spec.owner refers to group:default/team-that-left, which is not in the catalog"
    )]);
    let outcome = run_portal(portal, &expected, DEFAULT_TIMEOUT);
    assert!(outcome
        .site()
        .exists("catalog/default/component/linked/index.html"));
    assert_nowhere_in_site(&outcome.site(), &outcome.portal.tmp().to_string_lossy());
}

/// Pointed at a folder that is not a portal (no greenroom.yaml, no repos/), check must say so
/// without blaming a file that does not exist.
#[test]
fn folder_without_config_or_repositories() {
    let portal = Portal::empty();
    let (run, diagnostics) = portal.check_json();
    run.assert_code(1);
    let list = diagnostics.as_array().expect("an array");
    assert_eq!(list.len(), 1, "{diagnostics}");
    assert_eq!(list[0]["severity"], "error");
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("\"repos\""),
        "{diagnostics}"
    );
    assert_files_exist(&portal, &diagnostics);
}

/// A repository's `catalog-info.yaml` that is a symlink out of the repository is refused; the
/// refusal must name that file (there may be hundreds of repositories), not greenroom.yaml.
#[cfg(unix)]
#[test]
fn descriptor_symlink_leaving_the_repository() {
    let portal = generated();
    portal.write(
        "secret.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: top-secret\nspec:\n  type: service\n  lifecycle: production\n  owner: ok-team\n",
    );
    std::fs::create_dir_all(portal.path("repos/app")).expect("mkdir");
    portal.symlink("../../secret.yaml", "repos/app/catalog-info.yaml");
    let (run, diagnostics) = portal.check_json();
    let list = diagnostics.as_array().expect("an array");
    assert_eq!(list.len(), 1, "{diagnostics}");
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("symlink"),
        "{diagnostics}"
    );
    assert_eq!(
        list[0]["file"],
        "repos/app/catalog-info.yaml",
        "the diagnostic must name the symlink; {}",
        run.describe()
    );
    let build = portal.build(&[]);
    build.assert_code(0);
    assert!(portal.site().exists(OK_PAGE));
    assert!(!portal
        .site()
        .exists("catalog/default/component/top-secret/index.html"));
}

// ------------------------------------------------------------------- found in the issue-2 audit

/// A valid Component document.
fn component_yaml(name: &str, owner: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n")
}

/// A Location document naming `targets`.
fn location_yaml(name: &str, targets: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  targets: [{targets}]\n")
}

const COMPONENT_WITH_TEXT: &str = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: piped\nspec:\n  type: openapi\n  lifecycle: production\n  owner: ok-team\n  definition:\n    $text: ./pipe\n";

/// A named pipe is not a file: reading it would block forever. As a `$text` target and as a
/// repository's catalog-info.yaml it is refused at once, naming the pipe.
#[cfg(unix)]
#[test]
fn named_pipes_are_refused_not_read() {
    let portal = generated();
    portal.write("repos/app/catalog-info.yaml", COMPONENT_WITH_TEXT);
    std::fs::create_dir_all(portal.path("repos/fifo-repo")).expect("mkdir");
    let made = std::process::Command::new("mkfifo")
        .arg(portal.path("repos/app/pipe"))
        .arg(portal.path("repos/fifo-repo/catalog-info.yaml"))
        .status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed for this test"
    );
    let expected = json!([
        diagnostic(
            "error",
            "repos/app/catalog-info.yaml",
            Some(10),
            Some("api:default/piped"),
            "placeholder $text could not read \"./pipe\": not a regular file (a folder, pipe or device is never read)"
        ),
        diagnostic(
            "warning",
            "repos/fifo-repo/catalog-info.yaml",
            None,
            None,
            "not a regular file (a folder, pipe or device); not read"
        ),
    ]);
    run_portal(portal, &expected, Duration::from_secs(20));
}

/// Finding the line of each of 30,000 list items must not rescan the document each time
/// (that took minutes): the whole check stays well inside the time limit.
#[test]
fn huge_member_lists_are_located_in_linear_time() {
    let portal = generated();
    let mut text = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: everyone\nspec:\n  type: team\n  children: []\n  members:\n",
    );
    for i in 0..30_000 {
        text.push_str(&format!("    - user-{i}\n"));
    }
    portal.write("repos/app/catalog-info.yaml", text);
    let (run, diagnostics) = portal.check_json_within(Duration::from_secs(60));
    run.assert_code(0)
        .assert_faster_than(Duration::from_secs(30));
    let list = diagnostics.as_array().expect("array");
    assert_eq!(list.len(), 30_000, "one dangling-member warning each");
    assert_eq!(list[29_999]["line"], 30_008, "the last member's own line");
}

/// `exclude` applies to Location globs too: a vendored dependency's descriptor under
/// node_modules is not an entity of the org.
#[test]
fn location_globs_skip_excluded_folders() {
    let portal = generated();
    portal.write(
        "repos/app/catalog-info.yaml",
        location_yaml("app", "\"./**/entity.yaml\""),
    );
    let component = |name: &str| component_yaml(name, "ok-team");
    portal.write("repos/app/lib/entity.yaml", component("ours"));
    portal.write(
        "repos/app/node_modules/dep/entity.yaml",
        component("vendored"),
    );
    let outcome = run_portal(portal, &json!([]), DEFAULT_TIMEOUT);
    let site = outcome.site();
    assert!(site.exists("catalog/default/component/ours/index.html"));
    assert!(!site.exists("catalog/default/component/vendored/index.html"));
}

/// Backstage does not trim references: `owner: " ok-team"` is accepted and simply points at
/// no entity, so greenroom warns instead of rejecting the component.
#[test]
fn references_with_spaces_dangle_instead_of_rejecting() {
    let portal = generated();
    portal.write(
        "repos/app/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: spaced\nspec:\n  type: service\n  lifecycle: production\n  owner: \" ok-team\"\n",
    );
    let expected = json!([diagnostic(
        "warning",
        "repos/app/catalog-info.yaml",
        Some(8),
        Some("component:default/spaced"),
        "spec.owner refers to group:default/ ok-team, which is not in the catalog"
    )]);
    let outcome = run_portal(portal, &expected, DEFAULT_TIMEOUT);
    assert!(outcome
        .site()
        .exists("catalog/default/component/spaced/index.html"));
}

/// `$json` and `$yaml` substitute parsed data (not text); a `$yaml` file must hold exactly one
/// document; JSON Schema's `$ref` is left alone, as Backstage leaves it.
#[test]
fn json_and_yaml_placeholders_substitute_data() {
    let portal = generated();
    portal.write(
        "repos/app/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: placeholders\n  labels:\n    $json: ./labels.json\n  annotations:\n    $yaml: ./annotations.yaml\nspec:\n  type: service\n  lifecycle: production\n  owner: ok-team\n  schema:\n    $ref: \"#/definitions/x\"\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: two-docs\n  annotations:\n    $yaml: ./two.yaml\nspec:\n  type: service\n  lifecycle: production\n  owner: ok-team\n",
    );
    portal.write("repos/app/labels.json", "{\"tier\": \"gold\"}");
    portal.write(
        "repos/app/annotations.yaml",
        "acme.example/pager: checkout\n",
    );
    portal.write("repos/app/two.yaml", "a: 1\n---\nb: 2\n");
    let expected = json!([diagnostic(
        "error",
        "repos/app/catalog-info.yaml",
        Some(21),
        Some("component:default/two-docs"),
        "placeholder $yaml could not read \"./two.yaml\": expected exactly one YAML document, found 2"
    )]);
    let outcome = run_portal(portal, &expected, DEFAULT_TIMEOUT);
    let entities = outcome.site().json("catalog/entities.json");
    let item = entities["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["metadata"]["name"] == "placeholders")
        .expect("the entity is published")
        .clone();
    assert_eq!(item["metadata"]["labels"]["tier"], "gold");
    assert_eq!(
        item["metadata"]["annotations"]["acme.example/pager"],
        "checkout"
    );
    assert_eq!(item["spec"]["schema"]["$ref"], "#/definitions/x");
    assert!(!outcome
        .site()
        .exists("catalog/default/component/two-docs/index.html"));
}

/// A rejected entity is not in the catalog, but its document still names its owner: the
/// problems page files its problems under that team, not under "No known owner".
#[test]
fn rejected_entities_are_grouped_under_the_owner_they_name() {
    let outcome = case("invalid-tag");
    let page = outcome.site().read("problems/index.html");
    let section = page
        .split("<section class=\"owner-problems\"")
        .find(|s| s.contains("repos/app/catalog-info.yaml"))
        .expect("a section lists the broken file");
    assert!(
        section.contains(">ok-team</a>"),
        "filed under ok-team: {section}"
    );
    assert!(!page.contains("No known owner"), "{page}");
}

/// Backstage reads a Location's targets only once the Location itself is valid: a Location
/// with an invalid name adds nothing to the catalog, and the file it names is reported as not
/// read (its own problems are not, since it was never read).
#[test]
fn targets_of_a_rejected_location_are_not_read() {
    let portal = generated();
    portal.write(
        "repos/app/catalog-info.yaml",
        location_yaml("bad name!", "./more.yaml"),
    );
    portal.write(
        "repos/app/more.yaml",
        component_yaml("reached", "nobody-checks-this"),
    );
    let (_, diagnostics) = portal.check_json();
    let list = diagnostics.as_array().expect("array");
    assert!(
        list.iter()
            .any(|d| d["file"] == "repos/app/catalog-info.yaml"
                && d["severity"] == "error"
                && d["entity"] == "location:default/bad name!"),
        "the Location itself is rejected: {diagnostics}"
    );
    assert!(
        list.contains(&diagnostic(
            "warning",
            "repos/app/more.yaml",
            None,
            None,
            "not read: this file is a target of the Location in repos/app/catalog-info.yaml (document 1), which was rejected"
        )),
        "{diagnostics}"
    );
    assert!(
        !list.iter().any(|d| d["message"]
            .as_str()
            .unwrap_or("")
            .contains("nobody-checks-this")),
        "the unread file's own problems are not reported: {diagnostics}"
    );
    portal.build(&[]).assert_code(0);
    assert!(!portal
        .site()
        .exists("catalog/default/component/reached/index.html"));
    assert!(portal.site().exists(OK_PAGE));
}

/// With `catalog.rules` not allowing Location, no Location's targets are followed.
#[test]
fn targets_of_a_disallowed_location_are_not_read() {
    let portal = generated();
    portal.write(
        "greenroom.yaml",
        "catalog:\n  rules:\n    - allow: [Component, Group]\n",
    );
    portal.write(
        "repos/app/catalog-info.yaml",
        location_yaml("fine-name", "./more.yaml"),
    );
    portal.write("repos/app/more.yaml", component_yaml("reached", "ok-team"));
    portal.build(&[]).assert_code(0);
    assert!(!portal
        .site()
        .exists("catalog/default/component/reached/index.html"));
    assert!(portal.site().exists(OK_PAGE));
}

/// Backstage's per-location rules: `catalog.locations[].rules` add kinds for the files read
/// through that location (and the files its Location entities name); a global rule with
/// `locations` applies only there. Everywhere else `catalog.rules` alone decides.
#[test]
fn per_location_rules_add_kinds_for_that_location_only() {
    let portal = generated();
    portal.write(
        "greenroom.yaml",
        "catalog:\n  rules:\n    - allow: [Component]\n    - allow: [Location]\n      locations:\n        - type: file\n          pattern: \"org/*\"\n  locations:\n    - type: file\n      target: org/teams.yaml\n      rules:\n        - allow: [Group]\n",
    );
    portal.write(
        "org/teams.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: org-team\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more-teams\nspec:\n  targets: [./more.yaml]\n",
    );
    portal.write(
        "org/more.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: reached-team\nspec:\n  type: team\n  children: []\n",
    );
    let (_, diagnostics) = portal.check_json();
    let rejected: Vec<&str> = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .is_some_and(|m| m.contains("not allowed by catalog.rules"))
        })
        .filter_map(|d| d["entity"].as_str())
        .collect();
    assert_eq!(
        rejected,
        vec!["group:default/ok-team"],
        "only the repository's group is refused: {diagnostics}"
    );
    portal.build(&[]).assert_code(0);
    let site = portal.site();
    assert!(site.exists("catalog/default/group/org-team/index.html"));
    assert!(site.exists("catalog/default/group/reached-team/index.html"));
    assert!(site.exists("catalog/default/location/more-teams/index.html"));
    assert!(!site.exists("catalog/default/group/ok-team/index.html"));
    assert!(site.exists(OK_PAGE));
}

/// Only a greenroom.yaml that cannot be used stops the build. A registered location whose file
/// is gone is a problem reported on greenroom.yaml, but the config itself is fine: the rest of
/// the org still publishes, like any other broken input.
#[test]
fn a_missing_registered_location_does_not_stop_the_build() {
    let portal = generated();
    portal.write(
        "greenroom.yaml",
        "catalog:\n  locations:\n    - type: file\n      target: org/deleted-team.yaml\n",
    );
    let expected = json!([diagnostic(
        "error",
        "greenroom.yaml",
        None,
        None,
        "catalog.locations target \"org/deleted-team.yaml\" matched no file"
    )]);
    run_portal(portal, &expected, DEFAULT_TIMEOUT);
}
