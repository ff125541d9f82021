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

/// The two kinds of device that multi-device rules tell apart (NetEase's
/// default lets one desktop and one mobile device be online together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    /// A computer: a browser, Windows, macOS or Linux.
    Desktop,
    /// A phone or a tablet.
    Mobile,
    /// A platform unim cannot place.
    Other,
}

impl Platform {
    /// Whether the platform is a desktop or a mobile one.
    pub fn class(&self) -> DeviceClass {
        match self {
            Platform::Web | Platform::Windows | Platform::Mac | Platform::Linux => DeviceClass::Desktop,
            Platform::Ios | Platform::Ipad | Platform::Android => DeviceClass::Mobile,
            Platform::Other(_) => DeviceClass::Other,
        }
    }
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
