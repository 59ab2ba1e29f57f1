//! Command-line interface: clap definitions and the `run` function of each subcommand.

use clap::{Parser, Subcommand, ValueEnum};
use greenroom::diag::{Counts, Diagnostic, Severity};
use greenroom::serve::ServeOptions;
use greenroom::BuildOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
        /// Portal root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors too.
        #[arg(long)]
        strict: bool,
    },
}

/// Diagnostic output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line: severity: message [entity]`, one per line, and a summary.
    Human,
    /// A JSON array of {severity, file, line, entity, message}.
    Json,
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build {
            dir,
            out,
            strict,
            timings,
        } => build(
            BuildOptions {
                root: dir,
                out,
                strict,
                progress: std::io::stderr().is_terminal(),
            },
            timings,
        ),
        Command::Check {
            dir,
            format,
            strict,
        } => check(&dir, format, strict),
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
        println!("built {summary} → {}", report.out.display());
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

fn check(dir: &std::path::Path, format: Format, strict: bool) -> ExitCode {
    let report = match greenroom::check(dir) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let counts = Counts::of(&report.diagnostics);
    match format {
        Format::Json => match serde_json::to_string_pretty(&report.diagnostics) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        Format::Human => {
            for d in &report.diagnostics {
                println!("{}", paint(d, std::io::stdout().is_terminal()));
            }
            println!(
                "checked {} entities: {} errors, {} warnings",
                report.entities, counts.errors, counts.warnings
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
