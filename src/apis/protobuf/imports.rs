//! Imports of a definition: the files of the same repository it imports, found the way
//! `protoc -I` include roots would find them, read once each and never outside the repository.

use super::symbols::{tag, ProtoFile};
use super::Source;
use crate::diag::Diagnostic;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Most files read for one definition, imports of imports included.
const MAX_FILES: usize = 100;

/// Where an import points.
enum Located {
    /// A file of the repository.
    Found(PathBuf),
    /// A Google well-known or API import that the repository is not expected to hold.
    External,
    /// No such file in the repository.
    Missing,
    /// A path greenroom does not follow (`..`, absolute, a symlink out).
    Refused(String),
}

/// The files of one definition, as [`load`] found them.
pub(super) struct Loaded {
    /// The definition's file followed by the repository files it imports, transitively.
    pub(super) files: Vec<ProtoFile>,
    /// Whether every import outside `google/` was found, read and parsed (so a type that does
    /// not resolve is a mistake of the definition, not a file greenroom lacks).
    pub(super) complete: bool,
}

/// The definition's file followed by every repository file it imports, transitively, each
/// parsed once; problems of imports are diagnostics at the import's line.
pub(super) fn load(
    source: &Source<'_>,
    main: ProtoFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Loaded {
    let root = source.origin.root.as_path();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    if let Some(path) = &main.path {
        seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone()));
    }
    let mut files = vec![main];
    let mut capped = false;
    let mut complete = true;
    let mut next = 0;
    while let Some(file) = files.get(next) {
        let importer_dir = file
            .path
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(root)
            .to_path_buf();
        let imports: Vec<(String, usize, Option<PathBuf>)> = file
            .descriptor
            .dependency
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    name.clone(),
                    file.line(&[tag::DEPENDENCY, i as i32]),
                    file.path.clone(),
                )
            })
            .collect();
        next += 1;
        for (import, line, importer) in imports {
            let place = |d: Diagnostic| match &importer {
                Some(path) => source.at_file(path, line, d),
                None => source.at(line, d),
            };
            match locate(root, &importer_dir, &import) {
                Located::Found(path) => {
                    if !seen.insert(path.clone()) {
                        continue;
                    }
                    if files.len() >= MAX_FILES {
                        complete = false;
                        if !capped {
                            capped = true;
                            diagnostics.push(place(Diagnostic::warning(format!(
                                "more than {MAX_FILES} imported files; \"{import}\" and later imports are not read"
                            ))));
                        }
                        continue;
                    }
                    match parse_import(source, &import, &path, diagnostics) {
                        Some(parsed) => files.push(parsed),
                        None => complete = false,
                    }
                }
                Located::External => {}
                Located::Missing => {
                    complete = false;
                    diagnostics.push(place(Diagnostic::warning(format!(
                        "import \"{import}\" is not in the repository; its types are shown unlinked"
                    ))));
                }
                Located::Refused(why) => {
                    complete = false;
                    diagnostics.push(place(Diagnostic::error(format!(
                        "import \"{import}\" is not read: {why}"
                    ))));
                }
            }
        }
    }
    Loaded { files, complete }
}

/// Finds an import: relative to the repository root, then to each folder from the importing
/// file's up to the root (one of them is the include root, such as `proto/`).
fn locate(root: &Path, importer_dir: &Path, import: &str) -> Located {
    let escapes = import.starts_with('/')
        || import.starts_with('\\')
        || import.contains(':')
        || import.split(['/', '\\']).any(|part| part == "..");
    if escapes {
        return Located::Refused(
            "an import path must stay inside the include roots (no `..`, not absolute)".into(),
        );
    }
    let mut refused = None;
    let bases = std::iter::once(root).chain(
        importer_dir
            .ancestors()
            .take_while(|dir| dir.starts_with(root) && *dir != root),
    );
    for base in bases {
        match crate::paths::resolve_confined(base, import, root) {
            Ok(path) if path.is_file() => return Located::Found(path),
            Ok(_) => {}
            Err(why) if why.ends_with("does not exist") => {}
            Err(why) => refused = refused.or(Some(why)),
        }
    }
    if let Some(why) = refused {
        return Located::Refused(why);
    }
    if import.starts_with("google/") {
        return Located::External;
    }
    Located::Missing
}

/// Reads and parses one imported file; a file that cannot be read or parsed is a warning.
fn parse_import(
    source: &Source<'_>,
    import: &str,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ProtoFile> {
    let text = match crate::paths::read_text(path) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(source.at_file(
                path,
                1,
                Diagnostic::warning(format!(
                    "imported file \"{import}\" cannot be read: {}",
                    error.message()
                )),
            ));
            return None;
        }
    };
    let (parsed, refused) = parse_refusing_escapes(import, &text);
    for (line, escaping) in refused {
        diagnostics.push(source.at_file(path, line, refused_import(&escaping)));
    }
    match parsed {
        Ok(descriptor) => Some(ProtoFile::new(descriptor, Some(path.to_path_buf()))),
        Err(error) => {
            let line = super::error_line(&text, error.span().map(|s| s.start));
            diagnostics.push(source.at_file(
                path,
                line,
                Diagnostic::warning(format!(
                    "imported file \"{import}\" does not parse ({error}); its types are shown unlinked"
                )),
            ));
            None
        }
    }
}

/// Most escaping imports blanked out of one file before it counts as not parsing.
const MAX_REFUSED_IMPORTS: usize = 32;

/// Parses a file; an import that protobuf forbids (`..`, `.`, backslashes) is blanked out and
/// returned with its line instead of failing the whole file.
pub(super) fn parse_refusing_escapes(
    name: &str,
    text: &str,
) -> (
    Result<prost_types::FileDescriptorProto, protox_parse::ParseError>,
    Vec<(usize, String)>,
) {
    let mut refused = Vec::new();
    let mut text = std::borrow::Cow::Borrowed(text);
    loop {
        let error = match protox_parse::parse(name, &text) {
            Ok(descriptor) => return (Ok(descriptor), refused),
            Err(error) => error,
        };
        let statement = error
            .span()
            .filter(|_| refused.len() < MAX_REFUSED_IMPORTS)
            .and_then(|span| import_statement(&text, span.start));
        let Some((start, end, import)) = statement else {
            return (Err(error), refused);
        };
        refused.push((super::error_line(&text, Some(start)), import));
        let mut blanked = text.into_owned();
        blanked.replace_range(start..end, &" ".repeat(end - start));
        text = std::borrow::Cow::Owned(blanked);
    }
}

/// The line (byte range) of an `import "…";` statement whose path is at `offset`, and the path.
fn import_statement(text: &str, offset: usize) -> Option<(usize, usize, String)> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |n| n + 1);
    let end = text
        .get(offset..)?
        .find('\n')
        .map_or(text.len(), |n| offset + n);
    let line = text.get(start..end)?.trim();
    let path = text.get(offset..end)?.strip_prefix(['"', '\''])?;
    let path = &path[..path.find(['"', '\''])?];
    let forbidden = path.starts_with('/')
        || path.contains('\\')
        || path.contains("//")
        || path.split('/').any(|part| part == ".." || part == ".");
    (forbidden && line.starts_with("import") && line.ends_with(';'))
        .then(|| (start, end, path.to_string()))
}

/// The diagnostic of an import greenroom does not follow out of the include roots.
pub(super) fn refused_import(import: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "import \"{import}\" is not read: an import path must stay inside the include roots (no `..`, not absolute)"
    ))
}
