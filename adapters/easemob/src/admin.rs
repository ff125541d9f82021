//! The app server's side of Easemob: [`EasemobAdmin`], tokens, users, online
//! status, devices and forced logout over the documented REST API
//! (`vendors/easemob.md` sections 2 and 3), and the neutral
//! [`unim_core::Admin`] on top.
//!
//! Every username is normalized before anything is sent (upper case lowered,
//! then 1-64 bytes of `[a-z0-9_.-]`, [`crate::user_id`]), so a bad id costs
//! no request and gets an [`ErrorKind::InvalidInput`] naming the id and the
//! rule.
//!
//! **Neutral registration.** [`Admin::register`] and [`Admin::register_many`]
//! register each account with a random 32-character password that is **not
//! kept**: Easemob's newest registration API requires a password (400
//! `password or pin must provided`), and unim's neutral credentials are tokens
//! minted with the `inherit` grant ([`Admin::issue_credentials`]), which need
//! none. An app that wants password logins registers with
//! [`EasemobAdmin::register`] or sets one with
//! [`EasemobAdmin::change_password`].

mod groups;
mod messages;

pub use messages::ADMIN_SENDER;

use crate::rest::client::ttl_secs;
use crate::rest::types::{
    AnyResponse, BatchStatusData, BatchStatusRequest, OnlineStatus, PasswordRequest, RegisterFailure, RegisterUser,
    ResourceInfo, Response, ResultData, StatusData, TokenRequest, UserEntity,
};
use crate::rest::{
    normalize_username, Method, RestClient, RetryPolicy, TokenGrant, MAX_NICKNAME_CHARS, MAX_PASSWORD_CHARS,
    MAX_USERS_PER_PAGE, MAX_USERS_PER_REGISTER, MAX_USERS_PER_STATUS_QUERY,
};
use async_trait::async_trait;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, BatchItem, Capabilities, Clock, Credentials, Error, ErrorKind, Presence, PresenceStatus, Secret, SystemClock,
};

/// The length of the random passwords the neutral [`Admin::register`] uses.
const GENERATED_PASSWORD_CHARS: usize = 32;

/// Where and as which app [`EasemobAdmin`] calls. `Debug` never shows the
/// client secret.
#[derive(Clone)]
pub struct EasemobAdminConfig {
    /// The REST API's base URL: the console's host (`https://a1.easemob.com`
    /// and others, easemob.md 1.1), or the emulator's `http://127.0.0.1:PORT`.
    pub rest_url: String,
    /// The app key, `org_name#app_name`.
    pub app_key: String,
    /// The app's Client ID.
    pub client_id: String,
    /// The app's Client Secret.
    pub client_secret: Secret,
    /// The clock token lifetimes and rate-limit waits run on.
    pub clock: Arc<dyn Clock>,
    /// The ttl asked for the app token (`None`: Easemob's default; zero: never expires).
    pub app_token_ttl: Option<Duration>,
    /// How 429 answers are retried.
    pub retry: RetryPolicy,
}

impl EasemobAdminConfig {
    /// A config on the system clock, with Easemob's default app-token ttl and
    /// the default [`RetryPolicy`].
    pub fn new(
        rest_url: impl Into<String>,
        app_key: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        EasemobAdminConfig {
            rest_url: rest_url.into(),
            app_key: app_key.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            clock: Arc::new(SystemClock),
            app_token_ttl: None,
            retry: RetryPolicy::default(),
        }
    }

    /// The same config on `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same config asking for app tokens valid for `ttl`.
    pub fn with_app_token_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.app_token_ttl = ttl;
        self
    }

    /// The same config with `retry` for 429 answers.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

impl fmt::Debug for EasemobAdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EasemobAdminConfig")
            .field("rest_url", &self.rest_url)
            .field("app_key", &self.app_key)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("clock", &self.clock)
            .field("app_token_ttl", &self.app_token_ttl)
            .field("retry", &self.retry)
            .finish()
    }
}

/// A user to register with [`EasemobAdmin::register_many`]. `Debug` hides
/// the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// The username (upper case is lowered).
    pub username: String,
    /// The password, 1-64 characters.
    pub password: Secret,
    /// The push display name, at most 100 characters.
    pub nickname: Option<String>,
}

impl NewUser {
    /// A user with a password and no nickname.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        NewUser { username: username.into(), password: password.into(), nickname: None }
    }

    /// The same user with a push nickname.
    pub fn with_nickname(mut self, nickname: impl Into<String>) -> Self {
        self.nickname = Some(nickname.into());
        self
    }
}

/// What one batch registration did (easemob.md 3.1): the users created, and
/// the ones Easemob refused with its reason (`the user3 already exists`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RegisterReport {
    /// The users created, as Easemob returned them.
    pub created: Vec<UserEntity>,
    /// The users not created (`data` of the answer).
    pub failed: Vec<RegisterFailure>,
}

/// One page of `GET /users`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPage {
    /// The users, in creation order.
    pub users: Vec<UserEntity>,
    /// The cursor of the next page; `None` on the last one.
    pub cursor: Option<String>,
}

/// Easemob's app server: tokens, users, online status, devices, forced
/// logout and bans. Implements [`Admin`].
#[derive(Debug)]
pub struct EasemobAdmin {
    rest: RestClient,
}

/// The same error, its message saying which operation on which user failed.
fn about(mut e: Error, op: &str, user: &str) -> Error {
    if e.vendor.is_some() {
        e.message = format!("cannot {op} Easemob user {user:?}: {}", e.message);
    }
    e
}

/// Checks a password: non-empty, at most 64 characters (easemob.md 3.1).
fn check_password(password: &Secret) -> Result<(), Error> {
    if password.is_empty() {
        return Err(Error::invalid_input("an Easemob password must not be empty"));
    }
    let chars = password.expose().chars().count();
    if chars > MAX_PASSWORD_CHARS {
        return Err(Error::invalid_input(format!(
            "an Easemob password is at most {MAX_PASSWORD_CHARS} characters, not {chars}"
        )));
    }
    Ok(())
}

/// Checks a push nickname: at most 100 characters (easemob.md 3.1).
fn check_nickname(nickname: Option<&str>) -> Result<(), Error> {
    let chars = nickname.map_or(0, |n| n.chars().count());
    if chars > MAX_NICKNAME_CHARS {
        return Err(Error::invalid_input(format!(
            "an Easemob nickname is at most {MAX_NICKNAME_CHARS} characters, not {chars}"
        )));
    }
    Ok(())
}

/// A random password for accounts the neutral [`Admin::register`] creates.
fn generated_password() -> Secret {
    use rand::Rng;
    let password: String = rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(GENERATED_PASSWORD_CHARS)
        .map(char::from)
        .collect();
    Secret::new(password)
}

/// The one entity of a single-user answer.
fn single_entity(reply: Response<serde_json::Value>, what: &str) -> Result<UserEntity, Error> {
    reply
        .entities
        .and_then(|e| e.into_iter().next())
        .ok_or_else(|| Error::protocol(format!("Easemob's answer to {what} has no user entity")))
}

impl EasemobAdmin {
    /// An admin for `config`. Nothing is sent yet (the app token is requested
    /// by the first call that needs it).
    ///
    /// Fails with [`ErrorKind::InvalidInput`] when the URL or the app key is
    /// unusable, a credential is empty or the app token ttl is under a second.
    pub fn new(config: EasemobAdminConfig) -> Result<EasemobAdmin, Error> {
        let rest =
            RestClient::new(&config.rest_url, &config.app_key, config.client_id, config.client_secret, config.clock)?
                .with_app_token_ttl(config.app_token_ttl)?
                .with_retry(config.retry);
        Ok(EasemobAdmin { rest })
    }

    /// The underlying REST client, for calls this type does not wrap.
    pub fn rest(&self) -> &RestClient {
        &self.rest
    }

    /// A new app token (`grant_type=client_credentials`, easemob.md 2.1)
    /// valid for `ttl` (`None`: Easemob's default, 60 days; zero: never
    /// expires). The admin's own calls keep using the token it caches.
    pub async fn app_token(&self, ttl: Option<Duration>) -> Result<TokenGrant, Error> {
        self.rest.new_app_token(ttl).await
    }

    /// A user token from the user's password (`grant_type=password`,
    /// easemob.md 2.2; no app token involved), valid for `ttl` (`None`:
    /// Easemob's default; zero: never expires).
    ///
    /// A wrong password is [`ErrorKind::Unauthenticated`], an unknown user
    /// [`ErrorKind::NotFound`], a deactivated one [`ErrorKind::PermissionDenied`].
    /// (Easemob's `autoCreateUser` only applies to the `inherit` grant.)
    pub async fn user_token_password(
        &self,
        user: &str,
        password: &Secret,
        ttl: Option<Duration>,
    ) -> Result<TokenGrant, Error> {
        let user = normalize_username(user)?;
        check_password(password)?;
        let request = TokenRequest::password(user.clone(), password.clone(), ttl_secs(ttl)?);
        self.rest.request_token(&request).await.map_err(|e| about(e, "get a token for", &user))
    }

    /// A user token on the app's authority (`grant_type=inherit`, easemob.md
    /// 2.3), valid for `ttl` (`None`: 60 days; zero: never expires). With
    /// `auto_create` an unknown user is registered (without a password);
    /// without it an unknown user is [`ErrorKind::NotFound`].
    pub async fn user_token_inherit(
        &self,
        user: &str,
        ttl: Option<Duration>,
        auto_create: bool,
    ) -> Result<TokenGrant, Error> {
        let user = normalize_username(user)?;
        let request = TokenRequest::inherit(user.clone(), ttl_secs(ttl)?, auto_create);
        self.rest.request_token(&request).await.map_err(|e| about(e, "get a token for", &user))
    }

    /// `POST /users` with one user (easemob.md 3.1): registers `user` with
    /// `password` and an optional push `nickname`, and returns the entity.
    /// An existing user is [`ErrorKind::AlreadyExists`]
    /// (`duplicate_unique_property_exists`).
    pub async fn register(&self, user: &str, password: &Secret, nickname: Option<&str>) -> Result<UserEntity, Error> {
        let username = normalize_username(user)?;
        check_password(password)?;
        check_nickname(nickname)?;
        let body = [RegisterUser {
            username: username.clone(),
            password: Some(password.clone()),
            nickname: nickname.map(str::to_owned),
        }];
        let reply: Response<Vec<RegisterFailure>> = self
            .rest
            .call(Method::Post, &["users"], &[], Some(&body[..]))
            .await
            .map_err(|e| about(e, "register", &username))?;
        if let Some(failure) = reply.data.iter().flatten().find(|f| f.username == username) {
            return Err(refused_registration(failure));
        }
        reply
            .entities
            .and_then(|e| e.into_iter().find(|u| u.username == username))
            .ok_or_else(|| Error::protocol(format!("Easemob's registration answer does not list {username:?}")))
    }

    /// `POST /users` with up to 60 users (easemob.md 3.1). Every user is
    /// checked first; more than 60 is [`ErrorKind::InvalidInput`] (nothing
    /// sent). Easemob creates the users it can and lists the others with a
    /// reason in the report; when it created none because they all exist, the
    /// call fails with [`ErrorKind::AlreadyExists`].
    pub async fn register_many(&self, users: &[NewUser]) -> Result<RegisterReport, Error> {
        if users.len() > MAX_USERS_PER_REGISTER {
            return Err(Error::invalid_input(format!(
                "Easemob registers at most {MAX_USERS_PER_REGISTER} users per call, not {}",
                users.len()
            )));
        }
        if users.is_empty() {
            return Ok(RegisterReport::default());
        }
        let body = users
            .iter()
            .map(|u| {
                check_password(&u.password)?;
                check_nickname(u.nickname.as_deref())?;
                Ok(RegisterUser {
                    username: normalize_username(&u.username)?,
                    password: Some(u.password.clone()),
                    nickname: u.nickname.clone(),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let reply: Response<Vec<RegisterFailure>> = self.rest.call(Method::Post, &["users"], &[], Some(&body)).await?;
        Ok(RegisterReport { created: reply.entities.unwrap_or_default(), failed: reply.data.unwrap_or_default() })
    }

    /// `GET /users/{username}` (easemob.md 3.2). A missing user is
    /// [`ErrorKind::NotFound`] (`service_resource_not_found`).
    pub async fn get_user(&self, user: &str) -> Result<UserEntity, Error> {
        let user = normalize_username(user)?;
        let reply: AnyResponse = self
            .rest
            .call::<(), _>(Method::Get, &["users", &user], &[], None)
            .await
            .map_err(|e| about(e, "get", &user))?;
        single_entity(reply, "GET /users/{username}")
    }

    /// `GET /users?limit=&cursor=` (easemob.md 3.2): one page of the app's
    /// users in creation order; `limit` is 1 to 100.
    pub async fn list_users(&self, limit: usize, cursor: Option<&str>) -> Result<UserPage, Error> {
        if !(1..=MAX_USERS_PER_PAGE).contains(&limit) {
            return Err(Error::invalid_input(format!(
                "an Easemob user page holds 1 to {MAX_USERS_PER_PAGE} users, not {limit}"
            )));
        }
        let mut query = vec![("limit", limit.to_string())];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        let reply: AnyResponse = self.rest.call::<(), _>(Method::Get, &["users"], &query, None).await?;
        Ok(UserPage { users: reply.entities.unwrap_or_default(), cursor: reply.cursor })
    }

    /// `DELETE /users/{username}` (easemob.md 3.2): deletes the user (Easemob
    /// also deletes the groups and rooms it owns) and returns the deleted
    /// entity. A missing user is [`ErrorKind::NotFound`].
    pub async fn delete_user(&self, user: &str) -> Result<UserEntity, Error> {
        let user = normalize_username(user)?;
        let reply: AnyResponse = self
            .rest
            .call::<(), _>(Method::Delete, &["users", &user], &[], None)
            .await
            .map_err(|e| about(e, "delete", &user))?;
        single_entity(reply, "DELETE /users/{username}")
    }

    /// `PUT /users/{username}/password` (easemob.md 3.2; no old password
    /// needed). Easemob logs the user out everywhere (216) and voids the old
    /// password and the user's tokens.
    pub async fn change_password(&self, user: &str, new_password: &Secret) -> Result<(), Error> {
        let user = normalize_username(user)?;
        check_password(new_password)?;
        let body = PasswordRequest { newpassword: Some(new_password.clone()) };
        self.rest
            .call::<_, AnyResponse>(Method::Put, &["users", &user, "password"], &[], Some(&body))
            .await
            .map_err(|e| about(e, "change the password of", &user))?;
        Ok(())
    }

    /// `GET /users/{username}/status` (easemob.md 3.3): online while any
    /// device has a long connection. A missing user is [`ErrorKind::NotFound`].
    pub async fn status(&self, user: &str) -> Result<OnlineStatus, Error> {
        let user = normalize_username(user)?;
        let reply: Response<StatusData> = self
            .rest
            .call::<(), _>(Method::Get, &["users", &user, "status"], &[], None)
            .await
            .map_err(|e| about(e, "get the status of", &user))?;
        reply
            .data
            .and_then(|d| d.get(&user).copied())
            .ok_or_else(|| Error::protocol(format!("Easemob's status answer does not mention {user:?}")))
    }

    /// `POST /users/batch/status` (easemob.md 3.3): the status of up to 100
    /// users, in the order asked, by normalized username. Easemob does not
    /// check that they exist: unknown users are `offline`.
    pub async fn batch_status(&self, users: &[String]) -> Result<Vec<(String, OnlineStatus)>, Error> {
        if users.len() > MAX_USERS_PER_STATUS_QUERY {
            return Err(Error::invalid_input(format!(
                "Easemob's batch status takes at most {MAX_USERS_PER_STATUS_QUERY} users, not {}",
                users.len()
            )));
        }
        let usernames = users.iter().map(|u| normalize_username(u)).collect::<Result<Vec<_>, _>>()?;
        if usernames.is_empty() {
            return Ok(Vec::new());
        }
        let body = BatchStatusRequest { usernames: usernames.clone() };
        let reply: Response<BatchStatusData> =
            self.rest.call(Method::Post, &["users", "batch", "status"], &[], Some(&body)).await?;
        let by_user: HashMap<String, OnlineStatus> = reply.data.unwrap_or_default().into_iter().flatten().collect();
        usernames
            .into_iter()
            .map(|u| match by_user.get(&u) {
                Some(status) => Ok((u, *status)),
                None => Err(Error::protocol(format!("Easemob's batch status answer does not mention {u:?}"))),
            })
            .collect()
    }

    /// `GET /users/{username}/resources` (easemob.md 3.3): the devices the
    /// user is logged in on (`res` is `{device type}_{resource id}`).
    pub async fn resources(&self, user: &str) -> Result<Vec<ResourceInfo>, Error> {
        let user = normalize_username(user)?;
        let reply: Response<Vec<ResourceInfo>> = self
            .rest
            .call::<(), _>(Method::Get, &["users", &user, "resources"], &[], None)
            .await
            .map_err(|e| about(e, "list the devices of", &user))?;
        Ok(reply.data.unwrap_or_default())
    }

    /// `GET /users/{username}/disconnect` (easemob.md 3.3): logs the user out
    /// of every device (offline messages are kept). Returns Easemob's
    /// `data.result`.
    pub async fn disconnect(&self, user: &str) -> Result<bool, Error> {
        let user = normalize_username(user)?;
        let reply: Response<ResultData> = self
            .rest
            .call::<(), _>(Method::Get, &["users", &user, "disconnect"], &[], None)
            .await
            .map_err(|e| about(e, "disconnect", &user))?;
        Ok(reply.data.is_some_and(|d| d.result))
    }

    /// `DELETE /users/{username}/disconnect/{resourceId}` (easemob.md 3.3):
    /// logs the user out of one device, named by its `res` from
    /// [`EasemobAdmin::resources`]. Returns Easemob's `data.result` (false when
    /// no such device was logged in).
    pub async fn disconnect_device(&self, user: &str, resource: &str) -> Result<bool, Error> {
        let user = normalize_username(user)?;
        if resource.is_empty() {
            return Err(Error::invalid_input("an Easemob resource id must not be empty"));
        }
        let reply: Response<ResultData> = self
            .rest
            .call::<(), _>(Method::Delete, &["users", &user, "disconnect", resource], &[], None)
            .await
            .map_err(|e| about(e, "disconnect a device of", &user))?;
        Ok(reply.data.is_some_and(|d| d.result))
    }

    /// `POST /users/{username}/deactivate` (easemob.md 3.3): bans the user
    /// until [`EasemobAdmin::activate`]; it goes offline at once and cannot
    /// log in or get tokens. Returns the entity (`activated: false`).
    pub async fn deactivate(&self, user: &str) -> Result<UserEntity, Error> {
        let user = normalize_username(user)?;
        let reply: AnyResponse = self
            .rest
            .call::<(), _>(Method::Post, &["users", &user, "deactivate"], &[], None)
            .await
            .map_err(|e| about(e, "deactivate", &user))?;
        single_entity(reply, "POST /users/{username}/deactivate")
    }

    /// `POST /users/{username}/activate` (easemob.md 3.3): lifts a ban.
    pub async fn activate(&self, user: &str) -> Result<(), Error> {
        let user = normalize_username(user)?;
        self.rest
            .call::<(), AnyResponse>(Method::Post, &["users", &user, "activate"], &[], None)
            .await
            .map_err(|e| about(e, "activate", &user))?;
        Ok(())
    }

    /// Registers distinct, already normalized users in chunks of 60 with
    /// generated passwords; each gets `Ok` when created or already there.
    async fn register_generated(&self, users: &[String]) -> Result<HashMap<String, Result<(), Error>>, Error> {
        let mut outcomes = HashMap::with_capacity(users.len());
        for chunk in users.chunks(MAX_USERS_PER_REGISTER) {
            let batch: Vec<NewUser> = chunk.iter().map(|u| NewUser::new(u.clone(), generated_password())).collect();
            match self.register_many(&batch).await {
                Ok(report) => {
                    for created in report.created {
                        outcomes.insert(created.username, Ok(()));
                    }
                    for failure in report.failed {
                        let result = if failure.reason.contains("already exists") {
                            Ok(())
                        } else {
                            Err(refused_registration(&failure))
                        };
                        outcomes.insert(failure.username, result);
                    }
                }
                // Nothing created: every user exists, or (older servers) one
                // duplicate failed the whole batch. One by one tells which.
                Err(e) if e.kind == ErrorKind::AlreadyExists => {
                    for user in chunk {
                        let result = match self.register(user, &generated_password(), None).await {
                            Ok(_) => Ok(()),
                            Err(e) if e.kind == ErrorKind::AlreadyExists => Ok(()),
                            Err(e) => Err(e),
                        };
                        outcomes.insert(user.clone(), result);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(outcomes)
    }
}

/// The error of a user a batch registration did not create.
fn refused_registration(failure: &RegisterFailure) -> Error {
    let kind = if failure.reason.contains("already exists") { ErrorKind::AlreadyExists } else { ErrorKind::Other };
    let mut vendor = unim_core::VendorError::new(crate::VENDOR, 200, failure.reason.clone());
    vendor.name = Some("registerUserFailReason".into());
    Error::new(kind, format!("Easemob did not register {:?}: {}", failure.username, failure.reason)).with_vendor(vendor)
}

/// Normalizes each id of a neutral batch: invalid ones get their own
/// [`ErrorKind::InvalidInput`] slot and are never sent.
fn split_valid(users: &[String]) -> Vec<Result<String, Error>> {
    users.iter().map(|u| normalize_username(u)).collect()
}

#[async_trait]
impl Admin for EasemobAdmin {
    fn vendor(&self) -> &'static str {
        crate::VENDOR
    }

    /// [`capabilities`]: everything but `admin_kick` on the admin side.
    fn capabilities(&self) -> Capabilities {
        crate::capabilities()
    }

    /// Registers `user` with a random password that is not kept (module
    /// docs); an existing user is fine.
    async fn register(&self, user: &str) -> Result<(), Error> {
        match EasemobAdmin::register(self, user, &generated_password(), None).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Registers in chunks of 60 with random passwords (module docs); an
    /// existing user is `Ok`, an invalid id an [`ErrorKind::InvalidInput`]
    /// item. The same user named twice (even in different case) is
    /// registered once.
    async fn register_many(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let slots = split_valid(users);
        let mut distinct: Vec<String> = Vec::new();
        for name in slots.iter().flatten() {
            if !distinct.contains(name) {
                distinct.push(name.clone());
            }
        }
        let outcomes = self.register_generated(&distinct).await?;
        Ok(users
            .iter()
            .zip(slots)
            .map(|(user, slot)| {
                let result = slot.and_then(|name| match outcomes.get(&name) {
                    Some(r) => r.clone(),
                    None => Err(Error::protocol(format!("Easemob's registration answer does not mention {name:?}"))),
                });
                BatchItem { user: user.clone(), result }
            })
            .collect())
    }

    /// `GET /users/{username}` for each user, in the order asked; an invalid
    /// id fails the call with [`ErrorKind::InvalidInput`] before anything is sent.
    async fn exists(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error> {
        for u in users {
            normalize_username(u)?;
        }
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            let found = match self.get_user(user).await {
                Ok(_) => true,
                Err(e) if e.kind == ErrorKind::NotFound => false,
                Err(e) => return Err(e),
            };
            out.push((user.clone(), found));
        }
        Ok(out)
    }

    /// `DELETE /users/{username}` for each user; a missing user is a
    /// [`ErrorKind::NotFound`] item, an invalid id an [`ErrorKind::InvalidInput`] one.
    async fn delete(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for (user, slot) in users.iter().zip(split_valid(users)) {
            let result = match slot {
                Ok(name) => self.delete_user(&name).await.map(|_| ()),
                Err(e) => Err(e),
            };
            out.push(BatchItem { user: user.clone(), result });
        }
        Ok(out)
    }

    /// A user token from the `inherit` grant, valid for `ttl` (at least one
    /// second), for a registered user ([`ErrorKind::NotFound`] otherwise).
    async fn issue_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        if ttl.as_secs() == 0 {
            return Err(Error::invalid_input("an Easemob user token must be valid for at least one second"));
        }
        let username = normalize_username(user)?;
        let grant = self.user_token_inherit(&username, Some(ttl), false).await?;
        Ok(Credentials::Token { user: username, token: grant.access_token })
    }

    /// `GET /users/{username}/disconnect`: a forced logout on every device.
    /// Easemob does not document that the user's tokens stop working, which
    /// is why `admin_kick` is not claimed ([`capabilities`]).
    async fn kick(&self, user: &str) -> Result<(), Error> {
        self.disconnect(user).await.map(|_| ())
    }

    /// `POST /messages/users` with `sync_device` (`admin/messages.rs`). The
    /// REST API has no client message id: a retried call may store twice.
    async fn send_message(
        &self,
        from: Option<&str>,
        to: &str,
        body: &unim_core::MessageBody,
        client_id: &str,
    ) -> Result<unim_core::Message, Error> {
        messages::send_message(self, from, to, body, client_id).await
    }

    /// The v6 roaming history, backwards (`admin/messages.rs`).
    async fn history(
        &self,
        user: &str,
        peer: &str,
        older: Option<&unim_core::HistoryCursor>,
        limit: usize,
    ) -> Result<unim_core::HistoryPage, Error> {
        messages::history(self, user, peer, older, limit).await
    }

    /// `POST /chatgroups` (`admin/groups.rs`); the spec must name its owner.
    async fn create_group(&self, spec: &unim_core::GroupSpec) -> Result<unim_core::Group, Error> {
        EasemobAdmin::create_group(self, spec).await
    }

    /// `GET /chatgroups/{id}`.
    async fn group_info(&self, group: &str) -> Result<unim_core::Group, Error> {
        EasemobAdmin::group_info(self, group).await
    }

    /// `PUT /chatgroups/{id}`.
    async fn update_group(&self, group: &str, update: &unim_core::GroupUpdate) -> Result<(), Error> {
        EasemobAdmin::update_group(self, group, update).await
    }

    /// `POST /chatgroups/{id}/users` in batches of 60.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        EasemobAdmin::add_group_members(self, group, users).await
    }

    /// `DELETE /chatgroups/{id}/users/{u1,u2}` in batches of 60.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        EasemobAdmin::remove_group_members(self, group, users).await
    }

    /// `DELETE /chatgroups/{id}`.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        EasemobAdmin::dismiss_group(self, group).await
    }

    /// `GET /chatgroups/{id}/users` (cursor = `pagenum`) with admins and mutes.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&unim_core::MemberCursor>,
        limit: usize,
    ) -> Result<unim_core::MemberPage, Error> {
        EasemobAdmin::group_members(self, group, cursor, limit).await
    }

    /// `POST`/`DELETE /chatgroups/{id}/admin`.
    async fn set_group_role(&self, group: &str, user: &str, role: unim_core::Role) -> Result<(), Error> {
        EasemobAdmin::set_group_role(self, group, user, role).await
    }

    /// `PUT /chatgroups/{id}` with `newowner`.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        EasemobAdmin::transfer_group(self, group, new_owner).await
    }

    /// `POST /chatgroups/{id}/mute`; zero unmutes.
    async fn mute_group_member(&self, group: &str, user: &str, duration: unim_core::MuteDuration) -> Result<(), Error> {
        EasemobAdmin::mute_group_member(self, group, user, duration).await
    }

    /// `GET /chatgroups/user/{u}` and the groups' details.
    async fn joined_groups(&self, user: &str) -> Result<Vec<unim_core::Group>, Error> {
        EasemobAdmin::joined_groups(self, user).await
    }

    /// `POST /messages/chatgroups` (no client message id on Easemob's REST:
    /// a retried call may store twice).
    async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &unim_core::MessageBody,
        client_id: &str,
    ) -> Result<unim_core::Message, Error> {
        EasemobAdmin::send_group_message(self, from, group, body, client_id).await
    }

    /// The v6 roaming history of a group, backwards.
    async fn group_history(
        &self,
        group: &str,
        older: Option<&unim_core::HistoryCursor>,
        limit: usize,
    ) -> Result<unim_core::HistoryPage, Error> {
        EasemobAdmin::group_history(self, group, older, limit).await
    }

    /// [`EasemobAdmin::batch_status`] in chunks of 100, then
    /// [`EasemobAdmin::resources`] for each online user's devices. Easemob
    /// reports unknown users as offline, so they are listed too; an invalid id
    /// fails the call with [`ErrorKind::InvalidInput`] before anything is sent.
    async fn online_status(&self, users: &[String]) -> Result<Vec<Presence>, Error> {
        let names = users.iter().map(|u| normalize_username(u)).collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(MAX_USERS_PER_STATUS_QUERY) {
            for (user, status) in self.batch_status(chunk).await? {
                let (status, devices) = match status {
                    OnlineStatus::Online => {
                        let devices =
                            self.resources(&user).await?.iter().map(|r| (r.device(), PresenceStatus::Online)).collect();
                        (PresenceStatus::Online, devices)
                    }
                    OnlineStatus::Offline => (PresenceStatus::Offline, Vec::new()),
                };
                out.push(Presence { user, status, devices });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ManualClock;

    fn admin() -> EasemobAdmin {
        let config = EasemobAdminConfig::new("http://127.0.0.1:1", "org#app", "YXA6id", "YXA6-s3cr3t")
            .with_clock(Arc::new(ManualClock::at_unix(1_700_000_000)));
        EasemobAdmin::new(config).unwrap()
    }

    #[test]
    fn debug_hides_the_secret() {
        let config = EasemobAdminConfig::new("http://127.0.0.1:1", "org#app", "YXA6id", "YXA6-s3cr3t");
        let admin = EasemobAdmin::new(config.clone()).unwrap();
        for printed in [format!("{config:?}"), format!("{admin:?}")] {
            assert!(!printed.contains("s3cr3t"), "{printed}");
            assert!(printed.contains("YXA6id") && printed.contains("org#app"), "{printed}");
        }
        let user = NewUser::new("a", "pw-9876").with_nickname("A");
        assert!(!format!("{user:?}").contains("9876"));
    }

    #[test]
    fn unusable_configs_are_refused() {
        let e = EasemobAdmin::new(EasemobAdminConfig::new("http://h", "no-hash", "id", "s")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = EasemobAdmin::new(
            EasemobAdminConfig::new("http://h", "o#a", "id", "s").with_app_token_ttl(Some(Duration::from_millis(5))),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
    }

    #[tokio::test]
    async fn bad_input_is_refused_before_any_request() {
        // Nothing listens on port 1: each of these must fail without trying.
        let a = admin();
        let long = "x".repeat(65);
        for e in [
            a.get_user(&long).await.unwrap_err(),
            a.register("ok", &Secret::new(""), None).await.unwrap_err(),
            a.register("ok", &Secret::new("p".repeat(65)), None).await.unwrap_err(),
            a.register("ok", &Secret::new("pw"), Some(&"n".repeat(101))).await.unwrap_err(),
            a.register_many(&(0..61).map(|i| NewUser::new(format!("u{i}"), "pw")).collect::<Vec<_>>())
                .await
                .unwrap_err(),
            a.batch_status(&(0..101).map(|i| format!("u{i}")).collect::<Vec<_>>()).await.unwrap_err(),
            a.list_users(0, None).await.unwrap_err(),
            a.list_users(101, None).await.unwrap_err(),
            a.disconnect_device("ok", "").await.unwrap_err(),
            a.user_token_inherit("bad id", None, true).await.unwrap_err(),
            a.user_token_password("ok", &Secret::new("pw"), Some(Duration::from_millis(1))).await.unwrap_err(),
            a.issue_credentials("ok", Duration::ZERO).await.unwrap_err(),
            Admin::online_status(&a, &["fine".into(), "not fine".into()]).await.unwrap_err(),
            Admin::exists(&a, &["fine".into(), String::new()]).await.unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
            assert!(e.vendor.is_none(), "{e}");
        }
        let items = Admin::delete(&a, &[String::new(), "a b".into()]).await.unwrap();
        assert!(items.iter().all(|i| i.result.as_ref().unwrap_err().kind == ErrorKind::InvalidInput));
        let items = Admin::register_many(&a, &["x".repeat(65)]).await.unwrap();
        assert_eq!(items[0].result.as_ref().unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn capabilities_claim_what_the_admin_does() {
        let c = admin().capabilities();
        assert!(c.admin_register && c.admin_delete && c.admin_online_status && c.admin_issue_credentials);
        assert!(!c.admin_kick, "a disconnect does not void tokens (easemob.md 3.3)");
        assert!(c.login_password && c.login_token && !c.auto_register);
        assert_eq!((c.devices_per_platform, c.max_user_id_len), (4, 64));
        assert_eq!(admin().vendor(), "easemob");
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let (a, b) = (generated_password(), generated_password());
        assert_eq!(a.expose().len(), GENERATED_PASSWORD_CHARS);
        assert_ne!(a, b);
        assert!(check_password(&a).is_ok());
    }
}
