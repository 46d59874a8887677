//! A client's retry configuration: policies and timeouts by method, service or default, and
//! the throttling settings, as a gRPC service config holds them.

use std::time::Duration;

use super::policy::{InvalidPolicy, Policy};
use super::throttle::Throttle;
use crate::protocol::quoted::Quoted;

/// What applies to one method's calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MethodConfig {
    /// Retry or hedge after a failed attempt; `None`: one attempt.
    pub policy: Option<Policy>,
    /// A deadline for the whole call (every attempt); with the call's own deadline, the
    /// earlier one wins.
    pub timeout: Option<Duration>,
}

/// Which methods a [`MethodConfig`] is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Default,
    Service(String),
    Method(String, String),
}

/// Method configs by scope, most specific first on lookup, and retry throttling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RetryConfig {
    methods: Vec<(Scope, MethodConfig)>,
    throttling: Option<Throttle>,
}

impl RetryConfig {
    /// No policies: one attempt per call.
    pub fn new() -> RetryConfig {
        RetryConfig::default()
    }

    /// Sets `config` for `name`: `""` for every method, `"pkg.Service"` (or
    /// `"/pkg.Service/"`) for a service, `"/pkg.Service/Method"` (or
    /// `"pkg.Service/Method"`) for one method. Replaces an earlier config of that scope.
    pub fn set(&mut self, name: &str, config: MethodConfig) -> Result<(), InvalidPolicy> {
        let scope = scope(name)?;
        self.methods.retain(|(s, _)| *s != scope);
        self.methods.push((scope, config));
        Ok(())
    }

    /// The config set for exactly `name`'s scope (no fallback to wider scopes).
    pub fn get(&self, name: &str) -> Result<Option<&MethodConfig>, InvalidPolicy> {
        let scope = scope(name)?;
        Ok(self
            .methods
            .iter()
            .find(|(s, _)| *s == scope)
            .map(|(_, c)| c))
    }

    /// Adds `config` for `name` (as [`set`](Self::set)) unless that scope already has one.
    pub fn add(&mut self, name: &str, config: MethodConfig) -> Result<(), InvalidPolicy> {
        let scope = scope(name)?;
        if self.methods.iter().any(|(s, _)| *s == scope) {
            return Err(InvalidPolicy::new(format!(
                "two methodConfig entries name {}",
                if name.is_empty() { "the default" } else { name }
            )));
        }
        self.methods.push((scope, config));
        Ok(())
    }

    /// Throttles retries and hedges on this target.
    pub fn set_throttling(&mut self, throttle: Throttle) {
        self.throttling = Some(throttle);
    }

    /// The throttling settings, as a full bucket.
    pub fn throttling(&self) -> Option<&Throttle> {
        self.throttling.as_ref()
    }

    /// Whether no method has a policy or timeout and nothing is throttled.
    pub fn is_empty(&self) -> bool {
        self.methods.is_empty() && self.throttling.is_none()
    }

    /// The config for the method at `path` (`/pkg.Service/Method`): the method's own, else
    /// its service's, else the default.
    pub fn lookup(&self, path: &str) -> Option<&MethodConfig> {
        let (service, method) = split(path);
        let find = |want: &dyn Fn(&Scope) -> bool| {
            self.methods.iter().find(|(s, _)| want(s)).map(|(_, c)| c)
        };
        find(&|s| matches!(s, Scope::Method(a, b) if a == service && b == method))
            .or_else(|| find(&|s| matches!(s, Scope::Service(a) if a == service)))
            .or_else(|| find(&|s| *s == Scope::Default))
    }
}

/// `(service, method)` of a path; either may be empty.
fn split(path: &str) -> (&str, &str) {
    let path = path.strip_prefix('/').unwrap_or(path);
    crate::protocol::ascii::split_once(path, b'/').unwrap_or((path, ""))
}

fn scope(name: &str) -> Result<Scope, InvalidPolicy> {
    let (service, method) = split(name);
    match (service, method) {
        ("", "") => Ok(Scope::Default),
        ("", _) => Err(InvalidPolicy::new(format!(
            "{} names a method without its service",
            Quoted(name)
        ))),
        (s, "") => Ok(Scope::Service(s.to_owned())),
        (s, m) if !m.contains('/') => Ok(Scope::Method(s.to_owned(), m.to_owned())),
        _ => Err(InvalidPolicy::new(format!(
            "{} is not a method name",
            Quoted(name)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeout(ms: u64) -> MethodConfig {
        MethodConfig {
            policy: None,
            timeout: Some(Duration::from_millis(ms)),
        }
    }

    #[test]
    fn the_most_specific_scope_wins() {
        let mut c = RetryConfig::new();
        assert_eq!(c.lookup("/a.S/M"), None);
        c.set("", timeout(1)).unwrap();
        c.set("a.S", timeout(2)).unwrap();
        c.set("/a.S/M", timeout(3)).unwrap();
        assert_eq!(c.lookup("/a.S/M"), Some(&timeout(3)));
        assert_eq!(c.lookup("/a.S/N"), Some(&timeout(2)));
        assert_eq!(c.lookup("/b.T/M"), Some(&timeout(1)));
        c.set("/a.S/", timeout(4)).unwrap();
        assert_eq!(c.lookup("/a.S/N"), Some(&timeout(4)));
    }

    #[test]
    fn names_are_checked_and_duplicates_refused_when_added() {
        let mut c = RetryConfig::new();
        assert!(c.set("//M", timeout(1)).is_err());
        assert!(c.set("/a/b/c", timeout(1)).is_err());
        c.add("a.S/M", timeout(1)).unwrap();
        assert!(c.add("/a.S/M", timeout(2)).is_err());
        assert!(!c.is_empty());
    }
}
