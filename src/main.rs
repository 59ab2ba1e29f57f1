//! The `greenroom` binary: parses the command line and hands over to `cli::run`.

mod cli;

use clap::Parser;

/// mimalloc instead of the system allocator: a build allocates and frees millions of small
/// strings from two threads, where glibc's malloc spent a fifth of the CPU time (see
/// ARCHITECTURE.md, "Crates").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run(cli::Cli::parse())
}
