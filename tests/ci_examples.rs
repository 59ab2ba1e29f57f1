//! The CI definitions in `example-org/ci/` are valid YAML, run on the triggers the README
//! promises, and call greenroom only with subcommands and flags that exist.

mod common;

use common::{example_org_dir, run};
use serde_yaml::Value;

fn load(name: &str) -> (String, Value) {
    let path = example_org_dir().join("ci").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let value: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    (text, value)
}

/// Every `greenroom <subcommand> ...` invocation in a file, as words.
fn greenroom_commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|line| line.split_once("greenroom ").map(|(_, rest)| rest))
        .filter(|rest| rest.starts_with("build ") || rest.starts_with("check "))
        .map(|rest| {
            rest.split_whitespace()
                .take_while(|w| !w.starts_with('>') && *w != "||")
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn assert_flags_exist(file: &str, text: &str) -> usize {
    let commands = greenroom_commands(text);
    for words in &commands {
        let help = run(&[words[0].as_str(), "--help"]);
        help.assert_code(0);
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            assert!(
                help.stdout.contains(flag.as_str()),
                "{file}: `greenroom {}` has no flag {flag}",
                words[0]
            );
        }
    }
    commands.len()
}

#[test]
fn github_publish_workflow_runs_on_a_schedule_builds_strict_and_syncs_with_delete() {
    let (text, workflow) = load("github-actions-publish.yml");
    let on = &workflow["on"];
    assert!(
        on["schedule"][0]["cron"].as_str().is_some(),
        "a cron schedule"
    );
    assert!(on.get("workflow_dispatch").is_some(), "manual dispatch");
    assert!(text.contains("greenroom build . --strict"));
    assert!(text.contains("aws s3 sync site/") && text.contains("--delete"));
    assert!(
        text.contains(".greenroom-cache"),
        "the build cache is restored"
    );
    assert_eq!(assert_flags_exist("github-actions-publish.yml", &text), 1);
}

#[test]
fn github_pr_check_annotates_inline_against_the_published_catalog() {
    let (text, workflow) = load("github-actions-pr-check.yml");
    assert!(workflow["on"].get("pull_request").is_some());
    assert!(text.contains("catalog/entities.json"));
    assert!(text.contains("--format github"));
    assert_eq!(assert_flags_exist("github-actions-pr-check.yml", &text), 1);
}

#[test]
fn gitlab_pipeline_has_the_same_jobs() {
    let (text, pipeline) = load("gitlab-ci.yml");
    for job in ["portal", "publish", "catalog-check"] {
        assert!(pipeline.get(job).is_some(), "job {job}");
    }
    assert!(text.contains("$CI_PIPELINE_SOURCE == \"schedule\""));
    assert!(text.contains("aws s3 sync site/") && text.contains("--delete"));
    assert_eq!(assert_flags_exist("gitlab-ci.yml", &text), 3);
}
