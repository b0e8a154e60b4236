//! One call: a fresh `Store` from the version's `InstancePre`, fuel, an epoch deadline and the
//! memory limiter set, the input converted from JSON (or handed over as WIT values), the answer
//! converted to the core's typed answer, measured, and made JSON for JSON callers only, and the
//! outcome classified (a limit that was hit is named in the error).

use std::time::Instant;

use portico_core::fields::json;
use portico_core::plugins::{
    human_bytes, signup_function, Answer, Call, CallInput, Interface, InvokeError, Limits, Outcome,
    Report, DECIDE, DECIDE_SELF_SIGNUP, HOOKS,
};
use serde_json::Value;
use wasmtime::component::ComponentExportIndex;
use wasmtime::{Store, Trap};

use super::bindings::lifecycle_hooks::HookEvent;
use super::bindings::types::Field;
use super::output::{
    self, json_text_bytes, Failure, VIOLATIONS_FRAMING_BYTES, VIOLATION_FRAMING_BYTES,
};
use super::state::PluginState;
use super::{answers, convert, field_values};
use super::{Functions, Loaded, Runtime, EPOCH_TICK};

/// The converted input of a call.
// One value per call, moved once into the guest: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Input {
    Fields(Vec<Field>),
    Signup(super::bindings::signup_policy::SignupRequest),
    SelfSignup(super::bindings::signup_policy::SelfSignupRequest),
    Hook(&'static str, HookEvent),
}

fn parse_input(interface: Interface, input: CallInput) -> Result<Input, String> {
    let json = match (input, interface) {
        (CallInput::Fields(fields), Interface::FieldValidator) => {
            return Ok(Input::Fields(field_values::wit_fields(fields)))
        }
        (CallInput::Fields(_), other) => {
            return Err(format!(
                "typed fields are for field-validator calls, not {}",
                other.name()
            ))
        }
        (CallInput::Json(json), _) => json,
    };
    let json = &json;
    match interface {
        Interface::FieldValidator => {
            json::fields(json).map(|f| Input::Fields(field_values::wit_fields(f)))
        }
        Interface::SignupPolicy => match signup_function(json) {
            DECIDE => convert::signup_request(json).map(Input::Signup),
            DECIDE_SELF_SIGNUP => convert::self_signup_request(json).map(Input::SelfSignup),
            other => Err(format!(
                "unknown signup-policy function '{other}' (expected {DECIDE} or {DECIDE_SELF_SIGNUP})"
            )),
        },
        Interface::LifecycleHooks => {
            let name = json
                .get("hook")
                .and_then(Value::as_str)
                .ok_or("the input needs \"hook\": \"before-block\" (or another hook)")?;
            let hook = HOOKS.iter().find(|h| **h == name).ok_or_else(|| {
                format!(
                    "unknown hook '{name}' (expected one of {})",
                    HOOKS.join(", ")
                )
            })?;
            Ok(Input::Hook(hook, convert::hook_event(json)?))
        }
    }
}

/// The answer's size for the output cap (the length of its JSON), with the JSON when it was
/// made to measure it. Violations are measured without serialising them (strings counted
/// unescaped); the rarer answers by their JSON.
fn measure(answer: &Answer) -> (u64, Option<Value>) {
    match answer {
        Answer::Violations(vs) => {
            // `{"violations":[...]}`, each item's framing and strings, a comma between items.
            let commas = vs.len().saturating_sub(1) as u64;
            let size = vs.iter().fold(VIOLATIONS_FRAMING_BYTES + commas, |n, v| {
                n + VIOLATION_FRAMING_BYTES
                    + json_text_bytes(&v.marker)
                    + json_text_bytes(&v.code)
                    + json_text_bytes(&v.message)
            });
            (size, None)
        }
        _ => {
            let json = convert::answer_json(answer);
            let size = serde_json::to_vec(&json)
                .map(|v| v.len() as u64)
                .unwrap_or(u64::MAX);
            (size, Some(json))
        }
    }
}

/// How a call ended, for its report.
struct Settled {
    outcome: Outcome,
    answer: Option<Answer>,
    result: Option<Value>,
    error: Option<String>,
}

impl Settled {
    fn failed(outcome: Outcome, error: String) -> Settled {
        Settled {
            outcome,
            answer: None,
            result: None,
            error: Some(error),
        }
    }

    /// An answer within the output limit is kept typed, and as JSON for JSON callers.
    fn answered(answer: Answer, json_caller: bool, output_limit: u64) -> Settled {
        let (size, json) = measure(&answer);
        if size > output_limit {
            let message = format!(
                "output limit of {} exceeded: the plugin returned {size} bytes",
                human_bytes(output_limit)
            );
            return Settled::failed(Outcome::BadOutput, message);
        }
        let outcome = if answer.refused() {
            Outcome::Denied
        } else {
            Outcome::Ok
        };
        let result = json_caller.then(|| json.unwrap_or_else(|| convert::answer_json(&answer)));
        Settled {
            outcome,
            answer: Some(answer),
            result,
            error: None,
        }
    }

    fn of(
        answer: Result<Answer, Failure>,
        json_caller: bool,
        state: &PluginState,
        limits: &Limits,
    ) -> Settled {
        match answer {
            Ok(answer) => Settled::answered(answer, json_caller, limits.output_bytes),
            Err(Failure::TooLarge) => Settled::failed(
                Outcome::BadOutput,
                format!(
                    "output limit of {} exceeded: the plugin returned more than {} bytes",
                    human_bytes(limits.output_bytes),
                    limits.output_bytes
                ),
            ),
            Err(Failure::Malformed(e)) => {
                Settled::failed(Outcome::BadOutput, format!("malformed answer: {e:#}"))
            }
            Err(Failure::Wasm(e)) => {
                let (outcome, message) = classify(&e, state, limits);
                Settled::failed(outcome, message)
            }
        }
    }
}

/// What a signup policy built against 0.1.0 answers for a self sign-up, without running.
const NOT_TAKING_PART: &str = "INFO portico: this signup policy is built against portico:plugin@0.1.0, which has no decide-self-signup; it does not take part in self sign-ups (allowed without running)\n";

/// What lifecycle hooks built against 0.1.0 answer for a hook added since (`hook`), without
/// running: the SDK's defaults (allowed, no effects).
fn hook_not_taking_part(store: &Store<PluginState>, hook: &str) -> Answer {
    let line = format!("INFO portico: these lifecycle hooks are built against portico:plugin@0.1.0, which has no {hook}; they do not take part (allowed without running, no effects)\n");
    store.data().log.push(line.as_bytes());
    match hook.starts_with("before-") {
        true => Answer::HookAllowed,
        false => Answer::Effects(Vec::new()),
    }
}

/// The export of `hook` in `functions`, `None` when the exported version lacks it.
fn hook_export(functions: &Functions, hook: &str) -> Option<ComponentExportIndex> {
    let position = HOOKS.iter().position(|h| *h == hook)?;
    functions.hooks.as_ref()?[position]
}

/// Instantiates the version and calls the function `input` is for, its answer lifted within
/// `output_limit` bytes.
fn run(
    loaded: &Loaded,
    store: &mut Store<PluginState>,
    input: &Input,
    output_limit: u64,
) -> Result<Answer, Failure> {
    match (input, &loaded.functions.decide_self_signup) {
        (Input::SelfSignup(_), None) => {
            store.data().log.push(NOT_TAKING_PART.as_bytes());
            return Ok(Answer::SelfSignupAllowed);
        }
        (Input::Hook(hook, _), _) if hook_export(&loaded.functions, hook).is_none() => {
            return Ok(hook_not_taking_part(store, hook));
        }
        _ => {}
    }
    let instance = loaded.pre.instantiate(&mut *store).map_err(Failure::Wasm)?;
    let functions = &loaded.functions;
    let checked = "checked before the call";
    Ok(match input {
        Input::Fields(fields) => {
            let export = functions.validate.as_ref().expect(checked);
            answers::violations(output::validate(
                store,
                &instance,
                export,
                fields,
                output_limit,
            )?)
        }
        Input::Signup(request) => {
            let export = functions.decide.as_ref().expect(checked);
            answers::signup(output::decide(
                store,
                &instance,
                export,
                request,
                output_limit,
            )?)
        }
        Input::SelfSignup(request) => {
            let export = functions.decide_self_signup.as_ref().expect(checked);
            answers::self_signup(output::decide_self_signup(
                store,
                &instance,
                export,
                request,
                output_limit,
            )?)
        }
        Input::Hook(hook, event) => {
            let export = &hook_export(functions, hook).expect(checked);
            if hook.starts_with("before-") {
                answers::before_hook(output::before_hook(
                    store,
                    &instance,
                    export,
                    event,
                    output_limit,
                )?)
            } else {
                answers::after_hook(output::after_hook(
                    store,
                    &instance,
                    export,
                    event,
                    output_limit,
                )?)
            }
        }
    })
}

/// Names the limit an error comes from.
fn classify(error: &wasmtime::Error, state: &PluginState, limits: &Limits) -> (Outcome, String) {
    if let Some(total) = state.limiter.hit {
        return (
            Outcome::Memory,
            format!(
                "memory limit of {} exceeded: the plugin tried to grow its memories to {total} bytes (all memories together)",
                human_bytes(limits.memory_bytes)
            ),
        );
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => (
            Outcome::OutOfFuel,
            format!("fuel limit of {} instructions exhausted", limits.fuel),
        ),
        Some(Trap::Interrupt) => (
            Outcome::Deadline,
            format!("deadline of {} ms exceeded", limits.deadline_ms),
        ),
        Some(Trap::StackOverflow) => (
            Outcome::Trap,
            "trap: stack overflow (the plugin recursed too deeply)".into(),
        ),
        Some(trap) => (Outcome::Trap, format!("trap: {trap}")),
        None => (Outcome::Trap, format!("trap: {error:#}")),
    }
}

impl Runtime {
    /// Runs one call on a fresh instance of the version `sha256`. Every outcome, limits
    /// included, is in the report; `Err` means nothing ran.
    pub fn invoke(&self, sha256: &str, call: Call) -> Result<Report, InvokeError> {
        let Call {
            interface,
            input,
            settings,
            limits,
            lookups,
        } = call;
        let loaded = self.get(sha256).ok_or(InvokeError::NotLoaded)?;
        if !loaded.exports.contains(&interface) {
            return Err(InvokeError::NotExported(interface));
        }
        let json_caller = matches!(input, CallInput::Json(_));
        let input = parse_input(interface, input).map_err(InvokeError::BadInput)?;
        let started = Instant::now();
        let state = PluginState::new(settings, limits.memory_bytes, limits.log_bytes, lookups);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store
            .set_fuel(limits.fuel)
            .expect("fuel is enabled on the engine");
        let ticks = (limits.deadline_ms * 1000)
            .div_ceil(EPOCH_TICK.as_micros() as u64)
            .max(1);
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();

        let answer = run(&loaded, &mut store, &input, limits.output_bytes);
        if let Err(Failure::Wasm(e)) = &answer {
            if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
                .is_some()
            {
                return Err(InvokeError::NoInstanceSlot);
            }
        }
        let fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        let settled = Settled::of(answer, json_caller, store.data(), &limits);
        let logs = store.data().log.render();
        drop(store);
        Ok(Report {
            outcome: settled.outcome,
            result: settled.result,
            answer: settled.answer,
            error: settled.error,
            logs,
            fuel_used,
            duration_us: started.elapsed().as_micros() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use portico_core::fields::Violation;
    use portico_core::plugins::Answer;

    use super::{convert, measure};

    /// A validator's answer is measured as exactly the JSON it makes, escapes and commas
    /// included (the `answer_lift` fuzz target found both missing: empty violations by the
    /// thousand, control characters written as `\u00XX`).
    #[test]
    fn violations_are_measured_as_their_json() {
        let violation = |text: &str| Violation {
            marker: text.into(),
            code: text.into(),
            message: text.into(),
        };
        for answer in [
            Vec::new(),
            vec![violation("")],
            vec![violation(""); 1000],
            vec![
                violation("age"),
                violation("\0\u{1}\"\\\n"),
                violation("caf\u{e9}"),
            ],
        ] {
            let answer = Answer::Violations(answer);
            let json = serde_json::to_vec(&convert::answer_json(&answer)).unwrap();
            assert_eq!(measure(&answer).0, json.len() as u64);
        }
    }
}
