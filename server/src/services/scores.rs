//! `demo.v1.ScoreService`: live scores of simulated football matches.
//!
//! Each `WatchScores` stream runs its own simulation, so watchers never wait on each other
//! and a stream costs only its small state. A tick advances one unfinished match (in turn)
//! by a few minutes, sometimes with a goal; a match ends at minute 90.

use std::time::Duration;

use futures_util::stream;
use proto::demo::v1::score_service_server::{ScoreService, ScoreServiceServer};
use proto::demo::v1::{ScoreUpdate, WatchScoresRequest};
use tonic::{Request, Response, Status};

use super::BoxStream;

/// The simulated matches: id, home team, away team.
pub const MATCHES: &[(&str, &str, &str)] = &[
    ("m1", "Lions", "Tigers"),
    ("m2", "Eagles", "Sharks"),
    ("m3", "Wolves", "Bears"),
    ("m4", "Falcons", "Otters"),
];
const DEFAULT_INTERVAL: Duration = Duration::from_millis(1000);
const MIN_INTERVAL_MS: u32 = 10;
const MAX_INTERVAL_MS: u32 = 5000;

/// One match's progress.
#[derive(Debug, Clone)]
struct Match {
    index: usize,
    minute: u32,
    home: u32,
    away: u32,
    started: bool,
    finished: bool,
}

/// A stream's whole simulation.
#[derive(Debug)]
struct Simulation {
    matches: Vec<Match>,
    turn: usize,
    sequence: u64,
    max_updates: u64,
    interval: Duration,
    rng: u64,
}

impl Simulation {
    fn new(indices: Vec<usize>, max_updates: u32, interval: Duration, seed: u64) -> Self {
        Simulation {
            matches: indices
                .into_iter()
                .map(|index| Match {
                    index,
                    minute: 0,
                    home: 0,
                    away: 0,
                    started: false,
                    finished: false,
                })
                .collect(),
            turn: 0,
            sequence: 0,
            max_updates: u64::from(max_updates),
            interval,
            // xorshift needs a non-zero state.
            rng: seed | 1,
        }
    }

    /// A small xorshift generator: the simulation needs variety, not quality.
    fn random(&mut self, below: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % below
    }

    /// The next update, or `None` once every match finished or the limit is reached.
    fn step(&mut self) -> Option<ScoreUpdate> {
        if self.max_updates != 0 && self.sequence >= self.max_updates {
            return None;
        }
        let n = self.matches.len();
        let i = (0..n)
            .map(|k| (self.turn + k) % n)
            .find(|&i| !self.matches[i].finished)?;
        self.turn = (i + 1) % n;
        let advance = 3 + self.random(10) as u32;
        let goal = self.random(100);
        let m = &mut self.matches[i];
        let (_, home_team, away_team) = MATCHES[m.index];
        let event = if !m.started {
            m.started = true;
            "kick-off".to_string()
        } else {
            m.minute = (m.minute + advance).min(90);
            if goal < 15 {
                m.home += 1;
                format!("goal {home_team}")
            } else if goal < 28 {
                m.away += 1;
                format!("goal {away_team}")
            } else if m.minute >= 90 {
                "full time".to_string()
            } else {
                "play".to_string()
            }
        };
        m.finished = m.minute >= 90;
        self.sequence += 1;
        Some(ScoreUpdate {
            match_id: MATCHES[m.index].0.into(),
            home_team: home_team.into(),
            away_team: away_team.into(),
            home_score: m.home,
            away_score: m.away,
            minute: m.minute,
            event,
            finished: m.finished,
            sequence: self.sequence,
        })
    }
}

/// The `ScoreService` implementation.
#[derive(Debug, Clone, Default)]
pub struct Scores;

impl Scores {
    /// The tonic service, ready to add to a router.
    pub fn into_service(self) -> ScoreServiceServer<Self> {
        ScoreServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl ScoreService for Scores {
    type WatchScoresStream = BoxStream<ScoreUpdate>;

    async fn watch_scores(
        &self,
        request: Request<WatchScoresRequest>,
    ) -> Result<Response<Self::WatchScoresStream>, Status> {
        let r = request.into_inner();
        let indices = if r.match_ids.is_empty() {
            (0..MATCHES.len()).collect()
        } else {
            let mut indices = Vec::new();
            for id in &r.match_ids {
                let i = MATCHES
                    .iter()
                    .position(|(m, _, _)| m == id)
                    .ok_or_else(|| Status::not_found(format!("no match {id:?}")))?;
                if !indices.contains(&i) {
                    indices.push(i);
                }
            }
            indices
        };
        let interval = match r.interval_ms {
            0 => DEFAULT_INTERVAL,
            ms => Duration::from_millis(ms.clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS).into()),
        };
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9e37_79b9, |d| d.as_nanos() as u64);
        let sim = Simulation::new(indices, r.max_updates, interval, seed);
        let stream = stream::unfold(sim, |mut sim| async move {
            if sim.sequence > 0 {
                tokio::time::sleep(sim.interval).await;
            }
            let update = sim.step()?;
            Some((Ok(update), sim))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_run_to_full_time_in_turn() {
        let mut sim = Simulation::new(vec![0, 2], 0, Duration::ZERO, 42);
        let updates: Vec<_> = std::iter::from_fn(|| sim.step()).collect();
        assert_eq!(updates[0].event, "kick-off");
        assert_eq!(updates[1].match_id, "m3");
        for id in ["m1", "m3"] {
            let mine: Vec<_> = updates.iter().filter(|u| u.match_id == id).collect();
            assert!(mine.windows(2).all(|w| w[0].minute <= w[1].minute));
            assert!(mine.windows(2).all(|w| w[0].home_score <= w[1].home_score));
            let last = mine.last().unwrap();
            assert!(last.finished && last.minute == 90, "{last:?}");
            assert_eq!(mine.iter().filter(|u| u.finished).count(), 1);
        }
        let sequences: Vec<u64> = updates.iter().map(|u| u.sequence).collect();
        assert_eq!(sequences, (1..=updates.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn max_updates_stops_the_stream() {
        let mut sim = Simulation::new(vec![0, 1, 2, 3], 5, Duration::ZERO, 7);
        assert_eq!(std::iter::from_fn(|| sim.step()).count(), 5);
    }
}
