//! What a login's credentials are for NetEase: an accid and a token, the
//! token static or dynamic (see the module doc of [`super`]), checked before
//! anything is sent.

use crate::sign::DynamicToken;
use unim_core::{CredentialLifetime, Credentials, Error, Secret};

/// Checks credentials before anything is sent: a token for a valid accid
/// (returned lower-cased, as NetEase stores it).
pub(crate) fn check_credentials(credentials: &Credentials) -> Result<(String, Secret), Error> {
    let Credentials::Token { user, token } = credentials else {
        return Err(Error::unsupported(format!(
            "NetEase logs in with an accid and a token (static, or dynamic with a signature and ttl), not {:?} \
             credentials: it has no password login and no UserSig",
            credentials.kind()
        )));
    };
    let accid = crate::accid::validate(user)?;
    if token.is_empty() {
        return Err(Error::invalid_input("the NetEase token is empty"));
    }
    Ok((accid, token.clone()))
}

/// A dynamic token's lifetime; `None` for a static token (see the module doc).
pub(crate) fn token_lifetime(token: &Secret) -> Option<CredentialLifetime> {
    let dynamic = DynamicToken::parse(token.expose()).ok()?;
    // The server refuses a token once now > curTime + ttl (netease.md 8),
    // so the last valid second is the one that moment falls in.
    let expires_at = dynamic.expires_at_ms() / 1000;
    Some(CredentialLifetime { issued_at: dynamic.cur_time_ms / 1000, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ErrorKind;

    #[test]
    fn only_token_credentials_for_valid_accids_are_accepted() {
        let (accid, _) = check_credentials(&Credentials::token("Alice", "t")).unwrap();
        assert_eq!(accid, "alice");
        for (c, kind) in [
            (Credentials::password("bob", "pw"), ErrorKind::Unsupported),
            (Credentials::user_sig("bob", "sig"), ErrorKind::Unsupported),
            (Credentials::token("bob", ""), ErrorKind::InvalidInput),
            (Credentials::token("a b", "t"), ErrorKind::InvalidInput),
            (Credentials::token("x".repeat(33), "t"), ErrorKind::InvalidInput),
        ] {
            let e = check_credentials(&c).unwrap_err();
            assert_eq!(e.kind, kind, "{c:?}");
            assert!(!e.message.contains("pw") && !e.message.contains("sig\""), "{e}");
        }
        assert!(check_credentials(&Credentials::password("bob", "pw")).unwrap_err().message.contains("password"));
    }

    #[test]
    fn dynamic_tokens_are_recognised_and_static_ones_are_not() {
        let t = DynamicToken::mint("k", "alice", 1_700_000_000_000, 600, "secret").encode();
        let l = token_lifetime(&Secret::new(t)).expect("dynamic");
        assert_eq!((l.issued_at, l.expires_at), (1_700_000_000, 1_700_000_600));
        assert!(!l.is_expired_at(1_700_000_600) && l.is_expired_at(1_700_000_601));
        for static_token in ["abc", "8f14e45fceea167a5a36dedd4bea2543", "dG9rZW4=", ""] {
            assert_eq!(token_lifetime(&Secret::new(static_token)), None, "{static_token}");
        }
    }
}
