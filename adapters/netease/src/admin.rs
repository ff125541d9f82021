//! The app server's side of NetEase Yunxin: [`NeteaseAdmin`], accounts,
//! tokens, bans, kicks and online status over the CheckSum-signed server API
//! (netease.md 3.1), and dynamic login tokens minted locally with the app
//! secret (netease.md 4.6).
//!
//! Every accid is checked and lower-cased before anything is sent
//! ([`crate::accid`]), so a bad id costs no request; the accid NetEase
//! returns is the one reported back.
//!
//! How the neutral [`Admin`] maps onto NetEase:
//! - `register` creates the account with a random static token (clients log
//!   in with dynamic tokens from `issue_credentials`); an existing account is
//!   success.
//! - `exists` asks `user/getUinfos.action`, which lists only the accounts
//!   that exist (the emulator answers the same way): an accid missing from
//!   `uinfos` does not exist.
//! - `delete` is [`ErrorKind::Unsupported`]: NetEase accounts cannot be
//!   deleted, only blocked.
//! - `kick` first refreshes the static token, then kicks every device with
//!   the v2 kick: the neutral kick promises the credentials the user held stop
//!   working, and a v2 kick alone leaves the old static token valid. (Dynamic
//!   tokens already issued stay valid until their TTL; keep TTLs short.)
//! - `online_status` asks `user/userOnlineStatus.action`; unknown accids are
//!   left out, each online client is a device of its client type's platform.
//! - `send_message` is `msg/sendMsg.action` (ope 0; text type 0, custom type
//!   100 whose data must be JSON text), `history` pages
//!   `history/querySessionMsg.action` backwards, `conversations` is
//!   `history/querySessionList.action` (see `admin_messages.rs`). The v1
//!   send has no client message id: a retried admin send is stored again.
//!   With no sender, the account set by
//!   [`NeteaseAdminConfig::with_admin_account`] sends.
//! - Groups are NetEase advanced teams (`team/*.action`), managed as the
//!   team's current owner, NetEase's calls always naming an operator (see
//!   `admin_teams.rs`).

use crate::accid;
use crate::rest::client::payload;
use crate::rest::types::{OnlineClient, OnlineStatusData, TokenInfo, UserInfo};
use crate::rest::{
    RestClient, MAX_KICK_DEVICE_IDS, MAX_KICK_EXTENSION_CHARS, MAX_NAME_CHARS, MAX_STATUS_ACCIDS, MAX_TOKEN_CHARS,
    MAX_UINFOS_ACCIDS,
};
use crate::sign::DynamicToken;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use unim_core::{
    Admin, BatchItem, Capabilities, Clock, Conversation, ConversationId, Credentials, Device, Error, ErrorKind, Group,
    GroupSpec, GroupUpdate, HistoryCursor, HistoryPage, MemberCursor, MemberPage, Message, MessageBody, MuteDuration,
    Presence, PresenceStatus, Role, Secret, SystemClock,
};

/// Where and as which app [`NeteaseAdmin`] calls. `Debug` never shows the secret.
#[derive(Clone)]
pub struct NeteaseAdminConfig {
    /// The server API's base URL: `https://api.netease.im/nimserver` (or a
    /// regional one, netease.md 1.3), or the emulator's
    /// `http://127.0.0.1:PORT/nimserver`.
    pub rest_url: String,
    /// The app key.
    pub app_key: String,
    /// The app secret; it signs every call and every dynamic token.
    pub app_secret: Secret,
    /// The clock `CurTime` and dynamic tokens are dated with.
    pub clock: Arc<dyn Clock>,
    /// The account that sends as "the app admin" (`Admin::send_message`
    /// with no sender): NetEase has no built-in one, so the app names one of
    /// its accounts.
    pub admin_accid: Option<String>,
}

impl NeteaseAdminConfig {
    /// A config on the system clock.
    pub fn new(rest_url: impl Into<String>, app_key: impl Into<String>, app_secret: impl Into<Secret>) -> Self {
        NeteaseAdminConfig {
            rest_url: rest_url.into(),
            app_key: app_key.into(),
            app_secret: app_secret.into(),
            clock: Arc::new(SystemClock),
            admin_accid: None,
        }
    }

    /// The same config sending as `accid` when the admin sends with no sender.
    pub fn with_admin_account(mut self, accid: impl Into<String>) -> Self {
        self.admin_accid = Some(accid.into());
        self
    }

    /// The same config on `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

impl fmt::Debug for NeteaseAdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeteaseAdminConfig")
            .field("rest_url", &self.rest_url)
            .field("app_key", &self.app_key)
            .field("app_secret", &self.app_secret)
            .field("clock", &self.clock)
            .field("admin_accid", &self.admin_accid)
            .finish()
    }
}

/// An account to create (`user/create.action`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    /// The accid (any case; NetEase lower-cases it).
    pub accid: String,
    /// The static token; NetEase generates one when absent.
    pub token: Option<Secret>,
    /// The display name (≤ 64 characters).
    pub name: Option<String>,
}

impl NewUser {
    /// An account with no token or name given.
    pub fn new(accid: impl Into<String>) -> Self {
        NewUser { accid: accid.into(), token: None, name: None }
    }

    /// The same account with a static token of its own.
    pub fn with_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The same account with a display name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A created account, as NetEase returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedUser {
    /// The accid NetEase stored (lower-cased): use this one from now on.
    pub accid: String,
    /// Its static token.
    pub token: Secret,
}

/// Which devices a v2 kick logs out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KickTarget {
    /// Every device (`type` 1).
    AllDevices,
    /// The devices with these ids (`type` 2; 1 to 20 ids).
    Devices(Vec<String>),
    /// Every device but these (`type` 3; 1 to 20 ids).
    AllExcept(Vec<String>),
}

/// The online clients of the accids asked (`user/userOnlineStatus.action`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnlineClients {
    /// Each existing accid asked, in the order asked, with its online clients
    /// (empty when offline).
    pub accounts: Vec<(String, Vec<OnlineClient>)>,
    /// The accids NetEase does not know.
    pub invalid_accids: Vec<String>,
}

/// NetEase Yunxin's app server: creates, blocks and kicks accounts, manages
/// static tokens, mints dynamic tokens and queries online status. Implements
/// [`Admin`].
#[derive(Debug)]
pub struct NeteaseAdmin {
    rest: RestClient,
    admin_accid: Option<String>,
}

impl NeteaseAdmin {
    /// An admin for `config`. Nothing is sent yet.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] when the URL is unusable or the
    /// key or secret is empty.
    pub fn new(config: NeteaseAdminConfig) -> Result<NeteaseAdmin, Error> {
        let rest = RestClient::new(&config.rest_url, &config.app_key, &config.app_secret, config.clock)?;
        Ok(NeteaseAdmin { rest, admin_accid: config.admin_accid })
    }

    /// The underlying REST client, for calls this type does not wrap.
    pub fn rest(&self) -> &RestClient {
        &self.rest
    }

    /// `user/create.action`: creates the account. The accid is checked and
    /// lower-cased first; the returned accid is NetEase's. An existing accid is
    /// [`ErrorKind::AlreadyExists`] (414 `already register`).
    pub async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, Error> {
        let accid = accid::validate(&user.accid)?;
        let mut fields: Vec<(&str, &str)> = vec![("accid", &accid)];
        if let Some(token) = &user.token {
            check_token(token)?;
            fields.push(("token", token.expose()));
        }
        if let Some(name) = &user.name {
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(Error::invalid_input(format!("a NetEase name has at most {MAX_NAME_CHARS} characters")));
            }
            fields.push(("name", name));
        }
        const PATH: &str = "user/create.action";
        let mut reply = self.rest.call_form(PATH, &fields).await.map_err(|e| about(e, "create", &accid))?;
        let info: TokenInfo = payload(PATH, "info", reply.remove("info"))?;
        Ok(CreatedUser { accid: info.accid, token: Secret::new(info.token) })
    }

    /// `user/update.action`: gives the account a new static token; the old one
    /// stops logging in (302).
    pub async fn update_token(&self, accid: &str, token: &Secret) -> Result<(), Error> {
        let accid = accid::validate(accid)?;
        check_token(token)?;
        let fields = [("accid", accid.as_str()), ("token", token.expose())];
        self.rest.call_form("user/update.action", &fields).await.map_err(|e| about(e, "update", &accid))?;
        Ok(())
    }

    /// `user/refreshToken.action`: a new random static token; the old one stops
    /// logging in.
    pub async fn refresh_token(&self, accid: &str) -> Result<Secret, Error> {
        let accid = accid::validate(accid)?;
        const PATH: &str = "user/refreshToken.action";
        let mut reply = self
            .rest
            .call_form(PATH, &[("accid", &accid)])
            .await
            .map_err(|e| about(e, "refresh the token of", &accid))?;
        let info: TokenInfo = payload(PATH, "info", reply.remove("info"))?;
        Ok(Secret::new(info.token))
    }

    /// `user/block.action`: bans the account (logins get 422); with
    /// `need_kick` its online devices are kicked too, told `kick_notify_ext`.
    pub async fn block(&self, accid: &str, need_kick: bool, kick_notify_ext: Option<&str>) -> Result<(), Error> {
        let accid = accid::validate(accid)?;
        let mut fields = vec![("accid", accid.as_str()), ("needkick", if need_kick { "true" } else { "false" })];
        if let Some(ext) = kick_notify_ext {
            fields.push(("kickNotifyExt", ext));
        }
        self.rest.call_form("user/block.action", &fields).await.map_err(|e| about(e, "block", &accid))?;
        Ok(())
    }

    /// `user/unblock.action`: lifts a ban.
    pub async fn unblock(&self, accid: &str) -> Result<(), Error> {
        let accid = accid::validate(accid)?;
        self.rest
            .call_form("user/unblock.action", &[("accid", &accid)])
            .await
            .map_err(|e| about(e, "unblock", &accid))?;
        Ok(())
    }

    /// `user/getUinfos.action`: the profiles of up to 200 accounts. Accounts
    /// that do not exist are not listed.
    pub async fn user_infos(&self, accids: &[String]) -> Result<Vec<UserInfo>, Error> {
        let accids = check_batch(accids, MAX_UINFOS_ACCIDS, "user/getUinfos.action")?;
        if accids.is_empty() {
            return Ok(Vec::new());
        }
        const PATH: &str = "user/getUinfos.action";
        let list = json_array(&accids);
        let mut reply = self.rest.call_form(PATH, &[("accids", &list)]).await?;
        payload(PATH, "uinfos", reply.remove("uinfos"))
    }

    /// `user/userOnlineStatus.action`: the online clients (client type and
    /// login time) of up to 200 accounts.
    pub async fn online_clients(&self, accids: &[String]) -> Result<OnlineClients, Error> {
        let accids = check_batch(accids, MAX_STATUS_ACCIDS, "user/userOnlineStatus.action")?;
        if accids.is_empty() {
            return Ok(OnlineClients::default());
        }
        const PATH: &str = "user/userOnlineStatus.action";
        let list = json_array(&accids);
        let mut reply = self.rest.call_form(PATH, &[("accids", &list)]).await?;
        let mut data: OnlineStatusData = payload(PATH, "data", reply.remove("data"))?;
        let accounts =
            accids.iter().filter_map(|a| data.status.remove(a).map(|clients| (a.clone(), clients))).collect();
        Ok(OnlineClients { accounts, invalid_accids: data.invalid_accids })
    }

    /// The v2 kick `POST im/v2/accounts/{accid}/actions/kick`: logs `target`
    /// devices out, telling them `notify_ext` (≤ 256 characters). An unknown
    /// account is [`ErrorKind::NotFound`]. The static token stays valid.
    pub async fn kick(&self, accid: &str, target: KickTarget, notify_ext: Option<&str>) -> Result<(), Error> {
        let accid = accid::validate(accid)?;
        let (kind, ids) = match target {
            KickTarget::AllDevices => (1, Vec::new()),
            KickTarget::Devices(ids) => (2, ids),
            KickTarget::AllExcept(ids) => (3, ids),
        };
        if kind != 1 && !(1..=MAX_KICK_DEVICE_IDS).contains(&ids.len()) {
            return Err(Error::invalid_input(format!(
                "a NetEase kick by device takes 1 to {MAX_KICK_DEVICE_IDS} device ids, not {}",
                ids.len()
            )));
        }
        let mut body = json!({"type": kind});
        if kind != 1 {
            body["device_id_list"] = json!(ids);
        }
        if let Some(ext) = notify_ext {
            if ext.chars().count() > MAX_KICK_EXTENSION_CHARS {
                return Err(Error::invalid_input(format!(
                    "a NetEase kick extension has at most {MAX_KICK_EXTENSION_CHARS} characters"
                )));
            }
            body["kick_notify_extension"] = Value::String(ext.to_owned());
        }
        let path = format!("im/v2/accounts/{accid}/actions/kick");
        self.rest.call_json(&path, &body).await.map_err(|e| about(e, "kick", &accid))?;
        Ok(())
    }

    /// A dynamic login token for `accid` (login auth type 1), valid for `ttl`
    /// from the clock's now (netease.md 4.6). Minted locally: no request is
    /// made. The accid is lower-cased, as NetEase stores it.
    pub fn dynamic_token(&self, accid: &str, ttl: Duration) -> Secret {
        let now_ms = self.rest.clock().now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
        let accid = accid.to_ascii_lowercase();
        let token =
            DynamicToken::mint(self.rest.app_key(), &accid, now_ms, ttl.as_secs(), self.rest.app_secret().expose());
        Secret::new(token.encode())
    }
}

fn check_token(token: &Secret) -> Result<(), Error> {
    let chars = token.expose().chars().count();
    if chars == 0 || chars > MAX_TOKEN_CHARS {
        return Err(Error::invalid_input(format!("a NetEase static token has 1 to {MAX_TOKEN_CHARS} characters")));
    }
    Ok(())
}

/// Checks a batch's size and every accid before anything is sent; returns the
/// lower-cased accids.
fn check_batch(accids: &[String], max: usize, call: &str) -> Result<Vec<String>, Error> {
    if accids.len() > max {
        return Err(Error::invalid_input(format!("NetEase's {call} takes at most {max} accids, not {}", accids.len())));
    }
    accids.iter().map(|a| accid::validate(a)).collect()
}

/// A JSON-array string, as v1 array fields are sent.
fn json_array(items: &[String]) -> String {
    Value::from(items.to_vec()).to_string()
}

/// The same error, its message saying which operation on which account failed.
fn about(mut e: Error, op: &str, accid: &str) -> Error {
    if e.vendor.is_some() {
        e.message = format!("cannot {op} NetEase account {accid:?}: {}", e.message);
    }
    e
}

/// A fresh static token for `register`: 32 random hex digits, NetEase's shape.
fn random_token() -> Secret {
    Secret::new(format!("{:032x}", rand::random::<u128>()))
}

#[async_trait]
impl Admin for NeteaseAdmin {
    fn vendor(&self) -> &'static str {
        crate::VENDOR
    }

    /// The adapter's capabilities ([`crate::capabilities`]).
    fn capabilities(&self) -> Capabilities {
        crate::capabilities()
    }

    /// Creates the account with a random static token; an existing one is success.
    async fn register(&self, user: &str) -> Result<(), Error> {
        match self.create_user(&NewUser::new(user).with_token(random_token())).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// One `user/create.action` per account (NetEase has no batch creation).
    async fn register_many(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for user in users {
            out.push(BatchItem { user: user.clone(), result: self.register(user).await });
        }
        Ok(out)
    }

    /// `user/getUinfos.action` in chunks of 200: an accid missing from
    /// `uinfos` does not exist. An invalid accid fails the call.
    async fn exists(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for chunk in users.chunks(MAX_UINFOS_ACCIDS) {
            let found: Vec<String> = self.user_infos(chunk).await?.into_iter().map(|u| u.accid).collect();
            out.extend(chunk.iter().map(|u| (u.clone(), found.contains(&u.to_ascii_lowercase()))));
        }
        Ok(out)
    }

    /// `msg/sendMsg.action` as `from` (or the configured admin account).
    /// Too long (414) is `InvalidInput`, an unknown account (404) `NotFound`.
    async fn send_message(
        &self,
        from: Option<&str>,
        to: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        let from = match from.or(self.admin_accid.as_deref()) {
            Some(from) => accid::validate(from)?,
            None => {
                return Err(Error::invalid_input(
                    "NetEase has no app admin account: name one with NeteaseAdminConfig::with_admin_account",
                ))
            }
        };
        let to = accid::validate(to)?;
        crate::admin_messages::send(&self.rest, from, ConversationId::direct(to), body, client_id).await
    }

    /// `history/querySessionMsg.action` pages, backwards.
    async fn history(
        &self,
        user: &str,
        peer: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let (user, peer) = (accid::validate(user)?, accid::validate(peer)?);
        crate::admin_messages::history(&self.rest, &user, &peer, older, limit).await
    }

    /// `history/querySessionList.action`; unread counts are 0 (the API has none).
    async fn conversations(&self, user: &str) -> Result<Vec<Conversation>, Error> {
        crate::admin_messages::conversations(&self.rest, &accid::validate(user)?).await
    }

    /// `team/create.action` owned by `spec.owner` (required), then
    /// `team/add.action` beyond 200 members; see `admin_teams.rs` for the
    /// (kind, policy) mapping.
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        crate::admin_teams::create(&self.rest, spec).await
    }

    /// `team/query.action`; an unknown tid is `NotFound`.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        crate::admin_teams::info(&self.rest, group).await
    }

    /// `team/update.action` as the team's owner.
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        crate::admin_teams::update(&self.rest, group, update).await
    }

    /// `team/add.action` as the owner, 200 a call; members already in the
    /// team are `AlreadyExists`.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        crate::admin_teams::add_members(&self.rest, group, users).await
    }

    /// `team/kick.action` as the owner.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        crate::admin_teams::remove_members(&self.rest, group, users).await
    }

    /// `team/remove.action` as the owner.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        crate::admin_teams::dismiss(&self.rest, group).await
    }

    /// A page of `team/queryDetail.action`'s members, in join order.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        crate::admin_teams::members(&self.rest, group, cursor, limit).await
    }

    /// `team/addManager.action` / `team/removeManager.action` as the owner.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        crate::admin_teams::set_role(&self.rest, group, user, role).await
    }

    /// `team/changeOwner.action`; the old owner stays as a member.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        crate::admin_teams::transfer(&self.rest, group, new_owner).await
    }

    /// `team/muteTlist.action` (NetEase's mute has no end; see `admin_teams.rs`).
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        crate::admin_teams::mute(&self.rest, group, user, duration).await
    }

    /// `team/joinTeams.action` and `team/query.action`.
    async fn joined_groups(&self, user: &str) -> Result<Vec<Group>, Error> {
        crate::admin_teams::joined(&self.rest, user).await
    }

    /// `msg/sendMsg.action` with `ope` 1 as `from` (`None`: the team's owner).
    async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        crate::admin_teams::send_group_message(&self.rest, from, group, body, client_id).await
    }

    /// `history/queryTeamMsg.action` pages, backwards, read as the owner.
    async fn group_history(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        crate::admin_teams::group_history(&self.rest, group, older, limit).await
    }

    /// Always [`ErrorKind::Unsupported`]: NetEase accounts cannot be deleted, only blocked.
    async fn delete(&self, _users: &[String]) -> Result<Vec<BatchItem>, Error> {
        Err(Error::unsupported("NetEase accounts cannot be deleted, only blocked (user/block.action)"))
    }

    /// A dynamic token (login auth type 1) minted locally for the lower-cased accid.
    async fn issue_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        let accid = accid::validate(user)?;
        if ttl.as_secs() == 0 {
            return Err(Error::invalid_input("a NetEase dynamic token must be valid for at least one second"));
        }
        Ok(Credentials::token(accid.clone(), self.dynamic_token(&accid, ttl)))
    }

    /// Refreshes the static token (so the one the user held stops working),
    /// then kicks every device with the v2 kick.
    async fn kick(&self, user: &str) -> Result<(), Error> {
        self.refresh_token(user).await?;
        NeteaseAdmin::kick(self, user, KickTarget::AllDevices, None).await
    }

    /// `user/userOnlineStatus.action` in chunks of 200; unknown accids are left
    /// out, each online client is a device of its client type's platform.
    async fn online_status(&self, users: &[String]) -> Result<Vec<Presence>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for chunk in users.chunks(MAX_STATUS_ACCIDS) {
            for (user, clients) in self.online_clients(chunk).await?.accounts {
                out.push(presence(user, &clients));
            }
        }
        Ok(out)
    }
}

/// The neutral presence of an account's online clients.
fn presence(user: String, clients: &[OnlineClient]) -> Presence {
    let devices: Vec<(Device, PresenceStatus)> = clients
        .iter()
        .map(|c| {
            let platform = match c.kind() {
                Some(kind) => kind.platform(),
                None => unim_core::Platform::Other(format!("client type {}", c.client_type)),
            };
            (Device::new(platform), PresenceStatus::Online)
        })
        .collect();
    let status = if devices.is_empty() { PresenceStatus::Offline } else { PresenceStatus::Online };
    Presence { user, status, devices }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ClientType;
    use unim_core::{ManualClock, Platform};

    #[test]
    fn presence_maps_client_types() {
        let clients = [
            OnlineClient { client_type: ClientType::Web.code(), login_time_ms: 1 },
            OnlineClient { client_type: 3, login_time_ms: 2 },
        ];
        let p = presence("a".into(), &clients);
        assert_eq!(p.status, PresenceStatus::Online);
        assert_eq!(p.devices[0].0.platform, Platform::Web);
        assert_eq!(p.devices[1].0.platform, Platform::Other("client type 3".into()));
        assert_eq!(presence("b".into(), &[]).status, PresenceStatus::Offline);
    }

    #[test]
    fn dynamic_tokens_verify_with_the_app_secret() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let config = NeteaseAdminConfig::new("http://127.0.0.1:9/nimserver", "key", "s3cret")
            .with_clock(Arc::new(clock.clone()));
        let admin = NeteaseAdmin::new(config).unwrap();
        let token = admin.dynamic_token("Alice", Duration::from_secs(600));
        let parsed = DynamicToken::parse(token.expose()).unwrap();
        assert_eq!((parsed.cur_time_ms, parsed.ttl_secs), (1_700_000_000_000, 600));
        assert!(parsed.verify("key", "alice", "s3cret", 1_700_000_000_000 + 599_000).is_ok());
        assert!(parsed.verify("key", "alice", "s3cret", 1_700_000_000_000 + 601_000).is_err());
    }
}
