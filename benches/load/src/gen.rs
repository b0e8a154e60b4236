//! The load generator: its own process (`portico-load gen --plan FILE`), so its CPU is not the
//! runner's. A fixed number of workers, each with one keep-alive HTTP/1.1 connection (hyper's
//! client connection, requests prepared once), loop over their script of requests until the
//! deadline; every request's latency is recorded and the result is printed as one JSON line.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Longest a request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One request of a worker's script.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Step {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    /// Statuses that count as success (e.g. 422 for an update that must be refused).
    pub expect: Vec<u16>,
}

/// What one generator run does.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub scenario: String,
    pub target: String,
    pub concurrency: usize,
    pub duration_s: f64,
    #[serde(default)]
    pub warmup_s: f64,
    /// Worker `i` runs `scripts[i % scripts.len()]` in a loop.
    pub scripts: Vec<Vec<Step>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GenResult {
    pub scenario: String,
    pub target: String,
    pub concurrency: usize,
    pub requests: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The first unexpected answer, to tell what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

struct WorkerOut {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

pub fn run(plan_path: &str) -> Result<()> {
    let plan: Plan = serde_json::from_slice(
        &std::fs::read(plan_path).with_context(|| format!("read {plan_path}"))?,
    )?;
    // One thread: the generator's share of the 2 cores stays bounded and predictable.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(drive(plan))?;
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

async fn drive(plan: Plan) -> Result<GenResult> {
    anyhow::ensure!(
        !plan.scripts.is_empty() && plan.concurrency > 0,
        "empty plan"
    );
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(plan.warmup_s);
    let deadline = measure_from + Duration::from_secs_f64(plan.duration_s);
    let mut tasks = Vec::new();
    for w in 0..plan.concurrency {
        let script = plan.scripts[w % plan.scripts.len()].clone();
        tasks.push(tokio::spawn(worker(script, measure_from, deadline)));
    }
    let mut all = Vec::new();
    let (mut errors, mut first_error) = (0u64, None);
    for t in tasks {
        let out = t.await??;
        all.extend(out.latencies_us);
        errors += out.errors;
        if first_error.is_none() {
            first_error = out.first_error;
        }
    }
    let elapsed = Instant::now()
        .saturating_duration_since(measure_from)
        .as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((p * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1;
        all[i] as f64 / 1000.0
    };
    Ok(GenResult {
        scenario: plan.scenario,
        target: plan.target,
        concurrency: plan.concurrency,
        requests: all.len() as u64,
        errors,
        rps: all.len() as f64 / elapsed.max(1e-9),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        first_error,
    })
}

/// A step made ready to send: parsed once, so a request costs no URL parsing or header
/// validation in the generator (its CPU is taken from the server on the same cores).
struct Prepared<'a> {
    step: &'a Step,
    method: Method,
    path: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

fn prepare(step: &Step) -> Result<(SocketAddr, HeaderValue, Prepared<'_>)> {
    let uri: Uri = step
        .url
        .parse()
        .with_context(|| format!("url {}", step.url))?;
    let authority = uri.authority().context("the url has no host")?.clone();
    let addr = authority
        .as_str()
        .to_socket_addrs()?
        .next()
        .context("the host resolves to nothing")?;
    let path: Uri = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .parse()?;
    let mut headers = Vec::new();
    for (k, v) in &step.headers {
        headers.push((
            HeaderName::try_from(k.as_str())?,
            HeaderValue::try_from(v.as_str())?,
        ));
    }
    if step.body.is_some() {
        headers.push((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ));
    }
    let prepared = Prepared {
        step,
        method: step.method.parse()?,
        path,
        headers,
        body: Bytes::from(step.body.clone().unwrap_or_default()),
    };
    Ok((addr, HeaderValue::try_from(authority.as_str())?, prepared))
}

/// Opens one keep-alive HTTP/1.1 connection (hyper's client connection, no pool).
async fn connect(addr: SocketAddr) -> Result<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one request on `sender` and reads the whole answer: its status and body.
async fn exchange(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    host: &HeaderValue,
    p: &Prepared<'_>,
) -> Result<(u16, Bytes)> {
    let mut request = Request::builder()
        .method(p.method.clone())
        .uri(p.path.clone())
        .body(Full::new(p.body.clone()))?;
    let headers = request.headers_mut();
    headers.insert(header::HOST, host.clone());
    for (k, v) in &p.headers {
        headers.append(k.clone(), v.clone());
    }
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

async fn worker(script: Vec<Step>, measure_from: Instant, deadline: Instant) -> Result<WorkerOut> {
    let mut steps = Vec::new();
    let mut target = None;
    for step in &script {
        let (addr, host, prepared) = prepare(step)?;
        anyhow::ensure!(
            target.as_ref().is_none_or(|(a, _)| *a == addr),
            "a script talks to one server"
        );
        target = Some((addr, host));
        steps.push(prepared);
    }
    let (addr, host) = target.context("an empty script")?;
    let mut sender = connect(addr).await?;
    let mut out = WorkerOut {
        latencies_us: Vec::with_capacity(1 << 14),
        errors: 0,
        first_error: None,
    };
    'outer: loop {
        for p in &steps {
            let now = Instant::now();
            if now >= deadline {
                break 'outer;
            }
            // A connection the server closed (or that failed) is replaced before the request.
            if sender.ready().await.is_err() {
                sender = connect(addr).await?;
            }
            let step = p.step;
            let outcome = timeout(REQUEST_TIMEOUT, exchange(&mut sender, &host, p)).await;
            // A request that failed or timed out may leave the connection unusable (or busy
            // with the stuck request): the next one goes on a new connection. A refused status
            // leaves it as it is.
            if !matches!(outcome, Ok(Ok(_))) {
                sender = connect(addr).await?;
            }
            let answer = match outcome {
                Ok(Ok((status, _))) if step.expect.contains(&status) => Ok(()),
                Ok(Ok((status, b))) => Err(format!(
                    "{} {}: {} {}",
                    step.method,
                    step.url,
                    status,
                    String::from_utf8_lossy(&b[..b.len().min(300)])
                )),
                Ok(Err(e)) => Err(format!("{} {}: {e:#}", step.method, step.url)),
                Err(_) => Err(format!("{} {}: timed out", step.method, step.url)),
            };
            if now < measure_from {
                continue;
            }
            out.latencies_us
                .push(now.elapsed().as_micros().min(u32::MAX as u128) as u32);
            if let Err(e) = answer {
                out.errors += 1;
                out.first_error.get_or_insert(e);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_back() {
        let plan = Plan {
            scenario: "s".into(),
            target: "portico".into(),
            concurrency: 2,
            duration_s: 1.0,
            warmup_s: 0.0,
            scripts: vec![vec![Step {
                method: "GET".into(),
                url: "http://127.0.0.1:1/x".into(),
                headers: vec![],
                body: None,
                expect: vec![200],
            }]],
        };
        let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
        assert_eq!(back.scripts[0][0].expect, vec![200]);
    }
}
