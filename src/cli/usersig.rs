//! `unim usersig gen|verify`: TLSSigAPIv2 UserSigs from the command line.

use clap::Subcommand;
use std::process::ExitCode;
use unim_tencent::usersig::UserSigKey;

/// Default validity, as in the official Python and PHP packages: 180 days (tencent.md 1.1).
const DEFAULT_EXPIRE: u64 = 180 * 86400;

/// The app, its key and the user a UserSig is for.
#[derive(Debug, clap::Args)]
pub struct Signer {
    /// The SDKAppID.
    #[arg(long)]
    sdkappid: u64,
    /// The app's secret key.
    #[arg(long)]
    key: String,
    /// The UserID.
    #[arg(long)]
    user: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a UserSig.
    Gen {
        #[command(flatten)]
        signer: Signer,
        /// Validity in seconds.
        #[arg(long, default_value_t = DEFAULT_EXPIRE)]
        expire: u64,
        /// Issue time, Unix seconds (default: now).
        #[arg(long)]
        time: Option<u64>,
    },
    /// Print `ok` or why the UserSig is not valid (non-zero exit when not ok).
    Verify {
        #[command(flatten)]
        signer: Signer,
        /// The UserSig.
        #[arg(long)]
        sig: String,
        /// The time to check expiry at, Unix seconds (default: now).
        #[arg(long)]
        now: Option<u64>,
    },
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn run(cmd: Command) -> Result<ExitCode, String> {
    match cmd {
        Command::Gen { signer: Signer { sdkappid, key, user }, expire, time } => {
            unim_tencent::user_id::validate_user_id(&user).map_err(|e| e.to_string())?;
            println!("{}", UserSigKey::new(sdkappid, &key).gen(&user, expire, time.unwrap_or_else(unix_now)));
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { signer: Signer { sdkappid, key, user }, sig, now } => {
            match UserSigKey::new(sdkappid, &key).verify(&user, &sig, now.unwrap_or_else(unix_now)) {
                Ok(_) => {
                    println!("ok");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    println!("{e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
