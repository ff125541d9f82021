//! Login credentials, their lifetime, and the provider that renews them.

use crate::{Error, Secret};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user logs in with. Each vendor accepts some of these
/// (see [`crate::Capabilities`]); secrets are redacted when printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credentials {
    /// A user id and a password (Easemob password grant).
    Password {
        /// The user id.
        user: String,
        /// The password.
        password: Secret,
    },
    /// A user id and a token issued by the app server (Easemob user token,
    /// NetEase accid token).
    Token {
        /// The user id.
        user: String,
        /// The token.
        token: Secret,
    },
    /// A user id and a Tencent-style signed ticket (UserSig).
    UserSig {
        /// The user id.
        user: String,
        /// The UserSig.
        user_sig: Secret,
    },
}

/// The kind of a [`Credentials`] value, without the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// [`Credentials::Password`].
    Password,
    /// [`Credentials::Token`].
    Token,
    /// [`Credentials::UserSig`].
    UserSig,
}

impl Credentials {
    /// Password credentials.
    pub fn password(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials::Password { user: user.into(), password: password.into() }
    }

    /// Token credentials.
    pub fn token(user: impl Into<String>, token: impl Into<Secret>) -> Self {
        Credentials::Token { user: user.into(), token: token.into() }
    }

    /// UserSig credentials.
    pub fn user_sig(user: impl Into<String>, user_sig: impl Into<Secret>) -> Self {
        Credentials::UserSig { user: user.into(), user_sig: user_sig.into() }
    }

    /// The user these credentials log in.
    pub fn user(&self) -> &str {
        match self {
            Credentials::Password { user, .. }
            | Credentials::Token { user, .. }
            | Credentials::UserSig { user, .. } => user,
        }
    }

    /// The secret part.
    pub fn secret(&self) -> &Secret {
        match self {
            Credentials::Password { password, .. } => password,
            Credentials::Token { token, .. } => token,
            Credentials::UserSig { user_sig, .. } => user_sig,
        }
    }

    /// Which kind of credentials these are.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credentials::Password { .. } => CredentialKind::Password,
            Credentials::Token { .. } => CredentialKind::Token,
            Credentials::UserSig { .. } => CredentialKind::UserSig,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("kind", &self.kind())
            .field("user", &self.user())
            .field("secret", self.secret())
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} credentials for {}", self.kind(), self.user())
    }
}

/// When a credential was issued and when it stops working, in Unix seconds.
///
/// Adapters fill this in where the credential says so itself (a UserSig's
/// time + expire, a dynamic token's ttl), so the neutral layer can warn before
/// the vendor does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialLifetime {
    /// Issue time, Unix seconds.
    pub issued_at: u64,
    /// The last second at which the credential is still valid.
    pub expires_at: u64,
}

impl CredentialLifetime {
    /// The moment to warn that the credential will expire: after 80% of its
    /// lifetime, the point at which Easemob's own SDK raises its will-expire
    /// callback (easemob.md, code 109). Using one rule for every vendor keeps
    /// the warning comparable across them.
    pub fn warn_at(&self) -> u64 {
        let life = self.expires_at.saturating_sub(self.issued_at);
        self.issued_at + life - life / 5
    }

    /// True when the credential is no longer valid at `now` (strictly after
    /// `expires_at`).
    pub fn is_expired_at(&self, now: u64) -> bool {
        now > self.expires_at
    }
}

/// Why a session asks a [`CredentialProvider`] for new credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewReason {
    /// The current credential will expire soon; the link is still up.
    WillExpire,
    /// The current credential has expired or the server refused it as expired.
    Expired,
}

/// Supplies fresh credentials to a session, so that it can renew them without
/// the app doing anything (typically by calling the app server, which holds the
/// vendor secret).
#[async_trait]
pub trait CredentialProvider: Send + Sync {
    /// Returns fresh credentials for `user`.
    async fn fresh_credentials(&self, user: &str, reason: RenewReason) -> Result<Credentials, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_the_secret() {
        for c in [
            Credentials::password("alice", "pw-123"),
            Credentials::token("alice", "tok-123"),
            Credentials::user_sig("alice", "sig-123"),
        ] {
            let printed = format!("{c:?} {c}");
            assert!(!printed.contains("123"), "{printed}");
            assert!(printed.contains("alice"));
        }
    }

    #[test]
    fn warns_after_four_fifths_of_the_lifetime() {
        let l = CredentialLifetime { issued_at: 1000, expires_at: 2000 };
        assert_eq!(l.warn_at(), 1800);
        assert!(!l.is_expired_at(2000));
        assert!(l.is_expired_at(2001));
    }
}
