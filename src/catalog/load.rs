//! Stage 2: read descriptor files into documents. Splits multi-document YAML, resolves
//! `$text`/`$json`/`$yaml` placeholders (relative paths confined to the repository; URLs read
//! from the source repository they name, else over the network when `reading.allow` permits)
//! and follows `Location` targets, reading files in parallel waves until no new file turns up.

use super::{best_effort_ref, value_type_name};
use crate::diag::Diagnostic;
use crate::discover::{DescriptorFile, LocationVia, SourceSet};
use crate::paths::{self, read_text, ReadError, MAX_FILE_BYTES};
use crate::remote::RemoteReader;
use crate::yaml::{self, Document, PathSegment};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One YAML document that parsed to a mapping, ready for validation.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    /// The file it came from.
    pub file: Arc<DescriptorFile>,
    /// The document, placeholders substituted.
    pub document: Document,
    /// The files placeholders of the document were read from, by field.
    pub read_files: Vec<ReadFile>,
    /// Fields (keys from the root) whose placeholder named a URL that was not read: the URL
    /// stands in for the content, so the field holds no real content.
    pub unread_fields: Vec<Vec<String>>,
}

/// A file a `$text`/`$json`/`$yaml` placeholder was replaced with (its whole content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// The field the placeholder stood in, as keys from the root (`["spec", "definition"]`).
    pub field: Vec<String>,
    /// The file, canonical.
    pub path: PathBuf,
    /// Its portal-relative display path.
    pub display: String,
    /// The repository (or portal) root it lies in: references inside it stay there.
    pub root: PathBuf,
}

impl LoadedDocument {
    /// 1-based line of a field path, for diagnostics.
    pub fn line_of(&self, path: &[PathSegment<'_>]) -> usize {
        yaml::locate(&self.document, path)
    }
}

/// Reads every discovered file and every file reached through `Location` entities; URLs in
/// placeholders go through `remote`.
pub fn load(set: &SourceSet, remote: &RemoteReader) -> (Vec<LoadedDocument>, Vec<Diagnostic>) {
    let mut documents = Vec::new();
    let mut diagnostics = Vec::new();
    let mut visited: HashSet<std::path::PathBuf> =
        set.files.iter().map(|f| f.path.clone()).collect();
    let mut wave: Vec<Arc<DescriptorFile>> = set.files.iter().cloned().map(Arc::new).collect();
    while !wave.is_empty() {
        let results: Vec<FileResult> = wave
            .par_iter()
            .map(|file| load_file(set, remote, file))
            .collect();
        let mut next = Vec::new();
        for result in results {
            documents.extend(result.documents);
            diagnostics.extend(result.diagnostics);
            for target in result.targets {
                if visited.insert(target.path.clone()) {
                    next.push(Arc::new(target));
                }
            }
        }
        next.sort_by(|a, b| (a.rank, &a.display).cmp(&(b.rank, &b.display)));
        wave = next;
    }
    documents.sort_by(|a, b| {
        (a.file.rank, &a.file.display, a.document.index).cmp(&(
            b.file.rank,
            &b.file.display,
            b.document.index,
        ))
    });
    (documents, diagnostics)
}

/// Most documents read from one file: far above any real descriptor, low enough that a file of
/// tiny documents cannot exhaust memory.
pub const MAX_DOCUMENTS_PER_FILE: usize = 10_000;

#[derive(Default)]
struct FileResult {
    documents: Vec<LoadedDocument>,
    diagnostics: Vec<Diagnostic>,
    targets: Vec<DescriptorFile>,
}

fn load_file(set: &SourceSet, remote: &RemoteReader, file: &Arc<DescriptorFile>) -> FileResult {
    let mut result = FileResult::default();
    let text = match read_text(&file.path) {
        Ok(text) => text,
        Err(message) => {
            result
                .diagnostics
                .push(read_error_diagnostic(message, &file.display));
            return result;
        }
    };
    if text.trim().is_empty() {
        result.diagnostics.push(
            Diagnostic::warning("file is empty; it defines no entities").at(&file.display, 1),
        );
        return result;
    }
    let (parsed, more) = yaml::parse_first_documents(&text, MAX_DOCUMENTS_PER_FILE);
    if parsed.is_empty() {
        result.diagnostics.push(
            Diagnostic::warning(
                "file holds no YAML documents (only comments or `---`); it defines no entities",
            )
            .at(&file.display, 1),
        );
    }
    if more {
        result.diagnostics.push(
            Diagnostic::error(format!(
                "file holds more than {MAX_DOCUMENTS_PER_FILE} YAML documents; only the first {MAX_DOCUMENTS_PER_FILE} are read"
            ))
            .at(&file.display, 1),
        );
    }
    let mut budget = MAX_FILE_BYTES;
    for parsed_document in parsed {
        let mut document = match parsed_document {
            Ok(document) => document,
            Err(error) => {
                let mut d = Diagnostic::error(format!("YAML error: {}", error.message))
                    .in_file(&file.display);
                d.line = error.line;
                result.diagnostics.push(d);
                continue;
            }
        };
        if !document.value.is_object() {
            result.diagnostics.push(
                Diagnostic::error(format!(
                    "expected a mapping at the root of the document, got {}",
                    value_type_name(&document.value)
                ))
                .at(&file.display, document.start_line),
            );
            continue;
        }
        let entity = best_effort_ref(&document.value);
        let base_dir = file.path.parent().unwrap_or(&file.root).to_path_buf();
        let mut value = std::mem::take(&mut document.value);
        let mut problems = Vec::new();
        let mut path = Vec::new();
        let mut reading = Reading {
            set,
            remote,
            base_dir: &base_dir,
            root: &file.root,
            budget: &mut budget,
            read_files: Vec::new(),
            unread_fields: Vec::new(),
        };
        substitute(&mut value, &mut reading, &mut path, &mut problems);
        let read_files = std::mem::take(&mut reading.read_files);
        let unread_fields = std::mem::take(&mut reading.unread_fields);
        document.value = value;
        let mut failed = false;
        for problem in problems {
            let segments: Vec<PathSegment<'_>> =
                problem.path.iter().map(OwnedSegment::as_segment).collect();
            let line = yaml::locate(&document, &segments);
            if problem.is_error {
                failed = true;
            }
            let d = if problem.is_error {
                Diagnostic::error(problem.message)
            } else {
                Diagnostic::warning(problem.message)
            };
            result
                .diagnostics
                .push(d.at(&file.display, line).maybe_entity(entity.as_ref()));
        }
        if failed {
            continue;
        }
        let loaded = LoadedDocument {
            file: Arc::clone(file),
            document,
            read_files,
            unread_fields,
        };
        if loaded.document.value.get("kind").and_then(Value::as_str) == Some("Location") {
            follow_location(set, &loaded, &mut result);
        }
        result.documents.push(loaded);
    }
    result
}

/// A descriptor that could not be read, as a diagnostic on that file.
fn read_error_diagnostic(error: ReadError, display: &str) -> Diagnostic {
    match error {
        ReadError::Io(message) => {
            Diagnostic::error(format!("cannot read file: {message}")).in_file(display)
        }
        ReadError::TooLarge(bytes) => Diagnostic::error(format!(
            "file is {:.1} MB; greenroom reads files up to {} MB",
            bytes as f64 / 1_048_576.0,
            MAX_FILE_BYTES / 1_048_576
        ))
        .in_file(display),
        ReadError::NotUtf8 { line } => {
            Diagnostic::error("file is not valid UTF-8 text (save it as UTF-8)").at(display, line)
        }
    }
}

#[derive(Debug, Clone)]
enum OwnedSegment {
    Key(String),
    Index(usize),
}

impl OwnedSegment {
    fn as_segment(&self) -> PathSegment<'_> {
        match self {
            OwnedSegment::Key(k) => PathSegment::Key(k),
            OwnedSegment::Index(i) => PathSegment::Index(*i),
        }
    }
}

struct Problem {
    path: Vec<OwnedSegment>,
    message: String,
    is_error: bool,
}

/// What placeholders of one document are read with.
struct Reading<'a> {
    set: &'a SourceSet,
    remote: &'a RemoteReader,
    /// The descriptor's folder: relative paths start here.
    base_dir: &'a Path,
    /// The repository (or portal) root relative paths must stay inside.
    root: &'a Path,
    /// Bytes the file's placeholders may still read.
    budget: &'a mut u64,
    /// Files read so far, by field.
    read_files: Vec<ReadFile>,
    /// Fields whose URL was not read, so far.
    unread_fields: Vec<Vec<String>>,
}

/// Replaces `{$text: path}`, `{$json: path}` and `{$yaml: path}` mappings. Other `$` keys (JSON
/// Schema's `$ref`) and mappings with more keys are left alone, as Backstage leaves them.
fn substitute(
    value: &mut Value,
    reading: &mut Reading<'_>,
    path: &mut Vec<OwnedSegment>,
    problems: &mut Vec<Problem>,
) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some((key, Value::String(target))) = map.iter().next() {
                    if matches!(key.as_str(), "$text" | "$json" | "$yaml") {
                        let key = key.clone();
                        let target = target.clone();
                        path.push(OwnedSegment::Key(key.clone()));
                        let field: Vec<String> = path[..path.len() - 1]
                            .iter()
                            .map(|s| match s {
                                OwnedSegment::Key(k) => k.clone(),
                                OwnedSegment::Index(i) => i.to_string(),
                            })
                            .collect();
                        match resolve_placeholder(&key, &target, reading) {
                            Ok((resolved, warning, origin)) => {
                                match origin {
                                    Origin::File { file, root } => {
                                        reading.read_files.push(ReadFile {
                                            field,
                                            display: paths::display(
                                                &reading.set.portal_root,
                                                &file,
                                            ),
                                            path: file,
                                            root,
                                        })
                                    }
                                    Origin::Network => {}
                                    Origin::NotRead => reading.unread_fields.push(field),
                                }
                                if let Some(message) = warning {
                                    problems.push(Problem {
                                        path: path.clone(),
                                        message,
                                        is_error: false,
                                    });
                                }
                                *value = resolved;
                            }
                            Err(message) => problems.push(Problem {
                                path: path.clone(),
                                message,
                                is_error: true,
                            }),
                        }
                        path.pop();
                        return;
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                path.push(OwnedSegment::Key(key.clone()));
                substitute(child, reading, path, problems);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                path.push(OwnedSegment::Index(index));
                substitute(child, reading, path, problems);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Where a placeholder's content came from.
enum Origin {
    /// A file of a checkout, with the root references from it stay inside.
    File { file: PathBuf, root: PathBuf },
    /// A network read.
    Network,
    /// Nothing was read: the URL stands in for the content.
    NotRead,
}

/// A placeholder's value, a warning, and where the value came from.
type Resolved = (Value, Option<String>, Origin);

fn resolve_placeholder(
    key: &str,
    target: &str,
    reading: &mut Reading<'_>,
) -> Result<Resolved, String> {
    let shown = crate::scm::redact(target);
    let fail = |why: String| format!("placeholder {key} could not read \"{shown}\": {why}");
    let (text, warning, origin) = if target.contains("://") {
        match read_url(key, target, reading) {
            Ok(read) => read,
            // Not read: the URL stands in for the content, as before the URL could be read.
            Err(why) => {
                return Ok((
                    Value::String(target.to_string()),
                    Some(why),
                    Origin::NotRead,
                ))
            }
        }
    } else {
        let path = paths::resolve_confined(reading.base_dir, target, reading.root).map_err(fail)?;
        let text = read_text(&path).map_err(|e| fail(e.message()))?;
        let origin = Origin::File {
            file: path,
            root: reading.root.to_path_buf(),
        };
        (text, None, origin)
    };
    let size = text.len() as u64;
    if size > *reading.budget {
        return Err(fail(format!(
            "the file's placeholders would read more than {} MB in total",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    *reading.budget -= size;
    let parsed = match key {
        "$text" => Value::String(text),
        "$json" => serde_json::from_str(&text).map_err(|e| fail(format!("invalid JSON: {e}")))?,
        _ => {
            let mut documents = yaml::parse_documents(&text);
            match documents.len() {
                1 => match documents.remove(0) {
                    Ok(document) => document.value,
                    Err(e) => return Err(fail(format!("invalid YAML: {}", e.message))),
                },
                0 => return Err(fail("the file holds no YAML document".to_string())),
                n => {
                    return Err(fail(format!(
                        "expected exactly one YAML document, found {n}"
                    )))
                }
            }
        }
    };
    Ok((parsed, warning, origin))
}

/// Text read for a placeholder, a warning, and where it came from.
type ReadText = (String, Option<String>, Origin);

/// The text at a placeholder's URL: from the source repository the URL points into (any URL of
/// a repository greenroom has checked out), else over the network when `reading.allow`
/// permits. `Err` says why it was not read (a warning: the URL is shown instead).
fn read_url(key: &str, target: &str, reading: &Reading<'_>) -> Result<ReadText, String> {
    let shown = crate::scm::redact(target);
    if let Some((repo, path, other_ref)) = reading.set.file_of_url(target) {
        let repo = &reading.set.repos[repo];
        let file = paths::resolve_confined(&repo.root, &path, &repo.root).map_err(|why| {
            format!(
                "placeholder {key} could not read {shown}: {why} in {}",
                repo.display
            )
        })?;
        let text = read_text(&file)
            .map_err(|e| format!("placeholder {key} could not read {shown}: {}", e.message()))?;
        let note = other_ref.map(|wanted| {
            format!(
                "placeholder {key} names ref {wanted} of {}; greenroom reads it at {}",
                repo.display,
                repo.meta
                    .branch
                    .as_deref()
                    .unwrap_or("its checked-out commit")
            )
        });
        let origin = Origin::File {
            file,
            root: repo.root.clone(),
        };
        return Ok((text, note, origin));
    }
    if !crate::web::is_http_url(target) {
        return Err(format!(
            "placeholder {key} points at {shown}, which greenroom cannot read (only http and https URLs); the URL is shown instead of its content"
        ));
    }
    reading
        .remote
        .read(target)
        .map(|(text, stale)| {
            let warning = stale.map(|why| format!("placeholder {key}: {why}"));
            (text, warning, Origin::Network)
        })
        .map_err(|why| format!("placeholder {key}: {why}; the URL is shown instead of its content"))
}

/// Queues the files a `Location` entity points at.
fn follow_location(set: &SourceSet, loaded: &LoadedDocument, result: &mut FileResult) {
    let value = &loaded.document.value;
    let Some(spec) = value.get("spec").and_then(Value::as_object) else {
        return;
    };
    let file = &loaded.file;
    let entity = best_effort_ref(value);
    let optional = spec.get("presence").and_then(Value::as_str) == Some("optional");
    let mut targets: Vec<(Vec<PathSegment<'_>>, &str)> = Vec::new();
    if let Some(target) = spec.get("target").and_then(Value::as_str) {
        targets.push((
            vec![PathSegment::Key("spec"), PathSegment::Key("target")],
            target,
        ));
    }
    if let Some(list) = spec.get("targets").and_then(Value::as_array) {
        for (i, target) in list.iter().enumerate() {
            if let Some(target) = target.as_str() {
                targets.push((
                    vec![
                        PathSegment::Key("spec"),
                        PathSegment::Key("targets"),
                        PathSegment::Index(i),
                    ],
                    target,
                ));
            }
        }
    }
    let base_dir = file.path.parent().unwrap_or(&file.root);
    for (segments, target) in targets {
        let line = loaded.line_of(&segments);
        let report = |d: Diagnostic| d.at(&file.display, line).maybe_entity(entity.as_ref());
        // A relative target of a `url` Location is relative to the Location's file, which
        // greenroom reads from its checkout; an absolute URL must name a source repository.
        let (base_dir, root, repo, target) = if target.contains("://") {
            match set.file_of_url(target) {
                Some((repo, path, _)) => {
                    let checkout = &set.repos[repo];
                    (
                        checkout.root.as_path(),
                        checkout.root.as_path(),
                        Some(repo),
                        path,
                    )
                }
                None => {
                    result.diagnostics.push(report(Diagnostic::warning(format!(
                        "Location target \"{}\" is a URL of a repository that is not a source; greenroom reads files of its sources only (add that repository as a source)",
                        crate::scm::redact(target)
                    ))));
                    continue;
                }
            }
        } else {
            (base_dir, file.root.as_path(), file.repo, target.to_string())
        };
        let target = target.as_str();
        if target.ends_with('/') || target.ends_with('\\') {
            result.diagnostics.push(report(Diagnostic::error(format!(
                "Location target \"{target}\" ends in a path separator; name a file or a glob"
            ))));
            continue;
        }
        match paths::glob_files(base_dir, target, root, &set.exclude) {
            Ok(found) => {
                if found.files.is_empty() && !optional {
                    result.diagnostics.push(report(Diagnostic::error(format!(
                        "Location target \"{target}\" matched no file (set `presence: optional` if that is expected)"
                    ))));
                }
                for (path, message) in found.problems {
                    result.diagnostics.push(
                        Diagnostic::warning(message)
                            .in_file(&set.display(&path))
                            .maybe_entity(entity.as_ref()),
                    );
                }
                let same_repo = repo == file.repo;
                for path in found.files {
                    result.targets.push(DescriptorFile {
                        web: set.file_web(repo, &path),
                        origin_web: file.origin_web.clone(),
                        branch: if same_repo {
                            file.branch.clone()
                        } else {
                            repo.and_then(|r| set.repos[r].meta.branch.clone())
                        },
                        display: set.display(&path),
                        root: root.to_path_buf(),
                        repo,
                        repo_display: if same_repo {
                            file.repo_display.clone()
                        } else {
                            repo.map(|r| set.repos[r].display.clone())
                        },
                        rank: file.rank,
                        origin: file.origin.clone(),
                        path,
                        via: Some(LocationVia {
                            file: file.display.clone(),
                            document: loaded.document.index,
                        }),
                        registered: file.registered,
                    });
                }
            }
            Err(message) => result.diagnostics.push(report(Diagnostic::error(format!(
                "Location target \"{target}\": {message}"
            )))),
        }
    }
}
