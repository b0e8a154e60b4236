//! A small JSON client for seeding (not the load generator's client).

use anyhow::{Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

/// A response: status, JSON body (Null when empty or not JSON), and the raw headers.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Http {
    pub fn new() -> Self {
        Http {
            client: reqwest::Client::builder()
                .http1_only()
                .build()
                .expect("client"),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
        content_type: &str,
    ) -> Result<Answer> {
        let mut req = self.client.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(body) = body {
            req = req.header("content-type", content_type).body(body);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("{method} {url}"))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            body,
            headers,
        })
    }

    /// A JSON request that must answer `expect`; answers the body.
    pub async fn json(
        &self,
        method: Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<&Value>,
        expect: StatusCode,
    ) -> Result<Answer> {
        let a = self
            .call(
                method.clone(),
                url,
                headers,
                body.map(|b| serde_json::to_vec(b).unwrap()),
                "application/json",
            )
            .await?;
        anyhow::ensure!(
            a.status == expect,
            "{method} {url}: expected {expect}, got {}: {}",
            a.status,
            a.body
        );
        Ok(a)
    }

    /// Polls `url` until it answers 200.
    pub async fn wait_ready(&self, url: &str, what: &str) -> Result<()> {
        for _ in 0..600 {
            if let Ok(r) = self.client.get(url).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        anyhow::bail!("{what} did not become ready at {url}")
    }
}

/// Runs `f(i)` for i in 0..n with at most `parallel` at once; answers the results in order.
pub async fn parallel<T, F, Fut>(n: usize, parallel: usize, f: F) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(parallel));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let permit = sem.clone().acquire_owned().await?;
        let fut = f(i);
        set.spawn(async move {
            let r = fut.await;
            drop(permit);
            (i, r)
        });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, r) = joined?;
        out[i] = Some(r?);
    }
    Ok(out
        .into_iter()
        .map(|x| x.expect("every task answered"))
        .collect())
}
