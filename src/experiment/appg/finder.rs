//! The largest stable η of a variant: double from the baseline η until a probe is unstable
//! (or halve until one is stable), then bisect in log η between the last stable and the
//! first unstable probe.

use serde::{Deserialize, Serialize};

use super::config::FinderConfig;

/// Halvings tried below the baseline η before giving up.
const MAX_HALVINGS: u32 = 10;

/// One probe's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub eta: f64,
    pub stable: bool,
}

/// A search in progress (or done).
#[derive(Debug, Clone, PartialEq)]
pub struct EtaSearch {
    base: f64,
    max: f64,
    /// Largest η found stable so far.
    lo: Option<f64>,
    /// Smallest η found unstable so far.
    hi: Option<f64>,
    bisections_left: u32,
    probes: Vec<Probe>,
}

impl EtaSearch {
    /// A search starting at the baseline η `base`.
    pub fn new(base: f64, cfg: &FinderConfig) -> Self {
        Self {
            base,
            max: base * cfg.max_factor,
            lo: None,
            hi: None,
            bisections_left: cfg.bisections,
            probes: Vec::new(),
        }
    }

    /// The next η to probe, or `None` once the search is over.
    pub fn next(&self) -> Option<f64> {
        match (self.lo, self.hi) {
            (None, None) => Some(self.base),
            // double, and probe the limit itself when doubling would pass it
            (Some(lo), None) => (lo < self.max * (1.0 - 1e-12)).then(|| (lo * 2.0).min(self.max)),
            (None, Some(hi)) => {
                (hi > self.base / f64::from(1u32 << MAX_HALVINGS)).then_some(hi / 2.0)
            }
            (Some(lo), Some(hi)) => (self.bisections_left > 0).then(|| (lo * hi).sqrt()),
        }
    }

    /// Records the outcome of probing `eta` (the value [`EtaSearch::next`] gave).
    pub fn report(&mut self, eta: f64, stable: bool) {
        if self.lo.is_some() && self.hi.is_some() {
            self.bisections_left = self.bisections_left.saturating_sub(1);
        }
        if stable {
            self.lo = Some(self.lo.map_or(eta, |lo| lo.max(eta)));
        } else {
            self.hi = Some(self.hi.map_or(eta, |hi| hi.min(eta)));
        }
        self.probes.push(Probe { eta, stable });
    }

    /// The largest η found stable (`None`: not even the smallest probe was).
    pub fn result(&self) -> Option<f64> {
        self.lo
    }

    /// Whether the search stopped at `max_factor` without finding an unstable η.
    pub fn at_limit(&self) -> bool {
        self.hi.is_none() && self.lo.is_some()
    }

    pub fn probes(&self) -> &[Probe] {
        &self.probes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_with_edge(base: f64, edge: f64, cfg: &FinderConfig) -> EtaSearch {
        let mut s = EtaSearch::new(base, cfg);
        let mut n = 0;
        while let Some(eta) = s.next() {
            s.report(eta, eta <= edge);
            n += 1;
            assert!(n < 100, "the search does not end");
        }
        s
    }

    #[test]
    fn brackets_the_edge_to_the_bisection_precision() {
        let cfg = FinderConfig {
            max_factor: 1000.0,
            bisections: 5,
            probe_factor: 3.0,
        };
        for edge in [0.013, 0.1, 0.37, 7.9] {
            let s = search_with_edge(0.01, edge, &cfg);
            let found = s.result().unwrap();
            // 5 bisections of a factor-2 bracket: within 2^(1/32)
            assert!(
                found <= edge && found > edge / 2f64.powf(1.0 / 32.0),
                "{edge}: {found}"
            );
            assert!(!s.at_limit());
        }
    }

    #[test]
    fn searches_down_when_the_baseline_is_unstable() {
        let cfg = FinderConfig::default();
        let s = search_with_edge(1.0, 0.3, &cfg);
        let found = s.result().unwrap();
        assert!(
            found <= 0.3 && found > 0.3 / 2f64.powf(1.0 / 16.0),
            "{found}"
        );
        // never stable: no result, and the search still ends
        let s = search_with_edge(1.0, 0.0, &cfg);
        assert_eq!(s.result(), None);
    }

    #[test]
    fn stops_at_the_search_limit() {
        let cfg = FinderConfig {
            max_factor: 8.0,
            ..FinderConfig::default()
        };
        let s = search_with_edge(1.0, f64::INFINITY, &cfg);
        assert_eq!(s.result(), Some(8.0));
        assert!(s.at_limit());
        assert_eq!(s.probes().len(), 4);
    }
}
