//! Command-line interface: clap definitions and the `run` function of each subcommand.

use clap::{Parser, Subcommand, ValueEnum};
use greenroom::diag::{Counts, Diagnostic, Severity};
use greenroom::serve::ServeOptions;
use greenroom::BuildOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that ignores a closed stdout (`greenroom check | head` must not panic).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// How many diagnostics `build` prints before pointing at diagnostics.json.
const PRINT_LIMIT: usize = 50;

/// A developer portal that needs no server: Backstage catalog descriptors and docs from many
/// repositories, built into one static site.
#[derive(Debug, Parser)]
#[command(name = "greenroom", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the portal into a static site. Problems are reported but do not stop the build
    /// (unless --strict).
    Build {
        /// Portal root: the folder with greenroom.yaml and the repository checkouts.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output folder (default: DIR/site, or `out:` from greenroom.yaml).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Fail (exit 1) on any error or warning, leaving the previous site untouched.
        #[arg(long)]
        strict: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
        /// A cold build: ignore the previous site in the output folder and the highlight memo
        /// in the cache (by default pages whose inputs are unchanged are not rendered again,
        /// unchanged files keep their inode and modification time, and unchanged code is not
        /// highlighted again).
        #[arg(long)]
        clean: bool,
    },
    /// Build the portal into memory and serve it for preview, rebuilding what changed and
    /// reloading open browser tabs (nothing is written to the output folder).
    Serve {
        /// Portal root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on; 0 picks a free one (the URL is printed).
        #[arg(long, short, default_value_t = greenroom::serve::DEFAULT_PORT)]
        port: u16,
        /// Address to listen on. The default serves this machine only; use 0.0.0.0 to serve
        /// the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Watch the sources and rebuild on changes (the default).
        #[arg(long, overrides_with = "no_watch")]
        watch: bool,
        /// Serve the first build only; do not watch.
        #[arg(long, overrides_with = "watch")]
        no_watch: bool,
        /// Open the portal in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Load and validate the catalog without building. Exit 0 when there are no errors, 1 when
    /// there are, 2 when the check could not run.
    Check {
        /// Portal root (with --repo: a repository checkout).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors too.
        #[arg(long)]
        strict: bool,
        /// Check DIR as one repository on its own (a pull-request job), not as a portal root.
        #[arg(long)]
        repo: bool,
        /// The published portal's catalog/entities.json: refs to its entities count as present
        /// (with --repo). Download it first, e.g. with curl.
        #[arg(long, value_name = "ENTITIES_JSON", requires = "repo")]
        against: Option<PathBuf>,
        /// Let the check read URLs in `$text`/`$json`/`$yaml` placeholders on this host (or
        /// under this URL prefix), as `reading.allow` does for a portal (with --repo; by default
        /// a repository check reads nothing from the network). Repeatable.
        #[arg(long, value_name = "HOST_OR_PREFIX", requires = "repo")]
        allow_reading: Vec<String>,
    },
}

/// Diagnostic output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line: severity: message [entity]`, one per line, and a summary.
    Human,
    /// A JSON array of {severity, file, line, entity, message}.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`), shown inline on
    /// the pull request's changed files.
    Github,
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build {
            dir,
            out,
            strict,
            timings,
            clean,
        } => build(
            BuildOptions {
                root: dir,
                out,
                strict,
                progress: std::io::stderr().is_terminal(),
                reuse: !clean,
            },
            timings,
        ),
        Command::Check {
            dir,
            format,
            strict,
            repo,
            against,
            allow_reading,
        } => check(
            &dir,
            format,
            strict,
            repo,
            against.as_deref(),
            &allow_reading,
        ),
        Command::Serve {
            dir,
            port,
            host,
            watch: _,
            no_watch,
            open,
        } => serve(ServeOptions {
            root: dir,
            host,
            port,
            watch: !no_watch,
            open,
        }),
    }
}

fn build(options: BuildOptions, show_timings: bool) -> ExitCode {
    let report = match greenroom::build(&options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(1);
        }
    };
    print_diagnostics(&report.diagnostics, Some(PRINT_LIMIT));
    if show_timings {
        for (stage, seconds) in &report.timings {
            eprintln!("{stage:>10}: {:7.1} ms", seconds * 1000.0);
        }
    }
    let counts = Counts::of(&report.diagnostics);
    let summary = format!(
        "{} entities, {} pages, {} errors, {} warnings in {:.2} s",
        report.entities, report.pages, counts.errors, counts.warnings, report.seconds
    );
    if report.stopped.is_none() {
        out!(
            "built {summary} ({} pages rendered, {} unchanged; {} files written, {} kept) → {}",
            report.render.rendered,
            report.render.unchanged,
            report.files.written,
            report.files.kept,
            report.out.display()
        );
        ExitCode::SUCCESS
    } else {
        let reason = match report.stopped {
            Some(greenroom::StopReason::Config) => "greenroom.yaml has errors",
            _ => "--strict",
        };
        eprintln!(
            "build failed ({reason}): {summary}; the previous site in {} is untouched",
            report.out.display()
        );
        ExitCode::from(1)
    }
}

fn serve(options: ServeOptions) -> ExitCode {
    match greenroom::serve::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn check(
    dir: &std::path::Path,
    format: Format,
    strict: bool,
    repo: bool,
    against: Option<&std::path::Path>,
    allow_reading: &[String],
) -> ExitCode {
    let result = if repo {
        let mut reading = greenroom::config::ReadingConfig::default();
        for entry in allow_reading {
            match greenroom::config::ReadAllow::parse(entry) {
                Ok(allow) => reading.allow.push(allow),
                Err(message) => {
                    eprintln!("error: --allow-reading: {message}");
                    return ExitCode::from(2);
                }
            }
        }
        greenroom::check_repository(dir, against, reading)
    } else {
        greenroom::check(dir)
    };
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let counts = Counts::of(&report.diagnostics);
    match format {
        Format::Json => match serde_json::to_string_pretty(&report.diagnostics) {
            Ok(json) => out!("{json}"),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        Format::Github => {
            for d in &report.diagnostics {
                out!("{}", github_annotation(d));
            }
            out!(
                "checked {} entities: {} errors, {} warnings",
                report.entities,
                counts.errors,
                counts.warnings
            );
        }
        Format::Human => {
            for d in &report.diagnostics {
                out!("{}", paint(d, std::io::stdout().is_terminal()));
            }
            out!(
                "checked {} entities: {} errors, {} warnings",
                report.entities,
                counts.errors,
                counts.warnings
            );
        }
    }
    let failed = counts.errors > 0 || (strict && counts.warnings > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One diagnostic as a GitHub Actions workflow command. Values are escaped as the runner
/// expects (`%`, CR, LF everywhere; also `:` and `,` in properties), so a message cannot end
/// the command early or inject another one.
pub fn github_annotation(d: &Diagnostic) -> String {
    fn data(text: &str) -> String {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(text: &str) -> String {
        data(text).replace(':', "%3A").replace(',', "%2C")
    }
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &d.file {
        properties.push(format!("file={}", property(file)));
        if let Some(line) = d.line {
            properties.push(format!("line={line}"));
        }
    }
    let title = match &d.entity {
        Some(entity) => format!("greenroom: {entity}"),
        None => "greenroom".to_string(),
    };
    properties.push(format!("title={}", property(&title)));
    format!("::{command} {}::{}", properties.join(","), data(&d.message))
}

fn print_diagnostics(diagnostics: &[Diagnostic], limit: Option<usize>) {
    let colour = std::io::stderr().is_terminal();
    let shown = limit.unwrap_or(usize::MAX).min(diagnostics.len());
    for d in &diagnostics[..shown] {
        eprintln!("{}", paint(d, colour));
    }
    if shown < diagnostics.len() {
        eprintln!(
            "… and {} more (all of them are in diagnostics.json)",
            diagnostics.len() - shown
        );
    }
}

fn paint(d: &Diagnostic, colour: bool) -> String {
    let text = d.to_string();
    if !colour {
        return text;
    }
    let (word, code) = match d.severity {
        Severity::Error => ("error:", "31"),
        Severity::Warning => ("warning:", "33"),
    };
    text.replacen(word, &format!("\x1b[1;{code}m{word}\x1b[0m"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_annotations_escape_what_would_end_or_inject_a_command() {
        let d = Diagnostic::error("50% done\n::error::injected\r")
            .at("repos/a,b:c/catalog-info.yaml", 7)
            .entity("component:default/x");
        assert_eq!(
            github_annotation(&d),
            "::error file=repos/a%2Cb%3Ac/catalog-info.yaml,line=7,title=greenroom%3A component%3Adefault/x::50%25 done%0A::error::injected%0D"
        );
        let bare = Diagnostic::warning("no file");
        assert_eq!(
            github_annotation(&bare),
            "::warning title=greenroom::no file"
        );
    }
}
