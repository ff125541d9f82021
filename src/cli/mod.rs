//! Command-line arguments and dispatch.

mod conformance;
mod emulator;
mod login;
mod token;
mod usersig;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// One instant-messaging API over Tencent, Easemob and NetEase style backends.
#[derive(Debug, Parser)]
#[command(name = "unim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance suite against the embedded emulators and print the matrix.
    Conformance(conformance::Args),
    /// Run a vendor emulator.
    #[command(subcommand)]
    Emulator(emulator::Command),
    /// Log in and print every neutral event as one JSON line.
    Login(login::Args),
    /// Request vendor tokens (Easemob app and user tokens, NetEase static and dynamic tokens).
    #[command(subcommand)]
    Token(token::Command),
    /// Generate or verify Tencent UserSigs.
    #[command(subcommand)]
    Usersig(usersig::Command),
}

/// Runs the command; the exit code says whether it succeeded.
pub async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Conformance(args) => conformance::run(args).await,
        Command::Emulator(cmd) => emulator::run(cmd).await,
        Command::Login(args) => login::run(args).await,
        Command::Token(cmd) => token::run(cmd).await,
        Command::Usersig(cmd) => usersig::run(cmd),
    }
}
