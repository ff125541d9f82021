//! Why a link ended, and the one rule that decides whether to reconnect.

use crate::{Device, VendorError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a session was disconnected, in neutral terms (see the mapping table in
/// the design brief for each vendor's codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisconnectReason {
    /// The app asked for it (logout, account switch).
    Requested,
    /// The link dropped or the server could not be reached.
    Network,
    /// The credentials were refused.
    AuthFailed,
    /// The credentials expired.
    CredentialExpired,
    /// The same account logged in elsewhere and this login was replaced.
    KickedByOtherLogin,
    /// Another device of the same user kicked this one.
    KickedByOwnDevice,
    /// The app server kicked the user.
    KickedByServer,
    /// Too many devices are logged in.
    TooManyDevices,
    /// The password was changed.
    PasswordChanged,
    /// The account is banned or blocked.
    Banned,
    /// The account was deleted.
    AccountRemoved,
    /// The service restricted the app or the user.
    ServiceRestricted,
    /// The server refuses this client version.
    VersionRejected,
    /// Anything else; see the vendor code.
    Other,
}

impl DisconnectReason {
    /// What a session does after a disconnect of this kind.
    pub fn recovery(self) -> Recovery {
        match self {
            DisconnectReason::Network => Recovery::Reconnect,
            DisconnectReason::CredentialExpired => Recovery::RenewCredentials,
            _ => Recovery::Stop,
        }
    }

    /// True when auto-login must not try again with the saved credentials.
    /// A network drop keeps them; an expired credential keeps them too, since
    /// a credential provider may renew it; every other reason ends auto-login.
    pub fn ends_auto_login(self) -> bool {
        !matches!(self, DisconnectReason::Network | DisconnectReason::CredentialExpired)
    }
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            DisconnectReason::Requested => "logged out on request",
            DisconnectReason::Network => "network lost",
            DisconnectReason::AuthFailed => "authentication failed",
            DisconnectReason::CredentialExpired => "credential expired",
            DisconnectReason::KickedByOtherLogin => "kicked by another login of the same account",
            DisconnectReason::KickedByOwnDevice => "kicked by one of the user's own devices",
            DisconnectReason::KickedByServer => "kicked by the app server",
            DisconnectReason::TooManyDevices => "too many devices logged in",
            DisconnectReason::PasswordChanged => "password changed",
            DisconnectReason::Banned => "account banned",
            DisconnectReason::AccountRemoved => "account removed",
            DisconnectReason::ServiceRestricted => "service restricted",
            DisconnectReason::VersionRejected => "client version rejected",
            DisconnectReason::Other => "disconnected",
        };
        f.write_str(s)
    }
}

/// What to do after a disconnect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// Transient: reconnect by itself.
    Reconnect,
    /// Ask the credential provider for fresh credentials; without one, stop.
    RenewCredentials,
    /// Fatal: stay disconnected until the app logs in again.
    Stop,
}

/// The one rule that decides auto-reconnect: only a network loss is transient
/// (libpurple's `purple_connection_error_is_fatal` makes the same cut).
/// `CredentialExpired` is fatal too; a session first asks its
/// [`crate::CredentialProvider`] (see [`DisconnectReason::recovery`]).
pub fn is_fatal(reason: DisconnectReason) -> bool {
    reason != DisconnectReason::Network
}

/// A disconnect as the app sees it: the neutral reason plus what the vendor said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disconnect {
    /// The neutral reason.
    pub reason: DisconnectReason,
    /// The vendor's code and text, when the vendor gave one.
    pub vendor: Option<VendorError>,
    /// The device that caused it (the kicking device), when known.
    pub by: Option<Device>,
}

impl Disconnect {
    /// A disconnect with no vendor detail.
    pub fn new(reason: DisconnectReason) -> Self {
        Disconnect { reason, vendor: None, by: None }
    }

    /// The same disconnect with the vendor's code and text.
    pub fn with_vendor(mut self, vendor: VendorError) -> Self {
        self.vendor = Some(vendor);
        self
    }
}

impl fmt::Display for Disconnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reason)?;
        if let Some(v) = &self.vendor {
            write!(f, " ({v})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [DisconnectReason; 14] = [
        DisconnectReason::Requested,
        DisconnectReason::Network,
        DisconnectReason::AuthFailed,
        DisconnectReason::CredentialExpired,
        DisconnectReason::KickedByOtherLogin,
        DisconnectReason::KickedByOwnDevice,
        DisconnectReason::KickedByServer,
        DisconnectReason::TooManyDevices,
        DisconnectReason::PasswordChanged,
        DisconnectReason::Banned,
        DisconnectReason::AccountRemoved,
        DisconnectReason::ServiceRestricted,
        DisconnectReason::VersionRejected,
        DisconnectReason::Other,
    ];

    #[test]
    fn only_network_is_transient() {
        for r in ALL {
            assert_eq!(is_fatal(r), r != DisconnectReason::Network, "{r:?}");
        }
    }

    #[test]
    fn expiry_asks_for_renewal_before_giving_up() {
        assert_eq!(DisconnectReason::CredentialExpired.recovery(), Recovery::RenewCredentials);
        assert_eq!(DisconnectReason::Network.recovery(), Recovery::Reconnect);
        assert_eq!(DisconnectReason::KickedByOtherLogin.recovery(), Recovery::Stop);
    }

    #[test]
    fn kicks_and_auth_failures_end_auto_login() {
        assert!(DisconnectReason::KickedByOtherLogin.ends_auto_login());
        assert!(DisconnectReason::AuthFailed.ends_auto_login());
        assert!(!DisconnectReason::Network.ends_auto_login());
        assert!(!DisconnectReason::CredentialExpired.ends_auto_login());
    }
}
