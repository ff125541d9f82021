//! The one list of cases, and the [`suite!`](crate::suite) macro built on it.
//!
//! [`crate::all`] and [`suite!`](crate::suite) both expand the list in
//! `__for_each_case!`, so a case cannot be added to one and forgotten in the
//! other; a unit test checks that each test name is its case name with `.`
//! replaced by `_`.

/// Calls the macro `$callback` (exported from this crate) with `$args`
/// followed by every case as `test_ident = "case.name" => constructor`.
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_case {
    ($callback:ident ! $args:tt) => {
        $crate::$callback! { $args
            login_ok = "login.ok" => $crate::cases::login::ok,
            login_password = "login.password" => $crate::cases::login::password,
            login_token = "login.token" => $crate::cases::login::token,
            login_wrong_secret = "login.wrong_secret" => $crate::cases::login::wrong_secret,
            login_expired_credential = "login.expired_credential" => $crate::cases::login::expired_credential,
            login_unknown_user = "login.unknown_user" => $crate::cases::login::unknown_user,
            login_invalid_user_id = "login.invalid_user_id" => $crate::cases::login::invalid_user_id,
            login_concurrent = "login.concurrent" => $crate::cases::login::concurrent,
            login_switch_account = "login.switch_account" => $crate::cases::login::switch_account,
            logout_ok = "logout.ok" => $crate::cases::logout::ok,
            kick_other_login = "kick.other_login" => $crate::cases::kick::other_login,
            kick_by_server = "kick.by_server" => $crate::cases::kick::by_server,
            account_password_changed = "account.password_changed" => $crate::cases::account::password_changed,
            account_removed = "account.removed" => $crate::cases::account::removed,
            account_banned = "account.banned" => $crate::cases::account::banned,
            credential_will_expire = "credential.will_expire" => $crate::cases::credential::will_expire,
            credential_renewed = "credential.renewed" => $crate::cases::credential::renewed,
            credential_expired_online = "credential.expired_online" => $crate::cases::credential::expired_online,
            network_drop_reconnect = "network.drop_reconnect" => $crate::cases::network::drop_reconnect,
            network_unavailable = "network.unavailable" => $crate::cases::network::unavailable,
            autologin_resume = "autologin.resume" => $crate::cases::autologin::resume,
            autologin_invalidated = "autologin.invalidated" => $crate::cases::autologin::invalidated,
            multidevice_list = "multidevice.list" => $crate::cases::multidevice::list,
            multidevice_policy = "multidevice.policy" => $crate::cases::multidevice::policy,
            multidevice_kick_own_device = "multidevice.kick_own_device" => $crate::cases::multidevice::kick_own_device,
            multidevice_kick_all = "multidevice.kick_all" => $crate::cases::multidevice::kick_all,
            multidevice_mixed_platforms = "multidevice.mixed_platforms" => $crate::cases::multidevice::mixed_platforms,
            sync_offline_messages = "sync.offline_messages" => $crate::cases::sync::offline_messages,
            sync_data_sync = "sync.data_sync" => $crate::cases::sync::data_sync,
            message_send_receive = "message.send_receive" => $crate::cases::message::send_receive,
            message_custom_body = "message.custom_body" => $crate::cases::message::custom_body,
            message_offline_delivery = "message.offline_delivery" => $crate::cases::delivery::offline_delivery,
            message_dedupe = "message.dedupe" => $crate::cases::message::dedupe,
            message_order = "message.order" => $crate::cases::delivery::order,
            message_multi_device_copy = "message.multi_device_copy" => $crate::cases::delivery::multi_device_copy,
            message_too_large = "message.too_large" => $crate::cases::message::too_large,
            message_unknown_recipient = "message.unknown_recipient" => $crate::cases::message::unknown_recipient,
            message_reconnect_delivery = "message.reconnect_delivery" => $crate::cases::delivery::reconnect_delivery,
            conversation_list = "conversation.list" => $crate::cases::conversation::list,
            conversation_mark_read = "conversation.mark_read" => $crate::cases::conversation::mark_read,
            conversation_history = "conversation.history" => $crate::cases::conversation::history,
            conversation_delete = "conversation.delete" => $crate::cases::conversation::delete,
            admin_send_as_user = "admin.send_as_user" => $crate::cases::admin::send_as_user,
            admin_history = "admin.history" => $crate::cases::admin::history,
            admin_conversations = "admin.conversations" => $crate::cases::admin::conversations,
            group_create = "group.create" => $crate::cases::group::create,
            group_info_update = "group.info_update" => $crate::cases::group::info_update,
            group_add_remove_members = "group.add_remove_members" => $crate::cases::group::add_remove_members,
            group_join_free = "group.join_free" => $crate::cases::group::join_free,
            group_join_approval = "group.join_approval" => $crate::cases::group::join_approval,
            group_invite_only = "group.invite_only" => $crate::cases::group::invite_only,
            group_leave = "group.leave" => $crate::cases::group::leave,
            group_owner_leave = "group.owner_leave" => $crate::cases::group::owner_leave,
            group_transfer_owner = "group.transfer_owner" => $crate::cases::group::transfer_owner,
            group_admins = "group.admins" => $crate::cases::group::admins,
            group_permissions = "group.permissions" => $crate::cases::group::permissions,
            group_mute_member = "group.mute_member" => $crate::cases::group::mute_member,
            group_dismiss = "group.dismiss" => $crate::cases::group::dismiss,
            group_joined_list = "group.joined_list" => $crate::cases::group::joined_list,
            group_member_paging = "group.member_paging" => $crate::cases::group::member_paging,
            group_full = "group.full" => $crate::cases::group::full,
            group_message = "group.message" => $crate::cases::group::message,
        }
    };
}

/// Builds the `Vec<Case>` of [`crate::all`].
#[doc(hidden)]
#[macro_export]
macro_rules! __all_cases {
    ({} $($test:ident = $name:literal => $ctor:path),* $(,)?) => {
        vec![$($ctor()),*]
    };
}

/// Lists `(test ident, case name)` pairs, for the consistency test.
#[doc(hidden)]
#[macro_export]
macro_rules! __case_names {
    ({} $($test:ident = $name:literal => $ctor:path),* $(,)?) => {
        &[$((stringify!($test), $name)),*]
    };
}

/// Expands to one `#[test]` per conformance case, each running that case on a
/// fresh harness from `$factory` (an expression of type
/// [`HarnessFactory`](crate::HarnessFactory), evaluated once per test).
///
/// The tests are named after the cases with `.` replaced by `_`
/// (`login_ok`, `kick_other_login`, ...), so `cargo test kick_` runs the kick
/// cases and a failure names its case. A failing case panics with the
/// failure; a case whose capabilities the adapter does not claim prints
/// `unsupported: <what is missing>` and passes (a claimed capability is never
/// skipped).
///
/// Each test builds its own multi-threaded tokio runtime, so the crate that
/// expands the macro needs no tokio dependency of its own.
///
/// ```ignore
/// // adapters/tencent/tests/conformance.rs
/// unim_conformance::suite!(unim_conformance::vendors::tencent::tencent_factory());
/// ```
#[macro_export]
macro_rules! suite {
    ($factory:expr $(,)?) => {
        $crate::__for_each_case!(__suite_tests! { ($factory) });
    };
}

/// The body of [`suite!`]: one test per listed case.
#[doc(hidden)]
#[macro_export]
macro_rules! __suite_tests {
    ({ ($factory:expr) } $($test:ident = $name:literal => $ctor:path),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::run_test($name, $factory);
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn test_names_follow_case_names_and_match_all() {
        let listed: &[(&str, &str)] = crate::__for_each_case!(__case_names! {});
        let all = crate::all();
        assert_eq!(listed.len(), all.len());
        for ((test, name), case) in listed.iter().zip(&all) {
            assert_eq!(*test, name.replace('.', "_"), "test ident of {name}");
            assert_eq!(*name, case.name, "the constructor listed for {name} builds another case");
        }
        let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "case names are unique");
    }
}
