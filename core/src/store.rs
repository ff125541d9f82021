//! Where a session keeps its last good login for auto-login, and why it stopped.

use crate::{Credentials, Disconnect, Error, ErrorKind};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A login that worked and may be resumed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLogin {
    /// The vendor it belongs to (`tencent`, ...), so one store is not resumed on another.
    pub vendor: String,
    /// The credentials that worked. They are stored as they are: keep the store private.
    pub credentials: Credentials,
    /// When the login succeeded, Unix seconds.
    pub saved_at: u64,
}

/// What a store holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum StoreEntry {
    /// Nothing: never logged in, or logged out on request.
    #[default]
    Empty,
    /// A login that can be resumed.
    Saved(SavedLogin),
    /// Auto-login stopped for good; `reason` says why (a kick, an auth failure).
    Stopped {
        /// The vendor.
        vendor: String,
        /// The user whose auto-login stopped.
        user: String,
        /// The disconnect that stopped it.
        reason: Disconnect,
    },
}

/// Persistence for auto-login. Implementations must be cheap and synchronous:
/// a session touches the store only on login and disconnect.
pub trait SessionStore: Send + Sync {
    /// What the store holds now.
    fn load(&self) -> Result<StoreEntry, Error>;
    /// Replaces what the store holds.
    fn put(&self, entry: StoreEntry) -> Result<(), Error>;
}

/// A store that lives as long as the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entry: Mutex<StoreEntry>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SessionStore for MemoryStore {
    fn load(&self) -> Result<StoreEntry, Error> {
        Ok(self.entry.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }

    fn put(&self, entry: StoreEntry) -> Result<(), Error> {
        *self.entry.lock().unwrap_or_else(|e| e.into_inner()) = entry;
        Ok(())
    }
}

/// A store in one JSON file. Writes go to a temporary file that is renamed over
/// the old one, so a crash never leaves half a file; on Unix the file is
/// readable by its owner only, since it holds a credential.
#[derive(Debug, Clone)]
pub struct JsonFileStore {
    path: PathBuf,
}

impl JsonFileStore {
    /// A store at `path` (created on first write).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonFileStore { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> Error {
        Error::new(ErrorKind::Other, format!("session store {}: cannot {what}: {e}", self.path.display()))
    }
}

impl SessionStore for JsonFileStore {
    fn load(&self) -> Result<StoreEntry, Error> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::new(ErrorKind::Other, format!("session store {} is not valid: {e}", self.path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoreEntry::Empty),
            Err(e) => Err(self.io_error("read", e)),
        }
    }

    fn put(&self, entry: StoreEntry) -> Result<(), Error> {
        let json = serde_json::to_vec_pretty(&entry).map_err(|e| Error::new(ErrorKind::Other, e.to_string()))?;
        let tmp = self.path.with_extension("tmp");
        write_private(&tmp, &json).map_err(|e| self.io_error("write", e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| self.io_error("replace", e))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DisconnectReason;

    fn saved() -> StoreEntry {
        StoreEntry::Saved(SavedLogin {
            vendor: "tencent".into(),
            credentials: Credentials::user_sig("alice", "sig"),
            saved_at: 1,
        })
    }

    #[test]
    fn memory_store_round_trips() {
        let s = MemoryStore::new();
        assert_eq!(s.load().unwrap(), StoreEntry::Empty);
        s.put(saved()).unwrap();
        assert_eq!(s.load().unwrap(), saved());
    }

    #[test]
    fn file_store_round_trips_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("login.json");
        let s = JsonFileStore::new(&path);
        assert_eq!(s.load().unwrap(), StoreEntry::Empty);
        s.put(saved()).unwrap();
        assert_eq!(JsonFileStore::new(&path).load().unwrap(), saved());
        let stopped = StoreEntry::Stopped {
            vendor: "tencent".into(),
            user: "alice".into(),
            reason: Disconnect::new(DisconnectReason::KickedByOtherLogin),
        };
        s.put(stopped.clone()).unwrap();
        assert_eq!(JsonFileStore::new(&path).load().unwrap(), stopped);
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("login.json");
        std::fs::write(&path, b"{not json").unwrap();
        let err = JsonFileStore::new(&path).load().unwrap_err();
        assert!(err.message.contains("not valid"), "{err}");
    }
}

/// Records in `store` what a disconnect means for auto-login: a requested
/// logout empties it, a reason that ends auto-login (a kick, an auth failure)
/// stops it and keeps the reason, and anything else (a network loss, an
/// expired credential a provider may renew) leaves the saved login alone.
pub fn record_disconnect(store: &dyn SessionStore, vendor: &str, user: &str, why: &Disconnect) -> Result<(), Error> {
    if why.reason == crate::DisconnectReason::Requested {
        store.put(StoreEntry::Empty)
    } else if why.reason.ends_auto_login() {
        store.put(StoreEntry::Stopped { vendor: vendor.to_owned(), user: user.to_owned(), reason: why.clone() })
    } else {
        Ok(())
    }
}

/// What [`crate::Session::resume`] should log in with, or why it cannot.
pub fn resume_credentials(store: &dyn SessionStore, vendor: &str) -> Result<Credentials, Error> {
    match store.load()? {
        StoreEntry::Empty => Err(Error::invalid_state("no saved login to resume: log in first")),
        StoreEntry::Stopped { user, reason, .. } => Err(Error::new(
            ErrorKind::AutoLoginStopped { reason: reason.reason },
            format!("auto-login for {user} stopped: {reason}; log in again with fresh credentials"),
        )),
        StoreEntry::Saved(saved) if saved.vendor != vendor => {
            Err(Error::invalid_input(format!("the saved login belongs to {}, not {vendor}", saved.vendor)))
        }
        StoreEntry::Saved(saved) => Ok(saved.credentials),
    }
}

#[cfg(test)]
mod auto_login_tests {
    use super::*;
    use crate::DisconnectReason;

    #[test]
    fn kicks_stop_auto_login_and_resume_says_why() {
        let s = MemoryStore::new();
        s.put(StoreEntry::Saved(SavedLogin {
            vendor: "tencent".into(),
            credentials: Credentials::user_sig("alice", "sig"),
            saved_at: 1,
        }))
        .unwrap();
        record_disconnect(&s, "tencent", "alice", &Disconnect::new(DisconnectReason::Network)).unwrap();
        assert_eq!(resume_credentials(&s, "tencent").unwrap().user(), "alice");
        assert_eq!(resume_credentials(&s, "easemob").unwrap_err().kind, ErrorKind::InvalidInput);
        record_disconnect(&s, "tencent", "alice", &Disconnect::new(DisconnectReason::KickedByOtherLogin)).unwrap();
        let err = resume_credentials(&s, "tencent").unwrap_err();
        assert_eq!(err.kind, ErrorKind::AutoLoginStopped { reason: DisconnectReason::KickedByOtherLogin });
        assert!(err.message.contains("kicked by another login"), "{err}");
        record_disconnect(&s, "tencent", "alice", &Disconnect::new(DisconnectReason::Requested)).unwrap();
        assert_eq!(resume_credentials(&s, "tencent").unwrap_err().kind, ErrorKind::InvalidState);
    }
}
