//! Tencent Cloud IM UserSig (TLSSigAPIv2, HMAC-SHA256): generation, decoding
//! and verification.
//!
//! # Format
//!
//! A UserSig is `swap(base64(zlib(json)))` where
//!
//! * `json` is an object with `TLS.ver` (`"2.0"`), `TLS.identifier` (the
//!   UserID), `TLS.sdkappid`, `TLS.time` (issue time, Unix seconds),
//!   `TLS.expire` (validity in seconds, relative to `TLS.time`), optionally
//!   `TLS.userbuf` (standard base64 of opaque bytes) and `TLS.sig`;
//! * `TLS.sig` is the standard base64 of HMAC-SHA256, keyed with the UTF-8
//!   bytes of the console secret key *as-is* (not hex-decoded), over the four
//!   lines `TLS.identifier:<id>\n`, `TLS.sdkappid:<n>\n`, `TLS.time:<n>\n`,
//!   `TLS.expire:<n>\n` (plus `TLS.userbuf:<base64>\n` in the userbuf variant);
//! * `zlib` is an RFC 1950 stream (header, DEFLATE data, Adler-32) at any
//!   level; `base64` is the standard alphabet with padding;
//! * `swap` replaces `+` → `*`, `/` → `-`, `=` → `_` (this is *not* RFC 4648
//!   base64url).
//!
//! # Generation
//!
//! [`UserSigKey::gen`] writes compact JSON in the order of the official Node
//! package (`ver, identifier, sdkappid, time, expire, [userbuf], sig`) and
//! compresses it with a small built-in fixed-Huffman DEFLATE encoder (see the
//! private `zlib` submodule for why `flate2`'s compressor is not used: it
//! costs 9–17 µs per call, the whole signature here takes about 1 µs). The
//! output is deterministic for given inputs.
//!
//! # Decoding and verification
//!
//! [`decode`] accepts what every official library produces: any JSON key
//! order and spacing, a trailing newline (Go's `json.Encoder`), any zlib level
//! (Go's level 0 included), and ASCII whitespace anywhere in the signature
//! (stripped first, like the C++ decoder). Like Go's decoder it maps the
//! swapped characters back and then decodes *standard* base64, so a signature
//! that still contains `+`/`/`/`=` is accepted too. The inflated JSON is
//! capped at [`MAX_INFLATED_LEN`] bytes, which defeats zip bombs.
//!
//! [`UserSigKey::verify`] then applies the rules of the Go and PHP verifiers
//! (vendor notes §1.2). Each failure is a distinct [`UserSigError`] variant,
//! checked in this order — the first failing check wins:
//!
//! 1. **decode** ([`UserSigError::Empty`], [`UserSigError::Malformed`]):
//!    nothing else can be said about a token that cannot be read.
//! 2. **SDKAppID** ([`UserSigError::AppMismatch`]): the secret key is chosen
//!    by SDKAppID, so a token of another application cannot even be checked
//!    against the right key; calling it "wrong key" would hide the real
//!    cause.
//! 3. **identifier** ([`UserSigError::UserMismatch`]): a token of another
//!    user is a routing error of the caller, reported as such (Tencent 70013)
//!    whatever else is wrong with it.
//! 4. **signature** ([`UserSigError::WrongKey`]): the HMAC is recomputed from
//!    the decoded fields and compared in constant time. Until it matches,
//!    none of the remaining claims (expiry, userbuf) are authentic, so a token
//!    with a wrong key says "wrong key" even if it is also expired — otherwise
//!    a client would just "renew" a token that can never work.
//! 5. **userbuf** ([`UserSigError::UserBufMismatch`]): presence (and, for
//!    [`UserSigKey::verify_with_userbuf`], content) must match the call, like
//!    Go's `VerifyUserSig` / `VerifyUserSigWithBuf`.
//! 6. **expiry** ([`UserSigError::Expired`]): expired iff
//!    `now > TLS.time + TLS.expire` (strict; valid at exactly
//!    `time + expire`). Checked last so that `Expired` means "authentic and
//!    otherwise valid, just old": the one failure a client fixes by asking
//!    for a new UserSig.
//!
//! Like the Go verifier, `TLS.ver` is read but not checked. Numeric fields
//! are also accepted as decimal strings (PHP produces them when its caller
//! passes strings). Error messages never contain the key, the signature or the
//! HMAC.

use std::cell::RefCell;
use std::fmt;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use flate2::{Decompress, FlushDecompress, Status};
use hmac::{Hmac, Mac};
use sha2::Sha256;

mod zlib;

#[cfg(test)]
mod tests;

/// Default validity of a UserSig in the official server SDKs: 180 days.
pub const DEFAULT_EXPIRE_SECS: u64 = 180 * 86_400;

/// Largest inflated JSON document [`decode`] accepts (64 KiB). Real UserSig
/// documents are about 200 bytes; anything larger is refused as malformed.
pub const MAX_INFLATED_LEN: usize = 64 * 1024;

/// Largest signature text [`decode`] looks at (after stripping whitespace).
/// A level-0 zlib stream of [`MAX_INFLATED_LEN`] bytes needs about 88 K
/// base64 characters; longer input is refused before any decoding.
pub const MAX_SIG_LEN: usize = 96 * 1024;

/// Standard base64 alphabet (RFC 4648 §4).
const STANDARD_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 alphabet with Tencent's swap applied (`+`→`*`, `/`→`-`);
/// its padding character is `_`.
const TENCENT_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-";

/// Decodes the outer layer after the swap was reversed; padding optional.
const SIG_DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// An application's UserSig signing key: its SDKAppID and console secret key.
///
/// The HMAC key schedule is computed once in [`UserSigKey::new`] and cloned
/// for every signature, so generating and verifying are cheap. `Debug` never
/// prints the key.
#[derive(Clone)]
pub struct UserSigKey {
    sdkappid: u64,
    /// HMAC-SHA256 state with the key already absorbed (inner and outer pads).
    mac: HmacSha256,
}

impl fmt::Debug for UserSigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSigKey").field("sdkappid", &self.sdkappid).field("key", &"<redacted>").finish()
    }
}

impl UserSigKey {
    /// Creates the key of application `sdkappid` from its console secret
    /// key. The key's UTF-8 bytes are the HMAC key as-is (a 64-hex-character
    /// console key is *not* hex-decoded), as in every official library.
    pub fn new(sdkappid: u64, key: impl AsRef<str>) -> Self {
        // HMAC accepts keys of any length, so this `Err` cannot happen.
        let mac = <HmacSha256 as Mac>::new_from_slice(key.as_ref().as_bytes())
            .expect("HMAC-SHA256 accepts keys of any length");
        UserSigKey { sdkappid, mac }
    }

    /// The SDKAppID this key signs and verifies for.
    pub fn sdkappid(&self) -> u64 {
        self.sdkappid
    }

    /// Generates a UserSig for `user`, issued at `now_unix` (Unix seconds)
    /// and valid for `expire_secs` seconds (until `now_unix + expire_secs`
    /// inclusive). The official SDKs default to [`DEFAULT_EXPIRE_SECS`].
    pub fn gen(&self, user: &str, expire_secs: u64, now_unix: u64) -> String {
        self.generate(user, expire_secs, now_unix, None)
    }

    /// Generates a UserSig that also carries and signs `userbuf` (the
    /// `TLS.userbuf` variant, e.g. TRTC PrivateMapKey payloads). Verify it
    /// with [`UserSigKey::verify_with_userbuf`].
    pub fn gen_with_userbuf(&self, user: &str, expire_secs: u64, now_unix: u64, userbuf: &[u8]) -> String {
        self.generate(user, expire_secs, now_unix, Some(userbuf))
    }

    /// Verifies `sig` as a UserSig of this application for `user` at time
    /// `now_unix`, following the Go/PHP rules; see the [module
    /// docs](self) for the order of the checks. A UserSig that carries a
    /// userbuf is refused with [`UserSigError::UserBufMismatch`] (use
    /// [`UserSigKey::verify_with_userbuf`]). Returns the decoded fields.
    pub fn verify(&self, user: &str, sig: &str, now_unix: u64) -> Result<DecodedUserSig, UserSigError> {
        self.check(user, sig, now_unix, None)
    }

    /// Like [`UserSigKey::verify`], for the userbuf variant: the UserSig must
    /// carry exactly `userbuf`.
    pub fn verify_with_userbuf(
        &self,
        user: &str,
        sig: &str,
        now_unix: u64,
        userbuf: &[u8],
    ) -> Result<DecodedUserSig, UserSigError> {
        self.check(user, sig, now_unix, Some(userbuf))
    }

    /// HMAC over the 4 (or 5) line string, not yet finalized.
    fn signing_mac(&self, user: &str, sdkappid: u64, time: u64, expire: u64, userbuf_b64: Option<&[u8]>) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(b"TLS.identifier:");
        mac.update(user.as_bytes());
        mac.update(b"\nTLS.sdkappid:");
        mac.update(Decimal::new(sdkappid).as_bytes());
        mac.update(b"\nTLS.time:");
        mac.update(Decimal::new(time).as_bytes());
        mac.update(b"\nTLS.expire:");
        mac.update(Decimal::new(expire).as_bytes());
        mac.update(b"\n");
        if let Some(userbuf_b64) = userbuf_b64 {
            mac.update(b"TLS.userbuf:");
            mac.update(userbuf_b64);
            mac.update(b"\n");
        }
        mac
    }

    fn generate(&self, user: &str, expire: u64, time: u64, userbuf: Option<&[u8]>) -> String {
        let userbuf_b64 = userbuf.map(|buf| {
            let mut b64 = Vec::with_capacity(buf.len().div_ceil(3) * 4);
            push_base64(&mut b64, buf, STANDARD_CHARS, b'=');
            b64
        });
        let tag = self.signing_mac(user, self.sdkappid, time, expire, userbuf_b64.as_deref()).finalize().into_bytes();

        // Compact JSON, Node key order, noting for the compressor where
        // the document repeats itself (see `zlib`): each key prefix repeats
        // the previous one, and numbers have runs of zeros.
        let mut json = Vec::with_capacity(192 + user.len() + userbuf_b64.as_ref().map_or(0, |b| b.len() + 16));
        let mut hints = Hints::default();
        json.extend_from_slice(br#"{"TLS.ver":"2.0","TLS.identifier":"#);
        // `"TLS.identifier` repeats `"TLS.` at 1.
        hints.push(17, 16);
        push_json_string(&mut json, user);
        // Each `,"TLS.` repeats the previous one; the first is at 16.
        let mut prefix = 16;
        for (key, value) in
            [(&br#","TLS.sdkappid":"#[..], self.sdkappid), (br#","TLS.time":"#, time), (br#","TLS.expire":"#, expire)]
        {
            hints.key_prefix(json.len(), &mut prefix);
            json.extend_from_slice(key);
            push_decimal(&mut json, value, &mut hints);
        }
        if let Some(userbuf_b64) = &userbuf_b64 {
            hints.key_prefix(json.len(), &mut prefix);
            json.extend_from_slice(br#","TLS.userbuf":""#);
            json.extend_from_slice(userbuf_b64);
            json.push(b'"');
        }
        hints.key_prefix(json.len(), &mut prefix);
        json.extend_from_slice(br#","TLS.sig":""#);
        push_base64(&mut json, &tag, STANDARD_CHARS, b'=');
        json.extend_from_slice(br#""}"#);

        let mut compressed = Vec::with_capacity(json.len() + json.len() / 8 + 24);
        zlib::compress(&json, hints.as_slice(), &mut compressed);

        let mut out = Vec::with_capacity(compressed.len().div_ceil(3) * 4);
        push_base64(&mut out, &compressed, TENCENT_CHARS, b'_');
        // Only ASCII was written, so this never falls back.
        String::from_utf8(out).unwrap_or_default()
    }

    fn check(
        &self,
        user: &str,
        sig: &str,
        now: u64,
        expected_userbuf: Option<&[u8]>,
    ) -> Result<DecodedUserSig, UserSigError> {
        let decoded = decode(sig)?;
        if decoded.sdkappid != self.sdkappid {
            return Err(UserSigError::AppMismatch { expected: self.sdkappid, found: decoded.sdkappid });
        }
        if decoded.identifier != user {
            return Err(UserSigError::UserMismatch { expected: user.to_owned(), found: decoded.identifier });
        }
        // Like Go, the userbuf is signed in its canonical base64 form.
        let userbuf_b64 = decoded.userbuf.as_ref().map(|buf| {
            let mut b64 = Vec::with_capacity(buf.len().div_ceil(3) * 4);
            push_base64(&mut b64, buf, STANDARD_CHARS, b'=');
            b64
        });
        self.signing_mac(&decoded.identifier, decoded.sdkappid, decoded.time, decoded.expire, userbuf_b64.as_deref())
            .verify_slice(&decoded.sig)
            .map_err(|_| UserSigError::WrongKey)?;
        let userbuf_ok = match (expected_userbuf, decoded.userbuf.as_deref()) {
            (None, None) => true,
            (Some(expected), Some(found)) => expected == found,
            _ => false,
        };
        if !userbuf_ok {
            return Err(UserSigError::UserBufMismatch);
        }
        let expired_at = decoded.expires_at();
        if now > expired_at {
            return Err(UserSigError::Expired { expired_at, now });
        }
        Ok(decoded)
    }
}

/// The fields of a decoded UserSig. Decoding does not check the signature;
/// use [`UserSigKey::verify`] for that. `Debug` does not print the HMAC.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedUserSig {
    /// `TLS.ver`, `"2.0"` for every official generator (not checked).
    pub version: String,
    /// `TLS.identifier`: the UserID the UserSig was issued for.
    pub identifier: String,
    /// `TLS.sdkappid`: the application it was issued by.
    pub sdkappid: u64,
    /// `TLS.time`: issue time, Unix seconds.
    pub time: u64,
    /// `TLS.expire`: validity in seconds, relative to [`Self::time`].
    pub expire: u64,
    /// `TLS.userbuf`, base64-decoded, when present.
    pub userbuf: Option<Vec<u8>>,
    /// `TLS.sig`, base64-decoded: the 32-byte HMAC-SHA256.
    pub sig: Vec<u8>,
}

impl DecodedUserSig {
    /// Last Unix second at which the UserSig is still valid:
    /// `time + expire`, saturating at `u64::MAX`.
    pub fn expires_at(&self) -> u64 {
        self.time.saturating_add(self.expire)
    }
}

impl fmt::Debug for DecodedUserSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Prints only the length of a byte field.
        struct Len(usize);
        impl fmt::Debug for Len {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "<{} bytes>", self.0)
            }
        }
        f.debug_struct("DecodedUserSig")
            .field("version", &self.version)
            .field("identifier", &self.identifier)
            .field("sdkappid", &self.sdkappid)
            .field("time", &self.time)
            .field("expire", &self.expire)
            .field("userbuf", &self.userbuf.as_ref().map(|b| Len(b.len())))
            .field("sig", &format_args!("<{} bytes redacted>", self.sig.len()))
            .finish()
    }
}

/// Why a UserSig could not be decoded or verified. Messages never contain
/// the key, the signature or the HMAC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserSigError {
    /// The UserSig is empty (or only whitespace).
    #[error("UserSig is empty")]
    Empty,
    /// The UserSig cannot be decoded.
    #[error("UserSig is malformed ({stage}): {detail}")]
    Malformed {
        /// Layer that failed: `"base64"`, `"zlib"`, `"json"` or `"field"`.
        stage: &'static str,
        /// What is wrong, without echoing the input.
        detail: String,
    },
    /// The HMAC does not match: signed with another key, or tampered with.
    #[error("UserSig signature does not match: wrong secret key or tampered UserSig")]
    WrongKey,
    /// The UserSig was issued for another UserID.
    #[error("UserSig was issued for user {found:?}, not {expected:?}")]
    UserMismatch {
        /// The UserID being authenticated.
        expected: String,
        /// `TLS.identifier` in the UserSig.
        found: String,
    },
    /// The UserSig was issued for another SDKAppID.
    #[error("UserSig was issued for SDKAppID {found}, not {expected}")]
    AppMismatch {
        /// The SDKAppID of the verifying key.
        expected: u64,
        /// `TLS.sdkappid` in the UserSig.
        found: u64,
    },
    /// The UserSig expired: `now > time + expire`.
    #[error("UserSig expired at {expired_at} (now {now})")]
    Expired {
        /// Last valid Unix second (`time + expire`).
        expired_at: u64,
        /// The time of the check.
        now: u64,
    },
    /// The userbuf is missing, unexpected, or different from the expected one.
    #[error("UserSig userbuf does not match the expected userbuf")]
    UserBufMismatch,
}

impl UserSigError {
    /// The Tencent IM server error code for this failure (vendor notes §3):
    /// `Expired` 70001, `Empty` 70002, `WrongKey` 70009, `UserMismatch`
    /// 70013, `AppMismatch` 70014, `UserBufMismatch` 70005.
    ///
    /// Tencent documents two "invalid UserSig" codes without saying which
    /// failure gets which; unim uses 70003 when the transport encoding is
    /// broken (stages `base64` and `zlib`: the text is not a UserSig at all)
    /// and 70005 when the decoded content is invalid (stages `json` and
    /// `field`, and a userbuf mismatch).
    pub fn vendor_code(&self) -> i64 {
        match self {
            UserSigError::Empty => 70002,
            UserSigError::Malformed { stage, .. } => match *stage {
                "base64" | "zlib" => 70003,
                _ => 70005,
            },
            UserSigError::WrongKey => 70009,
            UserSigError::UserMismatch { .. } => 70013,
            UserSigError::AppMismatch { .. } => 70014,
            UserSigError::Expired { .. } => 70001,
            UserSigError::UserBufMismatch => 70005,
        }
    }
}

fn malformed(stage: &'static str, detail: impl Into<String>) -> UserSigError {
    UserSigError::Malformed { stage, detail: detail.into() }
}

/// Decodes a UserSig into its fields without checking the signature, expiry
/// or anything else (see [`UserSigKey::verify`]). Accepts every encoding the
/// official libraries produce; see the [module docs](self).
pub fn decode(sig: &str) -> Result<DecodedUserSig, UserSigError> {
    // Reverse the swap, dropping whitespace (C++ `isspace`: includes \v).
    let mut b64 = Vec::with_capacity(sig.len().min(MAX_SIG_LEN));
    for &byte in sig.as_bytes() {
        match byte {
            b'*' => b64.push(b'+'),
            b'-' => b64.push(b'/'),
            b'_' => b64.push(b'='),
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => {}
            other => b64.push(other),
        }
        if b64.len() > MAX_SIG_LEN {
            return Err(malformed("base64", format!("longer than {MAX_SIG_LEN} characters")));
        }
    }
    if b64.is_empty() {
        return Err(UserSigError::Empty);
    }
    let compressed = SIG_DECODER.decode(&b64).map_err(|err| {
        malformed(
            "base64",
            match err {
                base64::DecodeError::InvalidByte(offset, _) => {
                    format!("invalid character at offset {offset}")
                }
                base64::DecodeError::InvalidLength(_) => "invalid length".to_owned(),
                base64::DecodeError::InvalidLastSymbol(offset, _) => {
                    format!("invalid last symbol at offset {offset}")
                }
                base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
            },
        )
    })?;
    let json = inflate(&compressed)?;
    parse_document(&json)
}

thread_local! {
    /// One inflater per thread, reused: creating one allocates and zeroes
    /// about 43 KiB, several times the cost of the rest of a verification.
    static INFLATER: RefCell<Option<Decompress>> = const { RefCell::new(None) };
}

/// Inflates a complete zlib stream of at most [`MAX_INFLATED_LEN`] bytes.
fn inflate(data: &[u8]) -> Result<Vec<u8>, UserSigError> {
    let cached = INFLATER.try_with(|cell| cell.borrow_mut().take()).ok().flatten();
    let mut inflater = match cached {
        Some(mut inflater) => {
            inflater.reset(true);
            inflater
        }
        None => Decompress::new(true),
    };
    let result = inflate_with(&mut inflater, data);
    // Fails only while the thread is being torn down; then just drop it.
    let _ = INFLATER.try_with(|cell| *cell.borrow_mut() = Some(inflater));
    result
}

/// [`inflate`] with a freshly reset `inflater`.
fn inflate_with(inflater: &mut Decompress, data: &[u8]) -> Result<Vec<u8>, UserSigError> {
    /// Output room of the first attempt; real documents are 150–400 bytes.
    const FIRST_TRY: usize = 2048;
    let corrupt = |_| malformed("zlib", "corrupt zlib stream");
    let too_large = || malformed("zlib", format!("inflates to more than {MAX_INFLATED_LEN} bytes"));

    // Fast path: a single `Finish` call, which lets miniz inflate straight
    // into `out`. It fails for good (in miniz) when `out` is too small, so
    // a large document starts over below.
    let mut out = Vec::with_capacity(FIRST_TRY);
    let status = inflater.decompress_vec(data, &mut out, FlushDecompress::Finish).map_err(corrupt)?;
    if status != Status::StreamEnd {
        if out.len() < out.capacity() {
            return Err(malformed("zlib", "truncated zlib stream"));
        }
        inflater.reset(true);
        out.clear();
        // Room for one byte more than the cap tells "exactly at the cap"
        // from "over it".
        out.reserve_exact(FIRST_TRY * 4);
        loop {
            let consumed = inflater.total_in();
            let produced = inflater.total_out();
            let rest = data.get(consumed as usize..).unwrap_or_default();
            let status = inflater.decompress_vec(rest, &mut out, FlushDecompress::None).map_err(corrupt)?;
            if status == Status::StreamEnd {
                break;
            }
            if out.len() < out.capacity() {
                let progressed = inflater.total_in() != consumed || inflater.total_out() != produced;
                if !progressed || inflater.total_in() >= data.len() as u64 {
                    return Err(malformed("zlib", "truncated zlib stream"));
                }
                continue;
            }
            if out.len() > MAX_INFLATED_LEN {
                return Err(too_large());
            }
            out.reserve_exact(out.len().min(MAX_INFLATED_LEN + 1 - out.len()));
        }
    }
    if out.len() > MAX_INFLATED_LEN {
        return Err(too_large());
    }
    if inflater.total_in() < data.len() as u64 {
        return Err(malformed("zlib", "trailing data after the zlib stream"));
    }
    Ok(out)
}

/// Parses the inflated JSON document (any key order, spacing, trailing
/// whitespace).
fn parse_document(json: &[u8]) -> Result<DecodedUserSig, UserSigError> {
    use serde_json::Value;

    let value: Value = serde_json::from_slice(json).map_err(|err| {
        // serde_json's own messages could quote input; describe it instead.
        malformed(
            "json",
            format!("invalid JSON ({:?} error) at line {} column {}", err.classify(), err.line(), err.column()),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(malformed("json", "not a JSON object"));
    };

    let string = |key: &'static str| -> Result<&str, UserSigError> {
        match map.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(malformed("field", format!("{key} is not a string"))),
            None => Err(malformed("field", format!("{key} is missing"))),
        }
    };
    let number = |key: &'static str| -> Result<u64, UserSigError> {
        let parsed = match map.get(key) {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
            None => return Err(malformed("field", format!("{key} is missing"))),
            Some(_) => None,
        };
        parsed.ok_or_else(|| malformed("field", format!("{key} is not an unsigned 64-bit integer")))
    };

    let version = string("TLS.ver")?.to_owned();
    let identifier = string("TLS.identifier")?.to_owned();
    let sdkappid = number("TLS.sdkappid")?;
    let time = number("TLS.time")?;
    let expire = number("TLS.expire")?;
    let userbuf = match map.get("TLS.userbuf") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            Some(STANDARD.decode(s).map_err(|_| malformed("field", "TLS.userbuf is not valid base64"))?)
        }
        Some(_) => return Err(malformed("field", "TLS.userbuf is not a string")),
    };
    let sig = STANDARD.decode(string("TLS.sig")?).map_err(|_| malformed("field", "TLS.sig is not valid base64"))?;
    if sig.len() != 32 {
        return Err(malformed("field", format!("TLS.sig is {} bytes, not 32", sig.len())));
    }
    Ok(DecodedUserSig { version, identifier, sdkappid, time, expire, userbuf, sig })
}

/// Appends `s` as a JSON string literal: `"` and `\` escaped, control
/// characters as `\n`-style or `\u00XX` escapes, everything else (including
/// non-ASCII) verbatim — what `JSON.stringify` and `serde_json` do.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0x00..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0xF)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends the base64 of `input` over the alphabet `chars`, padded with
/// `pad` (standard: `=`; Tencent's swapped form: `_`).
fn push_base64(out: &mut Vec<u8>, input: &[u8], chars: &[u8; 64], pad: u8) {
    let start = out.len();
    out.resize(start + input.len().div_ceil(3) * 4, pad);
    let mut groups = input.chunks_exact(3);
    let mut quads = out[start..].chunks_exact_mut(4);
    let sextet = |v: u32, shift: u32| chars[((v >> shift) & 63) as usize];
    for (group, quad) in (&mut groups).zip(&mut quads) {
        let v = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        quad[0] = sextet(v, 18);
        quad[1] = sextet(v, 12);
        quad[2] = sextet(v, 6);
        quad[3] = sextet(v, 0);
    }
    // 1 or 2 bytes left: 2 or 3 characters, the rest stays padding.
    if let (rest @ [first, ..], Some(quad)) = (groups.remainder(), quads.next()) {
        let second = rest.get(1).copied().unwrap_or(0);
        let v = u32::from(*first) << 16 | u32::from(second) << 8;
        quad[0] = sextet(v, 18);
        quad[1] = sextet(v, 12);
        if rest.len() == 2 {
            quad[2] = sextet(v, 6);
        }
    }
}

/// Up to [`Hints::CAPACITY`] compression hints, on the stack (a UserSig
/// document needs at most 11 key hints and 3 × 5 digit-run hints).
struct Hints {
    items: [zlib::Hint; Hints::CAPACITY],
    len: usize,
}

impl Default for Hints {
    fn default() -> Self {
        Hints { items: [zlib::Hint::default(); Hints::CAPACITY], len: 0 }
    }
}

impl Hints {
    const CAPACITY: usize = 32;

    /// Notes that the bytes at `at` may repeat those `dist` bytes earlier.
    /// Hints beyond the capacity are dropped (they only help compression).
    fn push(&mut self, at: usize, dist: usize) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = zlib::Hint { at, dist };
            self.len += 1;
        }
    }

    /// Notes that the key written at `at` starts with `,"TLS.` like the one
    /// at `*prefix`, which then moves to `at`. The byte before may repeat
    /// too (the user id's closing quote before the first `,"TLS.`, a digit
    /// ending both numbers), so that is tried first; the compressor drops
    /// whichever hint does not hold.
    fn key_prefix(&mut self, at: usize, prefix: &mut usize) {
        self.push(at - 1, at - *prefix);
        self.push(at, at - *prefix);
        *prefix = at;
    }

    fn as_slice(&self) -> &[zlib::Hint] {
        &self.items[..self.len]
    }
}

/// Appends `value` in decimal, hinting runs of four or more equal digits
/// (`1400000000`: `0` then six more `0`s one byte back).
fn push_decimal(out: &mut Vec<u8>, value: u64, hints: &mut Hints) {
    let start = out.len();
    let digits = Decimal::new(value);
    let digits = digits.as_bytes();
    out.extend_from_slice(digits);
    let mut k = 1;
    while k < digits.len() {
        let mut end = k;
        while end < digits.len() && digits[end] == digits[k - 1] {
            end += 1;
        }
        if end - k >= 3 {
            hints.push(start + k, 1);
        }
        k = end.max(k + 1);
    }
}

/// Decimal text of a `u64` on the stack.
struct Decimal {
    buf: [u8; 20],
    start: usize,
}

impl Decimal {
    fn new(mut value: u64) -> Self {
        let mut buf = [0u8; 20];
        let mut start = buf.len();
        loop {
            start -= 1;
            buf[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        Decimal { buf, start }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}
