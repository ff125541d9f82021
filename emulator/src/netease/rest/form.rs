//! The v1 body: `application/x-www-form-urlencoded`, array-valued fields as
//! JSON-array strings inside a form field (netease.md 1.2).

use super::Refusal;
use std::collections::HashMap;
use unim_netease::error::code;

/// The fields of a v1 form body (the first of repeated names wins).
#[derive(Debug, Default)]
pub(super) struct Form(HashMap<String, String>);

impl Form {
    /// Parses a form body; bytes that do not decode to UTF-8 are a 414.
    pub(super) fn parse(body: &[u8]) -> Result<Form, Refusal> {
        let text = std::str::from_utf8(body).map_err(|_| Refusal::new(code::BAD_PARAM, "the body is not UTF-8"))?;
        let mut fields = HashMap::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let bad = || Refusal::new(code::BAD_PARAM, "the body is not form encoded");
            let (k, v) = (decode(k).ok_or_else(bad)?, decode(v).ok_or_else(bad)?);
            fields.entry(k).or_insert(v);
        }
        Ok(Form(fields))
    }

    /// The field `name`, if present (empty counts as absent).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The field `name`, required.
    pub(super) fn required(&self, name: &str) -> Result<&str, Refusal> {
        self.get(name).ok_or_else(|| Refusal::new(code::BAD_PARAM, format!("{name} is missing")))
    }

    /// The optional field `name`, at most `max` characters.
    pub(super) fn limited(&self, name: &str, max: usize) -> Result<Option<String>, Refusal> {
        match self.get(name) {
            Some(v) if v.chars().count() > max => {
                Err(Refusal::new(code::BAD_PARAM, format!("{name} is longer than {max} characters")))
            }
            v => Ok(v.map(str::to_owned)),
        }
    }

    /// The required field `name` holding a JSON array of strings, at most `max` of them.
    pub(super) fn string_array(&self, name: &str, max: usize) -> Result<Vec<String>, Refusal> {
        let raw = self.required(name)?;
        let items: Vec<String> = serde_json::from_str(raw)
            .map_err(|_| Refusal::new(code::BAD_PARAM, format!("{name} is not a JSON array of strings")))?;
        if items.len() > max {
            return Err(Refusal::new(code::BAD_PARAM, format!("{name} lists more than {max} entries")));
        }
        Ok(items)
    }
}

/// Percent-decodes one form component (`+` is a space).
pub(super) fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_fields_and_arrays() {
        let f = Form::parse(b"accid=Al%40ce&name=a+b&accids=%5B%22x%22%2C%22y%22%5D&accid=second&e=").unwrap();
        assert_eq!(f.get("accid"), Some("Al@ce"));
        assert_eq!(f.get("name"), Some("a b"));
        assert_eq!(f.get("e"), None);
        assert_eq!(f.string_array("accids", 2).unwrap(), vec!["x", "y"]);
        assert_eq!(f.string_array("accids", 1).unwrap_err().code, 414);
        assert_eq!(f.string_array("name", 5).unwrap_err().code, 414);
        assert_eq!(f.required("nope").unwrap_err().desc, "nope is missing");
        assert!(Form::parse(b"a=%zz").is_err());
        assert!(Form::parse(b"a=%4").is_err());
    }
}
