//! One JSON document with every result and the totals.

use super::Summary;
use crate::runner::CaseResult;

/// `{"results":[{"case","vendor","outcome","detail","duration_ms"}...],
/// "summary":{"total","passed","failed","unsupported","duration_ms","vendors":{...}}}`,
/// pretty-printed.
pub fn json(results: &[CaseResult]) -> String {
    let doc = serde_json::json!({ "results": results, "summary": Summary::of(results) });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"cannot serialize: {e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;
    use serde_json::Value;

    #[test]
    fn one_document_with_results_and_summary() {
        let doc: Value = serde_json::from_str(&json(&fixtures::results())).unwrap();
        assert_eq!(doc["results"].as_array().unwrap().len(), 6);
        assert_eq!(
            doc["results"][2],
            serde_json::json!({
                "case": "kick.other_login",
                "vendor": "tencent",
                "outcome": "fail",
                "detail": "session A: expected <Kicked> & \"one\"\ngot | two",
                "duration_ms": 1500
            })
        );
        assert_eq!(doc["results"][0]["detail"], Value::Null);
        assert_eq!(doc["results"][5]["outcome"], "unsupported");
        let s = &doc["summary"];
        assert_eq!((s["total"].as_u64(), s["passed"].as_u64(), s["failed"].as_u64()), (Some(6), Some(4), Some(1)));
        assert_eq!(s["unsupported"], 1);
        assert_eq!(s["vendors"]["easemob"]["passed"], 2);
        assert_eq!(s["vendors"]["tencent"]["duration_ms"], 1650);
    }
}
