//! The printed table and the Portico/peer ratios.

use std::fmt::Write;

use crate::Measured;

pub fn table(results: &[Measured], scenarios: &[String], concurrency: &[usize]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| scenario | c | target | req/s | p50 ms | p99 ms | errors | server CPU | CPU us/req | peak RSS MB | Portico/peer req/s | group commit/1 tx req/s |"
    );
    let _ = writeln!(
        s,
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for sc in scenarios {
        for &c in concurrency {
            let find = |t: &str| {
                results
                    .iter()
                    .find(|m| &m.gen.scenario == sc && m.gen.concurrency == c && m.gen.target == t)
            };
            let (p, p1, q) = (find("portico"), find("portico_1tx"), find("peer"));
            let ratio = |a: Option<&Measured>, b: Option<&Measured>| match (a, b) {
                (Some(a), Some(b)) if b.gen.rps > 0.0 => format!("{:.1}x", a.gen.rps / b.gen.rps),
                (Some(_), None) => "n/a".to_string(),
                _ => String::new(),
            };
            let rows = [
                (p, ratio(p, q), ratio(p, p1)),
                (p1, String::new(), String::new()),
                (q, String::new(), String::new()),
            ];
            for (m, r, g) in rows {
                if let Some(m) = m {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.0}% | {:.0} | {:.1} | {} | {} |",
                        m.gen.scenario,
                        m.gen.concurrency,
                        m.gen.target,
                        m.gen.rps,
                        m.gen.p50_ms,
                        m.gen.p99_ms,
                        m.gen.errors,
                        m.server_cpu_pct,
                        m.cpu_us_per_request(),
                        m.peak_rss_mb,
                        r,
                        g
                    );
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::GenResult;

    fn measured(rps: f64, cpu_pct: f64) -> Measured {
        Measured {
            gen: GenResult {
                scenario: "update_valid".into(),
                target: "portico".into(),
                concurrency: 64,
                requests: 1,
                errors: 0,
                rps,
                p50_ms: 1.0,
                p99_ms: 2.0,
                first_error: None,
            },
            server_cpu_pct: cpu_pct,
            peak_rss_mb: 100.0,
            commits: None,
            writes: None,
        }
    }

    #[test]
    fn cpu_per_request_is_the_servers_cpu_over_its_rate() {
        assert_eq!(measured(8000.0, 160.0).cpu_us_per_request(), 200.0);
        assert_eq!(measured(0.0, 160.0).cpu_us_per_request(), 0.0);
        let t = table(&[measured(8000.0, 160.0)], &["update_valid".into()], &[64]);
        assert!(t.contains("| update_valid | 64 | portico | 8000 | 1.00 | 2.00 | 0 | 160% | 200 | 100.0 | n/a | n/a |"), "{t}");
    }
}
