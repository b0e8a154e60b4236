//! Plugin call costs: one field-validator request with 15 fields (the example validator on its
//! sample input, one field of each type) on a fresh instance with every limit on, beside a bare
//! wasmtime instantiate-and-call of the same component and native Rust doing the same checks;
//! compile time; restart time (deserializing many cached versions).
//!
//! The bare rows use Portico's own engine settings (`engine_config`) with fuel metering and
//! epoch interruption switched off, then each on alone, then both; with Portico's JSON
//! conversion alone they split the gap between the full request and bare wasmtime. The first
//! baseline of issue 3 (wasmtime's default pooling configuration) is kept for comparison.
//!
//! Run: `cargo bench -p portico-wasm-runtime --bench plugins` (build the guests first:
//! `cargo build --manifest-path plugins/Cargo.toml --target wasm32-wasip2 --release`).
//! `PORTICO_BENCH_GUEST_B=path/to/other.wasm` also compares that build of the validator with
//! the built one, interleaved (twice), before the criterion rows: how plugin authors A/B a change.
//! Criterion's default settings (100 samples, 3 s warm-up, 5 s measurement; 10 samples for the
//! lifecycle group) keep the whole run at about a minute and a half on 2 cores.

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

mod bare;

use std::sync::Arc;

use bare::Bare;
use criterion::{criterion_group, criterion_main, Criterion};
use portico_core::fields::json;
use portico_wasm_runtime::bindings::types::{Field, Violation};
use portico_wasm_runtime::state::PluginState;
use portico_wasm_runtime::{
    answers, convert, engine_config, field_values, pooling_config, Call, CallInput, Interface,
    Limits, NoLookups, Runtime,
};
use serde_json::Value;
use wasmtime::{Config, Enabled, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn guest() -> Vec<u8> {
    std::fs::read(root().join("plugins/target/wasm32-wasip2/release/example_field_validator.wasm"))
        .expect("build the guests first (see the file's doc comment)")
}

fn sample() -> Value {
    serde_json::from_slice(
        &std::fs::read(root().join("plugins/examples/field-validator/sample-input.json")).unwrap(),
    )
    .unwrap()
}

/// The sample's checks in native Rust (what the plugin does, minus parsing its settings).
fn native_checks(fields: &[Value]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for f in fields {
        let marker = f["marker"].as_str().unwrap_or_default().to_string();
        let s = &f["settings"];
        let v = &f["value"];
        match f["type"].as_str().unwrap_or_default() {
            "string" => {
                let text = v.as_str().unwrap_or_default();
                let n = text.chars().count() as u64;
                if s["minLength"].as_u64().is_some_and(|m| n < m) {
                    out.push((marker.clone(), "too_short"));
                }
                if s["maxLength"].as_u64().is_some_and(|m| n > m) {
                    out.push((marker.clone(), "too_long"));
                }
                if !text
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    out.push((marker, "pattern_mismatch"));
                }
            }
            "integer" | "float" => {
                let x = v.as_f64().unwrap_or_default();
                if s["min"].as_f64().is_some_and(|m| x < m)
                    || s["max"].as_f64().is_some_and(|m| x > m)
                {
                    out.push((marker, "out_of_range"));
                }
            }
            "date" | "dateTime" | "time" => {
                let d = v["fullDate"].as_str().unwrap_or_default();
                if s["notBefore"]
                    .as_str()
                    .is_some_and(|b| b.len() > 5 && d < b)
                {
                    out.push((marker, "date_out_of_range"));
                }
            }
            "text" | "textWithHeader"
                if s["headerMaxLength"].as_u64().is_some_and(|m| {
                    v["header"].as_str().unwrap_or_default().chars().count() as u64 > m
                }) =>
            {
                out.push((marker, "too_long"));
            }
            "image" | "groupOfImages" | "file" => {
                for file in v.as_array().into_iter().flatten() {
                    let name = file["filename"].as_str().unwrap_or_default();
                    let ext = name.rsplit('.').next().unwrap_or_default();
                    if s["allowedExtensions"]
                        .as_array()
                        .is_some_and(|a| !a.iter().any(|e| e == ext))
                    {
                        out.push((marker.clone(), "extension_not_allowed"));
                    }
                    if s["maxSize"]
                        .as_u64()
                        .is_some_and(|m| file["size"].as_u64().unwrap_or(0) > m)
                    {
                        out.push((marker.clone(), "file_too_large"));
                    }
                }
            }
            "radioButton" | "list" => {
                let chosen: Vec<&Value> = if v.is_array() {
                    v.as_array().unwrap().iter().collect()
                } else {
                    vec![v]
                };
                for c in chosen {
                    if s["options"]
                        .as_array()
                        .is_some_and(|o| !o.contains(&c["value"]))
                    {
                        out.push((marker.clone(), "not_an_option"));
                    }
                }
            }
            "timeInterval" => {
                for pair in v.as_array().into_iter().flatten() {
                    if pair[0].as_str() >= pair[1].as_str() {
                        out.push((marker.clone(), "interval_order"));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A named call of the interleaved comparison.
type Variant<'a> = (&'a str, Box<dyn Fn() + 'a>);

/// Rounds and calls per round of the interleaved comparison.
const ROUNDS: usize = 41;
const CALLS_PER_ROUND: u32 = 300;

/// `PORTICO_BENCH_INTERLEAVED=1`: runs the variants in turn, `CALLS_PER_ROUND` calls each, for
/// `ROUNDS` rounds, and prints each one's median (and quartiles) of the per-round means, and
/// the median of its per-round ratio to the first variant: drift on a shared machine then hits
/// every variant of a round alike.
fn interleaved(variants: &[Variant<'_>]) {
    let mut means: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    for _ in 0..ROUNDS {
        for (i, (_, f)) in variants.iter().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..CALLS_PER_ROUND {
                f();
            }
            means[i].push(start.elapsed().as_secs_f64() * 1e6 / CALLS_PER_ROUND as f64);
        }
    }
    let quartiles = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 4], v[v.len() / 2], v[3 * v.len() / 4])
    };
    // Each round's ratio to the first variant in the same round (paired), then its median.
    let ratios: Vec<Vec<f64>> = means
        .iter()
        .map(|v| v.iter().zip(&means[0]).map(|(x, b)| x / b).collect())
        .collect();
    for (((name, _), v), mut r) in variants.iter().zip(means.iter_mut()).zip(ratios) {
        let (q1, median, q3) = quartiles(v);
        let (_, ratio, _) = quartiles(&mut r);
        println!("{name:>26}: median {median:6.1} us (quartiles {q1:.1}-{q3:.1}), {ratio:.2}x");
    }
}

impl Bare {
    /// A fresh store + instantiate + `validate` + drop; fuel and the epoch deadline are set
    /// only when the engine meters them (no limiter, no output or log checks).
    fn call(&self, fields: &[Field], fuel: bool, epoch: bool) -> Vec<Violation> {
        let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
        let mut store = Store::new(&self.engine, state);
        if fuel {
            store.set_fuel(Limits::default().fuel).unwrap();
        }
        if epoch {
            store.set_epoch_deadline(1_000_000);
        }
        let instance = self.pre.instantiate(&mut store).unwrap();
        let guest = self.indices.load(&mut store, &instance).unwrap();
        guest.call_validate(&mut store, fields).unwrap()
    }
}

fn request(c: &mut Criterion) {
    let bytes = guest();
    let input = sample();
    let mut group = c.benchmark_group("validator_request_15_fields");

    let fields_json = input["fields"].as_array().unwrap().clone();
    group.bench_function("native_rust", |b| {
        b.iter(|| std::hint::black_box(native_checks(&fields_json)))
    });

    // Input converted to WIT values once, outside the loops (as the typed request below).
    let typed_fields = json::fields(&input).unwrap();
    let fields = field_values::wit_fields(typed_fields.clone());

    // The first baseline of issue 3: wasmtime's default pooling configuration, no metering.
    let mut default_pool = Config::new();
    default_pool.allocation_strategy(InstanceAllocationStrategy::Pooling(
        PoolingAllocationConfig::new(),
    ));
    let default_pool = Bare::new(&default_pool, &bytes);
    group.bench_function("bare_wasmtime_default_pool", |b| {
        b.iter(|| std::hint::black_box(default_pool.call(&fields, false, false)))
    });

    // Bare wasmtime on Portico's own engine settings with the two metering switches off: the
    // baseline of the target. Then each switch alone, then both.
    let plain = Bare::new(&engine_config(false, false), &bytes);
    group.bench_function("bare_wasmtime_fresh_instance", |b| {
        b.iter(|| std::hint::black_box(plain.call(&fields, false, false)))
    });
    let fuel_only = Bare::new(&engine_config(true, false), &bytes);
    group.bench_function("bare_wasmtime_plus_fuel", |b| {
        b.iter(|| std::hint::black_box(fuel_only.call(&fields, true, false)))
    });
    let epoch_only = Bare::new(&engine_config(false, true), &bytes);
    group.bench_function("bare_wasmtime_plus_epoch", |b| {
        b.iter(|| std::hint::black_box(epoch_only.call(&fields, false, true)))
    });
    let metered = Bare::new(&engine_config(true, true), &bytes);
    group.bench_function("bare_wasmtime_plus_fuel_and_epoch", |b| {
        b.iter(|| std::hint::black_box(metered.call(&fields, true, true)))
    });

    // Pooling variants on the bare engine: the madvise reset of the first baseline (no
    // PAGEMAP_SCAN, nothing kept resident), and other amounts kept resident.
    let with_pool = |tweak: fn(&mut PoolingAllocationConfig)| {
        let mut pool = pooling_config();
        tweak(&mut pool);
        let mut config = engine_config(false, false);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        Bare::new(&config, &bytes)
    };
    let madvise = with_pool(|p| {
        p.pagemap_scan(Enabled::No)
            .linear_memory_keep_resident(0)
            .table_keep_resident(0);
    });
    group.bench_function("bare_wasmtime_madvise_reset", |b| {
        b.iter(|| std::hint::black_box(madvise.call(&fields, false, false)))
    });
    let madvise_metered = {
        let mut pool = pooling_config();
        pool.pagemap_scan(Enabled::No)
            .linear_memory_keep_resident(0)
            .table_keep_resident(0);
        let mut config = engine_config(true, true);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        Bare::new(&config, &bytes)
    };
    group.bench_function("bare_wasmtime_madvise_reset_plus_fuel_and_epoch", |b| {
        b.iter(|| std::hint::black_box(madvise_metered.call(&fields, true, true)))
    });
    let resident_4 = with_pool(|p| {
        p.linear_memory_keep_resident(4 << 20);
    });
    group.bench_function("bare_wasmtime_keep_resident_4MiB", |b| {
        b.iter(|| std::hint::black_box(resident_4.call(&fields, false, false)))
    });

    // Portico's JSON work alone: the request's fields to WIT values, the violations back to
    // JSON, and the JSON output measured, without running the guest.
    let answer = answers::violations(plain.call(&fields, false, false));
    group.bench_function("json_conversion_only", |b| {
        b.iter(|| {
            let fields =
                field_values::wit_fields(json::fields(std::hint::black_box(&input)).unwrap());
            let out = convert::answer_json(&answer);
            std::hint::black_box((fields, serde_json::to_vec(&out).unwrap().len()))
        })
    });

    // Portico: every limit on (fuel, epoch deadline, memory limiter, output and log caps),
    // outcome classified; first with JSON in and out (dry runs, the CLI), then with the WIT
    // values the forms layer hands it (converted once, as for the bare rows).
    let runtime = Runtime::new().unwrap();
    let prepared = runtime.prepare(&bytes, u64::MAX).unwrap();
    let call = |input| Call {
        interface: Interface::FieldValidator,
        input,
        settings: "{}".into(),
        limits: Limits::default(),
        lookups: Arc::new(NoLookups),
    };
    let json_call = call(CallInput::Json(input.clone()));
    group.bench_function("portico_full_request_all_limits", |b| {
        b.iter(|| {
            std::hint::black_box(runtime.invoke(&prepared.sha256, json_call.clone()).unwrap())
        })
    });
    let typed_call = call(CallInput::Fields(typed_fields.clone()));
    if std::env::var("PORTICO_BENCH_INTERLEAVED").is_ok_and(|v| v == "1") {
        let variants: Vec<Variant> = vec![
            ("bare", Box::new(|| drop(plain.call(&fields, false, false)))),
            (
                "bare+fuel",
                Box::new(|| drop(fuel_only.call(&fields, true, false))),
            ),
            (
                "bare+epoch",
                Box::new(|| drop(epoch_only.call(&fields, false, true))),
            ),
            (
                "bare+fuel+epoch",
                Box::new(|| drop(metered.call(&fields, true, true))),
            ),
            (
                "portico typed",
                Box::new(|| drop(runtime.invoke(&prepared.sha256, typed_call.clone()))),
            ),
            (
                "portico json",
                Box::new(|| drop(runtime.invoke(&prepared.sha256, json_call.clone()))),
            ),
            (
                "madvise bare",
                Box::new(|| drop(madvise.call(&fields, false, false))),
            ),
            (
                "madvise bare+fuel+epoch",
                Box::new(|| drop(madvise_metered.call(&fields, true, true))),
            ),
        ];
        interleaved(&variants);
    }
    if let Ok(path) = std::env::var("PORTICO_BENCH_GUEST_B") {
        let other = runtime
            .prepare(&std::fs::read(path).unwrap(), u64::MAX)
            .unwrap();
        let variants: Vec<Variant> = vec![
            (
                "guest A (built)",
                Box::new(|| drop(runtime.invoke(&prepared.sha256, typed_call.clone()))),
            ),
            (
                "guest B (env)",
                Box::new(|| drop(runtime.invoke(&other.sha256, typed_call.clone()))),
            ),
        ];
        interleaved(&variants);
        interleaved(&variants);
    }
    group.bench_function("portico_typed_request_all_limits", |b| {
        b.iter(|| {
            std::hint::black_box(
                runtime
                    .invoke(&prepared.sha256, typed_call.clone())
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn compile_and_restart(c: &mut Criterion) {
    let bytes = guest();
    let runtime = Runtime::new().unwrap();
    let prepared = runtime.prepare(&bytes, u64::MAX).unwrap();
    let mut group = c.benchmark_group("lifecycle");
    group.sample_size(10);
    group.bench_function("compile_upload_230KB_validator", |b| {
        b.iter(|| {
            runtime.unload(&prepared.sha256);
            runtime.prepare(&bytes, u64::MAX).unwrap()
        })
    });
    const VERSIONS: usize = 100;
    group.bench_function("restart_deserialize_100_cached_versions", |b| {
        b.iter(|| {
            let fresh = Runtime::new().unwrap();
            for i in 0..VERSIONS {
                fresh
                    .load_artifact(&format!("v{i}"), &prepared.artifact)
                    .unwrap();
            }
            fresh
        })
    });
    group.finish();
}

criterion_group!(benches, request, compile_and_restart);
criterion_main!(benches);
