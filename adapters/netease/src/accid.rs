//! The rule a NetEase accid (account id) must follow, checked before anything
//! is sent.
//!
//! netease.md 3.1: an accid is 1 to 32 characters of letters, digits, `_`,
//! `@`, `.` and `-`, unique per app and case-insensitive: the server lowers
//! it and clients must use the returned accid. unim lowers upper-case ASCII
//! letters rather than refusing them, and refuses everything else. The admin,
//! the session and the emulator face all go through [`check_accid`], so they
//! agree on every id.

use std::fmt;
use unim_core::Error;

/// The longest accid NetEase accepts, in characters (netease.md 3.1).
pub const MAX_ACCID_LEN: usize = 32;

/// Why an accid breaks NetEase's rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccidProblem {
    /// The accid is the empty string.
    Empty,
    /// The accid is longer than [`MAX_ACCID_LEN`].
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// The accid contains a character outside letters, digits, `_ @ . -`.
    BadChar(char),
}

impl fmt::Display for AccidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccidProblem::Empty => f.write_str("accid is empty"),
            AccidProblem::TooLong { chars } => {
                write!(f, "accid is {chars} characters long; at most {MAX_ACCID_LEN} are allowed")
            }
            AccidProblem::BadChar(c) => {
                write!(f, "accid contains {c:?}; only letters, digits, '_', '@', '.' and '-' are allowed")
            }
        }
    }
}

/// The lower-cased accid, or why `accid` breaks NetEase's rule.
pub fn check_accid(accid: &str) -> Result<String, AccidProblem> {
    if accid.is_empty() {
        return Err(AccidProblem::Empty);
    }
    if let Some(bad) = accid.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '.' | '-'))) {
        return Err(AccidProblem::BadChar(bad));
    }
    // Only ASCII is left here, so bytes are characters.
    if accid.len() > MAX_ACCID_LEN {
        return Err(AccidProblem::TooLong { chars: accid.len() });
    }
    Ok(accid.to_ascii_lowercase())
}

/// [`check_accid`] as a neutral [`Error`] of kind `InvalidInput`.
pub fn validate(accid: &str) -> Result<String, Error> {
    check_accid(accid).map_err(|problem| Error::invalid_input(format!("invalid NetEase accid: {problem}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ErrorKind;

    #[test]
    fn accepts_the_documented_charset_and_lowers_it() {
        assert_eq!(check_accid("Alice_01@x.y-z"), Ok("alice_01@x.y-z".into()));
        assert_eq!(check_accid(&"a".repeat(32)), Ok("a".repeat(32)));
    }

    #[test]
    fn refuses_empty_long_and_bad_characters() {
        assert_eq!(check_accid(""), Err(AccidProblem::Empty));
        assert_eq!(check_accid(&"a".repeat(33)), Err(AccidProblem::TooLong { chars: 33 }));
        assert_eq!(check_accid("a b"), Err(AccidProblem::BadChar(' ')));
        assert_eq!(check_accid("张三"), Err(AccidProblem::BadChar('张')));
        assert_eq!(check_accid("a#b"), Err(AccidProblem::BadChar('#')));
    }

    #[test]
    fn the_error_names_the_problem() {
        let e = validate("bad/one").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("'/'"), "{e}");
        assert!(validate(&"x".repeat(40)).unwrap_err().to_string().contains("40 characters"));
        assert!(validate("").unwrap_err().to_string().contains("empty"));
    }
}
