//! Plugin call costs: one field-validator request with 15 fields (the example validator on its
//! sample input, one field of each type) on a fresh instance with every limit on, beside a bare
//! wasmtime instantiate-and-call of the same component and native Rust doing the same checks;
//! compile time; restart time (deserializing many cached versions).
//!
//! Two more rows split the gap between the full request and bare wasmtime: bare wasmtime with
//! fuel metering and epoch interruption on, and Portico's JSON conversion without the guest.
//!
//! Run: `cargo bench -p portico --bench plugins` (build the guests first:
//! `cargo build --manifest-path plugins/Cargo.toml --target wasm32-wasip2 --release`).
//! Criterion's default settings (100 samples, 3 s warm-up, 5 s measurement; 10 samples for the
//! lifecycle group) keep the whole run at about a minute and a half on 2 cores.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use portico::plugins::bindings::{field_validator, PorticoPlugin};
use portico::plugins::state::PluginState;
use portico::plugins::{convert, Call, Interface, Limits, NoLookups, Runtime};
use serde_json::Value;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
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
            "text" | "textWithHeader" => {
                if s["headerMaxLength"].as_u64().is_some_and(|m| {
                    v["header"].as_str().unwrap_or_default().chars().count() as u64 > m
                }) {
                    out.push((marker, "too_long"));
                }
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

fn request(c: &mut Criterion) {
    let bytes = guest();
    let input = sample();
    let mut group = c.benchmark_group("validator_request_15_fields");

    let fields_json = input["fields"].as_array().unwrap().clone();
    group.bench_function("native_rust", |b| {
        b.iter(|| std::hint::black_box(native_checks(&fields_json)))
    });

    // Bare wasmtime: pooling allocator, no fuel, no epoch, no limiter, input converted once.
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(
        PoolingAllocationConfig::new(),
    ));
    let engine = Engine::new(&config).unwrap();
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    PorticoPlugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).unwrap();
    let component = Component::new(&engine, &bytes).unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let indices = field_validator::GuestIndices::new(&pre).unwrap();
    let fields = convert::fields(&input).unwrap();
    group.bench_function("bare_wasmtime_fresh_instance", |b| {
        b.iter(|| {
            let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
            let mut store = Store::new(&engine, state);
            let instance = pre.instantiate(&mut store).unwrap();
            let guest = indices.load(&mut store, &instance).unwrap();
            std::hint::black_box(guest.call_validate(&mut store, &fields).unwrap())
        })
    });

    // Bare wasmtime plus fuel metering and epoch interruption (what the instruction budget and
    // the deadline cost by themselves): the same engine settings as Portico's, input converted
    // once, no limiter, no JSON.
    let mut metered = Config::new();
    metered
        .consume_fuel(true)
        .epoch_interruption(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(
            PoolingAllocationConfig::new(),
        ));
    let metered_engine = Engine::new(&metered).unwrap();
    let mut metered_linker = Linker::new(&metered_engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut metered_linker).unwrap();
    PorticoPlugin::add_to_linker::<_, HasSelf<_>>(&mut metered_linker, |s| s).unwrap();
    let metered_pre = metered_linker
        .instantiate_pre(&Component::new(&metered_engine, &bytes).unwrap())
        .unwrap();
    let metered_indices = field_validator::GuestIndices::new(&metered_pre).unwrap();
    group.bench_function("bare_wasmtime_plus_fuel_and_epoch", |b| {
        b.iter(|| {
            let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
            let mut store = Store::new(&metered_engine, state);
            store.set_fuel(Limits::default().fuel).unwrap();
            store.set_epoch_deadline(1_000_000);
            let instance = metered_pre.instantiate(&mut store).unwrap();
            let guest = metered_indices.load(&mut store, &instance).unwrap();
            std::hint::black_box(guest.call_validate(&mut store, &fields).unwrap())
        })
    });

    // Portico's JSON work alone: the request's fields to WIT values, the violations back to
    // JSON, and the output measured (as `invoke` does), without running the guest.
    let answer = {
        let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
        let mut store = Store::new(&engine, state);
        let instance = pre.instantiate(&mut store).unwrap();
        indices
            .load(&mut store, &instance)
            .unwrap()
            .call_validate(&mut store, &fields)
            .unwrap()
    };
    group.bench_function("json_conversion_only", |b| {
        b.iter(|| {
            let fields = convert::fields(std::hint::black_box(&input)).unwrap();
            let out = serde_json::json!({"violations": convert::violations_json(&answer)});
            std::hint::black_box((fields, serde_json::to_vec(&out).unwrap().len()))
        })
    });

    // Portico: JSON in, every limit on (fuel, epoch deadline, memory limiter, output and log
    // caps), JSON out, outcome classified.
    let runtime = Runtime::new().unwrap();
    let prepared = runtime.prepare(&bytes, u64::MAX).unwrap();
    let call = Call {
        interface: Interface::FieldValidator,
        input: input.clone(),
        settings: "{}".into(),
        limits: Limits::default(),
        lookups: Arc::new(NoLookups),
    };
    group.bench_function("portico_full_request_all_limits", |b| {
        b.iter(|| std::hint::black_box(runtime.invoke(&prepared.sha256, &call).unwrap()))
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
