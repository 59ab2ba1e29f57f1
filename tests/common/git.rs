//! Real git repositories for the tests: `git init` and commits in a temporary folder, and a
//! portal whose builds run with a git configuration of its own (so `url.<base>.insteadOf` can
//! point `https://github.com/...` at local repositories, without a network).

use super::{run_in_env, Portal, Run, Site, DEFAULT_TIMEOUT};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs git for the test's own setup (never the binary under test), isolated from the user's
/// configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run git (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes a file, creating its folders.
pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A Component descriptor named `name` owned by `team-a`; `extra` goes under `metadata:`.
pub fn component(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{extra}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// A repository at `dir` with `files`, committed on `main`.
pub fn make_repo(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q"]);
    commit(dir, files, "initial");
    dir.to_path_buf()
}

/// Writes `files` into the repository at `dir` and commits them.
pub fn commit(dir: &Path, files: &[(&str, &str)], message: &str) {
    for (path, text) in files {
        write(&dir.join(path), text);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The `file://` URL of a folder.
pub fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

/// A portal in a temporary folder plus the git configuration its builds run with.
pub struct GitPortal {
    /// The portal.
    pub portal: Portal,
    /// The git configuration file its builds run with (`GIT_CONFIG_GLOBAL`).
    pub git_config: PathBuf,
}

impl GitPortal {
    pub fn new() -> GitPortal {
        let portal = Portal::empty();
        let git_config = portal.tmp().join("gitconfig");
        write(&git_config, "");
        GitPortal { portal, git_config }
    }

    /// Where test remotes live: beside the portal, outside it.
    pub fn remotes(&self) -> PathBuf {
        self.portal.tmp().join("remotes")
    }

    pub fn config(&self, yaml: &str) -> &Self {
        self.portal.write("greenroom.yaml", yaml);
        self
    }

    /// Makes `https://github.com/acme/<name>.git` (with any user info before `github.com`)
    /// fetch from the local `remotes/` folder.
    pub fn redirect_github(&self, prefix: &str) {
        let mut text = std::fs::read_to_string(&self.git_config).unwrap_or_default();
        text.push_str(&format!(
            "[url \"{}/\"]\n\tinsteadOf = {prefix}\n",
            file_url(&self.remotes())
        ));
        write(&self.git_config, &text);
    }

    pub fn env(&self) -> Vec<(&'static str, &OsStr)> {
        vec![
            ("GIT_CONFIG_GLOBAL", self.git_config.as_os_str()),
            ("GIT_CONFIG_NOSYSTEM", OsStr::new("1")),
        ]
    }

    pub fn run(&self, command: &str, extra: &[&str]) -> Run {
        let mut args: Vec<&OsStr> = vec![OsStr::new(command), self.portal.root.as_os_str()];
        if command == "build" {
            args.push(OsStr::new("--out"));
            args.push(self.portal.out.as_os_str());
        }
        args.extend(extra.iter().map(OsStr::new));
        let run = run_in_env(self.portal.tmp(), &args, DEFAULT_TIMEOUT, &self.env());
        run.assert_no_crash();
        run
    }

    pub fn build(&self, extra: &[&str]) -> Run {
        self.run("build", extra)
    }

    pub fn site(&self) -> Site {
        Site::at(&self.portal.out)
    }
}
