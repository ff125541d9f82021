//! A conformance case: a name, the capabilities it needs, and an async check.

use crate::expect::Failure;
use crate::harness::Harness;
use futures::future::BoxFuture;
use std::fmt;
use unim_core::Capabilities;

/// Says whether the adapter claims what a case needs; `Err` names what is missing.
pub type NeedsFn = fn(&Capabilities) -> Result<(), &'static str>;

/// Runs a case on a harness.
pub type CaseFn = for<'a> fn(&'a dyn Harness) -> BoxFuture<'a, Result<(), Failure>>;

/// One behaviour the suite checks.
#[derive(Clone, Copy)]
pub struct Case {
    /// `area.behaviour`, e.g. `login.ok`.
    pub name: &'static str,
    /// One sentence: the neutral semantics the case pins down.
    pub about: &'static str,
    /// Whether the adapter claims what the case needs.
    pub needs: NeedsFn,
    /// The check itself.
    pub run: CaseFn,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Case {
    /// The area (`login` in `login.ok`).
    pub fn area(&self) -> &'static str {
        self.name.split_once('.').map_or(self.name, |(area, _)| area)
    }
}

/// Every case, in the suite's order.
pub fn all() -> Vec<Case> {
    crate::__for_each_case!(__all_cases! {})
}

/// The case named `name`, if there is one.
pub fn find(name: &str) -> Option<Case> {
    all().into_iter().find(|c| c.name == name)
}

/// A case that needs nothing beyond logging in.
pub fn needs_nothing(_: &Capabilities) -> Result<(), &'static str> {
    Ok(())
}

/// `Ok` when `claimed`, else `Err(capability)`.
pub fn require(claimed: bool, capability: &'static str) -> Result<(), &'static str> {
    if claimed {
        Ok(())
    } else {
        Err(capability)
    }
}

/// Wraps `async fn name(h: &dyn Harness) -> Result<(), Failure>` as a [`CaseFn`].
macro_rules! case_fn {
    ($f:path) => {{
        fn run<'a>(
            h: &'a dyn $crate::harness::Harness,
        ) -> futures::future::BoxFuture<'a, Result<(), $crate::expect::Failure>> {
            Box::pin($f(h))
        }
        run as $crate::case::CaseFn
    }};
}
pub(crate) use case_fn;
