//! The field validator in each plugin language, on the server's own runtime: the Rust example
//! (`plugins/examples/field-validator`), its JavaScript port (componentize-qjs, QuickJS) and its
//! Python port (componentize-py). For each: component size, compile (upload) time, compiled
//! artifact size, the component's core instances and memories (pool slots a call takes), its
//! linear memory in a call, fuel for 0, 15 and 50 fields (exact), then per-call time for each
//! (criterion rows `{lang}_{n}_fields`).
//!
//! A call is `Runtime::invoke` with typed fields and the default limits, what the forms layer
//! does on a form write: a fresh instance from the pooling allocator, fuel, epoch deadline,
//! memory limiter, output and log caps. The inputs are the example's `sample-input.json` (one
//! field of each of the 15 types) and the same 15 repeated to 50 with numbered markers (as
//! `plugins/sdk-js/bench/form-50.js` writes them), and no fields (the fixed cost of a call).
//!
//! Run (build the guests first; a language whose component is missing is skipped, saying so):
//!
//! ```sh
//! cargo build --manifest-path plugins/Cargo.toml --target wasm32-wasip2 --release
//! plugins/build-js-python
//! cargo bench -p portico-wasm-runtime --bench languages
//! ```
//!
//! `PORTICO_BENCH_COMPILE_RUNS` (default 3) sets the compiles measured per language;
//! `PORTICO_BENCH_LANGS=js,python` measures only those languages;
//! `PORTICO_BENCH_JS` / `PORTICO_BENCH_PY` measure other builds of the JS / Python validator.
//! `PORTICO_BENCH_PERFMAP=1` writes a perf map of the bare set-ups' compiled guest code.
//! `PORTICO_BENCH_PHASES=1` first splits a bare call into store, instantiation, call and drop,
//! with the page faults each phase takes.
//! `PORTICO_BENCH_POOL_AB=1` first compares pool settings on bare calls (see `pool_ab`).
//! `PORTICO_BENCH_INTERLEAVED=1` also runs the 15-field calls of every language in turn (41
//! rounds; medians of the per-round means), steadier than criterion on a shared machine.

// `criterion_group!` defines an undocumented function.
#![allow(missing_docs)]

mod bare;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bare::Bare;
use criterion::{criterion_group, criterion_main, Criterion};
use portico_core::fields::json;
use portico_wasm_runtime::bindings::types::Field;
use portico_wasm_runtime::state::PluginState;
use portico_wasm_runtime::{
    engine_config, field_values, pooling_config, Call, CallInput, Interface, Limits, NoLookups,
    Runtime,
};
use serde_json::{json, Value};
use wasmtime::{Enabled, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

fn root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A language's validator: its name and where its build puts it.
struct Guest {
    lang: &'static str,
    path: PathBuf,
    bytes: Vec<u8>,
}

/// The guests that are built; each missing one is named on stderr with the command to build it.
fn guests() -> Vec<Guest> {
    let target = root().join("plugins/target");
    let from_env =
        |var: &str, default: PathBuf| std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    let all = [
        (
            "rust",
            target.join("wasm32-wasip2/release/example_field_validator.wasm"),
            "cargo build --manifest-path plugins/Cargo.toml --target wasm32-wasip2 --release",
        ),
        (
            "js",
            from_env(
                "PORTICO_BENCH_JS",
                target.join("js-python/field_validator_js.wasm"),
            ),
            "plugins/build-js-python",
        ),
        (
            "python",
            from_env(
                "PORTICO_BENCH_PY",
                target.join("js-python/field_validator_py.wasm"),
            ),
            "plugins/build-js-python",
        ),
    ];
    let only = std::env::var("PORTICO_BENCH_LANGS").ok();
    all.into_iter()
        .filter(|(lang, ..)| {
            only.as_ref()
                .is_none_or(|o| o.split(',').any(|l| l == *lang))
        })
        .filter_map(|(lang, path, build)| match std::fs::read(&path) {
            Ok(bytes) => Some(Guest { lang, path, bytes }),
            Err(_) => {
                eprintln!(
                    "skipping {lang}: {} is not built (run `{build}`)",
                    path.display()
                );
                None
            }
        })
        .collect()
}

/// The example's 15-field sample input.
fn sample() -> Value {
    let path = root().join("plugins/examples/field-validator/sample-input.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `count` fields: the sample's 15 repeated, markers numbered (`{marker}_{i}`, from 1).
fn form(count: usize) -> Value {
    let sample = sample();
    let fields = sample["fields"].as_array().unwrap();
    let fields: Vec<Value> = (0..count)
        .map(|i| {
            let mut field = fields[i % fields.len()].clone();
            let marker = format!("{}_{}", field["marker"].as_str().unwrap(), i + 1);
            field["marker"] = Value::String(marker);
            field
        })
        .collect();
    json!({ "settings": {}, "fields": fields })
}

/// The inputs measured: name, typed fields (the core's, converted once) and WIT values.
fn inputs() -> Vec<(&'static str, Vec<portico_core::fields::Field>)> {
    let typed = |v: &Value| json::fields(v).unwrap();
    vec![
        ("0_fields", Vec::new()),
        ("15_fields", typed(&sample())),
        ("50_fields", typed(&form(50))),
    ]
}

/// A typed field-validator call with the default limits.
fn call(fields: &[portico_core::fields::Field]) -> Call {
    Call {
        interface: Interface::FieldValidator,
        input: CallInput::Fields(fields.to_vec()),
        settings: "{}".into(),
        limits: Limits::default(),
        lookups: Arc::new(NoLookups),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Core instances and memories the component defines, nested components included: what one
/// call takes from the pool's `total_core_instances` and `total_memories`.
fn pool_slots(bytes: &[u8]) -> (u32, u32) {
    use wasmparser::{Parser, Payload};
    let (mut instances, mut memories) = (0, 0);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            Payload::InstanceSection(s) => {
                // Only instantiations of a module take a slot (not bags of exports).
                instances += s
                    .into_iter()
                    .filter(|i| matches!(i, Ok(wasmparser::Instance::Instantiate { .. })))
                    .count() as u32;
            }
            Payload::MemorySection(s) => memories += s.count(),
            _ => {}
        }
    }
    (instances, memories)
}

impl Bare {
    /// A fresh store with the default fuel, a far deadline and the memory limiter; `validate`
    /// (none when `fields` is `None`: the instance is created and dropped); answers the bytes
    /// of linear memory the store held (initial sizes plus growth).
    fn call(&self, fields: Option<&[Field]>) -> u64 {
        let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_fuel(Limits::default().fuel).unwrap();
        store.set_epoch_deadline(1_000_000);
        let instance = self.pre.instantiate(&mut store).unwrap();
        if let Some(fields) = fields {
            let guest = self.indices.load(&mut store, &instance).unwrap();
            guest.call_validate(&mut store, fields).unwrap();
        }
        store.data().limiter.memory_bytes()
    }
}

/// `PORTICO_BENCH_PHASES=1`: where a bare call's time goes, for 0 and 15 fields: a new store,
/// instantiation, the call (lowering, the guest, lifting), and the store's drop (which returns
/// the instance's memories and tables to the pool, resetting what the call dirtied); medians of
/// 200 calls, and the fuel instantiation itself takes. `PORTICO_BENCH_KEEP_RESIDENT=BYTES`
/// runs them with that much of each memory kept resident instead of Portico's setting.
fn phases(guests: &[Guest]) {
    let fifteen = field_values::wit_fields(json::fields(&sample()).unwrap());
    let mut pool = pooling_config();
    if let Some(bytes) = std::env::var("PORTICO_BENCH_KEEP_RESIDENT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        pool.linear_memory_keep_resident(bytes);
    }
    let mut config = engine_config(true, true);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    for g in guests {
        let bare = Bare::new(&config, &g.bytes);
        for (name, fields) in [("0 fields", &[][..]), ("15 fields", &fifteen[..])] {
            let mut times = [vec![], vec![], vec![], vec![]];
            let mut faults = [vec![], vec![], vec![], vec![]];
            let mut init_fuel = 0;
            for _ in 0..200 {
                let f0 = minor_faults();
                let t0 = Instant::now();
                let state = PluginState::new("{}".into(), u64::MAX, 4096, Arc::new(NoLookups));
                let mut store = Store::new(&bare.engine, state);
                store.limiter(|s| &mut s.limiter);
                store.set_fuel(Limits::default().fuel).unwrap();
                store.set_epoch_deadline(1_000_000);
                let t1 = Instant::now();
                let f1 = minor_faults();
                let instance = bare.pre.instantiate(&mut store).unwrap();
                init_fuel = Limits::default().fuel - store.get_fuel().unwrap();
                let t2 = Instant::now();
                let f2 = minor_faults();
                let guest = bare.indices.load(&mut store, &instance).unwrap();
                guest.call_validate(&mut store, fields).unwrap();
                let t3 = Instant::now();
                let f3 = minor_faults();
                drop(store);
                let t4 = Instant::now();
                let f4 = minor_faults();
                for (v, d) in times.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                    v.push(d.as_secs_f64() * 1e6);
                }
                for (v, n) in faults.iter_mut().zip([f1 - f0, f2 - f1, f3 - f2, f4 - f3]) {
                    v.push(n as f64);
                }
            }
            let [store, inst, call, dropped] = times.map(median);
            let [_, inst_faults, call_faults, drop_faults] = faults.map(median);
            println!(
                "{:>8} {name:>9}: store {store:6.1} us, instantiate {inst:6.1} us ({init_fuel} fuel), call {call:7.1} us, drop {dropped:6.1} us; page faults: instantiate {inst_faults}, call {call_faults}, drop {drop_faults}",
                g.lang
            );
        }
    }
}

/// The minor page faults this thread has taken so far (`getrusage`, `RUSAGE_THREAD`).
fn minor_faults() -> i64 {
    // SAFETY: `getrusage` fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage.ru_minflt
    }
}

/// `PORTICO_BENCH_POOL_AB=1`: each guest's bare 15-field call on Portico's pool settings and
/// on variants of them, interleaved (41 rounds of 20 calls); medians of the per-round means
/// and of the per-round ratio to the first.
fn pool_ab(guests: &[Guest]) {
    type Tweak = fn(&mut PoolingAllocationConfig);
    let variants: [(&str, Tweak); 3] = [
        ("portico pool", |_| {}),
        ("keep resident 16 MiB", |p| {
            p.linear_memory_keep_resident(16 << 20);
        }),
        ("no pagemap, keep 1 MiB", |p| {
            p.pagemap_scan(Enabled::No);
        }),
    ];
    let fields = field_values::wit_fields(json::fields(&sample()).unwrap());
    for g in guests {
        let bares: Vec<Bare> = variants
            .iter()
            .map(|(_, tweak)| {
                let mut pool = pooling_config();
                tweak(&mut pool);
                let mut config = engine_config(true, true);
                config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
                Bare::new(&config, &g.bytes)
            })
            .collect();
        let mut means = vec![Vec::new(); bares.len()];
        for _ in 0..41 {
            for (i, bare) in bares.iter().enumerate() {
                let start = Instant::now();
                for _ in 0..20 {
                    bare.call(Some(&fields));
                }
                means[i].push(start.elapsed().as_secs_f64() * 1e6 / 20.0);
            }
        }
        for ((name, _), v) in variants.iter().zip(&means) {
            let ratios = v.iter().zip(&means[0]).map(|(x, b)| x / b).collect();
            println!(
                "{:>8} {name:>24}: median {:7.1} us, {:.2}x",
                g.lang,
                median(v.clone()),
                median(ratios)
            );
        }
    }
}

/// Median wall time of `runs` compiles (`Runtime::prepare` after an unload: the upload's check,
/// compile, pre-link and serialize), and the compiled artifact's size.
fn compile(runtime: &Runtime, bytes: &[u8]) -> (Duration, usize) {
    let runs: usize = std::env::var("PORTICO_BENCH_COMPILE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut times = Vec::new();
    let mut artifact = 0;
    for _ in 0..runs.max(1) {
        runtime.unload(&portico_wasm_runtime::sha256_hex(bytes));
        let start = Instant::now();
        artifact = runtime.prepare(bytes, u64::MAX).unwrap().artifact.len();
        times.push(start.elapsed().as_secs_f64());
    }
    (Duration::from_secs_f64(median(times)), artifact)
}

/// Prints one line per language: size, compile, artifact, pool slots, memory, fuel per input.
fn summary(runtime: &Runtime, guests: &[Guest]) {
    let inputs = inputs();
    let wit15 = field_values::wit_fields(inputs[1].1.clone());
    println!("| guest | component | compile (upload) | artifact | core instances / memories | linear memory in a call | fuel 0 / 15 / 50 fields | outcome 15 / 50 |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for g in guests {
        let (compiled, artifact) = compile(runtime, &g.bytes);
        let (instances, memories) = pool_slots(&g.bytes);
        let memory = Bare::new(&engine_config(true, true), &g.bytes).call(Some(&wit15));
        let sha = portico_wasm_runtime::sha256_hex(&g.bytes);
        let reports: Vec<_> = inputs
            .iter()
            .map(|(_, fields)| runtime.invoke(&sha, call(fields)).unwrap())
            .collect();
        let fuel: Vec<String> = reports.iter().map(|r| r.fuel_used.to_string()).collect();
        println!(
            "| {} ({}) | {:.2} MB | {:.2} s | {:.1} MB | {instances} / {memories} | {:.2} MiB | {} | {} / {} |",
            g.lang,
            g.path.file_name().unwrap().to_string_lossy(),
            g.bytes.len() as f64 / 1e6,
            compiled.as_secs_f64(),
            artifact as f64 / 1e6,
            memory as f64 / (1 << 20) as f64,
            fuel.join(" / "),
            reports[1].outcome,
            reports[2].outcome,
        );
    }
}

/// `PORTICO_BENCH_INTERLEAVED=1`: each language's 15-field call in turn, through
/// `Runtime::invoke`, bare (`Bare::call` on the same engine settings) and as a bare instance
/// created and dropped without a call, 41 rounds of 20 calls each; prints each one's median
/// per-round mean and quartiles.
fn interleaved(runtime: &Runtime, guests: &[Guest]) {
    let fields = json::fields(&sample()).unwrap();
    let wit = field_values::wit_fields(fields.clone());
    let mut variants: Vec<(String, Box<dyn Fn()>)> = Vec::new();
    for g in guests {
        let sha = portico_wasm_runtime::sha256_hex(&g.bytes);
        let call = call(&fields);
        variants.push((
            format!("{} invoke", g.lang),
            Box::new(move || drop(runtime.invoke(&sha, call.clone()))),
        ));
        let bare = Arc::new(Bare::new(&engine_config(true, true), &g.bytes));
        let (wit, only) = (wit.clone(), bare.clone());
        variants.push((
            format!("{} bare", g.lang),
            Box::new(move || {
                bare.call(Some(&wit));
            }),
        ));
        variants.push((
            format!("{} instance", g.lang),
            Box::new(move || {
                only.call(None);
            }),
        ));
    }
    let mut means = vec![Vec::new(); variants.len()];
    for _ in 0..41 {
        for (i, (_, f)) in variants.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..20 {
                f();
            }
            means[i].push(start.elapsed().as_secs_f64() * 1e6 / 20.0);
        }
    }
    for ((name, _), mut v) in variants.iter().zip(means) {
        v.sort_by(f64::total_cmp);
        let (q1, m, q3) = (v[v.len() / 4], v[v.len() / 2], v[3 * v.len() / 4]);
        println!("{name:>16} 15 fields: median {m:7.1} us (quartiles {q1:.1}-{q3:.1})");
    }
}

fn languages(c: &mut Criterion) {
    let guests = guests();
    if guests.is_empty() {
        return;
    }
    if std::env::var("PORTICO_BENCH_POOL_AB").is_ok_and(|v| v == "1") {
        pool_ab(&guests);
    }
    if std::env::var("PORTICO_BENCH_PHASES").is_ok_and(|v| v == "1") {
        phases(&guests);
    }
    let runtime = Runtime::new().unwrap();
    summary(&runtime, &guests);
    if std::env::var("PORTICO_BENCH_INTERLEAVED").is_ok_and(|v| v == "1") {
        interleaved(&runtime, &guests);
    }
    let mut group = c.benchmark_group("languages");
    for g in &guests {
        let sha = portico_wasm_runtime::sha256_hex(&g.bytes);
        for (name, fields) in inputs() {
            let call = call(&fields);
            group.bench_function(format!("{}_{name}", g.lang), |b| {
                b.iter(|| std::hint::black_box(runtime.invoke(&sha, call.clone()).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, languages);
criterion_main!(benches);
