//! The rule a Tencent UserID must follow, checked before anything is sent.

use unim_core::Error;

/// The longest UserID Tencent accepts, in bytes (tencent.md section 4).
pub const MAX_USER_ID_BYTES: usize = 32;

/// Checks a UserID: non-empty, at most 32 bytes, printable ASCII 0x20-0x7e
/// (the widest of the documented rules, the one SDK error 7003 enforces;
/// tencent.md section 4).
pub fn validate_user_id(user: &str) -> Result<(), Error> {
    if user.is_empty() {
        return Err(Error::invalid_input("the Tencent UserID is empty"));
    }
    if user.len() > MAX_USER_ID_BYTES {
        return Err(Error::invalid_input(format!(
            "the Tencent UserID {:?}... is {} bytes long; at most {MAX_USER_ID_BYTES} are allowed",
            user.chars().take(16).collect::<String>(),
            user.len()
        )));
    }
    if let Some(bad) = user.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(Error::invalid_input(format!(
            "the Tencent UserID {user:?} contains {bad:?}; only printable ASCII (0x20-0x7e) is allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_printable_ascii_up_to_32_bytes() {
        assert!(validate_user_id("alice").is_ok());
        assert!(validate_user_id(&"a".repeat(32)).is_ok());
        assert!(validate_user_id("a b~c").is_ok());
    }

    #[test]
    fn refuses_empty_long_and_non_ascii_ids_by_name() {
        assert!(validate_user_id("").unwrap_err().message.contains("empty"));
        assert!(validate_user_id(&"a".repeat(33)).unwrap_err().message.contains("33 bytes"));
        assert!(validate_user_id("用户").unwrap_err().message.contains("printable ASCII"));
        assert!(validate_user_id("a\nb").is_err());
    }
}
