//! # unim-conformance — one behaviour suite for every adapter
//!
//! The suite states the neutral semantics of a unim session (log in, fail to
//! log in for the right reason, get kicked exactly once, renew a credential,
//! survive a dropped link, resume a saved login, share an account between
//! devices, exchange messages exactly once and in order, keep conversation
//! lists, unread counts and histories) as plain `async fn` cases over a
//! [`Harness`]. A harness gives a
//! case everything vendor-specific: an [`unim_core::Admin`], a way to mint
//! good, wrong and expired credentials, sessions that are new devices, a
//! manual clock, and the emulator's fault switches.
//!
//! - [`case`] and [`cases`]: the cases, each declaring the
//!   [`unim_core::Capabilities`] it needs. A case the adapter does not claim
//!   is *unsupported*, never a silent pass; a claimed one that fails is a
//!   failure, never a skip.
//! - [`expect`]: awaiting events with real-time timeouts, and failures that
//!   say what was expected and what came.
//! - [`runner`]: runs cases × vendors, one fresh harness (one fresh emulator)
//!   per case, with a per-case timeout and a progress callback.
//! - [`report`]: the matrix as a table, JSON, Markdown or JUnit XML.
//! - [`suite!`]: expands into one `#[test]` per case inside an adapter crate.
//! - [`vendors`]: the harnesses of the vendors compiled in.
//!
//! ```ignore
//! // adapters/tencent/tests/conformance.rs
//! unim_conformance::suite!(unim_conformance::vendors::tencent::tencent_factory());
//! ```

#![warn(missing_docs)]

pub mod case;
pub mod cases;
pub mod expect;
pub mod harness;
mod macros;
pub mod report;
pub mod runner;
pub mod vendors;

pub use case::{all, Case, CaseFn, NeedsFn};
pub use expect::Failure;
pub use harness::{Harness, HarnessFactory, SessionSetup};
pub use runner::{
    filter_cases, glob_match, run, run_case, run_one, run_test, CaseResult, Outcome, Progress, RunOptions, Verdict,
};

/// What the macros need from this crate's dependencies, so that the crates
/// that expand them do not have to depend on the same versions.
#[doc(hidden)]
pub mod __private {
    pub use futures;
}
