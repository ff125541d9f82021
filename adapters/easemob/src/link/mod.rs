//! Easemob's web client protocol, msync, as `easemob-websdk` speaks it: one
//! protobuf `easemob.pb.MSync` envelope per binary WebSocket message, whose
//! `payload` holds a second protobuf message chosen by `command`
//! (docs/protocols/easemob.md). The session and the emulator both go through
//! here; no other module knows the bytes.
//!
//! # Schema
//!
//! The types mirror the protobufjs JSON descriptor embedded in
//! easemob-websdk 4.21.1 (package `easemob.pb`, all 20 top-level types and
//! their nested types). Field names and numbers are the descriptor's, in
//! snake case; each field's doc comment starts with the descriptor's
//! `name = number`. Types and enum values are named the way `prost-build`
//! names them (`CommSyncUL` → [`CommSyncUl`], `JID` → [`Jid`],
//! `Status.ErrorCode.TOO_MANY_DEVICES` → [`status::ErrorCode::TooManyDevices`]);
//! nested types live in snake-case modules ([`msync::Command`],
//! [`meta::NameSpace`], [`message_body::content::Type`]). Every enum has
//! `as_str_name` / `from_str_name` for the descriptor's value names.
//!
//! The descriptor is proto2-style (it carries a `default` option, which
//! proto3 forbids), and the SDK's protobufjs writes every field it sets, zero
//! values included. So every singular field is an `Option`: a decoded frame
//! re-encodes to the same bytes, and "absent" stays distinct from "zero".
//! Enum fields hold the raw `i32`, so values the descriptor lacks survive a
//! round trip. `prost`'s generated getters (`command()`, `error_code()`, …)
//! map absent *and unknown* values to the enum's first value (`SYNC`, `OK`);
//! where that would be wrong, use the `try_*` accessors in this module, which
//! report unknown values as [`LinkError::UnknownValue`].
//!
//! # Compression
//!
//! [`MSync::compress_algorimth`] (sic) is never set by the SDK, and this codec
//! only reads uncompressed payloads: [`MSync::decode_payload`] refuses a
//! non-zero algorithm with [`LinkError::Compressed`]. The SDK's own
//! compression is a different mechanism: it offers
//! `Provision.protocolCompressType = [COMPRESS_LZ4]` at login, and only if the
//! PROVISION reply echoes LZ4 does it wrap whole WebSocket messages in a
//! streaming LZ4 format. A reply that leaves `protocolCompressType` empty (as
//! [`Provision::reply`] does) keeps the link uncompressed, and
//! [`Provision::login`] does not offer LZ4. That is the only mode unim speaks.

pub mod body;
pub mod envelope;
pub mod frames;
pub mod jid;

pub use body::*;
pub use envelope::*;
pub use frames::*;
pub use jid::*;

#[cfg(test)]
mod tests;

/// Why bytes or a decoded frame are not what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The bytes are not a valid encoding of the named message.
    #[error("malformed {what}: {source}")]
    Malformed {
        /// The descriptor's full name of the message, e.g. `easemob.pb.MSync`.
        what: String,
        /// What the protobuf decoder found.
        #[source]
        source: prost::DecodeError,
    },
    /// The frame's `command` is not the one this payload belongs to.
    #[error("expected an MSync {expected} frame, got command {found}")]
    UnexpectedCommand {
        /// The command that was expected, by its descriptor name.
        expected: &'static str,
        /// The command found: its descriptor name, or the number if unknown.
        found: String,
    },
    /// The meta's `ns` is not the namespace whose body was asked for.
    #[error("expected a {expected} meta, got namespace {found}")]
    UnexpectedNamespace {
        /// The namespace that was expected, by its descriptor name.
        expected: &'static str,
        /// The namespace found: its descriptor name, or the number if unknown.
        found: String,
    },
    /// A field that the operation needs is absent.
    #[error("{0} is missing")]
    Missing(&'static str),
    /// An enum field holds a number its descriptor enum does not define.
    #[error("{field} is {value}, which the descriptor does not define")]
    UnknownValue {
        /// The field, as `Message.field` in descriptor names.
        field: &'static str,
        /// The number found.
        value: i32,
    },
    /// The payload is compressed (`MSync.compressAlgorimth` non-zero); only
    /// uncompressed payloads are supported.
    #[error("MSync payload is compressed with algorithm {0}; only uncompressed payloads are supported")]
    Compressed(u32),
    /// A string is not a JID in the `{appKey}_{name}@{domain}/{resource}` form.
    #[error("not a JID: {0:?}")]
    BadJid(String),
}

/// An `MSync` envelope as the bytes of one binary WebSocket message.
pub fn encode(frame: &MSync) -> Vec<u8> {
    prost::Message::encode_to_vec(frame)
}

/// Parses one binary WebSocket message as an `MSync` envelope. The payload
/// stays bytes; read it with the `MSync::read_*` accessors. Unknown fields
/// are skipped. Empty input is a valid, empty envelope (command `SYNC` by
/// the schema's default).
pub fn decode(bytes: &[u8]) -> Result<MSync, LinkError> {
    decode_message(bytes)
}

/// Parses `bytes` as the message `M`; errors name the message.
pub fn decode_message<M: prost::Message + prost::Name + Default>(bytes: &[u8]) -> Result<M, LinkError> {
    M::decode(bytes).map_err(|source| LinkError::Malformed { what: M::full_name(), source })
}

/// Declares an enum of the descriptor: a `prost::Enumeration` with the
/// descriptor's value names as `as_str_name` / `from_str_name`.
macro_rules! pb_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $pbname:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration)]
        #[repr(i32)]
        pub enum $name {
            $(
                #[doc = concat!("`", $pbname, "` = ", stringify!($value), ".")]
                $(#[doc = ""] #[$vmeta])*
                $variant = $value,
            )+
        }

        impl $name {
            /// The value's name in the descriptor.
            pub fn as_str_name(&self) -> &'static str {
                match self {
                    $( Self::$variant => $pbname, )+
                }
            }

            /// The value with this descriptor name, if there is one.
            pub fn from_str_name(name: &str) -> Option<Self> {
                match name {
                    $( $pbname => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use pb_enum;

/// Implements `prost::Name` (package `easemob.pb`) for messages.
macro_rules! pb_name {
    ($($ty:ty => $name:literal,)+) => {
        $(
            impl ::prost::Name for $ty {
                const NAME: &'static str = $name;
                const PACKAGE: &'static str = "easemob.pb";
                fn full_name() -> String {
                    concat!("easemob.pb.", $name).to_owned()
                }
                fn type_url() -> String {
                    concat!("/easemob.pb.", $name).to_owned()
                }
            }
        )+
    };
}
pub(crate) use pb_name;
