//! Tenant A of `portico-load noisy`: the hostile spinner (`hostile_infinite_loop`) bound as a
//! field validator at the operator's maximum fuel and deadline, and a fixed number of callers
//! invoking that binding back to back (a 503 is retried at once, as a hostile tenant would),
//! each counting how its calls ended.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::fixtures::OPERATOR_TOKEN;
use crate::http::Http;
use crate::seed::{create_tenant, upload_plugin};

/// The noisy tenant's namespace.
pub const NOISY_TENANT: &str = "noisy";
/// Pause of a caller after a failed connection, so a dead server is not hammered.
const ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The limits the spinner runs under: the operator's maximum, which is the most a tenant may set.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpinLimits {
    pub fuel: u64,
    pub deadline_ms: u64,
}

/// Where tenant A's callers call, with what.
pub struct Spinner {
    invoke_url: String,
    auth: Vec<(String, String)>,
    pub limits: SpinLimits,
}

/// Creates tenant A: the spinner uploaded, its limits raised to the operator's maximum, and
/// bound as a field validator of every form.
pub async fn seed_spinner(http: &Http, base: &str) -> Result<Spinner> {
    let key = create_tenant(http, base, NOISY_TENANT, "Noisy").await?;
    let auth = vec![("authorization".to_string(), format!("Bearer {key}"))];
    let tenant = format!("{base}/v1/tenants/{NOISY_TENANT}");
    let wasm = crate::repo_root().join("plugins/target/wasm32-wasip2/release");
    let bytes = std::fs::read(wasm.join("hostile_infinite_loop.wasm"))?;
    upload_plugin(http, &tenant, &auth, "spinner", bytes).await?;
    let op = vec![(
        "authorization".to_string(),
        format!("Bearer {OPERATOR_TOKEN}"),
    )];
    let maximum = http
        .json(
            Method::GET,
            &format!("{base}/v1/plugin-limits"),
            &op,
            None,
            StatusCode::OK,
        )
        .await?
        .body["maximum"]
        .clone();
    let limits = SpinLimits {
        fuel: maximum["fuel"].as_u64().context("maximum fuel")?,
        deadline_ms: maximum["deadlineMs"].as_u64().context("maximum deadline")?,
    };
    http.json(
        Method::PUT,
        &format!("{tenant}/plugin-limits"),
        &auth,
        Some(&json!({"fuel": limits.fuel, "deadlineMs": limits.deadline_ms})),
        StatusCode::OK,
    )
    .await?;
    let binding = http
        .json(
            Method::POST,
            &format!("{tenant}/plugin-bindings"),
            &auth,
            Some(&json!({"plugin": "spinner", "interface": "field-validator", "target": "*"})),
            StatusCode::CREATED,
        )
        .await?;
    let id = binding.body["id"].as_str().context("binding id")?;
    Ok(Spinner {
        invoke_url: format!("{tenant}/plugin-bindings/{id}/invoke"),
        auth,
        limits,
    })
}

/// How tenant A's calls ended.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoisyOutcomes {
    /// Calls the plugin ran in (answered 200).
    pub ran: u64,
    pub deadline: u64,
    pub out_of_fuel: u64,
    /// Ran and ended otherwise (never expected of the spinner).
    pub other_outcomes: u64,
    /// Answered 503 (no operation thread or plugin slot within the wait), by error code.
    pub refused: BTreeMap<String, u64>,
    /// Any other answer, or no answer.
    pub errors: u64,
    pub first_error: Option<String>,
    /// The longest call the plugin ran for (its report's `durationUs`), and the most fuel one
    /// used: what shows the calls stayed inside their limits.
    pub longest_run_ms: f64,
    pub most_fuel: u64,
    /// The plugin's run time of every call together, over the seconds A's callers ran: how
    /// many spinner calls ran at once on average.
    pub run_ms_total: f64,
    pub load_s: f64,
}

impl NoisyOutcomes {
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    /// Spinner calls running at once, on average over A's load.
    pub fn mean_running(&self) -> f64 {
        if self.load_s > 0.0 {
            self.run_ms_total / 1000.0 / self.load_s
        } else {
            0.0
        }
    }

    fn merge(&mut self, other: NoisyOutcomes) {
        self.ran += other.ran;
        self.deadline += other.deadline;
        self.out_of_fuel += other.out_of_fuel;
        self.other_outcomes += other.other_outcomes;
        for (code, n) in other.refused {
            *self.refused.entry(code).or_default() += n;
        }
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.longest_run_ms = self.longest_run_ms.max(other.longest_run_ms);
        self.most_fuel = self.most_fuel.max(other.most_fuel);
        self.run_ms_total += other.run_ms_total;
    }

    /// Counts one answer of the binding's invoke route.
    fn record(&mut self, status: StatusCode, body: &Value) {
        match status {
            StatusCode::OK => {
                self.ran += 1;
                match body["outcome"].as_str() {
                    Some("deadline") => self.deadline += 1,
                    Some("out_of_fuel") => self.out_of_fuel += 1,
                    _ => self.other_outcomes += 1,
                }
                let ran_ms = body["durationUs"].as_u64().unwrap_or(0) as f64 / 1000.0;
                self.longest_run_ms = self.longest_run_ms.max(ran_ms);
                self.run_ms_total += ran_ms;
                self.most_fuel = self.most_fuel.max(body["fuelUsed"].as_u64().unwrap_or(0));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                let code = body["error"]["code"].as_str().unwrap_or("?").to_string();
                *self.refused.entry(code).or_default() += 1;
            }
            _ => self.error(format!("{status} {body}")),
        }
    }

    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

/// Tenant A's callers, running until `stop`.
pub struct NoisyLoad {
    stop: Arc<AtomicBool>,
    started: Instant,
    callers: Vec<tokio::task::JoinHandle<NoisyOutcomes>>,
}

impl NoisyLoad {
    pub fn start(http: &Http, spinner: &Spinner, callers: usize) -> NoisyLoad {
        let stop = Arc::new(AtomicBool::new(false));
        let callers = (0..callers)
            .map(|_| {
                let (http, url) = (http.clone(), spinner.invoke_url.clone());
                let (auth, stop) = (spinner.auth.clone(), stop.clone());
                tokio::spawn(call_until_stopped(http, url, auth, stop))
            })
            .collect();
        NoisyLoad {
            stop,
            started: Instant::now(),
            callers,
        }
    }

    /// Stops the callers and waits for the calls they have under way (each ends within the
    /// queue waits plus the deadline); answers their outcomes together.
    pub async fn stop(self) -> Result<NoisyOutcomes> {
        self.stop.store(true, Ordering::SeqCst);
        let mut all = NoisyOutcomes::default();
        for caller in self.callers {
            all.merge(caller.await?);
        }
        all.load_s = self.started.elapsed().as_secs_f64();
        Ok(all)
    }
}

async fn call_until_stopped(
    http: Http,
    url: String,
    auth: Vec<(String, String)>,
    stop: Arc<AtomicBool>,
) -> NoisyOutcomes {
    let input = json!({"input": {"fields": [
        {"marker": "nickname", "type": "string", "value": "ann", "settings": {}}
    ]}});
    let body = serde_json::to_vec(&input).expect("json");
    let mut out = NoisyOutcomes::default();
    while !stop.load(Ordering::SeqCst) {
        let answer = http
            .call(
                Method::POST,
                &url,
                &auth,
                Some(body.clone()),
                "application/json",
            )
            .await;
        match answer {
            Ok(a) => out.record(a.status, &a.body),
            Err(e) => {
                out.error(format!("{e:#}"));
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_counted_by_outcome_and_refusal_code() {
        let mut a = NoisyOutcomes::default();
        a.record(
            StatusCode::OK,
            &json!({"outcome": "deadline", "durationUs": 5_001_000, "fuelUsed": 7}),
        );
        a.record(
            StatusCode::OK,
            &json!({"outcome": "out_of_fuel", "durationUs": 10, "fuelUsed": 9}),
        );
        let mut b = NoisyOutcomes::default();
        b.record(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"error": {"code": "server_busy"}}),
        );
        b.record(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"error": {"code": "server_busy"}}),
        );
        b.record(StatusCode::INTERNAL_SERVER_ERROR, &json!({}));
        a.merge(b);
        assert_eq!((a.ran, a.deadline, a.out_of_fuel), (2, 1, 1));
        assert_eq!(a.refused_total(), 2);
        assert_eq!(a.refused["server_busy"], 2);
        assert_eq!(a.errors, 1);
        assert_eq!((a.longest_run_ms, a.most_fuel), (5001.0, 9));
        a.load_s = 2.0;
        assert_eq!(a.mean_running(), (5001.0 + 0.01) / 1000.0 / 2.0);
        assert!(a.first_error.unwrap().starts_with("500"));
    }
}
