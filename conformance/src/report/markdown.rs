//! A Markdown table for READMEs and pull requests.

use super::{cases_in_order, cell, counts_line, one_line, symbol, vendors_in_order, Summary};
use crate::runner::{CaseResult, Verdict};
use std::fmt::Write;

/// Escapes text for a Markdown table cell or list item.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The matrix as a GitHub-flavoured Markdown table, the totals, and a list of
/// failures and unsupported cases with their details.
pub fn markdown(results: &[CaseResult]) -> String {
    let cases = cases_in_order(results);
    let vendors = vendors_in_order(results);
    let mut out = String::new();
    let _ = writeln!(out, "| case | {} |", vendors.iter().map(|v| escape(v)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|---|{}", ":---:|".repeat(vendors.len()));
    for case in &cases {
        let cells: Vec<&str> = vendors.iter().map(|v| symbol(cell(results, case, v).map(|r| r.outcome))).collect();
        let _ = writeln!(out, "| `{case}` | {} |", cells.join(" | "));
    }
    let summary = Summary::of(results);
    let _ = writeln!(out, "\n✓ pass · ✗ fail · – unsupported — {}", counts_line(&summary.all));
    for (title, verdict) in [("Failures", Verdict::Fail), ("Unsupported", Verdict::Unsupported)] {
        let listed: Vec<&CaseResult> = results.iter().filter(|r| r.outcome == verdict).collect();
        if listed.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n**{title}**\n");
        for r in listed {
            let detail = escape(r.detail.as_deref().unwrap_or(""));
            let _ = writeln!(out, "- `{}` on {}: {detail}", r.case, escape(&r.vendor));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn a_table_then_details() {
        let md = markdown(&fixtures::results());
        let expected = "\
| case | tencent | easemob |
|---|:---:|:---:|
| `login.ok` | ✓ | ✓ |
| `kick.other_login` | ✗ | ✓ |
| `credential.renewed` | ✓ | – |

✓ pass · ✗ fail · – unsupported — 4 passed, 1 failed, 1 unsupported

**Failures**

- `kick.other_login` on tencent: session A: expected \\<Kicked\\> & \"one\" got \\| two

**Unsupported**

- `credential.renewed` on easemob: the adapter does not claim credential\\_renewal
";
        assert_eq!(md, expected);
    }
}
