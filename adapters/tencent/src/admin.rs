//! The app server's side of Tencent Cloud IM: [`TencentAdmin`], account
//! management and online status over the documented REST API
//! (`vendors/tencent.md` section 2.3), and UserSigs signed locally with the
//! app's secret key (section 1).
//!
//! Every UserID is checked before anything is sent (1-32 bytes of printable
//! ASCII, section 4), so a bad id costs no request and gets an
//! [`ErrorKind::InvalidInput`] naming the id and the rule.

use crate::error::error_from_code;
use crate::rest::types::{
    AccountCheckRequest, AccountDeleteRequest, AccountImportRequest, AccountStatus, Empty, KickRequest,
    MultiAccountImportRequest, MultiAccountImportResponse, QueryOnlineStatusRequest, QueryOnlineStatusResponse,
    ResultItem, ResultItemResponse, UserIdItem,
};
use crate::rest::{
    platform_from_wire, validate_user_id, RestClient, MAX_ACCOUNTS_PER_BATCH, MAX_ACCOUNTS_PER_STATUS_QUERY,
};
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, BatchItem, Capabilities, Clock, Conversation, Credentials, Device, Error, ErrorKind, Group, GroupSpec,
    GroupUpdate, HistoryCursor, HistoryPage, MemberCursor, MemberPage, Message, MessageBody, MuteDuration, Presence,
    Role, Secret, SystemClock,
};

/// The account service (tencent.md 2.3).
const LOGIN_SVC: &str = "im_open_login_svc";
/// The service of `query_online_status`.
const OPENIM: &str = "openim";
/// "The requested UserID does not exist" (tencent.md section 3).
const ACCOUNT_NOT_FOUND: i64 = 70107;

/// Where and as whom [`TencentAdmin`] calls. `Debug` never shows the key.
#[derive(Clone)]
pub struct TencentAdminConfig {
    /// The REST API's base URL: `https://console.tim.qq.com` (or a regional
    /// domain, tencent.md 2.1), or the emulator's `http://127.0.0.1:PORT`.
    pub rest_url: String,
    /// The app's SDKAppID.
    pub sdkappid: u64,
    /// The app's secret key from the console; it signs every UserSig.
    pub secret_key: Secret,
    /// An App admin account (configured in the console).
    pub admin: String,
    /// The clock UserSigs are dated with.
    pub clock: Arc<dyn Clock>,
}

impl TencentAdminConfig {
    /// A config on the system clock.
    pub fn new(
        rest_url: impl Into<String>,
        sdkappid: u64,
        secret_key: impl Into<Secret>,
        admin: impl Into<String>,
    ) -> Self {
        TencentAdminConfig {
            rest_url: rest_url.into(),
            sdkappid,
            secret_key: secret_key.into(),
            admin: admin.into(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same config on `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

impl fmt::Debug for TencentAdminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentAdminConfig")
            .field("rest_url", &self.rest_url)
            .field("sdkappid", &self.sdkappid)
            .field("secret_key", &self.secret_key)
            .field("admin", &self.admin)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Tencent Cloud IM's App admin: imports, checks, deletes and kicks accounts,
/// queries online status, and issues UserSigs. Implements [`Admin`].
#[derive(Debug)]
pub struct TencentAdmin {
    rest: RestClient,
}

impl TencentAdmin {
    /// An admin for `config`. Nothing is sent yet.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] when the URL is unusable, the key
    /// is empty or the admin's UserID breaks Tencent's rules.
    pub fn new(config: TencentAdminConfig) -> Result<TencentAdmin, Error> {
        validate_user_id(&config.admin)?;
        let rest = RestClient::new(&config.rest_url, config.sdkappid, &config.secret_key, config.admin, config.clock)?;
        Ok(TencentAdmin { rest })
    }

    /// The underlying REST client, for calls this type does not wrap.
    pub fn rest(&self) -> &RestClient {
        &self.rest
    }

    /// A UserSig for `user`, valid for `ttl` from the clock's now (tencent.md
    /// 1.1). Signed locally: no request is made.
    pub fn user_sig(&self, user: &str, ttl: Duration) -> Result<Secret, Error> {
        validate_user_id(user)?;
        if ttl.as_secs() == 0 {
            return Err(Error::invalid_input("a UserSig must be valid for at least one second"));
        }
        Ok(Secret::new(self.rest.key().gen(user, ttl.as_secs(), self.rest.clock().unix_secs())))
    }

    /// `account_import` (tencent.md 2.3, 1047/34953): creates `user`, with an
    /// optional nickname and avatar URL. Importing an existing account
    /// succeeds (the call is idempotent).
    pub async fn account_import(&self, user: &str, nick: Option<&str>, face_url: Option<&str>) -> Result<(), Error> {
        validate_user_id(user)?;
        let body = AccountImportRequest {
            user_id: user.to_owned(),
            nick: nick.map(str::to_owned),
            face_url: face_url.map(str::to_owned),
        };
        self.rest.call::<_, Empty>(LOGIN_SVC, "account_import", &body).await.map_err(|e| about(e, "import", user))?;
        Ok(())
    }

    /// `multiaccount_import` (1047/34954, old `Accounts` form): imports up to
    /// 100 accounts and returns Tencent's `FailAccounts`, the ones that were
    /// not imported. More than 100, or an invalid UserID, is refused before
    /// sending; an empty list returns at once.
    pub async fn multiaccount_import(&self, users: &[String]) -> Result<Vec<String>, Error> {
        check_batch(users, MAX_ACCOUNTS_PER_BATCH, "multiaccount_import")?;
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let body = MultiAccountImportRequest { accounts: Some(users.to_vec()), account_list: None };
        let reply: MultiAccountImportResponse = self.rest.call(LOGIN_SVC, "multiaccount_import", &body).await?;
        Ok(reply.fail_accounts)
    }

    /// `account_check` (1047/34956): whether each account is imported, in the
    /// order asked. At most 100 accounts; an item Tencent could not check
    /// fails the call with that item's code.
    pub async fn account_check(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error> {
        check_batch(users, MAX_ACCOUNTS_PER_BATCH, "account_check")?;
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let body = AccountCheckRequest { check_item: users.iter().map(UserIdItem::new).collect() };
        let reply: ResultItemResponse = self.rest.call(LOGIN_SVC, "account_check", &body).await?;
        let mut by_user = index_results(reply.result_item);
        users
            .iter()
            .map(|user| {
                let item = by_user.get_mut(user.as_str()).and_then(|items| items.pop()).ok_or_else(|| {
                    Error::protocol(format!("Tencent's account_check reply has no result for {user:?}"))
                })?;
                if item.result_code != 0 {
                    return Err(about(error_from_code(item.result_code, &item.result_info), "check", user));
                }
                match item.account_status {
                    Some(status) => Ok((user.clone(), status == AccountStatus::Imported)),
                    None => Err(Error::protocol(format!(
                        "Tencent's account_check result for {user:?} has no AccountStatus"
                    ))),
                }
            })
            .collect()
    }

    /// `account_delete` (1047/34955): deletes up to 100 accounts; the outcome
    /// is per account, in the order asked (an account that does not exist is
    /// [`ErrorKind::NotFound`], Tencent's 70107). Tencent allows deletion only
    /// on trial-plan apps; elsewhere the whole call fails with 71000
    /// ([`ErrorKind::Unsupported`]).
    pub async fn account_delete(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        check_batch(users, MAX_ACCOUNTS_PER_BATCH, "account_delete")?;
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let body = AccountDeleteRequest { delete_item: users.iter().map(UserIdItem::new).collect() };
        let reply: ResultItemResponse = self.rest.call(LOGIN_SVC, "account_delete", &body).await?;
        let mut by_user = index_results(reply.result_item);
        Ok(users
            .iter()
            .map(|user| {
                let result = match by_user.get_mut(user.as_str()).and_then(|items| items.pop()) {
                    Some(item) if item.result_code == 0 => Ok(()),
                    Some(item) => Err(about(error_from_code(item.result_code, &item.result_info), "delete", user)),
                    None => Err(Error::protocol(format!("Tencent's account_delete reply has no result for {user:?}"))),
                };
                BatchItem { user: user.clone(), result }
            })
            .collect())
    }

    /// `kick` (1047/34957): logs `user` out everywhere; the UserSigs it held
    /// stop working and a newly generated one logs in again. An unknown
    /// account is [`ErrorKind::NotFound`] (70107).
    pub async fn kick(&self, user: &str) -> Result<(), Error> {
        validate_user_id(user)?;
        self.rest
            .call::<_, Empty>(LOGIN_SVC, "kick", &KickRequest::new(user))
            .await
            .map_err(|e| about(e, "kick", user))?;
        Ok(())
    }

    /// `query_online_status` (1047/35477): the presence of up to 500
    /// accounts, in the order asked, with per-device detail when `need_detail`.
    ///
    /// `Online` is [`unim_core::PresenceStatus::Online`], `PushOnline`
    /// [`unim_core::PresenceStatus::Background`], `Offline`
    /// [`unim_core::PresenceStatus::Offline`]; the `Detail` platforms map
    /// through [`platform_from_wire`]. Accounts Tencent lists in `ErrorList`
    /// (70107: the account does not exist) are left out of the result, even
    /// when that is every account asked (Tencent then fails the whole call;
    /// when every `ErrorList` code is 70107 this method turns that back into
    /// an empty answer, any other failure is returned as the error); use
    /// [`TencentAdmin::account_check`] to tell a missing account from an
    /// offline one.
    pub async fn query_online_status(&self, users: &[String], need_detail: bool) -> Result<Vec<Presence>, Error> {
        check_batch(users, MAX_ACCOUNTS_PER_STATUS_QUERY, "query_online_status")?;
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let body =
            QueryOnlineStatusRequest { to_account: users.to_vec(), is_need_detail: Some(i64::from(need_detail)) };
        let (envelope, value) = self.rest.call_raw(OPENIM, "query_online_status", &body).await?;
        let parsed = QueryOnlineStatusResponse::deserialize(&value);
        let reply = match (envelope.is_ok(), parsed) {
            (true, Ok(reply)) => reply,
            // "Top-level ErrorCode is non-zero only if all failed" (tencent.md 2.3):
            // a failure that still lists every account in ErrorList is per-account detail.
            (false, Ok(reply))
                if reply.query_result.is_empty()
                    && !reply.error_list.is_empty()
                    && reply.error_list.iter().all(|e| e.error_code == ACCOUNT_NOT_FOUND) =>
            {
                reply
            }
            (false, _) => return Err(error_from_code(envelope.error_code, &envelope.error_info)),
            (true, Err(e)) => {
                return Err(Error::protocol(format!(
                    "Tencent REST reply to openim/query_online_status is malformed: {e}"
                )))
            }
        };
        for failed in &reply.error_list {
            tracing::debug!(target: "unim_tencent::admin", user = %failed.to_account, code = failed.error_code,
                "account left out of the online status");
        }
        let mut by_user: HashMap<String, Presence> = HashMap::new();
        for r in reply.query_result {
            let devices = r
                .detail
                .unwrap_or_default()
                .into_iter()
                .map(|d| (Device::new(platform_from_wire(&d.platform)), d.status.presence()))
                .collect();
            by_user.insert(r.to_account.clone(), Presence { user: r.to_account, status: r.status.presence(), devices });
        }
        Ok(users.iter().filter_map(|u| by_user.get(u).cloned()).collect())
    }
}

/// Checks a batch's size and every UserID in it before anything is sent.
fn check_batch(users: &[String], max: usize, call: &str) -> Result<(), Error> {
    if users.len() > max {
        return Err(Error::invalid_input(format!(
            "Tencent's {call} takes at most {max} accounts per call, not {}",
            users.len()
        )));
    }
    users.iter().try_for_each(|u| validate_user_id(u))
}

/// Result items by UserID; each list is reversed so `pop` yields them in reply order.
fn index_results(items: Vec<ResultItem>) -> HashMap<String, Vec<ResultItem>> {
    let mut by_user: HashMap<String, Vec<ResultItem>> = HashMap::new();
    for item in items.into_iter().rev() {
        by_user.entry(item.user_id.clone()).or_default().push(item);
    }
    by_user
}

/// The same error, its message saying which operation on which account failed.
fn about(mut e: Error, op: &str, user: &str) -> Error {
    if e.vendor.is_some() {
        e.message = format!("cannot {op} Tencent account {user:?}: {}", e.message);
    }
    e
}

/// Splits a neutral batch into Tencent-sized chunks after validating each
/// UserID: invalid ones get their own [`ErrorKind::InvalidInput`] item and
/// are never sent. Returns the per-user slots (filled for invalid ids) and
/// the valid ids.
fn split_valid(users: &[String]) -> (Vec<Option<Result<(), Error>>>, Vec<String>) {
    let mut slots = Vec::with_capacity(users.len());
    let mut valid = Vec::new();
    for u in users {
        match validate_user_id(u) {
            Ok(()) => {
                slots.push(None);
                valid.push(u.clone());
            }
            Err(e) => slots.push(Some(Err(e))),
        }
    }
    (slots, valid)
}

/// Joins per-user outcomes of the valid ids back into the slots, in order.
fn join_slots(users: &[String], slots: Vec<Option<Result<(), Error>>>, mut outcomes: Vec<BatchItem>) -> Vec<BatchItem> {
    outcomes.reverse();
    users
        .iter()
        .zip(slots)
        .map(|(user, slot)| {
            let result = match slot {
                Some(r) => r,
                None => outcomes
                    .pop()
                    .map(|o| o.result)
                    .unwrap_or_else(|| Err(Error::protocol(format!("no outcome for Tencent account {user:?}")))),
            };
            BatchItem { user: user.clone(), result }
        })
        .collect()
}

#[async_trait]
impl Admin for TencentAdmin {
    fn vendor(&self) -> &'static str {
        crate::VENDOR
    }

    /// The adapter's capabilities ([`crate::capabilities`]): every admin
    /// feature (register, delete, kick, online status, issue credentials) is claimed.
    fn capabilities(&self) -> Capabilities {
        crate::capabilities()
    }

    async fn register(&self, user: &str) -> Result<(), Error> {
        self.account_import(user, None, None).await
    }

    /// Imports in chunks of 100 with `multiaccount_import`; an account in
    /// Tencent's `FailAccounts` gets an [`ErrorKind::Other`] item (Tencent
    /// gives no reason), an invalid UserID an [`ErrorKind::InvalidInput`] one.
    async fn register_many(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let (slots, valid) = split_valid(users);
        let mut outcomes = Vec::with_capacity(valid.len());
        for chunk in valid.chunks(MAX_ACCOUNTS_PER_BATCH) {
            let failed = self.multiaccount_import(chunk).await?;
            outcomes.extend(chunk.iter().map(|user| {
                let result = if failed.contains(user) {
                    Err(Error::new(
                        ErrorKind::Other,
                        format!("Tencent did not import account {user:?} (listed in FailAccounts)"),
                    ))
                } else {
                    Ok(())
                };
                BatchItem { user: user.clone(), result }
            }));
        }
        Ok(join_slots(users, slots, outcomes))
    }

    async fn exists(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for chunk in users.chunks(MAX_ACCOUNTS_PER_BATCH) {
            out.extend(self.account_check(chunk).await?);
        }
        Ok(out)
    }

    async fn delete(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let (slots, valid) = split_valid(users);
        let mut outcomes = Vec::with_capacity(valid.len());
        for chunk in valid.chunks(MAX_ACCOUNTS_PER_BATCH) {
            outcomes.extend(self.account_delete(chunk).await?);
        }
        Ok(join_slots(users, slots, outcomes))
    }

    async fn issue_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        Ok(Credentials::UserSig { user: user.to_owned(), user_sig: self.user_sig(user, ttl)? })
    }

    async fn kick(&self, user: &str) -> Result<(), Error> {
        TencentAdmin::kick(self, user).await
    }

    /// [`TencentAdmin::query_online_status`] with detail, in chunks of 500;
    /// accounts that do not exist are left out.
    async fn online_status(&self, users: &[String]) -> Result<Vec<Presence>, Error> {
        let mut out = Vec::with_capacity(users.len());
        for chunk in users.chunks(MAX_ACCOUNTS_PER_STATUS_QUERY) {
            out.extend(self.query_online_status(chunk, true).await?);
        }
        Ok(out)
    }

    /// [`TencentAdmin::send_msg`]: `openim/sendmsg` with SyncOtherMachine 1.
    async fn send_message(
        &self,
        from: Option<&str>,
        to: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        self.send_msg(from, to, body, client_id).await
    }

    /// [`TencentAdmin::roam_msg`]: `openim/admin_getroammsg`, backwards.
    async fn history(
        &self,
        user: &str,
        peer: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        self.roam_msg(user, peer, older, limit).await
    }

    /// [`TencentAdmin::conversation_list`]: `recentcontact/get_list` with
    /// the unread counts of `openim/get_c2c_unread_msg_num`.
    async fn conversations(&self, user: &str) -> Result<Vec<Conversation>, Error> {
        self.conversation_list(user).await
    }

    /// [`TencentAdmin::create_group_as_admin`]: `create_group`, then `get_group_info`.
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        self.create_group_as_admin(spec).await
    }

    /// [`TencentAdmin::get_group`]: `get_group_info`.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        self.get_group(group).await
    }

    /// [`TencentAdmin::modify_group`]: `modify_group_base_info`.
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        self.modify_group(group, update).await
    }

    /// [`TencentAdmin::add_members`]: `add_group_member` in calls of 100.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        self.add_members(group, users).await
    }

    /// [`TencentAdmin::delete_members`]: `delete_group_member` in calls of 100.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        self.delete_members(group, users).await
    }

    /// [`TencentAdmin::destroy_group`].
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        self.destroy_group(group).await
    }

    /// [`TencentAdmin::member_page`]: `get_group_member_info` by `Offset`.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        self.member_page(group, cursor, limit).await
    }

    /// [`TencentAdmin::set_member_role`]: `modify_group_member_info` `Role`.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        self.set_member_role(group, user, role).await
    }

    /// [`TencentAdmin::change_owner`]: `change_group_owner`.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        self.change_owner(group, new_owner).await
    }

    /// [`TencentAdmin::forbid_send`]: `forbid_send_msg`.
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        self.forbid_send(group, user, duration).await
    }

    /// [`TencentAdmin::joined_group_list`]: `get_joined_group_list`.
    async fn joined_groups(&self, user: &str) -> Result<Vec<Group>, Error> {
        self.joined_group_list(user).await
    }

    /// [`TencentAdmin::send_group_msg`]: `send_group_msg`.
    async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        self.send_group_msg(from, group, body, client_id).await
    }

    /// [`TencentAdmin::group_msg_page`]: `group_msg_get_simple`, backwards by `MsgSeq`.
    async fn group_history(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        self.group_msg_page(group, older, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ManualClock;

    fn admin() -> TencentAdmin {
        let config = TencentAdminConfig::new("http://127.0.0.1:1", 1_400_000_001, "s3cr3t-key", "administrator")
            .with_clock(Arc::new(ManualClock::at_unix(1_700_000_000)));
        TencentAdmin::new(config).unwrap()
    }

    #[test]
    fn debug_hides_the_secret() {
        let config = TencentAdminConfig::new("http://127.0.0.1:1", 1, "s3cr3t-key", "administrator");
        let admin = TencentAdmin::new(config.clone()).unwrap();
        for printed in [format!("{config:?}"), format!("{admin:?}")] {
            assert!(!printed.contains("s3cr3t"), "{printed}");
            assert!(printed.contains("administrator"), "{printed}");
        }
    }

    #[test]
    fn an_invalid_admin_id_is_refused() {
        let config = TencentAdminConfig::new("http://127.0.0.1:1", 1, "k", "");
        assert_eq!(TencentAdmin::new(config).unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[tokio::test]
    async fn issues_user_sigs_locally_at_the_clocks_now() {
        let a = admin();
        let creds = a.issue_credentials("alice", Duration::from_secs(3600)).await.unwrap();
        assert_eq!(creds.user(), "alice");
        let decoded = a.rest().key().verify("alice", creds.secret().expose(), 1_700_000_000).unwrap();
        assert_eq!((decoded.time, decoded.expire), (1_700_000_000, 3600));
        assert_eq!(a.issue_credentials("alice", Duration::ZERO).await.unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(
            a.issue_credentials("bad\nid", Duration::from_secs(1)).await.unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }

    #[tokio::test]
    async fn invalid_ids_in_a_batch_get_their_own_items() {
        // Nothing listens on port 1, but every id here is invalid, so nothing is sent.
        let a = admin();
        let users = vec![String::new(), "x".repeat(33)];
        let items = Admin::delete(&a, &users).await.unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|i| i.result.as_ref().unwrap_err().kind == ErrorKind::InvalidInput));
        let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
        assert_eq!(a.multiaccount_import(&too_many).await.unwrap_err().kind, ErrorKind::InvalidInput);
        let too_many: Vec<String> = (0..501).map(|i| format!("u{i}")).collect();
        assert_eq!(a.query_online_status(&too_many, false).await.unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn capabilities_claim_the_admin_features() {
        let c = admin().capabilities();
        assert!(c.admin_register && c.admin_delete && c.admin_kick && c.admin_online_status);
        assert!(c.admin_issue_credentials);
        assert_eq!(c.max_user_id_len, 32);
        assert_eq!(admin().vendor(), "tencent");
    }
}
