//! # unim-emulator — every vendor's backend on your laptop
//!
//! One in-memory IM [`Engine`] (accounts, devices and presence, multi-device
//! policies) behind vendor *faces*: each face serves its vendor's documented
//! server REST API and the web client protocol its official JavaScript SDK
//! speaks, on 127.0.0.1 and an ephemeral port unless told otherwise.
//!
//! Tests control it: a manual clock ([`unim_core::ManualClock`]) makes
//! credentials expire without sleeping, and [`Faults`] drops links, refuses
//! connections, holds logins and injects vendor error codes.

#![warn(missing_docs)]

pub mod easemob;
pub mod engine;
pub mod faults;
pub mod groups;
pub mod messages;
pub mod netease;
pub mod tencent;

pub use easemob::{EasemobEndpoint, EasemobSettings};
pub use engine::{Account, AttachedLink, DevicePolicy, Engine, LinkId, LinkInfo, LinkSignal};
pub use faults::{Faults, InjectedError};
pub use groups::{Actor, Changes, GroupChange, GroupError, GroupRecord, GroupRules, MemberRecord};
pub use messages::{ConversationEntry, Stored, StoredMessage};
pub use netease::{NeteaseEndpoint, NeteaseSettings};
pub use tencent::{TencentEndpoint, TencentSettings};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::task::JoinHandle;
use unim_core::{Clock, SystemClock};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The settings are not usable.
    #[error("invalid emulator settings: {0}")]
    Settings(String),
    /// A test control could not do what it was asked (the face is not
    /// running, a user does not exist).
    #[error("emulator control refused: {0}")]
    Control(String),
}

/// What to start.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The clock every face uses (a [`unim_core::ManualClock`] in tests).
    pub clock: Arc<dyn Clock>,
    /// The address to listen on; port 0 in each face's settings picks a free one.
    pub host: IpAddr,
    /// The Tencent face, if wanted.
    pub tencent: Option<TencentSettings>,
    /// The Easemob face, if wanted.
    pub easemob: Option<EasemobSettings>,
    /// The NetEase face, if wanted.
    pub netease: Option<NeteaseSettings>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            clock: Arc::new(SystemClock),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            tencent: None,
            easemob: None,
            netease: None,
        }
    }
}

impl EmulatorConfig {
    /// Only the Tencent face, with default settings.
    pub fn tencent() -> Self {
        EmulatorConfig { tencent: Some(TencentSettings::default()), ..Self::default() }
    }

    /// Only the Easemob face, with default settings (the app `unim#demo`).
    pub fn easemob() -> Self {
        EmulatorConfig { easemob: Some(EasemobSettings::default()), ..Self::default() }
    }

    /// Only the NetEase face, with default settings (a random app key and secret).
    pub fn netease() -> Self {
        EmulatorConfig { netease: Some(NeteaseSettings::default()), ..Self::default() }
    }

    /// The same config on `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }
}

/// A running emulator. Its servers stop when it is dropped.
#[derive(Debug)]
pub struct Emulator {
    engine: Arc<Engine>,
    tencent: Option<TencentEndpoint>,
    easemob: Option<EasemobEndpoint>,
    easemob_control: Option<easemob::Control>,
    netease: Option<NeteaseEndpoint>,
    netease_control: Option<netease::Control>,
    servers: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Starts the faces named in `config`.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let engine = Engine::new(config.clock.clone());
        let mut servers = Vec::new();
        let tencent = match config.tencent {
            Some(settings) => {
                let (endpoint, server) = tencent::serve(Arc::clone(&engine), config.host, settings).await?;
                servers.push(server);
                Some(endpoint)
            }
            None => None,
        };
        let (easemob, easemob_control) = match config.easemob {
            Some(settings) => {
                let (endpoint, control, server) = easemob::serve(Arc::clone(&engine), config.host, settings).await?;
                servers.push(server);
                (Some(endpoint), Some(control))
            }
            None => (None, None),
        };
        let (netease, netease_control) = match config.netease {
            Some(settings) => {
                let (endpoint, control, server) = netease::serve(Arc::clone(&engine), config.host, settings).await?;
                servers.push(server);
                (Some(endpoint), Some(control))
            }
            None => (None, None),
        };
        Ok(Emulator { engine, tencent, easemob, easemob_control, netease, netease_control, servers })
    }

    /// The engine behind every face.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The fault controls.
    pub fn faults(&self) -> &Faults {
        self.engine.faults()
    }

    /// Where the Tencent face listens and its app settings, if it was started.
    pub fn tencent(&self) -> Option<&TencentEndpoint> {
        self.tencent.as_ref()
    }

    /// Where the Easemob face listens and its app settings, if it was started.
    pub fn easemob(&self) -> Option<&EasemobEndpoint> {
        self.easemob.as_ref()
    }

    /// Where the NetEase face listens and its app settings, if it was started.
    pub fn netease(&self) -> Option<&NeteaseEndpoint> {
        self.netease.as_ref()
    }

    /// Test control: the NetEase face delivers a one-to-one text message from
    /// `from` to `to` as if a client of `from` had sent it with 7_1: pushed
    /// (7_2) to every online client of `to`, or kept for `to`'s next login,
    /// when the 5_1 sync delivers it (4_4) before sync done. Both accids must
    /// exist. Returns the server message id.
    pub fn netease_inject_text(&self, from: &str, to: &str, text: &str) -> Result<String, EmulatorError> {
        let control = self
            .netease_control
            .as_ref()
            .ok_or_else(|| EmulatorError::Control("the NetEase face is not running".into()))?;
        control.inject_text(from, to, text).map_err(EmulatorError::Control)
    }

    /// Test control: the Easemob face stores a one-to-one text message from
    /// `from` to `to` exactly as a SYNC send by a device of `from` would
    /// (docs/protocols/easemob.md 7.1, 7.3): a chat meta with a fresh 19-digit
    /// server id and an encoded `MessageBody` carrying `text`, queued for
    /// every online device of `to` (which is NOTICEd) or, when none is
    /// online, kept for `to`'s next login (the offline sync, 5 and 7.4); the
    /// sender's online devices get their copy too. No device sends it, so the
    /// meta's `from` is the sender's bare JID. Both users must exist.
    /// Returns the server id.
    pub fn easemob_inject_text(&self, from: &str, to: &str, text: &str) -> Result<u64, EmulatorError> {
        let control = self
            .easemob_control
            .as_ref()
            .ok_or_else(|| EmulatorError::Control("the Easemob face is not running".into()))?;
        control.inject_text(from, to, text).map_err(EmulatorError::Control)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        for s in &self.servers {
            s.abort();
        }
    }
}

/// Binds `addr`, mapping the failure to [`EmulatorError::Bind`].
pub(crate) async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, EmulatorError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|source| EmulatorError::Bind { addr, source })
}
