//! One WebSocket connection of the msync link: a writer, and a reader that
//! decodes every binary message as an `MSync` envelope. msync has no request
//! ids: the first `PROVISION` frame answers the login and goes to whoever
//! waits for it; every other frame (and the end of the link) goes to the
//! supervisor's channel, tagged with the connection id.

use crate::link::{self, msync, MSync};
use futures::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_tungstenite::tungstenite::Message;
use unim_core::Error;

/// What a connection reports.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A frame from the server (not the awaited PROVISION reply).
    Frame(Box<MSync>),
    /// The link is gone (closed by the server, or the network failed).
    Closed(String),
}

/// A live connection. Dropping it (or [`Connection::close`]) ends its writer
/// at once and its reader once the server has closed too, or after the
/// request timeout if the server never does.
pub(crate) struct Connection {
    /// Distinguishes this connection's events from an earlier one's.
    pub(crate) id: u64,
    out: mpsc::UnboundedSender<Message>,
    /// Tells the reader that this side is closing.
    closing: Arc<Notify>,
    /// Where the reader sends the next `PROVISION` frame.
    provision: Arc<Mutex<Option<oneshot::Sender<MSync>>>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Connection {
    /// Opens `url` and starts the reader and writer. Events (tagged with the
    /// connection id) go to `events`; the first `PROVISION` frame goes to the
    /// returned receiver instead.
    pub(crate) async fn open(
        url: &str,
        timeout: Duration,
        events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    ) -> Result<(Arc<Connection>, oneshot::Receiver<MSync>), Error> {
        let connect = tokio_tungstenite::connect_async(url);
        let (ws, _) = match tokio::time::timeout(timeout, connect).await {
            Err(_) => return Err(Error::unavailable(format!("no WebSocket connection within {timeout:?}"))),
            Ok(Err(e)) => return Err(Error::unavailable(format!("cannot open the WebSocket: {}", describe(&e)))),
            Ok(Ok(ws)) => ws,
        };
        let (mut sink, mut stream) = ws.split();
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (provision_tx, provision_rx) = oneshot::channel();
        let provision = Arc::new(Mutex::new(Some(provision_tx)));

        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let closing = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || closing {
                    break;
                }
            }
            let _ = sink.close().await;
        });

        let closing = Arc::new(Notify::new());
        let reader_closing = Arc::clone(&closing);
        let reader_provision = Arc::clone(&provision);
        tokio::spawn(async move {
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
                let bytes = match next {
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
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
                let frame = match link::decode(&bytes) {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::debug!("ignoring an undecodable msync frame: {e}");
                        continue;
                    }
                };
                if frame.command == Some(msync::Command::Provision as i32) {
                    if let Some(waiter) = lock(&reader_provision).take() {
                        let _ = waiter.send(frame);
                        continue;
                    }
                }
                let _ = events.send((id, LinkEvent::Frame(Box::new(frame))));
            };
            // A login still waiting for its reply learns that none will come.
            lock(&reader_provision).take();
            let _ = events.send((id, LinkEvent::Closed(why)));
        });

        Ok((Arc::new(Connection { id, out, closing, provision }), provision_rx))
    }

    /// Sends one frame; fails when the link is closed.
    pub(crate) fn send(&self, frame: &MSync) -> Result<(), Error> {
        self.out
            .send(Message::Binary(link::encode(frame).into()))
            .map_err(|_| Error::unavailable("the Easemob link is closed"))
    }

    /// Closes the link politely.
    pub(crate) fn close(&self) {
        lock(&self.provision).take();
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
