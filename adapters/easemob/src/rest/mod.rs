//! Easemob's server REST API (`vendors/easemob.md` sections 1-3): the app key
//! ([`AppKey`]), the JSON wire types in [`types`], shared with the emulator,
//! and the low-level [`RestClient`] that authenticates with the app token.

pub mod client;
pub mod groups;
pub mod types;

pub use client::{Method, RestClient, RetryPolicy, TokenGrant};
pub use types::{platform_from_resource, resource_for};

pub use crate::user_id::{check_username, normalize_username, validate_user_id, UsernameProblem, MAX_USER_ID_BYTES};

use std::fmt;
use std::str::FromStr;
use unim_core::Error;

/// Most users in one `POST /users` (easemob.md 3.1: "batch ≤ 60").
pub const MAX_USERS_PER_REGISTER: usize = 60;

/// Most usernames in one `POST /users/batch/status` (easemob.md 3.3).
pub const MAX_USERS_PER_STATUS_QUERY: usize = 100;

/// Most users per page of `GET /users` (easemob.md 3.2: `limit` 1-100).
pub const MAX_USERS_PER_PAGE: usize = 100;

/// Users per page of `GET /users` when `limit` is not given (easemob.md 3.2).
pub const DEFAULT_USERS_PER_PAGE: usize = 10;

/// The longest password, in characters (easemob.md 3.1).
pub const MAX_PASSWORD_CHARS: usize = 64;

/// The longest push nickname, in characters (easemob.md 3.1).
pub const MAX_NICKNAME_CHARS: usize = 100;

/// A token's validity when the request names no `ttl`: the documented
/// console default of 60 days (easemob.md 2.1, 2.3).
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 60 * 86_400;

/// An Easemob app key, `org_name#app_name` (easemob.md 1.1). REST URLs carry
/// it as `/{org_name}/{app_name}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AppKey {
    org: String,
    app: String,
}

/// Checks one half of an app key: non-empty ASCII letters, digits, `-`, `_`, `.`.
fn check_part(what: &str, part: &str, key: &str) -> Result<(), Error> {
    if part.is_empty() {
        return Err(Error::invalid_input(format!("the Easemob app key {key:?} has an empty {what}")));
    }
    if let Some(bad) = part.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(Error::invalid_input(format!(
            "the Easemob app key {key:?} has {bad:?} in its {what}; only ASCII letters, digits, '-', '_' and '.' are allowed"
        )));
    }
    Ok(())
}

impl AppKey {
    /// Parses `org_name#app_name`. Each half must be non-empty ASCII letters,
    /// digits, `-`, `_` or `.` (what the console allows, and what is safe in a
    /// URL path); anything else is [`unim_core::ErrorKind::InvalidInput`].
    pub fn parse(key: &str) -> Result<AppKey, Error> {
        let (org, app) = key.split_once('#').ok_or_else(|| {
            Error::invalid_input(format!("the Easemob app key {key:?} must have the form org_name#app_name"))
        })?;
        check_part("org_name", org, key)?;
        check_part("app_name", app, key)?;
        Ok(AppKey { org: org.to_owned(), app: app.to_owned() })
    }

    /// An app key from its two halves, checked as [`AppKey::parse`] does.
    pub fn new(org: &str, app: &str) -> Result<AppKey, Error> {
        Self::parse(&format!("{org}#{app}"))
    }

    /// `org_name`.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// `app_name`.
    pub fn app(&self) -> &str {
        &self.app
    }
}

impl fmt::Display for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.org, self.app)
    }
}

impl FromStr for AppKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppKey::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_org_and_app() {
        let k = AppKey::parse("1122161011178276#testapp").unwrap();
        assert_eq!((k.org(), k.app()), ("1122161011178276", "testapp"));
        assert_eq!(k.to_string(), "1122161011178276#testapp");
        assert_eq!("easemob-demo#chatdemoui".parse::<AppKey>().unwrap().app(), "chatdemoui");
        assert_eq!(AppKey::new("unim", "demo").unwrap().to_string(), "unim#demo");
    }

    #[test]
    fn refuses_malformed_keys_by_name() {
        for (key, words) in [
            ("nohash", "org_name#app_name"),
            ("#app", "empty org_name"),
            ("org#", "empty app_name"),
            ("org#a/b", "'/'"),
            ("o g#app", "' '"),
            ("org#app#x", "'#'"),
        ] {
            let e = AppKey::parse(key).unwrap_err();
            assert_eq!(e.kind, unim_core::ErrorKind::InvalidInput);
            assert!(e.message.contains(words), "{key}: {}", e.message);
        }
    }
}
