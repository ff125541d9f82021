//! NetEase codes mapped to neutral errors and disconnect reasons.
//!
//! NetEase has one numeric code table for the server API and the client
//! (netease.md 2.3). Three uses meet here:
//! - a failed server API call, `{"code": N, "desc": "..."}`: [`error_from_api`];
//! - a refused 2_3 login: [`error_from_login`] and [`login_disconnect`];
//! - the 2_5 kick push's reason: [`kick_reason`] for the session,
//!   [`kick_reason_code`] for the emulator, so the two cannot drift apart.

use unim_core::{DisconnectReason, Error, ErrorKind, VendorError};

/// The codes unim acts on (netease.md 2.3, 4.2, 4.3).
pub mod code {
    /// Success.
    pub const OK: i64 = 200;
    /// The client version is refused.
    pub const VERSION_WRONG: i64 = 201;
    /// Banned or blocked.
    pub const BLOCKED: i64 = 301;
    /// Wrong accid or token (unknown accid too).
    pub const BAD_LOGIN: i64 = 302;
    /// IP restricted.
    pub const IP_RESTRICTED: i64 = 315;
    /// The SDK version is too old (login).
    pub const SDK_TOO_OLD: i64 = 317;
    /// Illegal operation or no permission (login: the auth type is not enabled).
    pub const FORBIDDEN: i64 = 403;
    /// The object does not exist.
    pub const NOT_FOUND: i64 = 404;
    /// A parameter is too long.
    pub const TOO_LONG: i64 = 405;
    /// The object is read-only.
    pub const READ_ONLY: i64 = 406;
    /// The request timed out.
    pub const TIMEOUT: i64 = 408;
    /// A parameter is wrong; also a failed CheckSum or header check.
    pub const BAD_PARAM: i64 = 414;
    /// The client's network failed.
    pub const NETWORK: i64 = 415;
    /// Frequency control.
    pub const RATE_LIMITED: i64 = 416;
    /// Repeated operation; at login, auto-login refused (another device logged in since).
    pub const REPEATED: i64 = 417;
    /// Quantity over the limit.
    pub const OVER_LIMIT: i64 = 419;
    /// The account is disabled (banned).
    pub const DISABLED: i64 = 422;
    /// The account is muted.
    pub const MUTED: i64 = 423;
    /// A repeated HTTP request.
    pub const DUPLICATE_REQUEST: i64 = 431;
    /// Server internal error.
    pub const INTERNAL: i64 = 500;
    /// Server busy.
    pub const BUSY: i64 = 503;
    /// Invalid protocol.
    pub const BAD_PROTOCOL: i64 = 509;
    /// Service unavailable.
    pub const UNAVAILABLE: i64 = 514;
    /// The team is full (a whole invite batch is refused when it would overfill it).
    pub const TEAM_FULL: i64 = 801;
    /// No permission in the team.
    pub const TEAM_NO_PERMISSION: i64 = 802;
    /// The team does not exist.
    pub const TEAM_NOT_FOUND: i64 = 803;
    /// The user is not in the team.
    pub const NOT_IN_TEAM: i64 = 804;
    /// The team's type does not fit the operation.
    pub const TEAM_TYPE_MISMATCH: i64 = 805;
    /// The user created as many teams as allowed.
    pub const TOO_MANY_TEAMS: i64 = 806;
    /// The member's state does not allow the operation.
    pub const TEAM_MEMBER_STATE: i64 = 807;
    /// An application to join was sent (pending; not a failure when applying).
    pub const APPLICATION_SENT: i64 = 808;
    /// The user is already in the team.
    pub const ALREADY_IN_TEAM: i64 = 809;
    /// An invitation was sent.
    pub const INVITATION_SENT: i64 = 810;
    /// The team is muted: its members may not post (also a muted member's send here).
    pub const TEAM_MUTED: i64 = 812;
    /// The team has as many managers as allowed.
    pub const TOO_MANY_MANAGERS: i64 = 815;
}

/// The kind and plain words of a code, given the `desc` NetEase sent with it.
fn classify(code: i64, desc: &str) -> (ErrorKind, String) {
    use code::*;
    use ErrorKind::*;
    let text = |s: &str| s.to_owned();
    let lower = desc.to_ascii_lowercase();
    match code {
        // 414 covers both bad parameters and failed request signing; the desc tells them apart.
        BAD_PARAM if lower.contains("already register") => (AlreadyExists, text("the accid is already registered")),
        BAD_PARAM if lower.contains("checksum") => {
            (Unauthenticated, text("the CheckSum header was refused (wrong AppSecret or tampered request)"))
        }
        BAD_PARAM if lower.contains("curtime") => {
            (Unauthenticated, text("the CurTime header is more than 5 minutes old (check the clock)"))
        }
        BAD_PARAM if lower.contains("appkey") => (Unauthenticated, text("the AppKey is unknown")),
        BAD_PARAM if lower.contains("header") => (Unauthenticated, text("an authentication header is missing or bad")),
        BAD_PARAM => (InvalidInput, text("NetEase refused a parameter")),
        BAD_LOGIN => (Unauthenticated, text("wrong accid or token (or the accid does not exist)")),
        VERSION_WRONG | SDK_TOO_OLD => (Unsupported, text("the server refuses this client version")),
        BLOCKED | DISABLED => (PermissionDenied, text("the account is banned")),
        IP_RESTRICTED => (PermissionDenied, text("the client's IP address is restricted")),
        FORBIDDEN => (PermissionDenied, text("the operation is not allowed")),
        NOT_FOUND => (NotFound, text("the object does not exist")),
        TOO_LONG => (InvalidInput, text("a parameter is too long")),
        READ_ONLY => (PermissionDenied, text("the object is read-only")),
        TIMEOUT => (Timeout, text("the request timed out")),
        NETWORK => (Unavailable, text("the network failed")),
        RATE_LIMITED => (RateLimited { retry_after: None }, text("too many requests (frequency control); retry later")),
        REPEATED => (AlreadyExists, text("the operation was already done")),
        OVER_LIMIT => (PermissionDenied, text("a quantity limit is reached")),
        MUTED => (PermissionDenied, text("the account is muted")),
        DUPLICATE_REQUEST => (InvalidInput, text("a repeated HTTP request was refused")),
        INTERNAL | BUSY | UNAVAILABLE => (Unavailable, text("the NetEase service is busy or failed")),
        BAD_PROTOCOL | 998 | 999 => (Protocol, text("NetEase could not read the request")),
        TEAM_FULL => (LimitExceeded, text("the team is full")),
        TEAM_NO_PERMISSION => (PermissionDenied, text("no permission in the team")),
        TEAM_NOT_FOUND => (NotFound, text("the team does not exist")),
        NOT_IN_TEAM => (PermissionDenied, text("the user is not in the team")),
        TEAM_TYPE_MISMATCH => (InvalidInput, text("the team's type does not allow this")),
        TOO_MANY_TEAMS => (LimitExceeded, text("the user created as many teams as allowed")),
        TEAM_MEMBER_STATE => (PermissionDenied, text("the member's state does not allow this")),
        APPLICATION_SENT | INVITATION_SENT => (Other, text("the request was sent and waits for an answer")),
        ALREADY_IN_TEAM => (AlreadyExists, text("the user is already in the team")),
        TEAM_MUTED => (PermissionDenied, text("the sender is muted in the team")),
        TOO_MANY_MANAGERS => (LimitExceeded, text("the team has as many managers as allowed")),
        _ => (Other, format!("NetEase error code {code}")),
    }
}

/// Maps a failed server API reply `{"code": code, "desc": desc}` to a neutral
/// [`Error`], keeping the code and the desc in [`Error::vendor`].
pub fn error_from_api(code: i64, desc: &str) -> Error {
    let (kind, message) = classify(code, desc);
    Error::new(kind, message).with_vendor(VendorError::new(crate::VENDOR, code, desc))
}

/// Maps a refused 2_3 login to a neutral [`Error`] (netease.md 4.2, 4.3).
/// 417 is an auto-login refused because another device logged in since.
pub fn error_from_login(code: i64, desc: &str) -> Error {
    let (kind, message) = match code {
        code::REPEATED => (
            ErrorKind::Unauthenticated,
            "auto-login refused: another device logged in since this one (log in manually)".to_owned(),
        ),
        code::FORBIDDEN => {
            (ErrorKind::PermissionDenied, "login forbidden (banned, or this auth type is not enabled)".into())
        }
        code::BAD_PARAM => (ErrorKind::Unauthenticated, "wrong accid or token".to_owned()),
        _ => classify(code, desc),
    };
    Error::new(kind, message).with_vendor(VendorError::new(crate::VENDOR, code, desc))
}

/// What a refused login means for the session (the web SDK's rule,
/// netease.md 4.2): 302/414/404 → `AuthFailed` (pwdError), 403/422/301 →
/// `Banned` (forbidden), 201/317 → `VersionRejected` (versionError), 417 →
/// `KickedByOtherLogin` (kickOut); the transient ones (408, 415, 416, 5xx)
/// → `Network`, so a reconnect keeps trying.
pub fn login_disconnect(code: i64) -> DisconnectReason {
    use code::*;
    match code {
        BAD_LOGIN | BAD_PARAM | NOT_FOUND => DisconnectReason::AuthFailed,
        FORBIDDEN | DISABLED | BLOCKED => DisconnectReason::Banned,
        VERSION_WRONG | SDK_TOO_OLD => DisconnectReason::VersionRejected,
        REPEATED => DisconnectReason::KickedByOtherLogin,
        TIMEOUT | NETWORK | RATE_LIMITED | INTERNAL | BUSY | UNAVAILABLE => DisconnectReason::Network,
        IP_RESTRICTED => DisconnectReason::ServiceRestricted,
        _ => DisconnectReason::Other,
    }
}

/// The 2_5 kick push's reason (kick-signals.md 3): 1 another login of the
/// same kind (samePlatformKick), 2 the server (ban with needkick, the kick
/// API), 3 another own device (otherPlatformKick), 4 the same device
/// replaced silently.
pub fn kick_reason(reason: i64) -> Option<DisconnectReason> {
    match reason {
        1 | 4 => Some(DisconnectReason::KickedByOtherLogin),
        2 => Some(DisconnectReason::KickedByServer),
        3 => Some(DisconnectReason::KickedByOwnDevice),
        _ => None,
    }
}

/// The 2_5 reason the emulator sends for a neutral kick: everything the
/// server decides (a ban, the kick API, a removed account) is 2.
pub fn kick_reason_code(reason: DisconnectReason) -> i64 {
    match reason {
        DisconnectReason::KickedByOtherLogin | DisconnectReason::TooManyDevices => 1,
        DisconnectReason::KickedByOwnDevice => 3,
        _ => 2,
    }
}

/// The web SDK's name of a 2_5 reason (`samePlatformKick`, ...).
pub fn kick_reason_name(reason: i64) -> &'static str {
    match reason {
        1 => "samePlatformKick",
        2 => "serverKick",
        3 => "otherPlatformKick",
        4 => "silentlyKick",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_codes_map_to_kinds_and_keep_the_vendor_code() {
        let cases = [
            (414, "checksum", ErrorKind::Unauthenticated),
            (414, "CurTime is expired", ErrorKind::Unauthenticated),
            (414, "bad http header", ErrorKind::Unauthenticated),
            (414, "already register", ErrorKind::AlreadyExists),
            (414, "parameter error", ErrorKind::InvalidInput),
            (416, "", ErrorKind::RateLimited { retry_after: None }),
            (417, "", ErrorKind::AlreadyExists),
            (422, "", ErrorKind::PermissionDenied),
            (431, "", ErrorKind::InvalidInput),
            (500, "", ErrorKind::Unavailable),
            (404, "", ErrorKind::NotFound),
            (801, "", ErrorKind::LimitExceeded),
            (802, "", ErrorKind::PermissionDenied),
            (803, "", ErrorKind::NotFound),
            (804, "", ErrorKind::PermissionDenied),
            (806, "", ErrorKind::LimitExceeded),
            (809, "", ErrorKind::AlreadyExists),
            (812, "", ErrorKind::PermissionDenied),
            (12345, "", ErrorKind::Other),
        ];
        for (code, desc, kind) in cases {
            let e = error_from_api(code, desc);
            assert_eq!(e.kind, kind, "{code} {desc}");
            let v = e.vendor.as_ref().unwrap();
            assert_eq!((v.vendor.as_str(), v.code, v.message.as_str()), ("netease", code, desc));
        }
    }

    #[test]
    fn login_codes_follow_the_sdk_rule() {
        assert_eq!(login_disconnect(302), DisconnectReason::AuthFailed);
        assert_eq!(login_disconnect(403), DisconnectReason::Banned);
        assert_eq!(login_disconnect(422), DisconnectReason::Banned);
        assert_eq!(login_disconnect(417), DisconnectReason::KickedByOtherLogin);
        assert_eq!(login_disconnect(317), DisconnectReason::VersionRejected);
        assert_eq!(login_disconnect(416), DisconnectReason::Network);
        assert!(error_from_login(416, "").is_retryable());
        assert!(!error_from_login(302, "").is_retryable());
        assert_eq!(error_from_login(302, "").kind, ErrorKind::Unauthenticated);
        assert_eq!(error_from_login(422, "").kind, ErrorKind::PermissionDenied);
    }

    #[test]
    fn kick_reasons_round_trip() {
        for r in [
            DisconnectReason::KickedByOtherLogin,
            DisconnectReason::KickedByServer,
            DisconnectReason::KickedByOwnDevice,
        ] {
            assert_eq!(kick_reason(kick_reason_code(r)), Some(r));
        }
        assert_eq!(kick_reason_code(DisconnectReason::Banned), 2);
        assert_eq!(kick_reason(9), None);
        assert_eq!(kick_reason_name(2), "serverKick");
    }
}
