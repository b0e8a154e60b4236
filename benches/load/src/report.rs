//! The printed table and the Portico/peer ratios.

use std::fmt::Write;

use crate::Measured;

pub fn table(results: &[Measured], scenarios: &[String], concurrency: &[usize]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| scenario | c | target | req/s | p50 ms | p99 ms | errors | server CPU | peak RSS MB | Portico/peer req/s |"
    );
    let _ = writeln!(
        s,
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for sc in scenarios {
        for &c in concurrency {
            let find = |t: &str| {
                results
                    .iter()
                    .find(|m| &m.gen.scenario == sc && m.gen.concurrency == c && m.gen.target == t)
            };
            let (p, q) = (find("portico"), find("peer"));
            let ratio = match (p, q) {
                (Some(p), Some(q)) if q.gen.rps > 0.0 => format!("{:.1}x", p.gen.rps / q.gen.rps),
                (Some(_), None) => "n/a".to_string(),
                _ => String::new(),
            };
            for (m, r) in [(p, ratio), (q, String::new())] {
                if let Some(m) = m {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0}% | {:.1} | {} |",
                        m.gen.scenario,
                        m.gen.concurrency,
                        m.gen.target,
                        m.gen.rps,
                        m.gen.p50_ms,
                        m.gen.p99_ms,
                        m.gen.errors,
                        m.server_cpu_pct,
                        m.peak_rss_mb,
                        r
                    );
                }
            }
        }
    }
    s
}
