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
use std::collections::BTreeMap;

/// Every valid entity, keyed and sorted by canonical ref, with relations in both directions.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The entities.
    pub entities: BTreeMap<EntityRef, Entity>,
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
) -> (Catalog, Vec<Diagnostic>) {
    let validated: Vec<(Option<Entity>, Vec<Diagnostic>)> = documents
        .par_iter()
        .map(|document| validate::validate(document, config))
        .collect();
    let mut diagnostics = Vec::new();
    let mut entities = Vec::with_capacity(validated.len());
    for (entity, problems) in validated {
        diagnostics.extend(problems);
        entities.extend(entity);
    }
    let (catalog, more) = relations::assemble(entities);
    diagnostics.extend(more);
    (catalog, diagnostics)
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
