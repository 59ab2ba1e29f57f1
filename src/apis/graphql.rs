//! STUB: the graphql reader, to be written.

use super::{Read, Source};

/// Reads a graphql definition into a reference.
pub fn read(source: &Source<'_>) -> Read {
    let _ = source;
    Read::default()
}
