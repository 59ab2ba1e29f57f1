//! Stage 6: write the site. The only module that writes files.
//!
//! Files go to a fresh sibling folder first; only when every file is written is the previous
//! site swapped out, so a failed build never leaves a half-written site.

use anyhow::{bail, Context as _};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One file of the finished site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Site-relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// What the render stage hands to the writer: a file's bytes, or word that it is unchanged.
#[derive(Debug)]
pub enum Produced {
    /// A file rendered now, with the key of its inputs.
    New {
        /// The file.
        file: OutputFile,
        /// Hash of everything the file was made from (see [`Manifest`]).
        key: String,
    },
    /// A file whose inputs have the same key as in the previous site: its bytes are taken from
    /// there instead of being rendered again.
    Unchanged {
        /// Site-relative path.
        path: String,
    },
}

/// `manifest.json`: every file of the site with its content hash, so an uploader can sync only
/// what changed. `key` is the hash of the file's inputs (template, theme and page context, or
/// the bytes of a data file): the next build skips rendering a page whose key is unchanged.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Format version of this file.
    pub version: u32,
    /// Every file except the manifest itself, by path.
    pub files: BTreeMap<String, ManifestEntry>,
}

/// One file in [`Manifest`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestEntry {
    /// xxHash3-128 of the contents, 32 hex digits.
    pub hash: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Hash of the inputs the file was made from.
    pub key: String,
}

/// The manifest's file name at the site root.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Current [`Manifest::version`].
const MANIFEST_VERSION: u32 = 1;

/// A 128-bit xxHash3 as 32 hex digits: the content hash of the manifest and of page keys.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The site a previous build left in the output folder, as far as its manifest tells: the
/// store the next build reuses unchanged files from.
#[derive(Debug, Default)]
pub struct Previous {
    folder: PathBuf,
    manifest: Manifest,
}

impl Previous {
    /// Reads `out/manifest.json`; a missing or unreadable manifest means nothing is reused.
    pub fn load(out: &Path) -> Previous {
        let manifest = std::fs::read(out.join(MANIFEST_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
            .filter(|m| m.version == MANIFEST_VERSION)
            .unwrap_or_default();
        Previous {
            folder: out.to_path_buf(),
            manifest,
        }
    }

    /// The input key of each file of the previous site that is still there with its recorded
    /// size, for the render stage: a file someone removed or replaced is rendered again.
    pub fn keys(&self) -> BTreeMap<String, String> {
        let entries: Vec<(&String, &ManifestEntry)> = self.manifest.files.iter().collect();
        entries
            .par_iter()
            .filter(|(path, entry)| {
                std::fs::symlink_metadata(self.folder.join(path))
                    .is_ok_and(|m| m.is_file() && m.len() == entry.bytes)
            })
            .map(|(path, entry)| ((*path).clone(), entry.key.clone()))
            .collect()
    }
}

/// How many files a build wrote and how many it took unchanged from the previous site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written with new bytes.
    pub written: usize,
    /// Files linked (or copied) unchanged from the previous site.
    pub kept: usize,
}

/// A file every greenroom site has; a non-empty output folder without it was not written by
/// greenroom and is never replaced.
pub const MARKER_FILE: &str = "diagnostics.json";

/// Refuses output folders that would destroy input: the portal root itself, or any folder that
/// contains it or a source.
pub fn check_destination(out: &Path, protected: &[PathBuf]) -> anyhow::Result<()> {
    let out = absolute(out)?;
    for input in protected {
        let input = absolute(input)?;
        if input.starts_with(&out) {
            bail!(
                "refusing to write the site to {}: it contains the input folder {}",
                out.display(),
                input.display()
            );
        }
    }
    if out.exists() && !out.is_dir() {
        bail!(
            "refusing to replace {}: it is a file, not a site folder",
            out.display()
        );
    }
    if out.is_dir() {
        let non_empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        if non_empty && !out.join(MARKER_FILE).is_file() {
            bail!(
                "refusing to replace {}: it is not empty and was not written by greenroom (no {MARKER_FILE})",
                out.display()
            );
        }
    }
    Ok(())
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if let Ok(real) = path.canonicalize() {
        return Ok(real);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().context("output path has no folder name")?;
    Ok(absolute(parent)?.join(name))
}

/// A site being written: files go into a hidden sibling folder of the output, which replaces
/// the output on [`Staging::commit`]. Dropped without commit, it removes itself.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    retired: PathBuf,
    committed: bool,
    previous: Previous,
    manifest: Mutex<Vec<(String, ManifestEntry)>>,
    kept: std::sync::atomic::AtomicUsize,
    /// Folders made so far (site-relative), so a later [`Staging::create_folders`] call makes
    /// only the new ones.
    made: Mutex<HashSet<String>>,
}

impl Staging {
    /// Creates an empty staging folder beside `out`. Files of `previous` can be carried over
    /// with [`Staging::keep`].
    pub fn begin(out: &Path, previous: Previous) -> anyhow::Result<Staging> {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = out
            .file_name()
            .context("output path has no folder name")?
            .to_string_lossy();
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            retired,
            committed: false,
            previous,
            manifest: Mutex::new(Vec::new()),
            kept: std::sync::atomic::AtomicUsize::new(0),
            made: Mutex::new(HashSet::new()),
        })
    }

    /// Creates the folders of the given site paths up front, each once, so that parallel
    /// writes need no `create_dir_all` per file. Folders an earlier call made are skipped; a
    /// folder this misses is still made by the write that needs it.
    pub fn create_folders<'p>(
        &self,
        site_paths: impl Iterator<Item = &'p str>,
    ) -> anyhow::Result<()> {
        let mut folders: Vec<&str> = site_paths
            .filter_map(|p| p.rsplit_once('/').map(|(folder, _)| folder))
            .collect();
        folders.sort_unstable();
        folders.dedup();
        let mut made = self
            .made
            .lock()
            .map_err(|_| anyhow::anyhow!("a folder-making thread failed"))?;
        for folder in folders {
            if made.contains(folder) {
                continue;
            }
            let mut prefix = String::new();
            for part in folder.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if made.insert(prefix.clone()) {
                    let path = self.dir.join(&prefix);
                    match std::fs::create_dir(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => {
                            return Err(anyhow::Error::new(e)
                                .context(format!("creating {}", path.display())))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Takes one produced file: writes a new one (or links the previous site's copy when the
    /// bytes turn out identical), or keeps an unchanged one. Safe to call from many threads.
    pub fn put(&self, produced: Produced) -> anyhow::Result<()> {
        match produced {
            Produced::New { file, key } => self.write_keyed(&file, key),
            Produced::Unchanged { path } => {
                let entry = self.previous.manifest.files.get(&path).cloned();
                match entry {
                    Some(entry) if self.keep(&path, &entry) => {
                        self.record(path, entry);
                        Ok(())
                    }
                    _ => bail!("{path} was reported unchanged but the previous site lacks it"),
                }
            }
        }
    }

    /// Writes one file whose key is its own content hash (assets, data files).
    pub fn write(&self, file: &OutputFile) -> anyhow::Result<()> {
        let hash = content_hash(&file.bytes);
        self.write_keyed(file, hash)
    }

    fn write_keyed(&self, file: &OutputFile, key: String) -> anyhow::Result<()> {
        let entry = ManifestEntry {
            hash: content_hash(&file.bytes),
            bytes: file.bytes.len() as u64,
            key,
        };
        let same = self
            .previous
            .manifest
            .files
            .get(&file.path)
            .is_some_and(|old| old.hash == entry.hash && old.bytes == entry.bytes);
        if !(same && self.keep(&file.path, &entry)) {
            self.write_bytes(file)?;
        }
        self.record(file.path.clone(), entry);
        Ok(())
    }

    /// Hard-links (or, across filesystems, copies) the previous site's file into the staging
    /// folder, so an unchanged file keeps its inode and modification time. False when the
    /// previous file is missing or has another size than its manifest says.
    fn keep(&self, path: &str, entry: &ManifestEntry) -> bool {
        let from = self.previous.folder.join(path);
        let to = self.dir.join(path);
        let intact =
            std::fs::symlink_metadata(&from).is_ok_and(|m| m.is_file() && m.len() == entry.bytes);
        if !intact {
            return false;
        }
        let linked = std::fs::hard_link(&from, &to).is_ok()
            || (to
                .parent()
                .is_some_and(|p| std::fs::create_dir_all(p).is_ok())
                && (std::fs::hard_link(&from, &to).is_ok() || std::fs::copy(&from, &to).is_ok()));
        if linked {
            self.kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        linked
    }

    fn record(&self, path: String, entry: ManifestEntry) {
        if let Ok(mut manifest) = self.manifest.lock() {
            manifest.push((path, entry));
        }
    }

    /// Files written and kept so far.
    pub fn stats(&self) -> WriteStats {
        let files = self.manifest.lock().map(|m| m.len()).unwrap_or_default();
        let kept = self.kept.load(std::sync::atomic::Ordering::Relaxed);
        WriteStats {
            written: files.saturating_sub(kept),
            kept,
        }
    }

    /// Writes `manifest.json` listing every file put so far (kept as is when unchanged).
    pub fn write_manifest(&self) -> anyhow::Result<()> {
        let files = self
            .manifest
            .lock()
            .map(|m| m.iter().cloned().collect::<BTreeMap<_, _>>())
            .map_err(|_| anyhow::anyhow!("a writer thread failed"))?;
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            files,
        };
        let mut bytes = serde_json::to_vec_pretty(&manifest)?;
        bytes.push(b'\n');
        let unchanged = manifest == self.previous.manifest
            && std::fs::read(self.previous.folder.join(MANIFEST_FILE)).is_ok_and(|b| b == bytes);
        let target = self.dir.join(MANIFEST_FILE);
        if !(unchanged
            && std::fs::hard_link(self.previous.folder.join(MANIFEST_FILE), &target).is_ok())
        {
            std::fs::write(&target, bytes)
                .with_context(|| format!("writing {}", target.display()))?;
        }
        Ok(())
    }

    fn write_bytes(&self, file: &OutputFile) -> anyhow::Result<()> {
        let path = self.dir.join(&file.path);
        match std::fs::write(&path, &file.bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating {}", parent.display()))?;
                }
                std::fs::write(&path, &file.bytes)
            }
            other => other,
        }
        .with_context(|| format!("writing {}", path.display()))
    }

    /// Swaps the staged site in place of the output.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let out = self.out.clone();
        if out.exists() {
            std::fs::rename(&out, &self.retired)
                .with_context(|| format!("moving the previous site {} aside", out.display()))?;
        }
        if let Err(error) = std::fs::rename(&self.dir, &out) {
            let _ = std::fs::rename(&self.retired, &out);
            return Err(anyhow::Error::new(error)
                .context(format!("moving the new site into {}", out.display())));
        }
        self.committed = true;
        if self.retired.exists() {
            remove_tree(&self.retired).with_context(|| {
                format!("removing the previous site {}", self.retired.display())
            })?;
        }
        Ok(())
    }
}

/// Writes a file of the build cache (outside the site) atomically: a temporary sibling, then a
/// rename, so an interrupted build never leaves a torn cache file.
pub fn write_cache_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = path
        .file_name()
        .context("cache path has no file name")?
        .to_string_lossy();
    let temporary = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("replacing {}", path.display()))
}

/// `remove_dir_all`, with each folder's entries removed in parallel: a 10,000-page site goes
/// several times faster than with one thread.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(path)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes `files` as the complete new content of `out`, replacing what was there only once
/// everything is written.
pub fn write_atomically(out: &Path, files: &[OutputFile]) -> anyhow::Result<()> {
    let staging = Staging::begin(out, Previous::default())?;
    files.par_iter().try_for_each(|file| staging.write(file))?;
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn replaces_the_previous_site_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        write_atomically(
            &out,
            &[file("a/index.html", "one"), file(MARKER_FILE, "[]")],
        )
        .expect("first");
        write_atomically(&out, &[file("b.html", "two"), file(MARKER_FILE, "[]")]).expect("second");
        assert!(!out.join("a/index.html").exists());
        assert_eq!(
            std::fs::read_to_string(out.join("b.html")).expect("read"),
            "two"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(leftovers.len(), 1, "no staging folders left behind");
    }

    #[test]
    fn refuses_foreign_or_enclosing_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("precious.txt"), "x").expect("write");
        assert!(check_destination(dir.path(), &[]).is_err());
        let portal = dir.path().join("portal");
        std::fs::create_dir_all(&portal).expect("mkdir");
        assert!(check_destination(dir.path(), std::slice::from_ref(&portal)).is_err());
        assert!(check_destination(&portal.join("site"), &[portal]).is_ok());
    }
}
