//! Stages 2 and 3: load descriptors and resolve them into a [`Catalog`].
//!
//! `load` turns files into documents, `validate` turns documents into entities, and
//! `relations` stitches the entities together. The result is plain data keyed by [`EntityRef`].

pub mod entity;
pub mod load;
pub mod refs;
pub mod relations;
pub mod validate;

pub use entity::{Entity, Kind, Relation, RelationType};
pub use refs::EntityRef;

use crate::config::SiteConfig;
use crate::diag::Diagnostic;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every valid entity, keyed and sorted by canonical ref, with relations in both directions.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The entities.
    pub entities: BTreeMap<EntityRef, Entity>,
    /// Entities that exist outside this input (a `check --against` run's published catalog):
    /// refs to them are not dangling, though they have no page here.
    pub elsewhere: BTreeSet<EntityRef>,
}

impl Catalog {
    /// Looks an entity up by ref.
    pub fn get(&self, entity_ref: &EntityRef) -> Option<&Entity> {
        self.entities.get(entity_ref)
    }

    /// Entities of one kind, in ref order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Entity> {
        self.entities.values().filter(move |e| e.kind == kind)
    }
}

/// Validates loaded documents in parallel and assembles the catalog.
pub fn resolve(
    documents: &[load::LoadedDocument],
    config: &SiteConfig,
    elsewhere: BTreeSet<EntityRef>,
) -> (Catalog, Vec<Diagnostic>) {
    let rules = config.kind_rules();
    let validated: Vec<(Option<Entity>, Vec<Diagnostic>)> = documents
        .par_iter()
        .map(|document| validate::validate(document, &rules))
        .collect();
    let unread = reached_through_rejected_locations(documents, &validated);
    let mut diagnostics = Vec::new();
    let mut entities = Vec::with_capacity(validated.len());
    let mut reported: BTreeSet<&str> = BTreeSet::new();
    for (document, (entity, problems)) in documents.iter().zip(validated) {
        if let Some(location) = unread.get(document.file.display.as_str()) {
            if reported.insert(document.file.display.as_str()) {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "not read: this file is a target of the Location in {} (document {}), which was rejected",
                        location.file,
                        location.document + 1
                    ))
                    .in_file(&document.file.display),
                );
            }
            continue;
        }
        diagnostics.extend(problems);
        entities.extend(entity);
    }
    let (catalog, more) = relations::assemble(entities, elsewhere);
    diagnostics.extend(more);
    (catalog, diagnostics)
}

/// Files reached, directly or through a chain, from a `Location` document that was rejected
/// (invalid, or a kind `catalog.rules` does not allow), with the rejected Location. Backstage
/// never reads the targets of such a Location, so neither do we.
fn reached_through_rejected_locations<'a>(
    documents: &'a [load::LoadedDocument],
    validated: &[(Option<Entity>, Vec<Diagnostic>)],
) -> BTreeMap<&'a str, &'a crate::discover::LocationVia> {
    let rejected: BTreeSet<(&str, usize)> = documents
        .iter()
        .zip(validated)
        .filter(|(d, (entity, _))| {
            entity.is_none()
                && d.document.value.get("kind").and_then(Value::as_str) == Some("Location")
        })
        .map(|(d, _)| (d.file.display.as_str(), d.document.index))
        .collect();
    let via_of: BTreeMap<&str, &crate::discover::LocationVia> = documents
        .iter()
        .filter_map(|d| d.file.via.as_ref().map(|v| (d.file.display.as_str(), v)))
        .collect();
    let mut unread = BTreeMap::new();
    for (&file, &first) in &via_of {
        let mut via = Some(first);
        // Location chains are acyclic (each file is read once), but stay bounded anyway.
        for _ in 0..64 {
            let Some(step) = via else { break };
            if rejected.contains(&(step.file.as_str(), step.document)) {
                unread.insert(file, step);
                break;
            }
            via = via_of.get(step.file.as_str()).copied();
        }
    }
    unread
}

/// The ref a document claims to be, read without validation, so that even a rejected
/// document's diagnostics can name it.
pub fn best_effort_ref(value: &Value) -> Option<EntityRef> {
    let kind = value.get("kind")?.as_str()?;
    let metadata = value.get("metadata")?;
    let name = metadata.get("name")?.as_str()?;
    let namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    Some(EntityRef::new(kind, namespace, name))
}

/// "a string", "a list", ... for type-mismatch messages.
pub fn value_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::DescriptorFile;
    use crate::yaml;
    use std::path::PathBuf;
    use std::sync::Arc;

    /// Runs validation and assembly on descriptor text, as if it were one file in a repo.
    pub(crate) fn catalog_from(text: &str) -> (Catalog, Vec<Diagnostic>) {
        let file = Arc::new(DescriptorFile {
            path: PathBuf::from("/repo/catalog-info.yaml"),
            display: "repos/app/catalog-info.yaml".to_string(),
            root: PathBuf::from("/repo"),
            repo: None,
            repo_display: None,
            rank: 0,
            origin: "repos/app/catalog-info.yaml".to_string(),
            via: None,
            registered: None,
            web: None,
            origin_web: None,
            branch: None,
        });
        let documents: Vec<load::LoadedDocument> = yaml::parse_documents(text)
            .into_iter()
            .map(|d| load::LoadedDocument {
                file: Arc::clone(&file),
                document: d.expect("test YAML parses"),
                read_files: Vec::new(),
                unread_fields: Vec::new(),
            })
            .collect();
        let (catalog, mut diagnostics) =
            resolve(&documents, &SiteConfig::default(), BTreeSet::new());
        crate::diag::sort(&mut diagnostics);
        (catalog, diagnostics)
    }

    fn relations_of(catalog: &Catalog, entity: &str) -> Vec<String> {
        let (kind, rest) = entity.split_once(':').expect("kind");
        let entity = catalog
            .get(&EntityRef::new(kind, "default", rest))
            .expect("entity exists");
        entity
            .relations
            .iter()
            .map(|r| format!("{} {}", r.kind.as_str(), r.target))
            .collect()
    }

    const ORG: &str = "
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: [], members: [jane]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jane}
spec: {memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: svc}
spec:
  type: service
  lifecycle: production
  owner: team-a
  providesApis: [svc-api]
  dependsOn: [resource:db]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: svc-api}
spec: {type: openapi, lifecycle: production, owner: user:jane, definition: 'openapi: 3.0.0'}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db}
spec: {type: database, owner: team-a}
";

    #[test]
    fn relations_are_stitched_in_both_directions() {
        let (catalog, diagnostics) = catalog_from(ORG);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            relations_of(&catalog, "group:team-a"),
            vec![
                "ownerOf component:default/svc",
                "ownerOf resource:default/db",
                "hasMember user:default/bob",
                "hasMember user:default/jane",
            ]
        );
        assert_eq!(
            relations_of(&catalog, "user:jane"),
            vec![
                "ownerOf api:default/svc-api",
                "memberOf group:default/team-a"
            ]
        );
        assert_eq!(
            relations_of(&catalog, "user:bob"),
            vec!["memberOf group:default/team-a"]
        );
        assert_eq!(
            relations_of(&catalog, "api:svc-api"),
            vec![
                "ownedBy user:default/jane",
                "apiProvidedBy component:default/svc"
            ]
        );
        assert_eq!(
            relations_of(&catalog, "resource:db"),
            vec![
                "ownedBy group:default/team-a",
                "dependencyOf component:default/svc"
            ]
        );
    }

    #[test]
    fn dangling_refs_are_warnings_at_the_field_line() {
        let (catalog, diagnostics) = catalog_from(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: production\n  owner: ghosts\n",
        );
        assert_eq!(catalog.entities.len(), 1);
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!(d.severity, crate::diag::Severity::Warning);
        assert_eq!(d.line, Some(8));
        assert_eq!(
            d.message,
            "spec.owner refers to group:default/ghosts, which is not in the catalog"
        );
        assert_eq!(
            relations_of(&catalog, "component:svc"),
            vec!["ownedBy group:default/ghosts"]
        );
    }

    #[test]
    fn the_first_definition_wins_and_the_second_is_named() {
        let doc = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: Team-A}\nspec: {type: team, children: []}\n";
        let (catalog, diagnostics) = catalog_from(&format!(
            "{doc}---\n{}",
            doc.replace("Team-A", "team-a").replace("team,", "squad,")
        ));
        assert_eq!(catalog.entities.len(), 1);
        let group = catalog
            .get(&EntityRef::new("group", "default", "team-a"))
            .expect("exists");
        assert_eq!(group.spec_type.as_deref(), Some("team"));
        assert_eq!(diagnostics.len(), 1);
        assert!(
            diagnostics[0]
                .message
                .contains("defined twice: first in repos/app/catalog-info.yaml:1"),
            "{}",
            diagnostics[0].message
        );
        assert_eq!(diagnostics[0].line, Some(6));
    }

    #[test]
    fn cycles_are_reported_once_and_long_chains_do_not_overflow() {
        let group = |name: &str, parent: &str| {
            format!("---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {name}}}\nspec: {{type: team, children: [], parent: {parent}}}\n")
        };
        let (_, diagnostics) = catalog_from(&format!(
            "{}{}{}",
            group("a", "b"),
            group("b", "c"),
            group("c", "a")
        ));
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(
            diagnostics[0].message,
            "group parent cycle: group:default/a → group:default/b → group:default/c → group:default/a"
        );

        let chain: String = (0..10_000)
            .map(|i| group(&format!("g{i}"), &format!("g{}", i + 1)))
            .collect();
        let (catalog, diagnostics) = catalog_from(&chain);
        assert_eq!(catalog.entities.len(), 10_000);
        assert_eq!(
            diagnostics.len(),
            1,
            "only the missing top parent is reported"
        );
        let top = EntityRef::new("group", "default", "g9999");
        assert!(relations::owned_by_group_tree(&catalog, &top).is_empty());
    }

    #[test]
    fn ownership_closure_covers_subgroups_and_survives_cycles() {
        let text = "
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: parent}
spec: {type: department, children: [child]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: child}
spec: {type: team, children: [parent]}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: db}
spec: {type: database, owner: child}
";
        let (catalog, _) = catalog_from(text);
        let owned =
            relations::owned_by_group_tree(&catalog, &EntityRef::new("group", "default", "parent"));
        assert_eq!(owned, vec![EntityRef::new("resource", "default", "db")]);
    }

    #[test]
    fn each_kind_requires_its_spec_fields() {
        let cases = [
            ("Component", "{}", vec!["missing required field \"spec.lifecycle\"", "missing required field \"spec.owner\"", "missing required field \"spec.type\""]),
            ("API", "{type: openapi, lifecycle: x, owner: a}", vec!["missing required field \"spec.definition\""]),
            ("Resource", "{type: db}", vec!["missing required field \"spec.owner\""]),
            ("System", "{}", vec!["missing required field \"spec.owner\""]),
            ("Domain", "{}", vec!["missing required field \"spec.owner\""]),
            ("Group", "{type: team}", vec!["missing required field \"spec.children\" (it may be an empty list: children: [])"]),
            ("User", "{}", vec!["missing required field \"spec.memberOf\" (it may be an empty list: memberOf: [])"]),
            ("Location", "{presence: sometimes}", vec!["\"spec.presence\" must be \"required\" or \"optional\", got \"sometimes\""]),
        ];
        for (kind, spec, expected) in cases {
            let (catalog, diagnostics) = catalog_from(&format!("apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata: {{name: x}}\nspec: {spec}\n"));
            assert!(catalog.entities.is_empty(), "{kind} should be rejected");
            let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
            assert_eq!(messages, expected, "{kind}");
        }
        let (catalog, diagnostics) = catalog_from("apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: t}\nspec: {type: service}\n");
        assert!(catalog.entities.is_empty());
        assert_eq!(
            diagnostics[0].message,
            "missing required field \"spec.steps\""
        );
    }

    #[test]
    fn refs_take_the_entity_namespace_and_depends_on_needs_a_kind() {
        let (catalog, diagnostics) = catalog_from(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc, namespace: payments}\nspec:\n  type: service\n  lifecycle: production\n  owner: Team-A\n  dependsOn: [db]\n",
        );
        assert!(catalog.entities.is_empty());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].line, Some(8));
        assert!(
            diagnostics[0].message.contains("had missing or empty kind"),
            "{}",
            diagnostics[0].message
        );

        // Backstage's kind schemas take refs as strings only, not `{kind, name}` mappings.
        let (catalog, diagnostics) = catalog_from(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc, namespace: payments}\nspec:\n  type: service\n  lifecycle: production\n  owner: {kind: Group, name: Team-A}\n",
        );
        assert!(catalog.entities.is_empty());
        assert!(
            diagnostics[0]
                .message
                .contains("must be an entity reference string"),
            "{}",
            diagnostics[0].message
        );
        let (catalog, _) = catalog_from(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc, namespace: payments}\nspec:\n  type: service\n  lifecycle: production\n  owner: group:Team-A\n",
        );
        let svc = catalog.entities.values().next().expect("svc");
        assert_eq!(
            svc.owner().map(ToString::to_string).as_deref(),
            Some("group:payments/team-a")
        );
    }

    #[test]
    fn kinds_and_api_versions_follow_backstage() {
        let (_, diagnostics) = catalog_from("apiVersion: backstage.io/v1beta2\nkind: Template\nmetadata: {name: t}\nspec: {type: x, steps: []}\n");
        assert!(
            diagnostics[0].message.contains("legacy template format"),
            "{}",
            diagnostics[0].message
        );
        let (_, diagnostics) = catalog_from(
            "apiVersion: backstage.io/v1alpha1\nkind: component\nmetadata: {name: t}\nspec: {}\n",
        );
        assert!(
            diagnostics[0]
                .message
                .starts_with("unknown kind 'component' (did you mean 'Component'?)"),
            "{}",
            diagnostics[0].message
        );
    }
}
