//! The devices (client instances) a user is logged in on.

use serde::{Deserialize, Serialize};

/// A client platform as vendors name them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// A browser or a web-protocol client such as unim itself.
    Web,
    /// iPhone.
    Ios,
    /// iPad.
    Ipad,
    /// Android.
    Android,
    /// Windows desktop.
    Windows,
    /// macOS desktop.
    Mac,
    /// Linux desktop.
    Linux,
    /// Any other platform, with the vendor's name for it.
    Other(String),
}

/// One logged-in client instance of a user.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Device {
    /// Its platform.
    pub platform: Platform,
    /// The vendor's id of the instance (resource, instance id, client id), when known.
    pub id: Option<String>,
    /// A human-readable name, when the vendor has one.
    pub name: Option<String>,
}

impl Device {
    /// A device of `platform` with no id or name.
    pub fn new(platform: Platform) -> Self {
        Device { platform, id: None, name: None }
    }

    /// The same device with an id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}
