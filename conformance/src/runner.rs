//! Runs cases against vendors: one fresh harness per case, the case in its own
//! task (a panic is a failure, not a crash), a timeout per case, and a
//! progress callback for terminals.

use crate::case::{self, Case};
use crate::expect::join_error_message;
use crate::harness::HarnessFactory;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// How long one case may take, harness setup included, unless told otherwise.
pub const DEFAULT_CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// What running one case on one vendor came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every check held.
    Pass,
    /// A check failed (or the case panicked or timed out); the message says which.
    Fail(String),
    /// The adapter does not claim a capability the case needs; the message names it.
    Unsupported(String),
}

impl Outcome {
    /// The verdict without the detail.
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Pass => Verdict::Pass,
            Outcome::Fail(_) => Verdict::Fail,
            Outcome::Unsupported(_) => Verdict::Unsupported,
        }
    }

    /// The failure message or the missing capability.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Outcome::Pass => None,
            Outcome::Fail(d) | Outcome::Unsupported(d) => Some(d),
        }
    }
}

/// Pass, fail or unsupported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check held.
    Pass,
    /// A check failed.
    Fail,
    /// A needed capability is not claimed.
    Unsupported,
}

impl Verdict {
    /// `pass`, `fail` or `unsupported`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Unsupported => "unsupported",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell of the matrix: a case on a vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case's name.
    pub case: String,
    /// The vendor's name.
    pub vendor: String,
    /// Pass, fail or unsupported.
    pub outcome: Verdict,
    /// The failure message, or what the adapter does not claim.
    pub detail: Option<String>,
    /// Wall-clock time of the case, harness setup included.
    pub duration_ms: u64,
}

impl CaseResult {
    /// A result from an [`Outcome`].
    pub fn new(case: &str, vendor: &str, outcome: &Outcome, duration: Duration) -> Self {
        CaseResult {
            case: case.to_owned(),
            vendor: vendor.to_owned(),
            outcome: outcome.verdict(),
            detail: outcome.detail().map(str::to_owned),
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// What to run and how.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Case name patterns (see [`glob_match`]); empty runs every case.
    pub filters: Vec<String>,
    /// How long one case may take.
    pub case_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { filters: Vec::new(), case_timeout: DEFAULT_CASE_TIMEOUT }
    }
}

/// What the runner reports as it goes.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// A case is about to run on a vendor.
    Started {
        /// The case.
        case: &'a str,
        /// The vendor.
        vendor: &'a str,
        /// 0-based position among all runs.
        index: usize,
        /// How many runs there are (cases × vendors).
        total: usize,
    },
    /// A case finished on a vendor.
    Finished {
        /// Its result.
        result: &'a CaseResult,
        /// 0-based position among all runs.
        index: usize,
        /// How many runs there are.
        total: usize,
    },
}

/// Matches `name` against `pattern`: `*` is any run of characters, `?` any one
/// character, everything else itself.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was, and the name position it is currently standing for.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// True when `name` is selected by `pattern`: a glob match, or (for a pattern
/// without wildcards and without a dot) a whole area, so `login` selects
/// `login.*`.
pub fn selects(pattern: &str, name: &str) -> bool {
    glob_match(pattern, name)
        || (!pattern.contains(['*', '?', '.']) && name.split_once('.').is_some_and(|(area, _)| area == pattern))
}

/// The cases selected by any of `patterns` (all of them when there are none),
/// in their original order.
pub fn filter_cases(cases: Vec<Case>, patterns: &[impl AsRef<str>]) -> Vec<Case> {
    if patterns.is_empty() {
        return cases;
    }
    cases.into_iter().filter(|c| patterns.iter().any(|p| selects(p.as_ref(), c.name))).collect()
}

/// Runs one case on a fresh harness from `factory`, in its own task, within `timeout`.
pub async fn run_case(case: &Case, factory: &HarnessFactory, timeout: Duration) -> Outcome {
    let case = *case;
    let factory = factory.clone();
    let task = tokio::spawn(async move {
        let harness = match factory.create().await {
            Ok(h) => h,
            Err(e) => return Outcome::Fail(format!("could not set up the harness: {e}")),
        };
        if let Err(missing) = (case.needs)(&harness.capabilities()) {
            return Outcome::Unsupported(format!("the adapter does not claim {missing}"));
        }
        match (case.run)(&*harness).await {
            Ok(()) => Outcome::Pass,
            Err(failure) => Outcome::Fail(failure.to_string()),
        }
    });
    let abort = task.abort_handle();
    match tokio::time::timeout(timeout, task).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Outcome::Fail(format!("the case {}", join_error_message(e))),
        Err(_) => {
            abort.abort();
            Outcome::Fail(format!("the case did not finish within {timeout:?}"))
        }
    }
}

/// Runs every selected case on every vendor, one after the other, and returns
/// the results in case order, vendor by vendor within a case.
pub async fn run(
    cases: &[Case],
    vendors: &[(&str, HarnessFactory)],
    options: &RunOptions,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Vec<CaseResult> {
    let selected = filter_cases(cases.to_vec(), &options.filters);
    let total = selected.len() * vendors.len();
    let mut results = Vec::with_capacity(total);
    for case in &selected {
        for (vendor, factory) in vendors {
            let index = results.len();
            progress(Progress::Started { case: case.name, vendor, index, total });
            let started = Instant::now();
            let outcome = run_case(case, factory, options.case_timeout).await;
            let result = CaseResult::new(case.name, vendor, &outcome, started.elapsed());
            progress(Progress::Finished { result: &result, index, total });
            results.push(result);
        }
    }
    results
}

/// Runs the case `name` on a fresh harness: returns on pass, prints
/// `unsupported: <what is missing>` and returns when unsupported, and panics
/// with the failure otherwise. What [`crate::suite!`] calls for each test.
pub async fn run_one(name: &str, factory: HarnessFactory) {
    let case = case::find(name).unwrap_or_else(|| panic!("there is no conformance case named {name:?}"));
    match run_case(&case, &factory, DEFAULT_CASE_TIMEOUT).await {
        Outcome::Pass => {}
        Outcome::Unsupported(reason) => println!("unsupported: {reason}"),
        Outcome::Fail(detail) => panic!("conformance case {name} failed: {detail}"),
    }
}

/// [`run_one`] on a new multi-threaded tokio runtime, for plain `#[test]` functions.
pub fn run_test(name: &str, factory: HarnessFactory) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("building a tokio runtime for the conformance case");
    runtime.block_on(run_one(name, factory));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::Failure;
    use crate::harness::{Harness, SessionSetup};
    use async_trait::async_trait;
    use futures::future::BoxFuture;
    use std::sync::Arc;
    use unim_core::{Admin, Capabilities, Credentials, Error, ManualClock, ReconnectPolicy, Session};

    /// A harness for cases that touch nothing but the capabilities.
    struct Bare {
        clock: ManualClock,
        caps: Capabilities,
    }

    #[async_trait]
    impl Harness for Bare {
        fn vendor(&self) -> &'static str {
            "bare"
        }
        fn capabilities(&self) -> Capabilities {
            self.caps
        }
        fn clock(&self) -> &ManualClock {
            &self.clock
        }
        fn admin(&self) -> Arc<dyn Admin> {
            unreachable!("runner tests never ask the bare harness for an admin")
        }
        fn session(&self, _: SessionSetup) -> Box<dyn Session> {
            unreachable!("runner tests never ask the bare harness for a session")
        }
        fn fresh_user(&self) -> String {
            "u".into()
        }
        fn unregistered_user(&self) -> String {
            "n".into()
        }
        fn invalid_user_id(&self) -> String {
            String::new()
        }
        async fn credentials(&self, user: &str, _: Duration) -> Result<Credentials, Error> {
            Ok(Credentials::token(user, "t"))
        }
        async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
            Ok(Credentials::token(user, "t"))
        }
        async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
            Ok(Credentials::token(user, "wrong"))
        }
        async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
            Ok(Credentials::token(user, "old"))
        }
        fn drop_links(&self, _: &str) -> usize {
            0
        }
        fn refuse_connections(&self, _: bool) {}
        fn connection_attempts(&self) -> u64 {
            0
        }
        fn hold_logins(&self) {}
        fn release_logins(&self) {}
        fn reconnect_policy(&self) -> ReconnectPolicy {
            ReconnectPolicy::default()
        }
    }

    fn bare(caps: Capabilities) -> HarnessFactory {
        HarnessFactory::new(move || async move {
            Ok(Box::new(Bare { clock: ManualClock::at_unix(0), caps }) as Box<dyn Harness>)
        })
    }

    fn case(name: &'static str, run: CaseFnOf) -> Case {
        Case { name, about: "", needs: |c| crate::case::require(c.auto_login, "auto_login"), run }
    }

    type CaseFnOf = for<'a> fn(&'a dyn Harness) -> BoxFuture<'a, Result<(), Failure>>;

    fn passes(_: &dyn Harness) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async { Ok(()) })
    }
    fn fails(_: &dyn Harness) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async { Err(Failure::new("expected X, got Y")) })
    }
    fn panics(_: &dyn Harness) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async { panic!("boom") })
    }
    fn hangs(_: &dyn Harness) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(futures::future::pending())
    }

    #[tokio::test]
    async fn outcomes_of_passing_failing_panicking_hanging_and_unclaimed_cases() {
        let claimed = bare(Capabilities { auto_login: true, ..Capabilities::default() });
        let t = Duration::from_secs(5);
        assert_eq!(run_case(&case("a.pass", passes), &claimed, t).await, Outcome::Pass);
        assert_eq!(run_case(&case("a.fail", fails), &claimed, t).await, Outcome::Fail("expected X, got Y".into()));
        assert_eq!(
            run_case(&case("a.panic", panics), &claimed, t).await,
            Outcome::Fail("the case panicked: boom".into())
        );
        let hung = run_case(&case("a.hang", hangs), &claimed, Duration::from_millis(50)).await;
        assert_eq!(hung, Outcome::Fail("the case did not finish within 50ms".into()));
        let unclaimed = bare(Capabilities::default());
        assert_eq!(
            run_case(&case("a.fail", fails), &unclaimed, t).await,
            Outcome::Unsupported("the adapter does not claim auto_login".into()),
            "an unclaimed case is not run"
        );
        let broken = HarnessFactory::new(|| async { Err(Error::unavailable("no emulator")) });
        assert_eq!(
            run_case(&case("a.pass", passes), &broken, t).await,
            Outcome::Fail("could not set up the harness: unavailable: no emulator".into())
        );
    }

    #[tokio::test]
    async fn run_filters_reports_progress_and_orders_results() {
        let cases = [case("a.pass", passes), case("a.fail", fails), case("b.pass", passes)];
        let vendors = [
            ("yes", bare(Capabilities { auto_login: true, ..Capabilities::default() })),
            ("no", bare(Capabilities::default())),
        ];
        let options = RunOptions { filters: vec!["a.*".into()], ..RunOptions::default() };
        let mut seen = Vec::new();
        let results = run(&cases, &vendors, &options, &mut |p| {
            seen.push(match p {
                Progress::Started { case, vendor, index, total } => format!("start {case} {vendor} {index}/{total}"),
                Progress::Finished { result, index, total } => {
                    format!("done {} {} {} {index}/{total}", result.case, result.vendor, result.outcome)
                }
            })
        })
        .await;
        let cells: Vec<(&str, &str, Verdict)> =
            results.iter().map(|r| (r.case.as_str(), r.vendor.as_str(), r.outcome)).collect();
        assert_eq!(
            cells,
            [
                ("a.pass", "yes", Verdict::Pass),
                ("a.pass", "no", Verdict::Unsupported),
                ("a.fail", "yes", Verdict::Fail),
                ("a.fail", "no", Verdict::Unsupported),
            ]
        );
        assert_eq!(results[2].detail.as_deref(), Some("expected X, got Y"));
        assert_eq!(seen.len(), 8);
        assert_eq!(seen[0], "start a.pass yes 0/4");
        assert_eq!(seen[7], "done a.fail no unsupported 3/4");
    }

    #[test]
    fn glob_stars_and_question_marks() {
        assert!(glob_match("login.*", "login.ok"));
        assert!(glob_match("login.*", "login."));
        assert!(!glob_match("login.*", "logout.ok"));
        assert!(glob_match("*kick*", "kick.other_login"));
        assert!(glob_match("*kick*", "autologin.kick"));
        assert!(!glob_match("*kick*", "login.ok"));
        assert!(glob_match("login.ok", "login.ok"));
        assert!(!glob_match("login.ok", "login.okay"));
        assert!(!glob_match("login.ok", "login.o"));
        assert!(glob_match("l?gin.o?", "login.ok"));
        assert!(!glob_match("l?gin", "lgin"));
        assert!(glob_match("*", ""));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        assert!(glob_match("*.*_*", "credential.will_expire"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("**", "abc"));
        assert!(glob_match("crédit*", "crédit.ok"));
    }

    #[test]
    fn a_bare_area_selects_its_cases_only() {
        assert!(selects("login", "login.ok"));
        assert!(!selects("login", "autologin.resume"));
        assert!(!selects("log", "login.ok"));
        assert!(selects("login.ok", "login.ok"));
        assert!(!selects("login.o", "login.ok"));
    }

    #[test]
    fn filters_keep_the_suite_order() {
        let names = |cases: Vec<Case>| cases.into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(filter_cases(case::all(), &["kick"])), ["kick.other_login", "kick.by_server"]);
        assert_eq!(names(filter_cases(case::all(), &["*expire*", "logout.ok"])).len(), 4);
        assert_eq!(filter_cases(case::all(), &[] as &[&str]).len(), case::all().len());
        assert!(filter_cases(case::all(), &["nothing.like.this"]).is_empty());
    }

    #[test]
    fn results_serialize_with_lowercase_outcomes() {
        let r = CaseResult::new("login.ok", "tencent", &Outcome::Fail("boom".into()), Duration::from_millis(12));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"case": "login.ok", "vendor": "tencent", "outcome": "fail", "detail": "boom", "duration_ms": 12})
        );
    }
}
