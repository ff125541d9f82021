//! What the Easemob face keeps beside the engine: per-user passwords, UUIDs,
//! timestamps, nicknames and the ban flag (`activated`), and every token it
//! issued, with its expiry on the engine's clock.
//!
//! **Accounts live in the engine**; this store only adds Easemob's fields. A
//! user exists exactly when the engine has the account: an account created
//! elsewhere (another face, a test) gets its Easemob record on first sight
//! (no password, activated), and a record whose account went away is dropped.
//!
//! **Tokens** are opaque random strings (`YWMt...` like Easemob's). A token
//! is valid from its issue second through `issued_at + ttl` inclusive; ttl 0
//! never expires. A user token is bound to the user's UUID, so it dies with
//! the account (a re-registered user gets a new UUID). Changing the password
//! voids the user's tokens (Easemob's password page: "the old password and the
//! user tokens become invalid"); [`crate::Engine::revoke_and_kick`] voids
//! tokens issued before it too. A deactivated user's tokens survive, but the
//! user may not log in until activated.
//!
//! The msync link (`super::link`) authenticates logins with
//! [`Store::check_user_token`] and [`Store::check_password`].

use crate::Engine;
use rand::Rng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use unim_core::CredentialLifetime;
use unim_easemob::rest::types::UserEntity;

/// Beyond this many tokens, expired ones are forgotten when a new one is issued.
const TOKEN_PURGE_THRESHOLD: usize = 100_000;

/// Easemob's fields of one user.
#[derive(Debug, Clone)]
struct UserRecord {
    uuid: String,
    password: Option<String>,
    nickname: Option<String>,
    created_ms: i64,
    modified_ms: i64,
    activated: bool,
    /// Creation order (the order of `GET /users`).
    order: u64,
    /// The engine account's `created_at`, to notice an account re-created elsewhere.
    engine_created_at: u64,
}

/// Whom a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subject {
    /// The app (admin) token of `client_credentials`.
    App,
    /// A user token, bound to the user's UUID at issue time.
    User {
        /// The username.
        user: String,
        /// The user's UUID when the token was issued.
        uuid: String,
    },
}

#[derive(Debug, Clone)]
struct TokenRecord {
    subject: Subject,
    issued_at: u64,
    /// The last valid second; `None`: never expires.
    expires_at: Option<u64>,
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRefusal {
    /// Never issued here (or garbled, or forgotten).
    Unknown,
    /// Past its expiry.
    Expired,
    /// A user token where the app token is needed.
    NotAppToken,
    /// The app token where a user token is needed.
    NotUserToken,
    /// The user was deleted (or re-created) since the token was issued, or
    /// the password changed, or a server kick voided it.
    Void,
    /// The user is deactivated.
    Deactivated,
}

/// A user token that logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UserLogin {
    /// The user.
    pub(crate) user: String,
    /// When the token was issued and when it stops working; `None` when it
    /// never expires.
    pub(crate) lifetime: Option<CredentialLifetime>,
}

/// Why a password login is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordRefusal {
    /// No such user.
    UnknownUser,
    /// The password is wrong, or the user has none (registered by `inherit`).
    WrongPassword,
    /// The user is deactivated.
    Deactivated,
}

/// Why a registration is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegisterRefusal {
    /// The user exists.
    Exists,
}

#[derive(Default)]
struct Inner {
    users: HashMap<String, UserRecord>,
    tokens: HashMap<String, TokenRecord>,
    next_order: u64,
}

/// The Easemob face's own state. One per face.
pub(crate) struct Store {
    engine: Arc<Engine>,
    inner: Mutex<Inner>,
}

/// A random UUID-shaped id (version 4 layout), as Easemob's `uuid` fields look.
pub(crate) fn random_uuid() -> String {
    let mut b: [u8; 16] = rand::thread_rng().gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A random token shaped like Easemob's (`YWMt` then base64url characters).
fn random_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    let tail: String = (0..92).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    format!("YWMt{tail}")
}

impl Store {
    /// An empty store over `engine`.
    pub(crate) fn new(engine: Arc<Engine>) -> Self {
        Store { engine, inner: Mutex::new(Inner::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Now, Unix milliseconds of the engine's clock.
    pub(crate) fn now_ms(&self) -> i64 {
        self.engine
            .clock()
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// The record of `user` in step with the engine: created on first sight of
    /// an engine account, dropped (with its tokens) when the account is gone.
    fn sync<'a>(&self, inner: &'a mut Inner, user: &str) -> Option<&'a mut UserRecord> {
        let Some(account) = self.engine.account(user) else {
            if inner.users.remove(user).is_some() {
                inner.tokens.retain(|_, t| !matches!(&t.subject, Subject::User { user: u, .. } if u == user));
            }
            return None;
        };
        let stale = inner.users.get(user).is_some_and(|r| r.engine_created_at != account.created_at);
        if stale || !inner.users.contains_key(user) {
            inner.next_order += 1;
            let created_ms = i64::try_from(account.created_at).unwrap_or(0).saturating_mul(1000);
            let record = UserRecord {
                uuid: random_uuid(),
                password: None,
                nickname: account.nick.clone(),
                created_ms,
                modified_ms: created_ms,
                activated: true,
                order: inner.next_order,
                engine_created_at: account.created_at,
            };
            inner.users.insert(user.to_owned(), record);
        }
        inner.users.get_mut(user)
    }

    fn entity(user: &str, r: &UserRecord) -> UserEntity {
        UserEntity {
            uuid: r.uuid.clone(),
            kind: "user".into(),
            created: r.created_ms,
            modified: r.modified_ms,
            username: user.to_owned(),
            activated: r.activated,
            nickname: r.nickname.clone(),
        }
    }

    /// The user's entity, if the user exists.
    pub(crate) fn user(&self, user: &str) -> Option<UserEntity> {
        let mut inner = self.lock();
        self.sync(&mut inner, user).map(|r| Self::entity(user, r))
    }

    /// Registers `user` (already normalized) in the engine and here.
    pub(crate) fn register(
        &self,
        user: &str,
        password: Option<String>,
        nickname: Option<String>,
    ) -> Result<UserEntity, RegisterRefusal> {
        let mut inner = self.lock();
        if self.sync(&mut inner, user).is_some() {
            return Err(RegisterRefusal::Exists);
        }
        self.engine.create_account(user, nickname.clone(), None);
        let now_ms = self.now_ms();
        let record = self.sync(&mut inner, user).ok_or(RegisterRefusal::Exists)?;
        record.password = password;
        record.nickname = nickname;
        record.created_ms = now_ms;
        record.modified_ms = now_ms;
        Ok(Self::entity(user, record))
    }

    /// Deletes `user` from the engine (which kicks its links with
    /// `AccountRemoved`) and here; returns the entity as it was, deactivated.
    pub(crate) fn delete(&self, user: &str) -> Option<UserEntity> {
        let mut entity = {
            let mut inner = self.lock();
            let entity = self.sync(&mut inner, user).map(|r| Self::entity(user, r))?;
            inner.users.remove(user);
            inner.tokens.retain(|_, t| !matches!(&t.subject, Subject::User { user: u, .. } if u == user));
            entity
        };
        self.engine.delete_account(user);
        entity.activated = false;
        Some(entity)
    }

    /// Sets the password of `user` and voids its tokens; false when the user
    /// does not exist. (The caller kicks the user's links.)
    pub(crate) fn set_password(&self, user: &str, password: String) -> bool {
        let now_ms = self.now_ms();
        let mut inner = self.lock();
        let Some(record) = self.sync(&mut inner, user) else { return false };
        record.password = Some(password);
        record.modified_ms = now_ms;
        inner.tokens.retain(|_, t| !matches!(&t.subject, Subject::User { user: u, .. } if u == user));
        true
    }

    /// Bans or lifts the ban of `user`; returns the entity, or `None` when the
    /// user does not exist. (The caller kicks the links of a banned user.)
    pub(crate) fn set_activated(&self, user: &str, activated: bool) -> Option<UserEntity> {
        let now_ms = self.now_ms();
        let mut inner = self.lock();
        let record = self.sync(&mut inner, user)?;
        if record.activated != activated {
            record.activated = activated;
            record.modified_ms = now_ms;
        }
        Some(Self::entity(user, record))
    }

    /// Up to `limit` users registered after position `after` (0: from the
    /// first), in creation order, and the position of the last one listed when
    /// more follow. Only users this face has seen are listed.
    pub(crate) fn list(&self, after: u64, limit: usize) -> (Vec<UserEntity>, Option<u64>) {
        let mut inner = self.lock();
        let names: Vec<String> = inner.users.keys().cloned().collect();
        for name in &names {
            self.sync(&mut inner, name);
        }
        let mut records: Vec<(&String, &UserRecord)> = inner.users.iter().filter(|(_, r)| r.order > after).collect();
        records.sort_by_key(|(_, r)| r.order);
        let more = records.len() > limit;
        let page: Vec<(&String, &UserRecord)> = records.into_iter().take(limit).collect();
        let next = if more { page.last().map(|(_, r)| r.order) } else { None };
        (page.into_iter().map(|(name, r)| Self::entity(name, r)).collect(), next)
    }

    /// Issues a token for `subject` valid for `ttl` seconds (0: forever) from now.
    pub(crate) fn issue(&self, subject: Subject, ttl: u64) -> String {
        let issued_at = self.engine.now();
        let expires_at = (ttl > 0).then(|| issued_at.saturating_add(ttl));
        let token = random_token();
        let mut inner = self.lock();
        if inner.tokens.len() >= TOKEN_PURGE_THRESHOLD {
            inner.tokens.retain(|_, t| t.expires_at.is_none_or(|e| e >= issued_at));
        }
        inner.tokens.insert(token.clone(), TokenRecord { subject, issued_at, expires_at });
        token
    }

    /// A user token for `user` (which must exist), valid `ttl` seconds.
    pub(crate) fn issue_user_token(&self, user: &str, ttl: u64) -> Option<String> {
        let uuid = {
            let mut inner = self.lock();
            self.sync(&mut inner, user)?.uuid.clone()
        };
        Some(self.issue(Subject::User { user: user.to_owned(), uuid }, ttl))
    }

    fn token(&self, token: &str) -> Result<TokenRecord, TokenRefusal> {
        let record = self.lock().tokens.get(token).cloned().ok_or(TokenRefusal::Unknown)?;
        if record.expires_at.is_some_and(|e| self.engine.now() > e) {
            return Err(TokenRefusal::Expired);
        }
        Ok(record)
    }

    /// Checks an app token for an admin call.
    pub(crate) fn check_app_token(&self, token: &str) -> Result<(), TokenRefusal> {
        match self.token(token)?.subject {
            Subject::App => Ok(()),
            Subject::User { .. } => Err(TokenRefusal::NotAppToken),
        }
    }

    /// Checks a user token for a login: issued here, not expired, its user
    /// still the same account, not voided by a password change or a server
    /// kick, and not deactivated.
    pub(crate) fn check_user_token(&self, token: &str) -> Result<UserLogin, TokenRefusal> {
        let record = self.token(token)?;
        let Subject::User { user, uuid } = record.subject else { return Err(TokenRefusal::NotUserToken) };
        let activated = {
            let mut inner = self.lock();
            match self.sync(&mut inner, &user) {
                Some(r) if r.uuid == uuid => r.activated,
                _ => return Err(TokenRefusal::Void),
            }
        };
        if self.engine.is_revoked(&user, record.issued_at) {
            return Err(TokenRefusal::Void);
        }
        if !activated {
            return Err(TokenRefusal::Deactivated);
        }
        let lifetime =
            record.expires_at.map(|expires_at| CredentialLifetime { issued_at: record.issued_at, expires_at });
        Ok(UserLogin { user, lifetime })
    }

    /// Checks a password login of `user` (already normalized).
    pub(crate) fn check_password(&self, user: &str, password: &str) -> Result<(), PasswordRefusal> {
        let mut inner = self.lock();
        let record = self.sync(&mut inner, user).ok_or(PasswordRefusal::UnknownUser)?;
        if record.password.as_deref() != Some(password) {
            return Err(PasswordRefusal::WrongPassword);
        }
        if !record.activated {
            return Err(PasswordRefusal::Deactivated);
        }
        Ok(())
    }

    /// Whether `user` is active (`Some(false)`: deactivated; `None`: no such user).
    pub(crate) fn is_active(&self, user: &str) -> Option<bool> {
        let mut inner = self.lock();
        self.sync(&mut inner, user).map(|r| r.activated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use unim_core::{DisconnectReason, ManualClock};

    fn store() -> (Store, ManualClock, Arc<Engine>) {
        let clock = ManualClock::at_unix(1_700_000_000);
        let engine = Engine::new(Arc::new(clock.clone()));
        (Store::new(Arc::clone(&engine)), clock, engine)
    }

    #[test]
    fn uuids_and_tokens_look_like_easemobs() {
        let u = random_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(u.matches('-').count(), 4);
        assert_eq!(&u[14..15], "4");
        let t = random_token();
        assert!(t.starts_with("YWMt") && t.len() == 96, "{t}");
        assert_ne!(random_token(), t);
    }

    #[test]
    fn tokens_expire_after_their_last_second() {
        let (s, clock, _) = store();
        let app = s.issue(Subject::App, 10);
        assert_eq!(s.check_app_token(&app), Ok(()));
        clock.advance(Duration::from_secs(10));
        assert_eq!(s.check_app_token(&app), Ok(()));
        clock.advance(Duration::from_secs(1));
        assert_eq!(s.check_app_token(&app), Err(TokenRefusal::Expired));
        let forever = s.issue(Subject::App, 0);
        clock.advance(Duration::from_secs(10 * 365 * 86_400));
        assert_eq!(s.check_app_token(&forever), Ok(()));
        assert_eq!(s.check_app_token("YWMtnope"), Err(TokenRefusal::Unknown));
    }

    #[test]
    fn user_tokens_die_with_password_changes_deletion_and_revocation() {
        let (s, clock, engine) = store();
        s.register("alice", Some("pw".into()), None).unwrap();
        let t = s.issue_user_token("alice", 60).unwrap();
        let login = s.check_user_token(&t).unwrap();
        assert_eq!(login.user, "alice");
        assert_eq!(login.lifetime, Some(CredentialLifetime { issued_at: 1_700_000_000, expires_at: 1_700_000_060 }));
        assert_eq!(s.check_app_token(&t), Err(TokenRefusal::NotAppToken));
        assert_eq!(s.check_user_token(&s.issue(Subject::App, 5)), Err(TokenRefusal::NotUserToken));

        assert!(s.set_password("alice", "pw2".into()));
        assert_eq!(s.check_user_token(&t), Err(TokenRefusal::Unknown));
        assert_eq!(s.check_password("alice", "pw"), Err(PasswordRefusal::WrongPassword));
        assert_eq!(s.check_password("alice", "pw2"), Ok(()));

        let t = s.issue_user_token("alice", 0).unwrap();
        assert_eq!(s.check_user_token(&t).unwrap().lifetime, None);
        clock.advance(Duration::from_secs(1));
        engine.revoke_and_kick("alice", DisconnectReason::KickedByServer);
        assert_eq!(s.check_user_token(&t), Err(TokenRefusal::Void));

        let t = s.issue_user_token("alice", 0).unwrap();
        s.set_activated("alice", false).unwrap();
        assert_eq!(s.check_user_token(&t), Err(TokenRefusal::Deactivated));
        assert_eq!(s.check_password("alice", "pw2"), Err(PasswordRefusal::Deactivated));
        s.set_activated("alice", true).unwrap();
        assert!(s.check_user_token(&t).is_ok());

        assert!(s.delete("alice").is_some_and(|e| !e.activated));
        assert!(engine.account("alice").is_none());
        assert_eq!(s.check_user_token(&t), Err(TokenRefusal::Unknown));
        assert_eq!(s.check_password("alice", "pw2"), Err(PasswordRefusal::UnknownUser));
        assert!(s.issue_user_token("alice", 1).is_none());
    }

    #[test]
    fn accounts_made_elsewhere_are_seen_and_re_creation_voids_tokens() {
        let (s, clock, engine) = store();
        engine.create_account("bob", Some("Bob".into()), None);
        let bob = s.user("bob").unwrap();
        assert_eq!((bob.nickname.as_deref(), bob.activated, bob.created), (Some("Bob"), true, 1_700_000_000_000));
        assert_eq!(s.check_password("bob", ""), Err(PasswordRefusal::WrongPassword));
        let t = s.issue_user_token("bob", 0).unwrap();
        engine.delete_account("bob");
        clock.advance(Duration::from_secs(1));
        engine.create_account("bob", None, None);
        assert_ne!(s.user("bob").unwrap().uuid, bob.uuid);
        assert_eq!(s.check_user_token(&t), Err(TokenRefusal::Void));
        assert_eq!(s.register("bob", None, None), Err(RegisterRefusal::Exists));
    }

    #[test]
    fn lists_in_creation_order_by_pages() {
        let (s, _, _) = store();
        for u in ["c", "a", "b"] {
            s.register(u, None, None).unwrap();
        }
        let (page, next) = s.list(0, 2);
        assert_eq!(page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["c", "a"]);
        let (page, last) = s.list(next.unwrap(), 2);
        assert_eq!(page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(last, None);
    }
}
