//! Groups: creating, joining, members and roles, mutes, dismissal and group
//! messages, stated once for every vendor. What the cases share lives here:
//! which (kind, policy) pair to create, logging members in, checked calls,
//! and reading a member list to its end.

mod join;
mod lifecycle;
mod membership;
mod message;
mod roles;

pub use join::{invite_only, join_approval, join_free};
pub use lifecycle::{create, dismiss, info_update, joined_list};
pub use membership::{add_remove_members, full, leave, member_paging, owner_leave};
pub use message::message;
pub use roles::{admins, mutes as mute_member, permissions, transfer_owner};

use super::{log_in, Online};
use crate::case::require;
use crate::expect::{ensure, eventually, expect_kind, Events, Failure, ResultExt};
use crate::harness::{Harness, SessionSetup};
use std::future::Future;
use unim_core::{
    BatchItem, Capabilities, Error, ErrorKind, Group, GroupEvent, GroupKind, GroupMember, GroupSpec, JoinPolicy,
    MemberCursor, MemberPage, Role, Session,
};

/// `Ok` when the adapter claims session groups.
pub(crate) fn needs_groups(c: &Capabilities) -> Result<(), &'static str> {
    require(c.groups, "groups")
}

/// The public pair most cases create: `(Public, Free)`, else `(Public, Approval)`.
/// A public group has admins, mutes and an owner who must hand it over
/// before leaving on every vendor that has those at all.
pub(crate) fn public_kind(c: &Capabilities) -> Option<(GroupKind, JoinPolicy)> {
    [(GroupKind::Public, JoinPolicy::Free), (GroupKind::Public, JoinPolicy::Approval)]
        .into_iter()
        .find(|&(k, p)| c.group_kinds.supports(k, p))
}

/// `Ok` when the adapter claims groups and can create a public one.
pub(crate) fn needs_public(c: &Capabilities) -> Result<(), &'static str> {
    needs_groups(c)?;
    require(public_kind(c).is_some(), "group_kinds: (Public, Free) or (Public, Approval)")
}

/// `Ok` when the adapter claims groups and can create `(kind, policy)`.
pub(crate) fn needs_kind(c: &Capabilities, kind: GroupKind, policy: JoinPolicy) -> Result<(), &'static str> {
    needs_groups(c)?;
    require(c.group_kinds.supports(kind, policy), kind_name(kind, policy))
}

/// The capability name of a pair, for `Unsupported` reports.
fn kind_name(kind: GroupKind, policy: JoinPolicy) -> &'static str {
    match (kind, policy) {
        (GroupKind::Private, JoinPolicy::InviteOnly) => "group_kinds: (Private, InviteOnly)",
        (GroupKind::Private, JoinPolicy::Approval) => "group_kinds: (Private, Approval)",
        (GroupKind::Private, JoinPolicy::Free) => "group_kinds: (Private, Free)",
        (GroupKind::Public, JoinPolicy::InviteOnly) => "group_kinds: (Public, InviteOnly)",
        (GroupKind::Public, JoinPolicy::Approval) => "group_kinds: (Public, Approval)",
        (GroupKind::Public, JoinPolicy::Free) => "group_kinds: (Public, Free)",
    }
}

/// One user with one device online. Every user of a group case is a
/// distinct user, so vendors with one device per user (Tencent) work too.
pub(crate) struct Person {
    /// The user id.
    pub user: String,
    /// The label in failure messages (`alice`, ...).
    pub label: String,
    /// The session, with its events subscribed before the login.
    pub on: Online,
}

impl Person {
    /// The session.
    pub fn s(&self) -> &dyn Session {
        &*self.on.session
    }
}

/// Logs in one fresh user per label.
pub(crate) async fn people<const N: usize>(h: &dyn Harness, labels: [&str; N]) -> Result<[Person; N], Failure> {
    let mut out = Vec::with_capacity(N);
    for label in labels {
        let user = h.fresh_user();
        let on = log_in(h, label, SessionSetup::default(), &user).await?;
        out.push(Person { user, label: label.to_owned(), on });
    }
    Ok(out.try_into().unwrap_or_else(|_| unreachable!("one person per label")))
}

/// A fresh user that exists on the backend but has no device online.
pub(crate) async fn offline_user(h: &dyn Harness) -> Result<String, Failure> {
    let user = h.fresh_user();
    super::chat::ensure_user(h, &user).await?;
    Ok(user)
}

/// A spec of `kind` named after the case, with `members` added at creation.
pub(crate) fn spec_of(name: &str, (kind, policy): (GroupKind, JoinPolicy), members: &[&Person]) -> GroupSpec {
    GroupSpec::new(name, kind, policy).with_members(members.iter().map(|p| p.user.clone()))
}

/// `owner` creates a group from `spec`; checks what `create_group` returns
/// against the spec.
pub(crate) async fn create_group(owner: &Person, spec: &GroupSpec) -> Result<Group, Failure> {
    let what = format!("{}: create_group {:?} ({:?}, {:?})", owner.label, spec.name, spec.kind, spec.join_policy);
    let group = owner.s().create_group(spec).await.ctx(&what)?;
    ensure!(!group.id.is_empty(), "{what}: the group has no id");
    ensure!(group.name == spec.name, "{what}: the group is named {:?}", group.name);
    ensure!(
        (group.kind, group.join_policy) == (spec.kind, spec.join_policy),
        "{what}: the group is ({:?}, {:?})",
        group.kind,
        group.join_policy
    );
    ensure!(group.owner.as_deref() == Some(owner.user.as_str()), "{what}: the owner is {:?}", group.owner);
    Ok(group)
}

/// The creator's id list of `members`, for messages.
pub(crate) fn users(members: &[&Person]) -> Vec<String> {
    members.iter().map(|p| p.user.clone()).collect()
}

/// Expects a refusal of `expected` kind that keeps the vendor's code.
pub(crate) fn refused<T>(what: &str, result: Result<T, Error>, expected: ErrorKind) -> Result<Error, Failure> {
    let err = expect_kind(what, result, expected)?;
    ensure!(err.vendor.is_some(), "{what}: the {expected:?} carries no vendor code: {err}");
    Ok(err)
}

/// Expects every user of a batch to have succeeded, in the order asked.
pub(crate) fn all_added(what: &str, asked: &[String], items: &[BatchItem]) -> Result<(), Failure> {
    let got: Vec<&str> = items.iter().map(|i| i.user.as_str()).collect();
    let want: Vec<&str> = asked.iter().map(String::as_str).collect();
    ensure!(got == want, "{what}: the outcomes name {} users, not the {} asked in order", got.len(), want.len());
    if let Some(bad) = items.iter().find(|i| i.result.is_err()) {
        let e = bad.result.as_ref().expect_err("found an error");
        return Err(Failure::new(format!("{what}: adding {} failed: {e}", bad.user)));
    }
    Ok(())
}

/// Pages a member list from the first page to the end (at most `max_pages`),
/// checking each page: at most `limit` members, a cursor that moves, no
/// member twice. Returns every member in the order listed.
pub(crate) async fn page_members<F, Fut>(
    what: &str,
    limit: usize,
    max_pages: usize,
    mut fetch: F,
) -> Result<Vec<GroupMember>, Failure>
where
    F: FnMut(Option<MemberCursor>) -> Fut,
    Fut: Future<Output = Result<MemberPage, Error>>,
{
    let mut all: Vec<GroupMember> = Vec::new();
    let mut cursor: Option<MemberCursor> = None;
    for n in 1..=max_pages {
        let page = fetch(cursor.clone()).await.ctx(format!("{what}: page {n}"))?;
        let len = page.members.len();
        ensure!(len <= limit, "{what}: page {n} has {len} members, more than the limit {limit}");
        for m in page.members {
            ensure!(
                !all.iter().any(|seen| seen.user == m.user),
                "{what}: {} is listed twice (again on page {n}, after {} members)",
                m.user,
                all.len()
            );
            all.push(m);
        }
        match page.next {
            None => return Ok(all),
            Some(next) => {
                ensure!(len > 0, "{what}: page {n} is empty but names a next page");
                ensure!(cursor.as_ref() != Some(&next), "{what}: page {n} hands back the cursor it was asked with");
                cursor = Some(next);
            }
        }
    }
    Err(Failure::new(format!("{what}: still not at the end after {max_pages} pages of at most {limit}")))
}

/// Every member of `group` as `viewer`'s session lists them (pages of 50).
pub(crate) async fn roster(viewer: &Person, group: &str) -> Result<Vec<GroupMember>, Failure> {
    let what = format!("{}: group_members of {group}", viewer.label);
    page_members(&what, 50, 40, |c| async move { viewer.s().group_members(group, c.as_ref(), 50).await }).await
}

/// Short form of a member list for failure messages.
pub(crate) fn describe_members(list: &[GroupMember]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|m| match m.muted_until_ms {
            Some(t) => format!("{} {:?} (muted until {t})", m.user, m.role),
            None => format!("{} {:?}", m.user, m.role),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Waits (bounded) until `viewer`'s member list of `group` satisfies `check`
/// (which says what is wrong otherwise), and returns it.
pub(crate) async fn wait_roster(
    viewer: &Person,
    group: &str,
    what: &str,
    check: impl Fn(&[GroupMember]) -> Result<(), String>,
) -> Result<Vec<GroupMember>, Failure> {
    let check = &check;
    eventually(what, || async move {
        let list = roster(viewer, group).await.map_err(|f| f.to_string())?;
        check(&list).map_err(|why| format!("{why}; the members are {}", describe_members(&list)))?;
        Ok(list)
    })
    .await
}

/// A check for [`wait_roster`]: exactly these users with these roles, in any order.
pub(crate) fn exactly(expected: &[(&str, Role)]) -> impl Fn(&[GroupMember]) -> Result<(), String> {
    let mut want: Vec<(String, Role)> = expected.iter().map(|(u, r)| ((*u).to_owned(), *r)).collect();
    want.sort();
    move |list: &[GroupMember]| {
        let mut got: Vec<(String, Role)> = list.iter().map(|m| (m.user.clone(), m.role)).collect();
        got.sort();
        if got == want {
            Ok(())
        } else {
            Err(format!("expected the members {want:?}"))
        }
    }
}

/// Waits (bounded) until `viewer`'s `group_info` satisfies `check`, and returns it.
pub(crate) async fn wait_info(
    viewer: &Person,
    group: &str,
    what: &str,
    check: impl Fn(&Group) -> Result<(), String>,
) -> Result<Group, Failure> {
    let check = &check;
    eventually(what, || async move {
        let info = viewer.s().group_info(group).await.map_err(|e| format!("group_info failed: {e}"))?;
        check(&info).map_err(|why| format!("{why}; group_info is {info:?}"))?;
        Ok(info)
    })
    .await
}

/// Waits (bounded) until `viewer`'s `joined_groups` satisfies `check`
/// (given the listed ids), and returns the list.
pub(crate) async fn wait_joined(
    viewer: &Person,
    what: &str,
    check: impl Fn(&[&str]) -> Result<(), String>,
) -> Result<Vec<Group>, Failure> {
    let check = &check;
    eventually(what, || async move {
        let list = viewer.s().joined_groups().await.map_err(|e| format!("joined_groups failed: {e}"))?;
        let ids: Vec<&str> = list.iter().map(|g| g.id.as_str()).collect();
        check(&ids).map_err(|why| format!("{why}; joined_groups lists {ids:?}"))?;
        Ok(list)
    })
    .await
}

/// Waits for a group change on `events` since `mark`.
pub(crate) async fn told(
    events: &mut Events,
    mark: usize,
    what: &str,
    pred: impl Fn(&GroupEvent) -> bool,
) -> Result<GroupEvent, Failure> {
    events.wait_group_since(mark, what, pred).await
}

/// `MemberJoined` of `user` in `group`.
pub(crate) fn joined<'a>(group: &'a str, user: &'a str) -> impl Fn(&GroupEvent) -> bool + 'a {
    move |e| matches!(e, GroupEvent::MemberJoined { group: g, user: u, .. } if g == group && u == user)
}

/// `MemberRemoved` of `user` in `group`.
pub(crate) fn removed<'a>(group: &'a str, user: &'a str) -> impl Fn(&GroupEvent) -> bool + 'a {
    move |e| matches!(e, GroupEvent::MemberRemoved { group: g, user: u, .. } if g == group && u == user)
}

/// `RoleChanged` of `user` to `role` in `group`.
pub(crate) fn role_changed<'a>(group: &'a str, user: &'a str, role: Role) -> impl Fn(&GroupEvent) -> bool + 'a {
    move |e| matches!(e, GroupEvent::RoleChanged { group: g, user: u, role: r } if g == group && u == user && *r == role)
}

/// The `by` of a `MemberJoined` or `MemberRemoved`.
pub(crate) fn by_of(e: &GroupEvent) -> Option<&str> {
    match e {
        GroupEvent::MemberJoined { by, .. }
        | GroupEvent::MemberRemoved { by, .. }
        | GroupEvent::Dismissed { by, .. } => by.as_deref(),
        _ => None,
    }
}

/// Expects `e` to name `expected` as the one who acted.
pub(crate) fn expect_by(what: &str, e: &GroupEvent, expected: Option<&str>) -> Result<(), Failure> {
    ensure!(by_of(e) == expected, "{what}: expected `by` {expected:?}, got {e:?}");
    Ok(())
}

/// Expects `e` to name the app admin as the one who acted: `None`, or the
/// group's owner where the vendor's server API acts in the owner's name
/// (NetEase's `owner` parameter names the operator, and its notifications
/// carry it).
pub(crate) fn expect_app_by(what: &str, e: &GroupEvent, owner: &str) -> Result<(), Failure> {
    let by = by_of(e);
    ensure!(by.is_none() || by == Some(owner), "{what}: expected `by` None (the app admin) or the owner, got {e:?}");
    Ok(())
}
