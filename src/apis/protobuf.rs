//! STUB: the protobuf reader, to be written.

use super::{Read, Source};

/// Reads a protobuf definition into a reference.
pub fn read(source: &Source<'_>) -> Read {
    let _ = source;
    Read::default()
}
