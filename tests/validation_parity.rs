//! Validation parity with Backstage, rule by rule: every case of `@backstage/catalog-model`'s
//! own validator, policy and kind tests (plus probes of each schema's edges), with the verdict
//! the published catalog-model 1.10.3 pipeline gives it (envelope schema, policies, kind
//! schemas, relation refs; mcp-server through the catalog model layer), in
//! `tests/fixtures/validation-parity/cases.json`. Each case is checked with
//! `greenroom check --repo`: an error means rejected. One test per rule.

mod common;

use common::Portal;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Case {
    rule: String,
    source: String,
    case: String,
    backstage: String,
    yaml: String,
}

/// Where greenroom knowingly differs, and why.
const DEVIATIONS: &[(&str, &str, &str)] = &[
    ("YAML scalars", "label value 017", LEADING_ZERO),
    ("YAML scalars", "annotation value 017", LEADING_ZERO),
    ("YAML scalars", "label value 0b101", BINARY),
    ("YAML scalars", "annotation value 0b101", BINARY),
];

const LEADING_ZERO: &str = "serde_yaml reads a plain 017 as the string \"017\"; yaml@2's core schema reads the integer 17 (quote numbers-as-text either way)";
const BINARY: &str = "serde_yaml reads a plain 0b101 as the integer 5; yaml@2's core schema has no binary integers and keeps the text";

fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = common::fixtures_dir().join("validation-parity/cases.json");
        let text = std::fs::read_to_string(&path).expect("reading the parity cases");
        serde_json::from_str(&text).expect("parity cases are JSON")
    })
}

/// greenroom's verdict on one descriptor: accepted unless `check --repo` reports an error.
fn greenroom_accepts(yaml: &str) -> (bool, Vec<String>) {
    let portal = Portal::empty();
    portal.write("catalog-info.yaml", yaml);
    let run = portal.check(&["--repo", "--format", "json"]);
    run.assert_no_crash();
    let diagnostics: Vec<serde_json::Value> =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.describe()));
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["message"].as_str().map(str::to_string))
        .collect();
    (errors.is_empty(), errors)
}

fn check_rule(rule: &str) {
    let selected: Vec<&Case> = cases().iter().filter(|c| c.rule == rule).collect();
    assert!(!selected.is_empty(), "no cases for rule {rule}");
    let mut disagreements = Vec::new();
    for case in selected {
        let expected = case.backstage == "accept";
        let (accepted, errors) = greenroom_accepts(&case.yaml);
        let deviation = DEVIATIONS
            .iter()
            .find(|(r, c, _)| *r == case.rule && *c == case.case);
        match deviation {
            Some((_, _, why)) => assert_ne!(
                accepted, expected,
                "{rule} / {}: listed as a deviation ({why}) but greenroom now agrees with Backstage; remove it from DEVIATIONS",
                case.case
            ),
            None if accepted != expected => disagreements.push(format!(
                "{} ({}): Backstage {}s, greenroom {}{}\n{}",
                case.case,
                case.source,
                case.backstage,
                if accepted { "accepts" } else { "rejects" },
                if errors.is_empty() {
                    String::new()
                } else {
                    format!(": {}", errors.join("; "))
                },
                case.yaml
            )),
            None => {}
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} case(s) of {rule} disagree with Backstage:\n\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

macro_rules! rules {
    ($($test:ident => $rule:expr,)*) => {
        $(
            #[test]
            fn $test() {
                check_rule($rule);
            }
        )*

        /// Every rule of the fixture has a test above.
        #[test]
        fn every_rule_has_a_test() {
            let tested = [$($rule),*];
            let mut missing: Vec<&str> = cases()
                .iter()
                .map(|c| c.rule.as_str())
                .filter(|r| !tested.contains(r))
                .collect();
            missing.dedup();
            assert!(missing.is_empty(), "rules without a test: {missing:?}");
        }
    };
}

rules! {
    metadata_name => "metadata.name (isValidObjectName)",
    metadata_namespace => "metadata.namespace (isValidNamespace/isValidDnsLabel)",
    label_keys => "metadata.labels key (isValidLabelKey)",
    annotation_keys => "metadata.annotations key (isValidAnnotationKey)",
    label_values => "metadata.labels value (isValidLabelValue)",
    annotation_values => "metadata.annotations value (isValidAnnotationValue)",
    tags => "metadata.tags[i] (makeValidator isValidTag)",
    api_version => "apiVersion (isValidApiVersion + kind enum)",
    kind_format => "kind (isValidKind + kind enum)",
    field_format_policy => "FieldFormatEntityPolicy",
    envelope_and_entity_schema => "Envelope & Entity schema",
    no_foreign_root_fields_policy => "NoForeignRootFieldsEntityPolicy",
    default_namespace_policy => "DefaultNamespaceEntityPolicy",
    reserved_fields_policy_is_gone => "ReservedFieldsEntityPolicy (REMOVED from current Backstage)",
    component_kind => "Component",
    api_kind => "API",
    resource_kind => "Resource",
    system_kind => "System",
    domain_kind => "Domain",
    group_kind => "Group",
    user_kind => "User",
    location_kind => "Location",
    mcp_server_apis => "API mcp-server",
    template_kind => "Template v1beta3",
    nulls => "extra: nulls",
    empty_strings => "extra: empty strings",
    links => "extra: links",
    reserved_names => "extra: reserved",
    root_fields => "extra: root",
    refs => "extra: refs",
    definitions => "extra: definition",
    spec_fields => "extra: spec",
    metadata_fields => "extra: metadata",
    api_versions => "extra: apiVersion",
    yaml_scalars => "YAML scalars",
}
