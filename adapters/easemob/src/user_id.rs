//! The rule an Easemob username (user ID) must follow, checked before anything
//! is sent.
//!
//! easemob.md section 3.1 (Easemob's registration pages): a username is 1 to
//! 64 **bytes** of `a-z`, `0-9`, `_`, `-` and `.`. Easemob compares user IDs
//! case-insensitively and answers with the lower-cased ID when mixed case is
//! sent ("upper-case letters are automatically changed to low-case"), so unim
//! does the same: upper-case ASCII letters are **lowered, not refused**. Every
//! other character is refused. The admin, the session and the emulator face
//! all go through [`check_username`], so they agree on every id.

use std::fmt;
use unim_core::Error;

/// The longest username Easemob accepts, in bytes (easemob.md section 3.1).
pub const MAX_USER_ID_BYTES: usize = 64;

/// Why a username breaks Easemob's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsernameProblem {
    /// The username is the empty string.
    Empty,
    /// The username is longer than [`MAX_USER_ID_BYTES`].
    TooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The username contains a character outside `[A-Za-z0-9_.-]`.
    BadChar(char),
}

impl fmt::Display for UsernameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsernameProblem::Empty => f.write_str("it is empty"),
            UsernameProblem::TooLong { bytes } => {
                write!(f, "it is {bytes} bytes long; at most {MAX_USER_ID_BYTES} are allowed")
            }
            UsernameProblem::BadChar(c) => {
                write!(f, "it contains {c:?}; only a-z, 0-9, '_', '-' and '.' are allowed (A-Z is lowered)")
            }
        }
    }
}

/// The lower-cased username, or why `user` breaks Easemob's rule: empty, over
/// 64 bytes, or a character outside `[A-Za-z0-9_.-]` (A-Z is lowered).
pub fn check_username(user: &str) -> Result<String, UsernameProblem> {
    if user.is_empty() {
        return Err(UsernameProblem::Empty);
    }
    if let Some(bad) = user.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))) {
        return Err(UsernameProblem::BadChar(bad));
    }
    if user.len() > MAX_USER_ID_BYTES {
        return Err(UsernameProblem::TooLong { bytes: user.len() });
    }
    Ok(user.to_ascii_lowercase())
}

/// The username as Easemob stores it (upper-case ASCII lowered), or
/// [`unim_core::ErrorKind::InvalidInput`] naming the id and the rule it
/// breaks.
pub fn normalize_username(user: &str) -> Result<String, Error> {
    check_username(user).map_err(|problem| {
        let shown: String = user.chars().take(24).collect();
        let ellipsis = if shown.len() < user.len() { "..." } else { "" };
        Error::invalid_input(format!("the Easemob username {shown:?}{ellipsis} is not valid: {problem}"))
    })
}

/// Checks `user` against Easemob's rule without keeping the normalized form
/// (see [`normalize_username`]).
pub fn validate_user_id(user: &str) -> Result<(), Error> {
    normalize_username(user).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_upper_case_and_keeps_the_allowed_set() {
        assert_eq!(normalize_username("alice").unwrap(), "alice");
        assert_eq!(normalize_username("Alice_01.x-Y").unwrap(), "alice_01.x-y");
        assert_eq!(normalize_username(&"a".repeat(64)).unwrap(), "a".repeat(64));
        assert!(validate_user_id("0-._").is_ok());
    }

    #[test]
    fn refuses_empty_long_and_foreign_characters_by_name() {
        assert_eq!(check_username(""), Err(UsernameProblem::Empty));
        assert_eq!(check_username(&"a".repeat(65)), Err(UsernameProblem::TooLong { bytes: 65 }));
        assert_eq!(check_username("a b"), Err(UsernameProblem::BadChar(' ')));
        assert_eq!(check_username("naïve"), Err(UsernameProblem::BadChar('ï')));
        assert_eq!(check_username("a@b"), Err(UsernameProblem::BadChar('@')));

        let e = normalize_username("").unwrap_err();
        assert_eq!(e.kind, unim_core::ErrorKind::InvalidInput);
        assert!(e.message.contains("empty"), "{}", e.message);
        let e = normalize_username(&"b".repeat(65)).unwrap_err();
        assert!(e.message.contains("65 bytes") && e.message.contains("..."), "{}", e.message);
        let e = normalize_username("用户").unwrap_err();
        assert!(e.message.contains("'用'") && e.message.contains("a-z"), "{}", e.message);
    }
}
