//! The 2_3 login (4.1, 4.2): reading the login Property and checking it.
//! What a good login changes (engine link, ports) is the connection's job.

use super::super::store::{AuthType, Refusal};
use super::super::Face;
use super::now_ms;
use unim_netease::error::code;
use unim_netease::link::ids::login as tag;
use unim_netease::link::{ClientType, PacketError, Request};

/// A login as the client sent it. Holds the token: no `Debug`.
pub(super) struct Login {
    /// Client type number (tag 3), 16 for the web SDK.
    pub(super) client_type: i64,
    /// OS (tag 4).
    pub(super) os: String,
    /// deviceId (tag 13): one per SDK module, shared by its instances.
    pub(super) device_id: String,
    /// session (tag 26): one per SDK instance, stable across reconnects.
    pub(super) session: String,
    app_key: String,
    /// The account as sent (tag 19).
    pub(super) account: String,
    token: String,
    /// Tag 115 (absent: 0, the static token).
    auth_type: i64,
    /// Tag 8: 1 for a manual login, 0 for the SDK's automatic re-login.
    pub(super) app_login: i64,
}

impl Login {
    /// Reads the 2_3 request's login Property.
    pub(super) fn parse(request: &Request) -> Result<Login, PacketError> {
        let p = request.param(0)?.as_property()?;
        let text = |t: u32| p.str(t).unwrap_or_default();
        Ok(Login {
            client_type: p.int(tag::CLIENT_TYPE).unwrap_or(ClientType::Web.code()),
            os: text(tag::OS),
            device_id: text(tag::DEVICE_ID),
            session: text(tag::SESSION),
            app_key: text(tag::APP_KEY),
            account: text(tag::ACCOUNT),
            token: text(tag::TOKEN),
            auth_type: p.int(tag::AUTH_TYPE).unwrap_or(0),
            app_login: p.int(tag::APP_LOGIN).unwrap_or(1),
        })
    }

    /// The id that tells SDK instances apart: the session (tag 26), else the
    /// deviceId (tag 13), else none (every connection is a new device).
    pub(super) fn instance_id(&self) -> Option<String> {
        [&self.session, &self.device_id].into_iter().find(|s| !s.is_empty()).cloned()
    }

    /// Checks the login: another app's key or a bad credential is 302, a
    /// banned account 422, an auth type the app has not enabled (or an
    /// unknown one) 403. Returns the lower-cased accid.
    pub(super) fn check(&self, face: &Face) -> Result<String, Refusal> {
        if self.app_key != face.settings.app_key {
            return Err(Refusal::new(code::BAD_LOGIN, "unknown app key"));
        }
        let auth = AuthType::from_code(self.auth_type)
            .ok_or_else(|| Refusal::new(code::FORBIDDEN, format!("auth type {} is not enabled", self.auth_type)))?;
        let settings = &face.settings;
        face.store.check_login(&settings.app_key, &settings.app_secret, &self.account, &self.token, auth, now_ms(face))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_netease::link::{cmd, Param, Property};

    #[test]
    fn reads_the_login_property_and_prefers_the_session_as_instance() {
        let p = Property::new()
            .with(tag::CLIENT_TYPE, 16)
            .with(tag::DEVICE_ID, "dev")
            .with(tag::SESSION, "sess")
            .with(tag::ACCOUNT, "Alice")
            .with(tag::TOKEN, "secret-token");
        let login = Login::parse(&Request::new(cmd::LOGIN, 1, vec![Param::property(p)])).unwrap();
        assert_eq!((login.client_type, login.account.as_str(), login.auth_type), (16, "Alice", 0));
        assert_eq!(login.instance_id().as_deref(), Some("sess"));
        let bare = Login::parse(&Request::new(cmd::LOGIN, 1, vec![Param::property(Property::new())])).unwrap();
        assert_eq!(bare.instance_id(), None);
        assert!(Login::parse(&Request::new(cmd::LOGIN, 1, vec![])).is_err());
    }
}
