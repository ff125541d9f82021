//! Tencent Cloud IM codes mapped to neutral errors and disconnect reasons.
//!
//! Every code and meaning here comes from the error-code table in
//! `vendors/tencent.md` section 3 (Tencent's doc
//! <https://intl.cloud.tencent.com/document/product/1047/34348>), plus the
//! REST notes of section 2.3 and the kick signals of `vendors/kick-signals.md`
//! section 1. A code not listed maps to [`ErrorKind::Other`] and keeps the
//! vendor's own text in [`VendorError`].

use std::time::Duration;
use unim_core::{DisconnectReason, Error, ErrorKind, VendorError};

/// How long Tencent asks a client to wait after 70050 ("too many UserSig
/// failures, retry after 1 min", tencent.md section 3).
const USERSIG_FAILURE_BACKOFF: Duration = Duration::from_secs(60);

/// The neutral kind of a Tencent code and a plain-words description of it.
fn classify(code: i64) -> Option<(ErrorKind, &'static str)> {
    use ErrorKind::*;
    let limited = RateLimited { retry_after: None };
    let entry = match code {
        // --- UserSig / account (70000s) ---
        70001 => (CredentialExpired, "the UserSig has expired; generate a new one and log in again"),
        70002 => (Unauthenticated, "the UserSig is empty"),
        70003 | 70005 => (Unauthenticated, "the UserSig is invalid (it cannot be decoded)"),
        70009 => (Unauthenticated, "the UserSig signature does not verify (signed with the wrong secret key?)"),
        70013 => (Unauthenticated, "the UserID in the request differs from the UserID in the UserSig"),
        70014 => (Unauthenticated, "the SDKAppID in the request differs from the SDKAppID in the UserSig"),
        70016 => (Unauthenticated, "the app's signing key was not found"),
        70020 => (Unauthenticated, "the SDKAppID was not found"),
        70050 => (
            RateLimited { retry_after: Some(USERSIG_FAILURE_BACKOFF) },
            "too many UserSig verification failures; retry after one minute",
        ),
        // A blocklisted account may not log in: the caller is not allowed, not unknown.
        70051 => (PermissionDenied, "the account is blocklisted"),
        // "Ticket expired" at login: the same remedy as an expired UserSig.
        70101 => (CredentialExpired, "the login ticket has expired; log in again with a fresh UserSig"),
        70107 => (NotFound, "the UserID does not exist"),
        70114 => (limited, "logins are restricted because they are too frequent"),
        70169 | 70202 => (Timeout, "the Tencent server timed out"),
        70206 => (InvalidInput, "invalid batch size"),
        // The free plan's account quota (100 accounts): a plan limit, not a transient one.
        70398 => (PermissionDenied, "the app's account limit is reached (free plan: 100 accounts)"),
        70402 => (InvalidInput, "invalid parameter"),
        70403 => (PermissionDenied, "the request must be made by an App admin"),
        70500 => (Unavailable, "Tencent server internal error"),
        71000 => (Unsupported, "account deletion is only allowed for apps on the trial plan"),
        // --- access-layer negatives ---
        -10001 => (CredentialExpired, "the key has expired"),
        -10003 => (CredentialExpired, "the login ticket has expired"),
        -10113 => (limited, "per-user request frequency limit exceeded"),
        -20009 => (limited, "terminal API frequency limit exceeded"),
        // --- REST common / access (60000-60021) ---
        60002 => (InvalidInput, "the HTTP request could not be parsed"),
        60003 => (InvalidInput, "the request body is not valid JSON"),
        60004 | 60005 => (Unauthenticated, "the account or signature in the request URL or body is wrong"),
        60006 => (Unauthenticated, "invalid SDKAppID"),
        60007 => (limited, "REST API call frequency limit exceeded"),
        60008 => (Timeout, "the request timed out or its HTTP format is wrong"),
        // Tencent has no such endpoint: nothing the caller can fix by retrying.
        60009 => (Unsupported, "unknown REST API (bad resource URL)"),
        60010 => (PermissionDenied, "the request must be made by an App admin"),
        60011 => (limited, "SDKAppID request frequency limit exceeded"),
        60012 => (Unauthenticated, "the request has no SDKAppID"),
        60013 => (Unavailable, "the Tencent server answered with bad JSON"),
        60014 => (Timeout, "account switch timed out"),
        60015 => (InvalidInput, "a UserID must be a string"),
        60016 => (PermissionDenied, "the SDKAppID is disabled"),
        60017 => (PermissionDenied, "the request is disabled"),
        60018 | 60019 => (limited, "too many requests"),
        60020 => (PermissionDenied, "the app's plan has expired"),
        60021 => (PermissionDenied, "the source IP address is not allowed"),
        // --- one-to-one messages (openim) ---
        20001 => (InvalidInput, "the request packet is invalid"),
        // "UserSig/A2 invalid" in the error table, "UserSig/A2 expired" in the
        // sendmsg doc (tencent.md 2.4); the web SDK treats 20002 exactly like
        // 70001 (KICKED_OUT userSigExpired, kick-signals.md section 1), so unim
        // does too: fresh credentials are the remedy.
        20002 => (CredentialExpired, "the UserSig (A2 ticket) has expired or is invalid; log in again"),
        20003 => (NotFound, "the sender or recipient does not exist"),
        20006 => (PermissionDenied, "the message was rejected by the app's before-send webhook"),
        20007 => (PermissionDenied, "the sender is in the recipient's blocklist"),
        20009..=20011 => (PermissionDenied, "the sender and recipient must be friends"),
        20012 => (PermissionDenied, "the sender is muted"),
        20016 => (InvalidState, "the message can no longer be recalled (time limit passed)"),
        20022 => (NotFound, "the message to recall does not exist"),
        20023 => (InvalidState, "the message was already recalled"),
        90001 => (InvalidInput, "the request body is not valid JSON"),
        90002 => (InvalidInput, "MsgBody is invalid"),
        90003 => (InvalidInput, "To_Account is missing or not a string"),
        90005 => (InvalidInput, "MsgRandom is missing"),
        90007 => (InvalidInput, "MsgBody is not an array"),
        90008 => (NotFound, "From_Account is missing or does not exist"),
        90009 => (PermissionDenied, "the request must be made by an App admin"),
        90010 => (InvalidInput, "a message element is invalid"),
        90011 => (InvalidInput, "too many recipients (at most 500)"),
        90012 => (NotFound, "To_Account is not registered"),
        90024 => (limited, "pushes are too frequent"),
        90026 => (InvalidInput, "MsgLifeTime exceeds 7 days"),
        90031 => (InvalidInput, "SyncOtherMachine is not an integer"),
        90044 => (InvalidInput, "MsgLifeTime is not an integer"),
        90048 => (NotFound, "the account does not exist"),
        90992 | 90994 | 90995 | 91000 => (Unavailable, "Tencent server internal error"),
        93000 => (InvalidInput, "the JSON packet is too long"),
        // --- recent contacts, profile, friends: "account not found" ---
        50001 => (NotFound, "the UserID was not imported"),
        40003 => (NotFound, "the account does not exist"),
        30003 => (NotFound, "the account does not exist"),
        // --- groups ---
        10002 => (Unavailable, "Tencent group service internal error"),
        10003 => (InvalidInput, "invalid group command"),
        10004 => (InvalidInput, "invalid group parameter"),
        10005 => (InvalidInput, "too many accounts in the request"),
        10006 => (limited, "group operation frequency limit exceeded"),
        10007 => (PermissionDenied, "insufficient permission for this group operation"),
        10009 => (PermissionDenied, "the group owner cannot leave the group"),
        10010 => (NotFound, "the group does not exist or was disbanded"),
        10011 => (InvalidInput, "the request body is not valid JSON"),
        10012 => (InvalidInput, "invalid operator UserID"),
        10013 => (AlreadyExists, "the user is already a member of the group"),
        10014 => (LimitExceeded, "the group is full"),
        10015 => (InvalidInput, "invalid group ID"),
        10016 => (PermissionDenied, "the operation was rejected by the app's webhook"),
        10017 => (PermissionDenied, "the sender is muted in the group"),
        10019 => (NotFound, "the UserID does not exist"),
        10021 | 10025 => (AlreadyExists, "the group ID is already in use"),
        10023 => (limited, "group message frequency limit exceeded"),
        10026 => (Unsupported, "this group command is disabled for the app"),
        10036..=10038 | 10058 => (PermissionDenied, "a group quota of the app's plan is reached"),
        80002 => (InvalidInput, "the message is too long"),
        // --- client SDK (local) codes ---
        6013 => (InvalidState, "the SDK is not initialised"),
        6014 => (InvalidState, "not logged in"),
        6017 => (InvalidInput, "invalid parameter"),
        6026 => (InvalidState, "there is no previous login to resume"),
        6206 => (CredentialExpired, "the UserSig has expired; generate a new one and log in again"),
        // The session was replaced by another login: calls fail until the app logs in again.
        6208 => (InvalidState, "kicked off because the account logged in elsewhere"),
        7003 => (InvalidInput, "invalid UserID: it must be 1-32 bytes of printable ASCII"),
        7008 => (limited, "API call frequency exceeded"),
        7501 => (InvalidState, "a login is already in progress"),
        7502 => (InvalidState, "a logout is already in progress"),
        9506 => (limited, "the SDK sends more than 5 requests per second"),
        9507 => (limited, "the SDK request queue is full"),
        9508 => (Unavailable, "the network is unavailable"),
        // Section 6 gives 9522 as the 1 MB packet limit, inside the 9518-9525 timeout range of section 3.
        9522 => (InvalidInput, "the packet exceeds 1 MB"),
        9510 | 9518..=9525 => (Timeout, "the request timed out"),
        _ => return None,
    };
    Some(entry)
}

/// Maps a Tencent error code and its `ErrorInfo` to a neutral [`Error`].
///
/// The kind follows the table of `vendors/tencent.md` section 3: UserSig
/// expiry (70001, 6206, 20002) is [`ErrorKind::CredentialExpired`], other
/// UserSig failures are [`ErrorKind::Unauthenticated`], frequency limits are
/// [`ErrorKind::RateLimited`] (70050 with a one-minute `retry_after`),
/// "needs App admin" and blocklisting are [`ErrorKind::PermissionDenied`],
/// the per-service "account not found" codes are [`ErrorKind::NotFound`],
/// and so on. The message names the problem in plain words; the code and
/// `info` are kept in [`Error::vendor`]. Unknown codes are
/// [`ErrorKind::Other`].
pub fn error_from_code(code: i64, info: &str) -> Error {
    let vendor = VendorError::new(crate::VENDOR, code, info);
    match classify(code) {
        Some((kind, text)) => Error::new(kind, text).with_vendor(vendor),
        None => Error::new(ErrorKind::Other, format!("Tencent IM error {code}")).with_vendor(vendor),
    }
}

/// Maps the code of a refused login or of a failed reply on a live link to
/// the neutral [`DisconnectReason`] (`vendors/tencent.md` sections 3 and 4,
/// design brief mapping table).
///
/// - 70001, 6206, 20002, 70101, -10001, -10003 (UserSig / ticket expired) →
///   [`DisconnectReason::CredentialExpired`].
/// - 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020 (UserSig refused)
///   → [`DisconnectReason::AuthFailed`].
/// - 70051 (blocklisted) → [`DisconnectReason::Banned`].
/// - 6208 and 91101 (another login / too many web instances) →
///   [`DisconnectReason::KickedByOtherLogin`]; so is 1002
///   (`HELLO_ANSWER_KICKED_OUT`), but a reply with 1002 carries a `KickType`
///   which [`kick_type_reason`] maps more precisely.
/// - 70050, 70114, 60016, 60017, 60020, 60021 (the service refuses the app or
///   the user for now) → [`DisconnectReason::ServiceRestricted`].
/// - codes whose error kind is transient (timeouts, internal errors, network
///   unavailable) → [`DisconnectReason::Network`], so the session retries.
/// - anything else → [`DisconnectReason::Other`].
pub fn disconnect_from_code(code: i64) -> DisconnectReason {
    match code {
        70001 | 6206 | 20002 | 70101 | -10001 | -10003 => DisconnectReason::CredentialExpired,
        70002 | 70003 | 70005 | 70009 | 70013 | 70014 | 70016 | 70020 => DisconnectReason::AuthFailed,
        70051 => DisconnectReason::Banned,
        6208 | 91101 | 1002 => DisconnectReason::KickedByOtherLogin,
        70050 | 70114 | 60016 | 60017 | 60020 | 60021 => DisconnectReason::ServiceRestricted,
        _ => match classify(code) {
            Some((ErrorKind::Unavailable | ErrorKind::Timeout, _)) => DisconnectReason::Network,
            _ => DisconnectReason::Other,
        },
    }
}

/// `KickType` 1: the web SDK's `KICKED_OUT_MULT_ACCOUNT` (`"multipleAccount"`).
pub const KICK_TYPE_MULTIPLE_ACCOUNT: i64 = 1;
/// `KickType` 2: the web SDK's `KICKED_OUT_MULT_DEVICE` (`"multipleDevice"`).
pub const KICK_TYPE_MULTIPLE_DEVICE: i64 = 2;
/// `KickType` 3: the web SDK's `KICKED_OUT_REST_API` (`"REST_API_Kick"`).
pub const KICK_TYPE_REST_API: i64 = 3;

/// The neutral reason of a `KickType` in a `stat_forceoffline` push or in a
/// reply with ErrorCode 1002 (`vendors/kick-signals.md` section 1): 1
/// (`multipleAccount`) and 2 (`multipleDevice`) →
/// [`DisconnectReason::KickedByOtherLogin`], 3 (`REST_API_Kick`) →
/// [`DisconnectReason::KickedByServer`]. The SDK ignores any other value, and
/// so does this function (`None`).
pub fn kick_type_reason(kick_type: i64) -> Option<DisconnectReason> {
    match kick_type {
        KICK_TYPE_MULTIPLE_ACCOUNT | KICK_TYPE_MULTIPLE_DEVICE => Some(DisconnectReason::KickedByOtherLogin),
        KICK_TYPE_REST_API => Some(DisconnectReason::KickedByServer),
        _ => None,
    }
}

/// The `KickType` the emulator sends to tell a web client it was kicked for
/// `reason` (`vendors/kick-signals.md` section 1).
///
/// [`DisconnectReason::KickedByOtherLogin`] → 1 (`multipleAccount`);
/// [`DisconnectReason::TooManyDevices`] and
/// [`DisconnectReason::KickedByOwnDevice`] → 2 (`multipleDevice`: another
/// instance of the same user pushed this one out); every other reason → 3
/// (`REST_API_Kick`), because a kick by the server is the only other kind the
/// SDK knows: a ban, an account deletion or a server kick all reach the
/// client that way. (An expired UserSig is not a kick: the server answers
/// with ErrorCode 70001 instead, which the SDK reports as `userSigExpired`.)
pub fn kick_type_for(reason: DisconnectReason) -> i64 {
    match reason {
        DisconnectReason::KickedByOtherLogin => KICK_TYPE_MULTIPLE_ACCOUNT,
        DisconnectReason::TooManyDevices | DisconnectReason::KickedByOwnDevice => KICK_TYPE_MULTIPLE_DEVICE,
        _ => KICK_TYPE_REST_API,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(code: i64) -> ErrorKind {
        error_from_code(code, "info").kind
    }

    #[test]
    fn usersig_expiry_is_credential_expired() {
        for code in [70001, 6206, 20002] {
            assert_eq!(kind(code), ErrorKind::CredentialExpired, "{code}");
        }
    }

    #[test]
    fn usersig_refusals_are_unauthenticated() {
        for code in [70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020] {
            assert_eq!(kind(code), ErrorKind::Unauthenticated, "{code}");
        }
    }

    #[test]
    fn frequency_limits_are_rate_limited() {
        for code in [60007, 60011, 60018, 60019, 70114, 7008, 9506, -10113, -20009] {
            assert_eq!(kind(code), ErrorKind::RateLimited { retry_after: None }, "{code}");
        }
        assert_eq!(kind(70050), ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(60)) });
        assert!(error_from_code(70050, "").is_retryable());
    }

    #[test]
    fn admin_only_and_blocklist_are_permission_denied() {
        for code in [60010, 70403, 90009, 70051] {
            assert_eq!(kind(code), ErrorKind::PermissionDenied, "{code}");
        }
    }

    #[test]
    fn account_not_found_by_service() {
        for code in [70107, 20003, 90012, 90048, 90008, 50001, 10019, 40003, 30003, 10010] {
            assert_eq!(kind(code), ErrorKind::NotFound, "{code}");
        }
    }

    #[test]
    fn bad_requests_are_invalid_input() {
        for code in [90001, 60003, 70402, 70206, 90002, 90003, 90005, 90007, 93000, 7003] {
            assert_eq!(kind(code), ErrorKind::InvalidInput, "{code}");
        }
    }

    #[test]
    fn timeouts_unavailable_state_unsupported() {
        for code in [60008, 70169, 70202] {
            assert_eq!(kind(code), ErrorKind::Timeout, "{code}");
        }
        for code in [70500, 90992, 90994, 90995, 91000, 60013] {
            assert_eq!(kind(code), ErrorKind::Unavailable, "{code}");
        }
        assert_eq!(kind(7501), ErrorKind::InvalidState);
        assert_eq!(kind(7502), ErrorKind::InvalidState);
        assert_eq!(kind(71000), ErrorKind::Unsupported);
        assert_eq!(kind(123456), ErrorKind::Other);
    }

    #[test]
    fn group_codes_map_to_the_neutral_kinds() {
        for (code, expected) in [
            (10007, ErrorKind::PermissionDenied),
            (10009, ErrorKind::PermissionDenied),
            (10017, ErrorKind::PermissionDenied),
            (10010, ErrorKind::NotFound),
            (10014, ErrorKind::LimitExceeded),
            (10013, ErrorKind::AlreadyExists),
            (10021, ErrorKind::AlreadyExists),
            (10004, ErrorKind::InvalidInput),
            (10015, ErrorKind::InvalidInput),
        ] {
            assert_eq!(kind(code), expected, "{code}");
        }
    }

    #[test]
    fn vendor_code_and_text_are_kept() {
        let e = error_from_code(70107, "Err_TLS_PT_Open_Login_Account_Not_Exist");
        let v = e.vendor.clone().expect("vendor detail");
        assert_eq!((v.vendor.as_str(), v.code), ("tencent", 70107));
        assert_eq!(v.message, "Err_TLS_PT_Open_Login_Account_Not_Exist");
        assert_eq!(e.message, "the UserID does not exist");
        let unknown = error_from_code(4242, "something odd");
        assert!(unknown.message.contains("4242"));
        assert_eq!(unknown.vendor.map(|v| v.message), Some("something odd".into()));
    }

    #[test]
    fn disconnect_reasons() {
        use DisconnectReason::*;
        for (code, reason) in [
            (70001, CredentialExpired),
            (6206, CredentialExpired),
            (20002, CredentialExpired),
            (70002, AuthFailed),
            (70003, AuthFailed),
            (70005, AuthFailed),
            (70009, AuthFailed),
            (70013, AuthFailed),
            (70014, AuthFailed),
            (70016, AuthFailed),
            (70020, AuthFailed),
            (70051, Banned),
            (6208, KickedByOtherLogin),
            (70050, ServiceRestricted),
            (70500, Network),
            (70169, Network),
            (9508, Network),
            (9510, Network),
            (70107, Other),
            (1, Other),
        ] {
            assert_eq!(disconnect_from_code(code), reason, "{code}");
        }
    }

    #[test]
    fn kick_types_both_ways() {
        assert_eq!(kick_type_reason(1), Some(DisconnectReason::KickedByOtherLogin));
        assert_eq!(kick_type_reason(2), Some(DisconnectReason::KickedByOtherLogin));
        assert_eq!(kick_type_reason(3), Some(DisconnectReason::KickedByServer));
        assert_eq!(kick_type_reason(0), None);
        assert_eq!(kick_type_reason(4), None);
        assert_eq!(kick_type_for(DisconnectReason::KickedByOtherLogin), 1);
        assert_eq!(kick_type_for(DisconnectReason::TooManyDevices), 2);
        assert_eq!(kick_type_for(DisconnectReason::KickedByServer), 3);
        assert_eq!(kick_type_for(DisconnectReason::Banned), 3);
        for r in [DisconnectReason::KickedByOtherLogin, DisconnectReason::KickedByServer] {
            assert_eq!(kick_type_reason(kick_type_for(r)), Some(r));
        }
    }
}
