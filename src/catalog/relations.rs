//! Stitching: conflicts between definitions, every relation with its inverse, dangling refs,
//! and cycles in the group tree and the partOf hierarchy. Linear in entities plus relations.

use super::entity::{Entity, Kind, Relation, RelationType};
use super::refs::EntityRef;
use super::Catalog;
use crate::diag::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};

/// Builds the catalog from validated entities given in priority order (the first definition of
/// a ref wins).
pub fn assemble(
    entities: Vec<Entity>,
    elsewhere: BTreeSet<EntityRef>,
) -> (Catalog, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut by_ref: BTreeMap<EntityRef, Entity> = BTreeMap::new();
    for entity in entities {
        if let Some(first) = by_ref.get(&entity.entity_ref) {
            diagnostics.push(
                Diagnostic::error(format!(
                    "{} is defined twice: first in {}:{}, again here; this definition is ignored",
                    entity.entity_ref, first.origin.file, first.origin.line
                ))
                .at(&entity.origin.file, entity.origin.line)
                .entity(&entity.entity_ref),
            );
            continue;
        }
        by_ref.insert(entity.entity_ref.clone(), entity);
    }

    let mut relations: BTreeMap<EntityRef, BTreeSet<Relation>> = BTreeMap::new();
    for entity in by_ref.values() {
        for spec_ref in &entity.spec_refs {
            relations
                .entry(entity.entity_ref.clone())
                .or_default()
                .insert(Relation {
                    kind: spec_ref.relation,
                    target: spec_ref.target.clone(),
                });
            if by_ref.contains_key(&spec_ref.target) {
                relations
                    .entry(spec_ref.target.clone())
                    .or_default()
                    .insert(Relation {
                        kind: spec_ref.relation.inverse(),
                        target: entity.entity_ref.clone(),
                    });
            } else if !elsewhere.contains(&spec_ref.target) {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "{} refers to {}, which is not in the catalog",
                        spec_ref.field, spec_ref.target
                    ))
                    .at(&entity.origin.file, spec_ref.line)
                    .entity(&entity.entity_ref),
                );
            }
        }
    }
    for (entity_ref, set) in relations {
        if let Some(entity) = by_ref.get_mut(&entity_ref) {
            entity.relations = set.into_iter().collect();
        }
    }
    let catalog = Catalog {
        entities: by_ref,
        elsewhere,
    };
    diagnostics.extend(find_cycles(&catalog, RelationType::ChildOf, "group parent"));
    diagnostics.extend(find_cycles(&catalog, RelationType::PartOf, "partOf"));
    (catalog, diagnostics)
}

/// Reports each cycle once, on its smallest member, following one relation type. Iterative
/// depth-first search, so a 10,000-long chain cannot overflow the stack.
fn find_cycles(catalog: &Catalog, relation: RelationType, what: &str) -> Vec<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unseen,
        OnPath,
        Done,
    }
    let refs: Vec<&EntityRef> = catalog.entities.keys().collect();
    let index: BTreeMap<&EntityRef, usize> =
        refs.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let edges: Vec<Vec<usize>> = catalog
        .entities
        .values()
        .map(|e| {
            e.related(relation)
                .filter_map(|target| index.get(target).copied())
                .collect()
        })
        .collect();
    let mut state = vec![State::Unseen; refs.len()];
    let mut diagnostics = Vec::new();
    for start in 0..refs.len() {
        if state[start] != State::Unseen {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = State::OnPath;
        while let Some(&mut (node, ref mut next_edge)) = path.last_mut() {
            if let Some(&target) = edges[node].get(*next_edge) {
                *next_edge += 1;
                match state[target] {
                    State::Unseen => {
                        state[target] = State::OnPath;
                        path.push((target, 0));
                    }
                    State::OnPath => {
                        let from = path.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let members: Vec<usize> = path[from..].iter().map(|(n, _)| *n).collect();
                        diagnostics.push(cycle_diagnostic(catalog, &refs, &members, what));
                    }
                    State::Done => {}
                }
            } else {
                state[node] = State::Done;
                path.pop();
            }
        }
    }
    diagnostics
}

fn cycle_diagnostic(
    catalog: &Catalog,
    refs: &[&EntityRef],
    members: &[usize],
    what: &str,
) -> Diagnostic {
    let smallest = members.iter().copied().min().unwrap_or(members[0]);
    let rotate = members.iter().position(|m| *m == smallest).unwrap_or(0);
    let mut chain: Vec<String> = members[rotate..]
        .iter()
        .chain(&members[..rotate])
        .map(|m| refs[*m].to_string())
        .collect();
    chain.push(refs[smallest].to_string());
    let entity = catalog.get(refs[smallest]);
    let mut d =
        Diagnostic::warning(format!("{what} cycle: {}", chain.join(" → "))).entity(refs[smallest]);
    if let Some(entity) = entity {
        d = d.at(&entity.origin.file, entity.origin.line);
    }
    d
}

/// Everything owned by a group and, transitively, by its child groups; cycle-safe.
pub fn owned_by_group_tree(catalog: &Catalog, group: &EntityRef) -> Vec<EntityRef> {
    let mut seen_groups = BTreeSet::new();
    let mut stack = vec![group.clone()];
    let mut owned = BTreeSet::new();
    while let Some(current) = stack.pop() {
        if !seen_groups.insert(current.clone()) {
            continue;
        }
        let Some(entity) = catalog.get(&current) else {
            continue;
        };
        owned.extend(entity.related(RelationType::OwnerOf).cloned());
        stack.extend(
            entity
                .related(RelationType::ParentOf)
                .filter(|r| r.kind == Kind::Group.lower())
                .cloned(),
        );
    }
    owned.into_iter().collect()
}
