//! The harnesses of the vendors compiled in (one cargo feature each).

use crate::harness::HarnessFactory;

#[cfg(feature = "tencent")]
pub mod tencent;

/// Every vendor compiled in, by name, with the factory of its harness.
pub fn factories() -> Vec<(&'static str, HarnessFactory)> {
    vec![
        #[cfg(feature = "tencent")]
        ("tencent", tencent::tencent_factory()),
    ]
}
