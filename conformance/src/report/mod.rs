//! The matrix of case × vendor, in four formats: a terminal [`table`],
//! [`json`], a [`markdown`] table, and [`junit`] XML for CI.

mod json;
mod junit;
mod markdown;
mod table;

pub use self::json::json;
pub use junit::junit;
pub use markdown::markdown;
pub use table::table;

use crate::runner::{CaseResult, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many runs came to what.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Runs.
    pub total: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Unsupported.
    pub unsupported: usize,
    /// Their summed wall-clock time.
    pub duration_ms: u64,
}

impl Counts {
    fn add(&mut self, r: &CaseResult) {
        self.total += 1;
        match r.outcome {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Unsupported => self.unsupported += 1,
        }
        self.duration_ms = self.duration_ms.saturating_add(r.duration_ms);
    }
}

/// Totals over all results and per vendor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Over everything.
    #[serde(flatten)]
    pub all: Counts,
    /// Per vendor, by name.
    pub vendors: BTreeMap<String, Counts>,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut s = Summary::default();
        for r in results {
            s.all.add(r);
            s.vendors.entry(r.vendor.clone()).or_default().add(r);
        }
        s
    }

    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.all.failed == 0
    }
}

/// The case names in the order they first appear.
pub(crate) fn cases_in_order(results: &[CaseResult]) -> Vec<&str> {
    first_seen(results.iter().map(|r| r.case.as_str()))
}

/// The vendor names in the order they first appear.
pub(crate) fn vendors_in_order(results: &[CaseResult]) -> Vec<&str> {
    first_seen(results.iter().map(|r| r.vendor.as_str()))
}

fn first_seen<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The result of `case` on `vendor`, if it ran.
pub(crate) fn cell<'a>(results: &'a [CaseResult], case: &str, vendor: &str) -> Option<&'a CaseResult> {
    results.iter().find(|r| r.case == case && r.vendor == vendor)
}

/// The symbol of a verdict in the table and Markdown formats.
pub(crate) fn symbol(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "✓",
        Some(Verdict::Fail) => "✗",
        Some(Verdict::Unsupported) => "–",
        None => " ",
    }
}

/// One line of a possibly multi-line detail.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `1 passed, 2 failed, ...` for a summary line.
pub(crate) fn counts_line(c: &Counts) -> String {
    format!("{} passed, {} failed, {} unsupported", c.passed, c.failed, c.unsupported)
}

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::runner::{CaseResult, Verdict};

    fn r(case: &str, vendor: &str, outcome: Verdict, detail: Option<&str>, ms: u64) -> CaseResult {
        CaseResult {
            case: case.into(),
            vendor: vendor.into(),
            outcome,
            detail: detail.map(Into::into),
            duration_ms: ms,
        }
    }

    /// Three cases on two vendors, one of each verdict, with characters that need escaping.
    pub fn results() -> Vec<CaseResult> {
        vec![
            r("login.ok", "tencent", Verdict::Pass, None, 120),
            r("login.ok", "easemob", Verdict::Pass, None, 80),
            r(
                "kick.other_login",
                "tencent",
                Verdict::Fail,
                Some("session A: expected <Kicked> & \"one\"\ngot | two"),
                1500,
            ),
            r("kick.other_login", "easemob", Verdict::Pass, None, 90),
            r("credential.renewed", "tencent", Verdict::Pass, None, 30),
            r(
                "credential.renewed",
                "easemob",
                Verdict::Unsupported,
                Some("the adapter does not claim credential_renewal"),
                5,
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_per_vendor() {
        let s = Summary::of(&fixtures::results());
        assert_eq!(s.all, Counts { total: 6, passed: 4, failed: 1, unsupported: 1, duration_ms: 1825 });
        assert_eq!(s.vendors["tencent"].failed, 1);
        assert_eq!(s.vendors["easemob"].unsupported, 1);
        assert!(!s.ok());
        assert!(Summary::of(&[]).ok());
    }
}
