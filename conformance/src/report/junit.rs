//! JUnit XML, the format CI systems read: one `<testsuite>` per vendor, one
//! `<testcase>` per case, `<failure>` and `<skipped>` with their details.

use super::{vendors_in_order, Counts, Summary};
use crate::runner::{CaseResult, Verdict};
use std::fmt::Write;

/// Escapes text for XML content and attribute values, dropping the control
/// characters XML 1.0 cannot carry.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn suite_attrs(name: &str, c: &Counts) -> String {
    format!(
        "name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"",
        xml_escape(name),
        c.total,
        c.failed,
        c.unsupported,
        secs(c.duration_ms)
    )
}

/// The results as JUnit XML.
pub fn junit(results: &[CaseResult]) -> String {
    let summary = Summary::of(results);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites {}>", suite_attrs("unim-conformance", &summary.all));
    for vendor in vendors_in_order(results) {
        let counts = summary.vendors.get(vendor).copied().unwrap_or_default();
        let _ = writeln!(out, "  <testsuite {}>", suite_attrs(vendor, &counts));
        for r in results.iter().filter(|r| r.vendor == vendor) {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"unim.conformance.{}\" time=\"{}\"",
                xml_escape(&r.case),
                xml_escape(&r.vendor),
                secs(r.duration_ms)
            );
            let detail = r.detail.as_deref().unwrap_or("");
            let message = xml_escape(detail.lines().next().unwrap_or(""));
            match r.outcome {
                Verdict::Pass => {
                    let _ = writeln!(out, "{head}/>");
                }
                Verdict::Fail => {
                    let _ = writeln!(out, "{head}>");
                    let _ = writeln!(out, "      <failure message=\"{message}\">{}</failure>", xml_escape(detail));
                    out.push_str("    </testcase>\n");
                }
                Verdict::Unsupported => {
                    let _ = writeln!(out, "{head}>");
                    let _ = writeln!(out, "      <skipped message=\"{message}\"/>");
                    out.push_str("    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(xml_escape("a<b>&\"c\"'d'\u{1}\te"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\te");
    }

    #[test]
    fn a_suite_per_vendor_with_failures_and_skips() {
        let xml = junit(&fixtures::results());
        let expected = "\
<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites name=\"unim-conformance\" tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.825\">
  <testsuite name=\"tencent\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"1.650\">
    <testcase name=\"login.ok\" classname=\"unim.conformance.tencent\" time=\"0.120\"/>
    <testcase name=\"kick.other_login\" classname=\"unim.conformance.tencent\" time=\"1.500\">
      <failure message=\"session A: expected &lt;Kicked&gt; &amp; &quot;one&quot;\">session A: expected &lt;Kicked&gt; &amp; &quot;one&quot;
got | two</failure>
    </testcase>
    <testcase name=\"credential.renewed\" classname=\"unim.conformance.tencent\" time=\"0.030\"/>
  </testsuite>
  <testsuite name=\"easemob\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\" time=\"0.175\">
    <testcase name=\"login.ok\" classname=\"unim.conformance.easemob\" time=\"0.080\"/>
    <testcase name=\"kick.other_login\" classname=\"unim.conformance.easemob\" time=\"0.090\"/>
    <testcase name=\"credential.renewed\" classname=\"unim.conformance.easemob\" time=\"0.005\">
      <skipped message=\"the adapter does not claim credential_renewal\"/>
    </testcase>
  </testsuite>
</testsuites>
";
        assert_eq!(xml, expected);
    }
}
