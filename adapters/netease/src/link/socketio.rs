//! Socket.IO 0.9, the transport under NetEase's web protocol
//! (docs/protocols/netease.md section 2): a text handshake over HTTP, then
//! WebSocket text frames `type:id:endpoint:data`.

use std::fmt;

/// Why a socket.io text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a socket.io 0.9 {what}: {detail}")]
pub struct SocketIoError {
    what: &'static str,
    detail: String,
}

impl SocketIoError {
    fn new(what: &'static str, detail: impl Into<String>) -> Self {
        SocketIoError { what, detail: detail.into() }
    }
}

/// One socket.io 0.9 packet. Only the kinds NetEase uses carry data here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SioPacket {
    /// `0::` — the other side closes the socket.io session.
    Disconnect,
    /// `1::` — the server accepts the socket; the client may speak.
    Connect,
    /// `2::` — socket.io's own keep-alive.
    Heartbeat,
    /// `3:::<data>` — a message; NetEase puts one JSON packet in `data`.
    Message(String),
    /// `7:::<reason>` — an error from the other side.
    Error(String),
    /// `8::` — nothing.
    Noop,
    /// Any other kind (json 4, event 5, ack 6): NetEase does not use them.
    Other {
        /// The packet type digit.
        kind: u8,
        /// Everything after the type.
        rest: String,
    },
}

impl SioPacket {
    /// Reads one WebSocket text frame.
    pub fn parse(text: &str) -> Result<SioPacket, SocketIoError> {
        let mut parts = text.splitn(4, ':');
        let kind = parts.next().unwrap_or_default();
        let kind: u8 = kind
            .parse()
            .ok()
            .filter(|k| *k <= 8)
            .ok_or_else(|| SocketIoError::new("packet", format!("bad type {kind:?}")))?;
        // `type:id:endpoint:data`; the id and endpoint are always empty here.
        if parts.next().is_none() {
            return Err(SocketIoError::new("packet", format!("no ':' after the type in {text:?}")));
        }
        let _endpoint = parts.next();
        let data = parts.next().unwrap_or_default();
        Ok(match kind {
            0 => SioPacket::Disconnect,
            1 => SioPacket::Connect,
            2 => SioPacket::Heartbeat,
            3 => SioPacket::Message(data.to_owned()),
            7 => SioPacket::Error(data.to_owned()),
            8 => SioPacket::Noop,
            _ => SioPacket::Other { kind, rest: text[2..].to_owned() },
        })
    }

    /// The WebSocket text frame.
    pub fn encode(&self) -> String {
        match self {
            SioPacket::Disconnect => "0::".into(),
            SioPacket::Connect => "1::".into(),
            SioPacket::Heartbeat => "2::".into(),
            SioPacket::Message(data) => format!("3:::{data}"),
            SioPacket::Error(reason) => format!("7:::{reason}"),
            SioPacket::Noop => "8::".into(),
            SioPacket::Other { kind, rest } => format!("{kind}:{rest}"),
        }
    }
}

/// The handshake reply `<sid>:<heartbeat>:<close>:<transports>` of
/// `GET /socket.io/1/?t=<ms>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// The socket.io session id, part of the WebSocket path.
    pub sid: String,
    /// socket.io heartbeat timeout, seconds (empty on the wire = none).
    pub heartbeat_secs: Option<u64>,
    /// socket.io close timeout, seconds.
    pub close_secs: Option<u64>,
    /// The transports offered, `websocket` among them.
    pub transports: Vec<String>,
}

impl Handshake {
    /// A handshake offering only WebSocket.
    pub fn websocket(sid: impl Into<String>, heartbeat_secs: u64, close_secs: u64) -> Self {
        Handshake {
            sid: sid.into(),
            heartbeat_secs: Some(heartbeat_secs),
            close_secs: Some(close_secs),
            transports: vec!["websocket".into()],
        }
    }

    /// Reads the handshake body.
    pub fn parse(body: &str) -> Result<Handshake, SocketIoError> {
        let parts: Vec<&str> = body.trim().split(':').collect();
        let [sid, heartbeat, close, transports] = parts.as_slice() else {
            return Err(SocketIoError::new(
                "handshake",
                format!("expected sid:heartbeat:close:transports, got {body:?}"),
            ));
        };
        if sid.is_empty() {
            return Err(SocketIoError::new("handshake", "empty session id"));
        }
        let secs = |s: &str| -> Result<Option<u64>, SocketIoError> {
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse().map(Some).map_err(|_| SocketIoError::new("handshake", format!("bad timeout {s:?}")))
            }
        };
        Ok(Handshake {
            sid: (*sid).to_owned(),
            heartbeat_secs: secs(heartbeat)?,
            close_secs: secs(close)?,
            transports: transports.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
        })
    }

    /// Does the server offer WebSocket?
    pub fn offers_websocket(&self) -> bool {
        self.transports.iter().any(|t| t == "websocket")
    }
}

impl fmt::Display for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |s: Option<u64>| s.map(|n| n.to_string()).unwrap_or_default();
        write!(f, "{}:{}:{}:{}", self.sid, secs(self.heartbeat_secs), secs(self.close_secs), self.transports.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_round_trip() {
        for p in [
            SioPacket::Disconnect,
            SioPacket::Connect,
            SioPacket::Heartbeat,
            SioPacket::Message(r#"{"SID":2,"CID":3,"Q":[{"t":"String","v":"a:b"}]}"#.into()),
            SioPacket::Error("bad".into()),
            SioPacket::Noop,
        ] {
            assert_eq!(SioPacket::parse(&p.encode()).unwrap(), p);
        }
    }

    #[test]
    fn message_data_may_contain_colons() {
        assert_eq!(SioPacket::parse("3:::{\"a\":\"x:y\"}").unwrap(), SioPacket::Message("{\"a\":\"x:y\"}".into()));
        assert_eq!(SioPacket::parse("1::").unwrap(), SioPacket::Connect);
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in ["", "x::", "9::", "3"] {
            assert!(SioPacket::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn handshake_round_trips() {
        let h = Handshake::parse("sid-abc123:60:60:websocket").unwrap();
        assert_eq!(h, Handshake::websocket("sid-abc123", 60, 60));
        assert_eq!(h.to_string(), "sid-abc123:60:60:websocket");
        assert!(h.offers_websocket());
        let h = Handshake::parse("s::25:xhr-polling,websocket").unwrap();
        assert_eq!(h.heartbeat_secs, None);
        assert!(h.offers_websocket());
        assert!(Handshake::parse("<html>").is_err());
        assert!(Handshake::parse(":60:60:websocket").is_err());
    }
}
