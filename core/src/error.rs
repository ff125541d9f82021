//! Errors: a small neutral kind, a message, and the vendor's original code.

use crate::DisconnectReason;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// The result type of unim operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in vendor-neutral terms. Callers branch on this; the
/// vendor's own code is in [`Error::vendor`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller passed something the vendor would refuse (a bad user id, an
    /// over-long field); nothing was sent.
    InvalidInput,
    /// The credentials were refused (wrong password, bad signature, unknown user).
    Unauthenticated,
    /// The credentials have expired; fresh ones will work.
    CredentialExpired,
    /// The caller may not do this.
    PermissionDenied,
    /// The target does not exist.
    NotFound,
    /// The target exists already.
    AlreadyExists,
    /// A limit was reached: the group is full, the user is in too many
    /// groups, the app has too many.
    LimitExceeded,
    /// Too many requests; try again after `retry_after` when the vendor says.
    RateLimited {
        /// How long the vendor asks to wait, when it says.
        #[serde(with = "crate::serde_millis::option", rename = "retry_after_ms")]
        retry_after: Option<Duration>,
    },
    /// The service could not be reached or is down.
    Unavailable,
    /// The service did not answer in time.
    Timeout,
    /// The vendor or adapter cannot do this.
    Unsupported,
    /// The peer broke the protocol: a malformed or unexpected reply.
    Protocol,
    /// The call does not fit the session's current state (a login already in
    /// progress, an operation while logged out).
    InvalidState,
    /// Auto-login was stopped for good by an earlier disconnect; the app must
    /// log in with fresh credentials.
    AutoLoginStopped {
        /// The disconnect that stopped it.
        reason: DisconnectReason,
    },
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// True when retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErrorKind::RateLimited { .. } | ErrorKind::Unavailable | ErrorKind::Timeout)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::CredentialExpired => "credential expired",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::LimitExceeded => "limit exceeded",
            ErrorKind::RateLimited { .. } => "rate limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::InvalidState => "invalid state",
            ErrorKind::AutoLoginStopped { .. } => "auto-login stopped",
            ErrorKind::Other => "error",
        };
        f.write_str(s)
    }
}

/// A vendor's own code and text, kept beside every neutral value derived from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorError {
    /// Which vendor (`tencent`, `easemob`, `netease`).
    pub vendor: String,
    /// The vendor's numeric code (an HTTP status where that is all there is).
    pub code: i64,
    /// The vendor's symbolic error name, where it has one (Easemob `error`).
    pub name: Option<String>,
    /// The vendor's text.
    pub message: String,
}

impl VendorError {
    /// A vendor code and text.
    pub fn new(vendor: impl Into<String>, code: i64, message: impl Into<String>) -> Self {
        VendorError { vendor: vendor.into(), code, name: None, message: message.into() }
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.vendor, self.code)?;
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// A unim error: a neutral kind, a message that names the problem, and the
/// vendor's original code when one exists. Messages never carry secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Error {
    /// The neutral kind.
    #[serde(flatten)]
    pub kind: ErrorKind,
    /// What happened, for people.
    pub message: String,
    /// The vendor's code and text, when the error came from the vendor.
    pub vendor: Option<VendorError>,
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), vendor: None }
    }

    /// The same error with the vendor's code and text attached.
    pub fn with_vendor(mut self, vendor: VendorError) -> Self {
        self.vendor = Some(vendor);
        self
    }

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for [`ErrorKind::Protocol`].
    pub fn protocol(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Protocol, message)
    }

    /// Shorthand for [`ErrorKind::Unsupported`].
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    /// Shorthand for [`ErrorKind::Unavailable`].
    pub fn unavailable(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unavailable, message)
    }

    /// Shorthand for [`ErrorKind::InvalidState`].
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidState, message)
    }

    /// Shorthand for [`ErrorKind::Timeout`].
    pub fn timeout(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Timeout, message)
    }

    /// The neutral kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// True when retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(v) = &self.vendor {
            write!(f, " ({v})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_kinds_are_retryable() {
        assert!(Error::unavailable("down").is_retryable());
        assert!(Error::timeout("slow").is_retryable());
        assert!(Error::new(ErrorKind::RateLimited { retry_after: None }, "x").is_retryable());
        assert!(!Error::new(ErrorKind::Unauthenticated, "x").is_retryable());
        assert!(!Error::new(ErrorKind::CredentialExpired, "x").is_retryable());
    }

    #[test]
    fn serializes_flat() {
        let e = Error::new(ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(2)) }, "slow down");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "rate_limited");
        assert_eq!(v["retry_after_ms"], 2000);
        assert_eq!(serde_json::from_value::<Error>(v).unwrap(), e);
    }

    #[test]
    fn display_keeps_the_vendor_code() {
        let e = Error::new(ErrorKind::CredentialExpired, "UserSig expired").with_vendor(VendorError::new(
            "tencent",
            70001,
            "usersig expired",
        ));
        assert_eq!(e.to_string(), "credential expired: UserSig expired (tencent 70001: usersig expired)");
    }
}
