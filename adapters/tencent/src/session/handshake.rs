//! Opening a connection and logging in on it with `im_open_status.wslogin`
//! (docs/protocols/tencent.md, "Login"). Used by login, reconnect and renewal.

use super::connection::{Connection, Identity, LinkEvent, Ticket, WEB_PLATFORM};
use crate::error::{disconnect_from_code, error_from_code, kick_type_reason};
use crate::link::servcmd;
use crate::VENDOR;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use unim_core::{Disconnect, DisconnectReason, Error, Secret, VendorError};

/// Where and as whom to log in.
pub(crate) struct Target<'a> {
    pub(crate) ws_url: &'a str,
    pub(crate) sdkappid: u64,
    pub(crate) instance_id: &'a str,
    pub(crate) user: &'a str,
    pub(crate) user_sig: &'a Secret,
    /// Log in again with this ticket instead of the UserSig: the same login
    /// coming back after a lost link (tencent.md sections 5.1 and 9).
    pub(crate) ticket: Option<&'a Ticket>,
    pub(crate) now: u64,
    pub(crate) timeout: Duration,
}

/// Why a login attempt failed: the link could not be had (worth retrying), or
/// the server refused (not worth retrying with the same credentials).
#[derive(Debug)]
pub(crate) enum Failure {
    Network(Error),
    Refused(Error, Disconnect),
}

impl Failure {
    pub(crate) fn into_parts(self) -> (Error, Disconnect) {
        match self {
            Failure::Network(e) => (e, Disconnect::new(DisconnectReason::Network)),
            Failure::Refused(e, d) => (e, d),
        }
    }
}

/// The client URL the official SDK uses: `<base>/binfo?sdkappid=..&instanceid=..`.
fn url(t: &Target<'_>) -> String {
    let random: f64 = rand::random();
    format!(
        "{}/binfo?sdkappid={}&instanceid={}&random={random}&platform={WEB_PLATFORM}&host=unknown&version=-1&sdkversion=unim-{}",
        t.ws_url.trim_end_matches('/'),
        t.sdkappid,
        t.instance_id,
        env!("CARGO_PKG_VERSION"),
    )
}

/// Opens a connection and logs in. Events of the new connection go to `events`.
pub(crate) async fn login(
    t: &Target<'_>,
    events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    on_connected: impl FnOnce(),
) -> Result<Arc<Connection>, Failure> {
    let identity = match t.ticket {
        // The head then carries a2, tinyid and the old InstId, and no UserSig.
        Some(ticket) => Identity {
            sdkappid: t.sdkappid,
            identifier: t.user.to_owned(),
            user_sig: None,
            a2: Some(ticket.a2.clone()),
            tinyid: Some(ticket.tinyid.clone()),
            instid: ticket.instid,
        },
        None => Identity {
            sdkappid: t.sdkappid,
            identifier: t.user.to_owned(),
            user_sig: Some(t.user_sig.clone()),
            ..Identity::default()
        },
    };
    let conn = Connection::open(&url(t), identity, t.timeout, events).await.map_err(Failure::Network)?;
    on_connected();
    let body = json!({"State": "Online", "is_web_uniapp": 0, "InstType": 0, "CustomInfo": ""});
    let reply = match conn.request(servcmd::WSLOGIN, body, t.now).await {
        Ok(r) => r,
        Err(e) => {
            conn.close();
            return Err(Failure::Network(e));
        }
    };
    let code = reply.error_code();
    if code != 0 {
        conn.close();
        let mut vendor = VendorError::new(VENDOR, code, reply.error_info());
        let mut reason = disconnect_from_code(code);
        // A 1002 says how the login was kicked (kick-signals.md section 1, item 2).
        if code == 1002 {
            let kick_type = reply.body.get("KickType").and_then(Value::as_i64);
            if let Some(kicked) = kick_type.and_then(kick_type_reason) {
                reason = kicked;
                vendor.name = kick_type.map(|k| super::supervisor::kick_type_name(k).to_owned());
            }
        }
        return Err(Failure::Refused(
            error_from_code(code, reply.error_info()),
            Disconnect::new(reason).with_vendor(vendor),
        ));
    }
    let a2 = reply.body.get("A2Key").and_then(Value::as_str).filter(|s| !s.is_empty());
    let tinyid = match reply.body.get("TinyId") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let instid = reply.body.get("InstId").and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
    // A re-login keeps its ticket where the reply does not repeat it.
    let a2 = a2.map(Secret::new).or_else(|| t.ticket.map(|k| k.a2.clone()));
    let tinyid = tinyid.or_else(|| t.ticket.map(|k| k.tinyid.clone()));
    let instid = instid.or(t.ticket.map(|k| k.instid));
    let (Some(a2), Some(tinyid)) = (a2, tinyid) else {
        conn.close();
        let e = Error::protocol("the wslogin reply lacks A2Key or TinyId");
        return Err(Failure::Refused(e, Disconnect::new(DisconnectReason::Other)));
    };
    conn.logged_in(a2, tinyid, instid.unwrap_or(0));
    Ok(conn)
}
