//! [`Jid`] constructors and its string form.
//!
//! On the msync wire a JID is always the structured `easemob.pb.JID`, and
//! easemob-websdk 4.x keeps it structured. The string form here is the one
//! the XMPP-era web SDK built (`{appKey}_{name}@{domain}/{resource}`, e.g.
//! `org1#app1_alice@easemob.com/webim_web_1700000000000`), which is also how
//! Easemob names users and groups in logs and callbacks. It is for display,
//! logs and configuration; it never goes on the wire.
//!
//! Parsing relies on Easemob's naming rules: an app key is `org#app` with no
//! `_` in `app`; user names have no `@` or `/`.

use std::fmt;
use std::str::FromStr;

use super::{Jid, LinkError};

/// The domain of user JIDs.
pub const USER_DOMAIN: &str = "easemob.com";
/// The domain of group and chat-room JIDs.
pub const GROUP_DOMAIN: &str = "conference.easemob.com";

impl Jid {
    /// A user in `app_key` (`org#app`), domain [`USER_DOMAIN`].
    pub fn user(app_key: impl Into<String>, name: impl Into<String>) -> Jid {
        Jid {
            app_key: Some(app_key.into()),
            name: Some(name.into()),
            domain: Some(USER_DOMAIN.into()),
            client_resource: None,
        }
    }

    /// A group or chat room in `app_key`, domain [`GROUP_DOMAIN`].
    pub fn group(app_key: impl Into<String>, id: impl Into<String>) -> Jid {
        Jid {
            app_key: Some(app_key.into()),
            name: Some(id.into()),
            domain: Some(GROUP_DOMAIN.into()),
            client_resource: None,
        }
    }

    /// Only a name, as the web SDK fills `MessageBody.from` and `to`.
    pub fn named(name: impl Into<String>) -> Jid {
        Jid { name: Some(name.into()), ..Jid::default() }
    }

    /// The same JID with `clientResource` set.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Jid {
        self.client_resource = Some(resource.into());
        self
    }

    /// The same JID without `clientResource` (the user rather than one login).
    pub fn bare(&self) -> Jid {
        Jid { client_resource: None, ..self.clone() }
    }

    /// Whether the domain is [`GROUP_DOMAIN`] (the SDK checks for
    /// `conference` in it).
    pub fn is_group(&self) -> bool {
        self.domain().contains("conference")
    }
}

/// `{appKey}_{name}@{domain}/{clientResource}`; absent or empty parts are
/// left out with their separator.
impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.app_key().is_empty() {
            write!(f, "{}_", self.app_key())?;
        }
        f.write_str(self.name())?;
        if !self.domain().is_empty() {
            write!(f, "@{}", self.domain())?;
        }
        if !self.client_resource().is_empty() {
            write!(f, "/{}", self.client_resource())?;
        }
        Ok(())
    }
}

/// Parses the [`Display`](fmt::Display) form. A local part with `#` is
/// `{appKey}_{name}`, split at the first `_` after the `#`; without `#` it
/// is only the name.
impl FromStr for Jid {
    type Err = LinkError;

    fn from_str(s: &str) -> Result<Jid, LinkError> {
        let bad = || LinkError::BadJid(s.to_owned());
        let non_empty = |part: &str| (!part.is_empty()).then(|| part.to_owned());
        let (local, domain, resource) = match s.split_once('@') {
            Some((local, rest)) => match rest.split_once('/') {
                Some((domain, resource)) => (local, Some(domain), Some(resource)),
                None => (local, Some(rest), None),
            },
            None => match s.split_once('/') {
                Some((local, resource)) => (local, None, Some(resource)),
                None => (s, None, None),
            },
        };
        let (app_key, name) = match local.find('#') {
            Some(hash) => {
                let underscore = local[hash..].find('_').ok_or_else(bad)? + hash;
                (non_empty(&local[..underscore]), &local[underscore + 1..])
            }
            None => (None, local),
        };
        if name.is_empty() || name.contains('/') {
            return Err(bad());
        }
        if domain.is_some_and(str::is_empty) || resource.is_some_and(str::is_empty) {
            return Err(bad());
        }
        Ok(Jid {
            app_key,
            name: Some(name.to_owned()),
            domain: domain.map(str::to_owned),
            client_resource: resource.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_xmpp_era_sdk() {
        let jid = Jid::user("org1#app1", "alice").with_resource("webim_web_1700000000000");
        assert_eq!(jid.to_string(), "org1#app1_alice@easemob.com/webim_web_1700000000000");
        assert_eq!(jid.bare().to_string(), "org1#app1_alice@easemob.com");
        assert_eq!(Jid::group("org1#app1", "1234").to_string(), "org1#app1_1234@conference.easemob.com");
        assert_eq!(Jid::named("bob").to_string(), "bob");
    }

    #[test]
    fn parses_what_it_formats() {
        for jid in [
            Jid::user("org1#app1", "alice").with_resource("webim_web_1700000000000"),
            Jid::user("org-1#app-1", "under_score.user").with_resource("res/with@odd"),
            Jid::group("org1#app1", "1234"),
            Jid::named("bob"),
            Jid::named("bob").with_resource("r1"),
            Jid { name: Some("bob".into()), domain: Some(USER_DOMAIN.into()), ..Jid::default() },
        ] {
            assert_eq!(jid.to_string().parse::<Jid>().unwrap(), jid, "{jid}");
        }
        let parsed: Jid = "org1#app1_a_b@easemob.com".parse().unwrap();
        assert_eq!(parsed.app_key(), "org1#app1");
        assert_eq!(parsed.name(), "a_b");
        assert!(!parsed.is_group());
        assert!("org1#app1_1@conference.easemob.com".parse::<Jid>().unwrap().is_group());
    }

    #[test]
    fn rejects_what_is_not_a_jid() {
        for s in ["", "org1#app1", "org1#app1_", "@easemob.com", "alice@", "alice@easemob.com/", "org#app_@x", "/r"] {
            assert!(matches!(s.parse::<Jid>(), Err(LinkError::BadJid(_))), "{s:?}");
        }
    }
}
