//! The NetEase face's accounts: accid, static token, profile and ban flag
//! (netease.md 3.1), and the one login check every link uses.
//!
//! Every account is also an engine account, so kicks and presence work
//! through the engine like on the other faces.

use crate::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use unim_netease::error::code;
use unim_netease::sign::{DynamicToken, DynamicTokenError};

/// One account as `user/getUinfos.action` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NimUser {
    /// The accid, lower-cased.
    pub(crate) accid: String,
    /// The static token (only the latest is valid).
    pub(crate) token: String,
    pub(crate) name: Option<String>,
    pub(crate) icon: Option<String>,
    pub(crate) sign: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) birth: Option<String>,
    pub(crate) mobile: Option<String>,
    pub(crate) gender: u8,
    pub(crate) ex: Option<String>,
    /// Banned by `user/block.action`: logins get 422.
    pub(crate) blocked: bool,
    /// The extension of the latest server kick (`kickNotifyExt` of
    /// `user/block.action`, `kick_notify_extension` of the v2 kick), for the
    /// link's 2_5 push.
    pub(crate) kick_notify_ext: Option<String>,
}

/// A refusal with NetEase's code and desc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: i64,
    pub(crate) desc: String,
}

impl Refusal {
    pub(crate) fn new(code: i64, desc: impl Into<String>) -> Self {
        Refusal { code, desc: desc.into() }
    }
}

/// How a 2_3 login authenticates (login tag 115).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthType {
    /// 0: the account's static token.
    Static,
    /// 1: a dynamic token signed with the app secret.
    Dynamic,
    /// 2: a third-party callback (not enabled on the emulator: 403).
    ThirdParty,
}

impl AuthType {
    pub(crate) fn from_code(code: i64) -> Option<AuthType> {
        match code {
            0 => Some(AuthType::Static),
            1 => Some(AuthType::Dynamic),
            2 => Some(AuthType::ThirdParty),
            _ => None,
        }
    }
}

/// A fresh 32-hex-digit static token, the shape NetEase generates.
pub(crate) fn random_token() -> String {
    use rand::Rng;
    format!("{:032x}", rand::thread_rng().gen::<u128>())
}

pub(crate) struct Store {
    engine: Arc<Engine>,
    users: Mutex<HashMap<String, NimUser>>,
}

impl Store {
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Store { engine, users: Mutex::new(HashMap::new()) }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, HashMap<String, NimUser>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates `user` (its accid already validated and lower-cased); an
    /// existing accid is 414 `already register`.
    pub(crate) fn create(&self, user: NimUser) -> Result<NimUser, Refusal> {
        let mut users = self.users();
        if users.contains_key(&user.accid) {
            return Err(Refusal::new(code::BAD_PARAM, "already register"));
        }
        self.engine.create_account(&user.accid, user.name.clone(), user.icon.clone());
        users.insert(user.accid.clone(), user.clone());
        Ok(user)
    }

    /// The account `accid` (any case).
    pub(crate) fn get(&self, accid: &str) -> Option<NimUser> {
        self.users().get(&accid.to_ascii_lowercase()).cloned()
    }

    /// Changes the account `accid` (any case) with `change`; unknown → 414 (as NetEase answers).
    pub(crate) fn update<T>(&self, accid: &str, change: impl FnOnce(&mut NimUser) -> T) -> Result<T, Refusal> {
        let mut users = self.users();
        let user = users
            .get_mut(&accid.to_ascii_lowercase())
            .ok_or_else(|| Refusal::new(code::BAD_PARAM, format!("accid {accid} not exist")))?;
        Ok(change(user))
    }

    /// Checks a 2_3 login (netease.md 4.3, 4.6): an unknown accid or a wrong
    /// token is 302, a banned account 422, an expired or forged dynamic token
    /// 302, the third-party auth type 403 (not enabled). Returns the
    /// account's lower-cased accid.
    pub(crate) fn check_login(
        &self,
        app_key: &str,
        app_secret: &str,
        accid: &str,
        token: &str,
        auth: AuthType,
        now_ms: u64,
    ) -> Result<String, Refusal> {
        let user = self.get(accid).ok_or_else(|| Refusal::new(code::BAD_LOGIN, "unknown accid"))?;
        match auth {
            AuthType::Static if token == user.token => {}
            AuthType::Static => return Err(Refusal::new(code::BAD_LOGIN, "wrong token")),
            AuthType::Dynamic => {
                let checked =
                    DynamicToken::parse(token).and_then(|t| t.verify(app_key, &user.accid, app_secret, now_ms));
                match checked {
                    Ok(()) => {}
                    Err(DynamicTokenError::Expired { .. }) => {
                        return Err(Refusal::new(code::BAD_LOGIN, "dynamic token expired"))
                    }
                    Err(e) => return Err(Refusal::new(code::BAD_LOGIN, e.to_string())),
                }
            }
            AuthType::ThirdParty => {
                return Err(Refusal::new(code::FORBIDDEN, "this auth type is not enabled in the login policy"))
            }
        }
        if user.blocked {
            return Err(Refusal::new(code::DISABLED, "account banned"));
        }
        Ok(user.accid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ManualClock;

    fn store() -> Store {
        Store::new(Engine::new(Arc::new(ManualClock::at_unix(1_700_000_000))))
    }

    #[test]
    fn login_checks_follow_the_documented_codes() {
        let s = store();
        s.create(NimUser { accid: "alice".into(), token: "t1".into(), ..Default::default() }).unwrap();
        assert_eq!(
            s.create(NimUser { accid: "alice".into(), ..Default::default() }).unwrap_err().desc,
            "already register"
        );
        let check = |accid: &str, token: &str, auth| s.check_login("k", "secret", accid, token, auth, 1_000_000);
        assert_eq!(check("alice", "t1", AuthType::Static), Ok("alice".into()));
        assert_eq!(check("ALICE", "t1", AuthType::Static), Ok("alice".into()));
        assert_eq!(check("alice", "t2", AuthType::Static).unwrap_err().code, 302);
        assert_eq!(check("nobody", "t1", AuthType::Static).unwrap_err().code, 302);
        assert_eq!(check("alice", "t1", AuthType::ThirdParty).unwrap_err().code, 403);
        let good = DynamicToken::mint("k", "alice", 999_000, 600, "secret").encode();
        assert_eq!(check("alice", &good, AuthType::Dynamic), Ok("alice".into()));
        let old = DynamicToken::mint("k", "alice", 1_000, 1, "secret").encode();
        assert_eq!(check("alice", &old, AuthType::Dynamic).unwrap_err().code, 302);
        s.update("alice", |u| u.blocked = true).unwrap();
        assert_eq!(check("alice", "t1", AuthType::Static).unwrap_err().code, 422);
    }
}
