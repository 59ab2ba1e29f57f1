//! The `greenroom` binary: parses the command line and hands over to `cli::run`.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
