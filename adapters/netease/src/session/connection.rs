//! One WebSocket connection of the socket.io link, behind a [`Framing`]: a
//! writer, and a reader that decodes every frame. A reply is matched to its
//! request by `ser`; `1_2` heartbeat replies (always `ser` 0) wake every
//! heartbeat waiting; `2_7` device changes are applied to the device list
//! here, in the order the server sent them, so that a round trip is enough
//! to see every change sent before it; pushes, device changes and the end of
//! the link go to the supervisor's channel, tagged with the connection id
//! (docs/protocols/netease.md 2, 3, 4.5).

use super::devices::Ports;
use crate::link::{cmd, Command, Frame, Framing, Param, Request, Response, WireFrame};
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tokio_tungstenite::tungstenite::Message;
use unim_core::Error;

/// What a connection reports to the supervisor.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A push, or a reply nobody waits for any more.
    Push(Box<Response>),
    /// A `2_7` push changed the device list: each device, with whether it came online.
    Devices(Vec<(unim_core::Device, bool)>),
    /// The link is gone: closed by the server, `0::` from it, or failed.
    Closed(String),
}

/// Replies awaited, by `ser`, and the heartbeats awaited.
#[derive(Default)]
struct Pending {
    /// By `ser`: the command asked and who waits for its reply. Pushes sent
    /// during a sync carry the `5_1` request's `ser` too, so a reply must also
    /// match the command.
    replies: HashMap<u64, (Command, oneshot::Sender<Response>)>,
    heartbeats: Vec<oneshot::Sender<()>>,
}

/// A live connection. Dropping it (or [`Connection::close`]) ends its writer
/// at once and its reader once the server has closed too, or after the
/// request timeout if the server never does.
pub(crate) struct Connection {
    /// Distinguishes this connection's events from an earlier one's.
    pub(crate) id: u64,
    framing: Arc<dyn Framing>,
    out: mpsc::UnboundedSender<Message>,
    /// The session's request serial: starts at 1 and is never reset on a
    /// reconnect (netease.md 3).
    ser: Arc<AtomicU64>,
    pending: Arc<Mutex<Pending>>,
    /// Tells the reader that this side is closing.
    closing: Arc<Notify>,
    /// Becomes true once the reader has ended (the socket is closed).
    ended: watch::Receiver<bool>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn to_message(frame: WireFrame) -> Message {
    match frame {
        WireFrame::Text(t) => Message::Text(t.into()),
        WireFrame::Binary(b) => Message::Binary(b.into()),
    }
}

impl Connection {
    /// Opens `url` and waits (up to `timeout`) for the server's socket.io
    /// connect (`1::`), before which the client must not speak (netease.md
    /// 2.3). Events tagged with the connection id go to `events`.
    pub(crate) async fn open(
        url: &str,
        framing: Arc<dyn Framing>,
        ser: Arc<AtomicU64>,
        ports: Arc<Mutex<Ports>>,
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
        let pending = Arc::new(Mutex::new(Pending::default()));
        let closing = Arc::new(Notify::new());
        let (ended_tx, ended) = watch::channel(false);
        let (connected_tx, connected_rx) = oneshot::channel::<()>();

        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let last = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || last {
                    break;
                }
            }
            let _ = sink.close().await;
        });

        let reader = Reader {
            id,
            framing: Arc::clone(&framing),
            out: out.clone(),
            pending: Arc::clone(&pending),
            ports,
            events,
            connected: Some(connected_tx),
        };
        let reader_closing = Arc::clone(&closing);
        tokio::spawn(async move {
            let mut reader = reader;
            // Once this side closes, the server has `timeout` to close too.
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
                let frame = match next {
                    Some(Ok(Message::Text(t))) => WireFrame::Text(t.to_string()),
                    Some(Ok(Message::Binary(b))) => WireFrame::Binary(b.to_vec()),
                    Some(Ok(Message::Close(_))) => break "the server closed the link".to_owned(),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break format!("link failed: {}", describe(&e)),
                    None => break "link ended".to_owned(),
                };
                if let Some(why) = reader.on_frame(&frame) {
                    break why;
                }
            };
            reader.end(why);
            let _ = ended_tx.send(true);
        });

        let conn = Arc::new(Connection { id, framing, out, ser, pending, closing, ended });
        match tokio::time::timeout(timeout, connected_rx).await {
            Ok(Ok(())) => Ok(conn),
            Ok(Err(_)) => Err(Error::unavailable("the link closed before the server's socket.io connect (1::)")),
            Err(_) => {
                conn.close();
                Err(Error::unavailable(format!("no socket.io connect (1::) from the server within {timeout:?}")))
            }
        }
    }

    /// Sends `command` and waits up to `timeout` for its reply, whatever its
    /// code (the caller decides what a code means).
    pub(crate) async fn request(&self, command: Command, q: Vec<Param>, timeout: Duration) -> Result<Response, Error> {
        let ser = self.ser.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).replies.insert(ser, (command, tx));
        if let Err(e) = self.send_request(&Request::new(command, ser, q)) {
            lock(&self.pending).replies.remove(&ser);
            return Err(e);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(_)) => Err(Error::unavailable(format!("the link ended before the {command} reply"))),
            Err(_) => {
                lock(&self.pending).replies.remove(&ser);
                Err(Error::timeout(format!("no {command} reply within {timeout:?}")))
            }
        }
    }

    /// Sends `command` without waiting for a reply (the reply, if any,
    /// arrives as a push).
    pub(crate) fn send(&self, command: Command, q: Vec<Param>) -> Result<(), Error> {
        let ser = self.ser.fetch_add(1, Ordering::Relaxed);
        self.send_request(&Request::new(command, ser, q))
    }

    /// One `1_2` heartbeat (`ser` 0) and its reply within `timeout`.
    pub(crate) async fn heartbeat(&self, timeout: Duration) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).heartbeats.push(tx);
        self.send_request(&Request::new(cmd::HEARTBEAT, 0, Vec::new()))?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Error::unavailable("the link ended before the heartbeat reply")),
            Err(_) => Err(Error::timeout(format!("no heartbeat reply within {timeout:?}"))),
        }
    }

    fn send_request(&self, request: &Request) -> Result<(), Error> {
        self.out
            .send(to_message(self.framing.encode_request(request)))
            .map_err(|_| Error::unavailable("the NetEase link is closed"))
    }

    /// Waits up to `timeout` for the server to close the socket (after a
    /// `2_6` logout the server closes it, netease.md 4.4). Whether it did.
    pub(crate) async fn closed_by_server(&self, timeout: Duration) -> bool {
        let mut ended = self.ended.clone();
        tokio::time::timeout(timeout, ended.wait_for(|e| *e)).await.is_ok_and(|r| r.is_ok())
    }

    /// Closes the link as the SDK does when it leaves by itself: `0::`,
    /// then the WebSocket close.
    pub(crate) fn close(&self) {
        let _ = self.out.send(to_message(self.framing.encode_control(&Frame::Disconnect)));
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

/// The reading half's state.
struct Reader {
    id: u64,
    framing: Arc<dyn Framing>,
    out: mpsc::UnboundedSender<Message>,
    pending: Arc<Mutex<Pending>>,
    ports: Arc<Mutex<Ports>>,
    events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    connected: Option<oneshot::Sender<()>>,
}

impl Reader {
    /// Handles one frame; `Some(why)` when the link ends with it.
    fn on_frame(&mut self, frame: &WireFrame) -> Option<String> {
        let decoded = match self.framing.decode_response(frame) {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!("ignoring an unreadable NetEase frame: {e}");
                return None;
            }
        };
        match decoded {
            Frame::Connect => {
                if let Some(tx) = self.connected.take() {
                    let _ = tx.send(());
                }
            }
            // socket.io's own keep-alive is answered in kind (netease.md 2.4).
            Frame::Heartbeat => {
                let _ = self.out.send(to_message(self.framing.encode_control(&Frame::Heartbeat)));
            }
            // A down `0::` boots the client: it reconnects (netease.md 2.4).
            Frame::Disconnect => return Some("the server ended the socket.io session (0::)".to_owned()),
            Frame::Ignore => {}
            Frame::Packet(response) => self.on_response(response),
        }
        None
    }

    fn on_response(&self, response: Response) {
        if response.command == cmd::HEARTBEAT {
            for waiter in lock(&self.pending).heartbeats.drain(..) {
                let _ = waiter.send(());
            }
            return;
        }
        if response.command == cmd::MULTI_PORT_LOGIN {
            let (Ok(state), Ok(ports)) = (response.int(0), response.properties(1)) else {
                tracing::debug!("ignoring a malformed 2_7 push");
                return;
            };
            let changed = lock(&self.ports).apply(state, &ports);
            let _ = self.events.send((self.id, LinkEvent::Devices(changed)));
            return;
        }
        if let Some(ser) = response.ser {
            let mut pending = lock(&self.pending);
            if pending.replies.get(&ser).is_some_and(|(asked, _)| *asked == response.command) {
                if let Some((_, waiter)) = pending.replies.remove(&ser) {
                    drop(pending);
                    let _ = waiter.send(response);
                    return;
                }
            }
        }
        let _ = self.events.send((self.id, LinkEvent::Push(Box::new(response))));
    }

    /// The link is gone: whoever waits learns that no reply will come.
    fn end(self, why: String) {
        let mut pending = lock(&self.pending);
        pending.replies.clear();
        pending.heartbeats.clear();
        drop(pending);
        let _ = self.events.send((self.id, LinkEvent::Closed(why)));
    }
}

/// A tungstenite error in words, without the URL.
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
