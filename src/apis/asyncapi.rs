//! STUB: the asyncapi reader, to be written.

use super::{Read, Source};

/// Reads a asyncapi definition into a reference.
pub fn read(source: &Source<'_>) -> Read {
    let _ = source;
    Read::default()
}
