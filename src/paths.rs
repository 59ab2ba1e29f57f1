//! Path handling shared by every stage that reads input: portal-relative display paths,
//! confinement to a repository root, and glob walks that survive symlink loops.

use globset::{GlobBuilder, GlobMatcher};
use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// Largest file greenroom reads (descriptors, `$text` targets). A bigger file is refused with a
/// diagnostic instead of being loaded into memory.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// A portal-relative path with `/` separators, for diagnostics and pages; absolute when the
/// file lies outside the portal root.
pub fn display(portal_root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(portal_root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            Component::RootDir => Some(String::new()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// Joins a relative path written in a descriptor onto `base_dir`, refusing absolute paths, and
/// checks that the result exists inside `root` (after following symlinks).
pub fn resolve_confined(base_dir: &Path, relative: &str, root: &Path) -> Result<PathBuf, String> {
    let joined = join_lexically(base_dir, relative)?;
    if !joined.starts_with(root) {
        return Err(format!("path \"{relative}\" leaves the repository root"));
    }
    let real = joined.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("\"{relative}\" does not exist"),
        _ => format!("cannot read \"{relative}\": {e}"),
    })?;
    if !real.starts_with(root) {
        return Err(format!(
            "path \"{relative}\" is a symlink that leaves the repository root"
        ));
    }
    Ok(real)
}

/// Joins without touching the disk, resolving `.` and `..`; refuses absolute paths and paths
/// that climb above `base_dir`'s root.
pub fn join_lexically(base_dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let relative_path = Path::new(relative);
    if relative_path.is_absolute() || relative.starts_with('/') || relative.starts_with('\\') {
        return Err(format!(
            "absolute path \"{relative}\" is not allowed; use a path relative to the file"
        ));
    }
    let mut joined = base_dir.to_path_buf();
    for component in relative_path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !joined.pop() {
                    return Err(format!("path \"{relative}\" leaves the repository root"));
                }
            }
            Component::Normal(part) => joined.push(part),
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("absolute path \"{relative}\" is not allowed"))
            }
        }
    }
    Ok(joined)
}

/// What a glob walk found: matching files, and problems met on the way (symlinks pointing out of
/// the root, loops, unreadable folders), each as `(path, message)`.
#[derive(Debug, Default)]
pub struct GlobResult {
    /// Matching regular files, canonical, sorted.
    pub files: Vec<PathBuf>,
    /// `(path, message)` for each thing skipped.
    pub problems: Vec<(PathBuf, String)>,
}

/// Expands `pattern` (relative to `base_dir`, `*` within a folder, `**` across folders) to the
/// files under `root` it matches. Folders named in `exclude` are never entered, symlinks are
/// followed only while they stay inside `root`, and loops are reported, not followed.
pub fn glob_files(
    base_dir: &Path,
    pattern: &str,
    root: &Path,
    exclude: &[String],
) -> Result<GlobResult, String> {
    let pattern = pattern.trim_start_matches("./");
    let (literal, rest) = split_literal_prefix(pattern);
    let start = join_lexically(base_dir, &literal)?;
    if !start.starts_with(root) {
        return Err(format!("path \"{pattern}\" leaves the repository root"));
    }
    let mut result = GlobResult::default();
    if rest.is_empty() {
        if std::fs::symlink_metadata(&start).is_err() {
            return Ok(result);
        }
        match start.canonicalize() {
            Ok(real) if !real.starts_with(root) => result.problems.push((
                start,
                "symlink points outside the repository; not followed".to_string(),
            )),
            Ok(real) if real.is_file() => result.files.push(real),
            Ok(_) => result.problems.push((
                start,
                "not a regular file (a folder, pipe or device); not read".to_string(),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => result.problems.push((
                start,
                "symlink points to a file that does not exist; not followed".to_string(),
            )),
            Err(e) => result.problems.push((start, format!("cannot read: {e}"))),
        }
        return Ok(result);
    }
    let matcher = compile(&rest)?;
    let max_depth = if rest.contains("**") {
        usize::MAX
    } else {
        rest.split('/').count()
    };
    let walked = walk_confined(&start, root, exclude, max_depth);
    result.problems = walked.problems;
    for path in walked.files {
        let Ok(relative) = path.strip_prefix(&start) else {
            continue;
        };
        if matcher.is_match(display(Path::new(""), relative)) {
            result
                .files
                .push(path.canonicalize().unwrap_or_else(|_| path.clone()));
        }
    }
    result.files.sort();
    result.files.dedup();
    Ok(result)
}

/// What [`walk_confined`] found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files as walked, below the start folder (symlinks not resolved), in walk order
    /// (sorted by name within each folder).
    pub files: Vec<PathBuf>,
    /// `(path, message)` for each thing skipped: symlinks out of the root, loops, unreadable
    /// folders.
    pub problems: Vec<(PathBuf, String)>,
}

/// Walks `start` down to `max_depth`, following symlinks only while they stay inside `root`,
/// never entering folders named in `exclude`, and reporting loops instead of following them.
pub fn walk_confined(start: &Path, root: &Path, exclude: &[String], max_depth: usize) -> Walk {
    let mut walk = Walk::default();
    let mut walker = WalkDir::new(start)
        .follow_links(true)
        .max_depth(max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && exclude.iter().any(|x| e.file_name().to_str() == Some(x)))
        });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| start.to_path_buf());
                if error.loop_ancestor().is_some() {
                    walk.problems
                        .push((path, "symlink loop; not followed".to_string()));
                } else if error.depth() > 0 {
                    walk.problems.push((path, format!("cannot read: {error}")));
                }
                continue;
            }
        };
        if entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(real) if real.starts_with(root) => {}
                _ => {
                    walk.problems.push((
                        entry.path().to_path_buf(),
                        "symlink points outside the repository; not followed".to_string(),
                    ));
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    continue;
                }
            }
        }
        if entry.file_type().is_file() {
            walk.files.push(entry.path().to_path_buf());
        }
    }
    walk
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file system refused, or the path is not a regular file.
    Io(String),
    /// Over [`MAX_FILE_BYTES`]; the size in bytes.
    TooLarge(u64),
    /// Not UTF-8; the 1-based line of the first bad byte.
    NotUtf8 {
        /// Line of the first invalid byte.
        line: usize,
    },
}

impl ReadError {
    /// A short phrase for messages ("it is 12.0 MB, over the 10 MB limit").
    pub fn message(&self) -> String {
        match self {
            ReadError::Io(message) => message.clone(),
            ReadError::TooLarge(bytes) => format!(
                "it is {:.1} MB, over the {} MB limit",
                *bytes as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            ReadError::NotUtf8 { line } => format!("it is not valid UTF-8 (line {line})"),
        }
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. Folders, pipes and devices are refused
/// before opening them (reading a pipe would block forever).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let metadata = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if !metadata.is_file() {
        return Err(ReadError::Io(
            "not a regular file (a folder, pipe or device is never read)".to_string(),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    text_of(read_bytes(path)?)
}

/// Bytes already read, as UTF-8 text.
pub fn text_of(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        ReadError::NotUtf8 {
            line: valid.iter().filter(|b| **b == b'\n').count() + 1,
        }
    })
}

/// Whether a pattern has glob syntax.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

fn split_literal_prefix(pattern: &str) -> (String, String) {
    let parts: Vec<&str> = pattern.split('/').collect();
    let literal_count = parts.iter().take_while(|p| !is_glob(p)).count();
    if literal_count == parts.len() {
        return (pattern.to_string(), String::new());
    }
    (
        parts[..literal_count].join("/"),
        parts[literal_count..].join("/"),
    )
}

fn compile(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob \"{pattern}\": {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_join_refuses_escapes() {
        let base = Path::new("/repo/sub");
        assert_eq!(
            join_lexically(base, "./a/../b.yaml").expect("ok"),
            PathBuf::from("/repo/sub/b.yaml")
        );
        assert!(join_lexically(base, "/etc/passwd").is_err());
        assert_eq!(
            join_lexically(base, "../../x").expect("ok"),
            PathBuf::from("/x")
        );
    }

    #[test]
    fn globs_respect_depth_excludes_and_symlinks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("a/deep")).expect("mkdir");
        std::fs::create_dir_all(root.join("node_modules")).expect("mkdir");
        for f in ["x.yaml", "a/y.yaml", "a/deep/z.yaml", "node_modules/n.yaml"] {
            std::fs::write(root.join(f), "a: 1").expect("write");
        }
        let names = |pattern: &str| -> Vec<String> {
            glob_files(&root, pattern, &root, &["node_modules".to_string()])
                .expect("globs")
                .files
                .iter()
                .map(|p| display(&root, p))
                .collect()
        };
        assert_eq!(names("*.yaml"), vec!["x.yaml"]);
        assert_eq!(names("a/*.yaml"), vec!["a/y.yaml"]);
        assert_eq!(
            names("**/*.yaml"),
            vec!["a/deep/z.yaml", "a/y.yaml", "x.yaml"]
        );

        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&root, root.join("a/loop")).expect("symlink");
            let outside = tempfile::tempdir().expect("tempdir");
            std::fs::write(outside.path().join("secret.yaml"), "a: 1").expect("write");
            std::os::unix::fs::symlink(outside.path(), root.join("out")).expect("symlink");
            let result = glob_files(&root, "**/*.yaml", &root, &[]).expect("globs");
            assert!(result.files.iter().all(|f| f.starts_with(&root)));
            let problems: Vec<&String> = result.problems.iter().map(|(_, m)| m).collect();
            assert!(problems.iter().any(|m| m.contains("loop")), "{problems:?}");
            assert!(
                problems.iter().any(|m| m.contains("outside")),
                "{problems:?}"
            );
        }
    }
}
