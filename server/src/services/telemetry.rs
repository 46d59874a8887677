//! `demo.v1.TelemetryService`: samples streamed from a browser, summed up as they arrive
//! (nothing is kept per sample), and an echo for timing round trips on one open stream.

use futures_util::{Stream, StreamExt};
use prost::Message;
use proto::demo::v1::telemetry_service_server::{TelemetryService, TelemetryServiceServer};
use proto::demo::v1::{Ping, Pong, Sample, Summary};
use tonic::{Request, Response, Status, Streaming};

use super::details::{bad_request, violation};
use super::BoxStream;

/// Largest padding a ping may carry.
pub const MAX_PADDING: usize = 64 * 1024;

/// The running summary of a recording.
#[derive(Debug, Default)]
struct Tally {
    summary: Summary,
    first_ms: f64,
    last: Option<(f64, f64, f64)>,
    sum_x: f64,
    sum_y: f64,
}

impl Tally {
    fn add(&mut self, sample: &Sample) -> Result<(), Status> {
        let Sample { x, y, at_ms } = *sample;
        for (name, value) in [("x", x), ("y", y), ("at_ms", at_ms)] {
            if !value.is_finite() {
                return Err(bad_request(
                    "invalid sample",
                    vec![violation(name, "must be a finite number", "NOT_FINITE")],
                ));
            }
        }
        let s = &mut self.summary;
        match self.last {
            None => {
                self.first_ms = at_ms;
                (s.min_x, s.max_x, s.min_y, s.max_y) = (x, x, y, y);
            }
            Some((lx, ly, _)) => {
                s.path_length += (x - lx).hypot(y - ly);
                (s.min_x, s.max_x) = (s.min_x.min(x), s.max_x.max(x));
                (s.min_y, s.max_y) = (s.min_y.min(y), s.max_y.max(y));
            }
        }
        self.last = Some((x, y, at_ms));
        s.samples += 1;
        s.bytes += sample.encoded_len() as u64;
        self.sum_x += x;
        self.sum_y += y;
        Ok(())
    }

    fn finish(mut self) -> Summary {
        let s = &mut self.summary;
        if let Some((_, _, last_ms)) = self.last {
            s.duration_ms = last_ms - self.first_ms;
            s.mean_x = self.sum_x / s.samples as f64;
            s.mean_y = self.sum_y / s.samples as f64;
            if s.samples > 1 && s.duration_ms > 0.0 {
                s.rate_hz = (s.samples - 1) as f64 * 1000.0 / s.duration_ms;
            }
        }
        self.summary
    }
}

/// Sums up `samples` until the client half-closes.
pub async fn record<S>(mut samples: S) -> Result<Summary, Status>
where
    S: Stream<Item = Result<Sample, Status>> + Unpin,
{
    let mut tally = Tally::default();
    while let Some(sample) = samples.next().await {
        tally.add(&sample?)?;
    }
    Ok(tally.finish())
}

fn pong(ping: Result<Ping, Status>) -> Result<Pong, Status> {
    let ping = ping?;
    if ping.padding.len() > MAX_PADDING {
        return Err(bad_request(
            "invalid ping",
            vec![violation(
                "padding",
                format!("must be at most {MAX_PADDING} bytes"),
                "TOO_LONG",
            )],
        ));
    }
    Ok(Pong {
        sequence: ping.sequence,
        sent_at_ms: ping.sent_at_ms,
        padding_len: ping.padding.len() as u32,
    })
}

/// The `TelemetryService` implementation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Telemetry;

impl Telemetry {
    /// The tonic service, ready to add to a router.
    pub fn into_service(self) -> TelemetryServiceServer<Self> {
        TelemetryServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl TelemetryService for Telemetry {
    async fn record(
        &self,
        request: Request<Streaming<Sample>>,
    ) -> Result<Response<Summary>, Status> {
        record(request.into_inner()).await.map(Response::new)
    }

    type EchoStream = BoxStream<Pong>;

    async fn echo(
        &self,
        request: Request<Streaming<Ping>>,
    ) -> Result<Response<Self::EchoStream>, Status> {
        // Pulled one by one: a client that stops reading stops being read. The stream ends
        // after the first error.
        let pongs = request.into_inner().map(pong).scan(false, |failed, item| {
            let out = (!*failed).then_some(item);
            *failed = out.as_ref().is_some_and(Result::is_err);
            std::future::ready(out)
        });
        Ok(Response::new(Box::pin(pongs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;
    use tonic::Code;

    fn at(x: f64, y: f64, at_ms: f64) -> Result<Sample, Status> {
        Ok(Sample { x, y, at_ms })
    }

    #[tokio::test]
    async fn a_recording_is_summed_up() {
        let samples = stream::iter(vec![
            at(0.0, 0.0, 100.0),
            at(3.0, 4.0, 150.0),
            at(3.0, 0.0, 200.0),
        ]);
        let s = record(samples).await.unwrap();
        assert_eq!(s.samples, 3);
        assert_eq!(s.duration_ms, 100.0);
        assert_eq!(s.rate_hz, 20.0);
        assert_eq!(s.path_length, 9.0);
        assert_eq!((s.min_x, s.max_x, s.min_y, s.max_y), (0.0, 3.0, 0.0, 4.0));
        assert_eq!((s.mean_x, s.mean_y), (2.0, 4.0 / 3.0));
        assert!(s.bytes > 0);
    }

    #[tokio::test]
    async fn an_empty_recording_and_a_bad_sample() {
        let s = record(stream::iter(vec![])).await.unwrap();
        assert_eq!((s.samples, s.rate_hz), (0, 0.0));
        let bad = record(stream::iter(vec![
            at(1.0, 1.0, 1.0),
            at(f64::NAN, 0.0, 2.0),
        ]))
        .await;
        let status = bad.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
    }

    #[test]
    fn pongs_echo_and_padding_is_bounded() {
        let ok = pong(Ok(Ping {
            sequence: 7,
            sent_at_ms: 1.5,
            padding: vec![0; 10].into(),
        }))
        .unwrap();
        assert_eq!((ok.sequence, ok.sent_at_ms, ok.padding_len), (7, 1.5, 10));
        let big = pong(Ok(Ping {
            padding: vec![0; MAX_PADDING + 1].into(),
            ..Ping::default()
        }));
        assert_eq!(big.unwrap_err().code(), Code::InvalidArgument);
    }
}
