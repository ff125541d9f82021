//! The terminal table.

use super::{cases_in_order, cell, counts_line, one_line, symbol, vendors_in_order, Summary};
use crate::runner::{CaseResult, Verdict};
use std::fmt::Write;

/// The matrix as a plain-text table (✓ pass, ✗ fail, – unsupported), then the
/// totals and each failure's detail.
pub fn table(results: &[CaseResult]) -> String {
    let cases = cases_in_order(results);
    let vendors = vendors_in_order(results);
    let width = |s: &str| s.chars().count();
    let first = cases.iter().map(|c| width(c)).chain([width("case")]).max().unwrap_or(4);
    let cols: Vec<usize> = vendors.iter().map(|v| width(v).max(1)).collect();

    let mut out = String::new();
    let mut row = |label: &str, cells: Vec<&str>| {
        let mut line = format!("{label}{}", " ".repeat(first - width(label)));
        for (cell, w) in cells.iter().zip(&cols) {
            let _ = write!(line, "  {cell}{}", " ".repeat(w - width(cell)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    row("case", vendors.clone());
    for case in &cases {
        row(case, vendors.iter().map(|v| symbol(cell(results, case, v).map(|r| r.outcome))).collect());
    }

    let summary = Summary::of(results);
    let _ = writeln!(
        out,
        "\n{} case(s) × {} vendor(s): {} (✓ pass, ✗ fail, – unsupported)",
        cases.len(),
        vendors.len(),
        counts_line(&summary.all)
    );
    let failures: Vec<&CaseResult> = results.iter().filter(|r| r.outcome == Verdict::Fail).collect();
    if !failures.is_empty() {
        out.push_str("\nFailures:\n");
        for r in failures {
            let _ = writeln!(out, "  {} on {}: {}", r.case, r.vendor, one_line(r.detail.as_deref().unwrap_or("")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn cases_by_vendors_with_symbols_and_failures() {
        let t = table(&fixtures::results());
        let expected = "\
case                tencent  easemob
login.ok            ✓        ✓
kick.other_login    ✗        ✓
credential.renewed  ✓        –

3 case(s) × 2 vendor(s): 4 passed, 1 failed, 1 unsupported (✓ pass, ✗ fail, – unsupported)

Failures:
  kick.other_login on tencent: session A: expected <Kicked> & \"one\" got | two
";
        assert_eq!(t, expected);
    }

    #[test]
    fn a_case_not_run_on_a_vendor_is_blank() {
        let mut results = fixtures::results();
        results.retain(|r| !(r.case == "login.ok" && r.vendor == "easemob"));
        let t = table(&results);
        assert!(t.lines().any(|l| l == "login.ok            ✓"), "{t}");
    }
}
