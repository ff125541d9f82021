//! One WebSocket connection of the client protocol: a writer, a reader that
//! matches replies to requests on servcmd + seq, and a channel of everything
//! else (pushes, fatal reply codes, the end of the link) for the supervisor.

use crate::link::{Frame, Head};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_tungstenite::tungstenite::Message;
use unim_core::{Error, Secret};

/// Reply codes that mean more than "this request failed": the instance was
/// kicked (1002) or its UserSig / A2 ticket expired (70001, 20002); the official
/// SDK reacts to them on any reply (kick-signals.md section 1, item 2 and 3).
pub(crate) const SESSION_ENDING_CODES: [i64; 3] = [1002, 70001, 20002];

/// What a connection reports besides replies.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A frame that answers no pending request.
    Push(Frame),
    /// A reply carrying one of [`SESSION_ENDING_CODES`].
    Ending(Frame),
    /// The link is gone (closed by the server, or the network failed).
    Closed(String),
}

/// Who the connection speaks as: before login the identifier and UserSig go in
/// every head, after it the A2 ticket, TinyId and InstId do.
#[derive(Clone, Debug, Default)]
pub(crate) struct Identity {
    pub(crate) sdkappid: u64,
    pub(crate) identifier: String,
    pub(crate) user_sig: Option<Secret>,
    pub(crate) a2: Option<Secret>,
    pub(crate) tinyid: Option<String>,
    pub(crate) instid: u64,
}

/// What a login on a connection issued: the A2 ticket, the TinyId and the
/// server's InstId. A reconnect logs in again with it (tencent.md section 9).
#[derive(Clone, Debug)]
pub(crate) struct Ticket {
    pub(crate) a2: Secret,
    pub(crate) tinyid: String,
    pub(crate) instid: u64,
}

/// Requests waiting for their reply, by servcmd and seq.
type Pending = Arc<Mutex<HashMap<(String, u64), oneshot::Sender<Frame>>>>;

/// A live connection. Dropping it (or [`Connection::close`]) ends its writer at
/// once and its reader once the server has closed too, or after the request
/// timeout if the server never does.
pub(crate) struct Connection {
    /// Distinguishes this connection's events from an earlier one's.
    pub(crate) id: u64,
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    /// Set by the reader when the link is gone, before it fails the pending requests.
    ended: Arc<AtomicBool>,
    /// Tells the reader that this side is closing.
    closing: Arc<Notify>,
    seq: AtomicU64,
    identity: Mutex<Identity>,
    timeout: Duration,
}

/// The platform number the web SDK puts in URLs and heads.
pub(crate) const WEB_PLATFORM: i64 = 7;
/// The web SDK's own app id and protocol version, sent in every head
/// (docs/protocols/tencent.md, "Head fields").
const WEBSDK_APPID: i64 = 537_048_168;
const WEBSDK_VERSION: &str = "1.7.3";

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Connection {
    /// Opens `url` and starts the reader and writer. Events (tagged with the
    /// connection id) go to `events`.
    pub(crate) async fn open(
        url: &str,
        identity: Identity,
        timeout: Duration,
        events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    ) -> Result<Arc<Connection>, Error> {
        let connect = tokio_tungstenite::connect_async(url);
        let (ws, _) = match tokio::time::timeout(timeout, connect).await {
            Err(_) => return Err(Error::unavailable(format!("no WebSocket connection within {timeout:?}"))),
            Ok(Err(e)) => return Err(Error::unavailable(format!("cannot open the WebSocket: {}", describe(&e)))),
            Ok(Ok(ws)) => ws,
        };
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let pending: Pending = Arc::default();

        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let closing = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || closing {
                    break;
                }
            }
            let _ = sink.close().await;
        });

        let reader_pending = Arc::clone(&pending);
        let ended = Arc::new(AtomicBool::new(false));
        let reader_ended = Arc::clone(&ended);
        let closing = Arc::new(Notify::new());
        let reader_closing = Arc::clone(&closing);
        tokio::spawn(async move {
            // Once this side closes, the server has `timeout` to close too; a
            // server (or network) that never does must not keep the task and
            // socket alive.
            let mut linger: Option<tokio::time::Instant> = None;
            let why = loop {
                let next = match linger {
                    Some(deadline) => match tokio::time::timeout_at(deadline, stream.next()).await {
                        Ok(next) => next,
                        Err(_) => break "closed by this client; the server did not close in time".to_owned(),
                    },
                    None => tokio::select! {
                        next = stream.next() => next,
                        () = reader_closing.notified() => {
                            linger = Some(tokio::time::Instant::now() + timeout);
                            continue;
                        }
                    },
                };
                let bytes = match next {
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
                    Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                    Some(Ok(Message::Close(frame))) => {
                        break format!(
                            "server closed the link{}",
                            frame.map(|f| format!(": {}", f.reason)).unwrap_or_default()
                        )
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break format!("link failed: {}", describe(&e)),
                    None => break "link ended".to_owned(),
                };
                let frame = match Frame::decode(&bytes) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::debug!("ignoring an undecodable frame: {e}");
                        continue;
                    }
                };
                let key = (frame.head.servcmd.clone(), frame.head.seq);
                let waiter = reader_pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
                match waiter {
                    Some(tx) => {
                        if SESSION_ENDING_CODES.contains(&frame.error_code()) {
                            let _ = events.send((id, LinkEvent::Ending(frame.clone())));
                        }
                        let _ = tx.send(frame);
                    }
                    None => {
                        let _ = events.send((id, LinkEvent::Push(frame)));
                    }
                }
            };
            // Fail every request still waiting, and any made from now on:
            // their replies will never come.
            reader_ended.store(true, Ordering::SeqCst);
            reader_pending.lock().unwrap_or_else(|e| e.into_inner()).clear();
            let _ = events.send((id, LinkEvent::Closed(why)));
        });

        Ok(Arc::new(Connection {
            id,
            out,
            pending,
            ended,
            closing,
            seq: AtomicU64::new(1),
            identity: Mutex::new(identity),
            timeout,
        }))
    }

    /// The ticket of the login on this connection, once there was one.
    pub(crate) fn ticket(&self) -> Option<Ticket> {
        let id = self.identity.lock().unwrap_or_else(|e| e.into_inner());
        Some(Ticket { a2: id.a2.clone()?, tinyid: id.tinyid.clone()?, instid: id.instid })
    }

    /// Switches the heads to the post-login identity.
    pub(crate) fn logged_in(&self, a2: Secret, tinyid: String, instid: u64) {
        let mut id = self.identity.lock().unwrap_or_else(|e| e.into_inner());
        id.a2 = Some(a2);
        id.tinyid = Some(tinyid);
        id.instid = instid;
    }

    fn head(&self, servcmd: &str, seq: u64, now: u64) -> Head {
        let id = self.identity.lock().unwrap_or_else(|e| e.into_inner());
        let logged_in = id.a2.is_some();
        Head {
            servcmd: servcmd.to_owned(),
            seq,
            ver: Some("v4".into()),
            platform: Some(WEB_PLATFORM),
            websdkappid: Some(WEBSDK_APPID),
            websdkversion: Some(WEBSDK_VERSION.into()),
            status_instid: Some(id.instid),
            sdkappid: Some(id.sdkappid),
            contenttype: Some("json".into()),
            reqtime: Some(now as i64),
            identifier: (!logged_in).then(|| id.identifier.clone()),
            usersig: if logged_in { None } else { id.user_sig.clone() },
            a2: id.a2.clone(),
            tinyid: id.tinyid.clone(),
            cs: None,
            extra: Default::default(),
        }
    }

    /// Sends a request and waits for its reply (any ErrorCode; callers judge it).
    pub(crate) async fn request(&self, servcmd: &str, body: Value, now: u64) -> Result<Frame, Error> {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let key = (servcmd.to_owned(), seq);
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), tx);
        // The reader sets `ended` before it fails the pending requests: either it
        // fails this one too, or this sees `ended` (no wait for a reply that cannot come).
        if self.ended.load(Ordering::SeqCst) {
            self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
            return Err(Error::unavailable(format!("{servcmd}: the link is closed")));
        }
        let mut head = self.head(servcmd, seq, now);
        head.cs = Some(Frame::checksum(servcmd, &body));
        let frame = Frame { head, body };
        if self.out.send(Message::Binary(frame.encode().into())).is_err() {
            self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
            return Err(Error::unavailable(format!("{servcmd}: the link is closed")));
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(Error::unavailable(format!("{servcmd}: the link closed before the reply"))),
            Err(_) => {
                self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
                Err(Error::timeout(format!("{servcmd}: no reply within {:?}", self.timeout)))
            }
        }
    }

    /// Closes the link politely.
    pub(crate) fn close(&self) {
        let _ = self.out.send(Message::Close(None));
        self.closing.notify_one();
    }
}

impl Drop for Connection {
    /// The writer ends by itself (its channel closes and it closes the
    /// socket); the reader is told to stop waiting for the server.
    fn drop(&mut self) {
        self.closing.notify_one();
    }
}

/// A tungstenite error in words, without the URL (whose query may carry secrets).
fn describe(e: &tokio_tungstenite::tungstenite::Error) -> String {
    use tokio_tungstenite::tungstenite::Error as E;
    match e {
        E::Http(resp) => format!("the server answered HTTP {}", resp.status()),
        E::Io(io) => io.to_string(),
        E::Url(u) => format!("bad URL: {u}"),
        E::Tls(t) => format!("TLS: {t}"),
        E::ConnectionClosed | E::AlreadyClosed => "connection closed".into(),
        E::Protocol(p) => format!("protocol: {p}"),
        other => other.to_string(),
    }
}
