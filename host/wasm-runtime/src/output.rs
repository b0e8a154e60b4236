//! Lifting a plugin's answer within the output limit. wasmtime copies an answer's strings and
//! lists into the host as it lifts them, bounded only by its hostcall fuel (128 MiB by
//! default), and a few bytes of guest memory can stand for far more: a million violations, or
//! claims that all point at one 16 MiB string. The answer types here wrap wasmtime's own
//! `String` and `Vec` lifting: each reads the length first and charges it to the call's budget
//! (its output limit) before copying anything, so lifting stops as soon as the answer is past
//! the limit.
//!
//! The budget counts the answer as the plugin returned it: the bytes of its strings, plus a
//! minimum of JSON framing per list item (never more than that item's JSON takes), so an answer
//! within the limit always lifts; the caller then measures the JSON it makes of it exactly.

use std::cell::Cell;

use wasmtime::component::__internal::{CanonicalAbiInfo, InstanceType, InterfaceType, LiftContext};
use wasmtime::component::{
    ComponentExportIndex, ComponentNamedList, ComponentType, Instance, Lift, Lower,
};
use wasmtime::Store;

use super::bindings::lifecycle_hooks::{Effect, FieldAssignment, Notification, Veto};
use super::bindings::signup_policy::{Decision, Denial};
use super::bindings::types::Violation;
use super::state::PluginState;

/// Bytes of one violation's JSON framing (`{"marker":"","code":"","message":""}`; a comma
/// separates items): the output cap counts them with the strings, as if the answer were
/// serialised, without serialising it.
pub const VIOLATION_FRAMING_BYTES: u64 = 36;
/// Bytes of `{"violations":[]}`.
pub const VIOLATIONS_FRAMING_BYTES: u64 = 17;
/// Bytes of one claim's JSON framing at least (`"":"",`).
const CLAIM_FRAMING_BYTES: u64 = 6;
/// Bytes of one effect's JSON framing at least (the shortest, `{"type":"add-to-group","group":""}`).
const EFFECT_FRAMING_BYTES: u64 = 34;

/// The budget of the answer being lifted on this thread (a call lifts its answer on the thread
/// that makes the call).
#[derive(Clone, Copy)]
enum Budget {
    /// No bounded lift is running.
    Off,
    /// Bytes the answer may still take.
    Left(u64),
    /// The answer went past the limit.
    Exceeded,
}

thread_local! {
    static BUDGET: Cell<Budget> = const { Cell::new(Budget::Off) };
    /// Whether the bounded call's answer has begun to be lifted: the guest has returned, so an
    /// error from then on is a malformed answer, not a trap.
    static LIFTING: Cell<bool> = const { Cell::new(false) };
}

/// The error a lift fails with once the answer is past the limit.
#[derive(Debug)]
struct OutputLimitExceeded;

impl std::fmt::Display for OutputLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the answer is larger than the output limit")
    }
}

impl std::error::Error for OutputLimitExceeded {}

/// Charges `bytes` of the answer to the budget, before they are copied.
fn charge(bytes: u64) -> wasmtime::Result<()> {
    BUDGET.with(|budget| match budget.get() {
        Budget::Off => Ok(()),
        Budget::Left(left) if bytes <= left => {
            budget.set(Budget::Left(left - bytes));
            Ok(())
        }
        Budget::Left(_) | Budget::Exceeded => {
            budget.set(Budget::Exceeded);
            Err(wasmtime::Error::new(OutputLimitExceeded))
        }
    })
}

/// Why a bounded call has no answer.
pub enum Failure {
    /// The answer is larger than the output limit; lifting stopped there.
    TooLarge,
    /// The answer does not lift: a pointer or length out of bounds of the guest's memory, text
    /// that is not UTF-8, an unknown case.
    Malformed(wasmtime::Error),
    /// The call failed otherwise (a trap, a limit, a malformed answer).
    Wasm(wasmtime::Error),
}

/// Resets the budget when the bounded lift ends, however it ends.
struct BudgetScope;

impl Drop for BudgetScope {
    fn drop(&mut self) {
        BUDGET.with(|budget| budget.set(Budget::Off));
        LIFTING.with(|lifting| lifting.set(false));
    }
}

/// Runs `call` with answers lifted within `limit` bytes.
fn bounded<R>(limit: u64, call: impl FnOnce() -> wasmtime::Result<R>) -> Result<R, Failure> {
    BUDGET.with(|budget| budget.set(Budget::Left(limit)));
    LIFTING.with(|lifting| lifting.set(false));
    let _scope = BudgetScope;
    let result = call();
    // Whatever error wasmtime wraps the lift's in, the budget says why it failed.
    if matches!(BUDGET.with(Cell::get), Budget::Exceeded) {
        return Err(Failure::TooLarge);
    }
    let lifting = LIFTING.with(Cell::get);
    result.map_err(|e| match lifting {
        true => Failure::Malformed(e),
        false => Failure::Wasm(e),
    })
}

/// A call's one result: notes when its lifting begins (`LIFTING`), then lifts as `R`.
struct Answered<R>(R);

// SAFETY: the same representation, ABI and type check as `R`, which it delegates to.
unsafe impl<R: ComponentType> ComponentType for Answered<R> {
    type Lower = R::Lower;
    const ABI: CanonicalAbiInfo = R::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        R::typecheck(ty, types)
    }
}

// SAFETY: lifts through `R`; only notes that lifting began.
unsafe impl<R: Lift> Lift for Answered<R> {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> wasmtime::Result<Self> {
        LIFTING.with(|lifting| lifting.set(true));
        R::linear_lift_from_flat(cx, ty, src).map(Answered)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        LIFTING.with(|lifting| lifting.set(true));
        R::linear_lift_from_memory(cx, ty, bytes).map(Answered)
    }
}

/// Bytes `text` takes inside a JSON string as serde_json writes it: `"`, `\` and the control
/// characters escaped (as two bytes, or six as `\u00XX`), everything else as it is. The lift
/// charges a string's own bytes; the answer's JSON is measured with this (a message of control
/// characters takes six times its bytes).
pub fn json_text_bytes(text: &str) -> u64 {
    let escapes: u64 = text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0x00..=0x1f => 5,
            _ => 0,
        })
        .sum();
    text.len() as u64 + escapes
}

/// The length of a string from its canonical ABI length (code units; the top bit tags UTF-16
/// in the latin1+utf16 encoding): never more than its UTF-8 bytes.
fn string_units(abi_len: u32) -> u64 {
    u64::from(abi_len & !(1 << 31))
}

/// A `string` of an answer, charged to the budget before it is copied.
pub struct BoundedString(pub String);

// SAFETY: the same representation, ABI and type check as `String`, which it delegates to.
unsafe impl ComponentType for BoundedString {
    type Lower = <String as ComponentType>::Lower;
    const ABI: CanonicalAbiInfo = <String as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <String as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: lifts through `String` after reading the length of its (pointer, length) pair.
unsafe impl Lift for BoundedString {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> wasmtime::Result<Self> {
        charge(string_units(src[1].get_u32()))?;
        String::linear_lift_from_flat(cx, ty, src).map(BoundedString)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        charge(string_units(pair_length(bytes)))?;
        String::linear_lift_from_memory(cx, ty, bytes).map(BoundedString)
    }
}

/// The length half of a (pointer, length) pair stored in memory.
fn pair_length(bytes: &[u8]) -> u32 {
    let mut length = [0; 4];
    length.copy_from_slice(&bytes[4..8]);
    u32::from_le_bytes(length)
}

/// A list item's share of the answer besides its strings.
pub trait Framed {
    /// At least this many bytes of JSON framing per item (never more than it takes).
    const FRAMING_BYTES: u64;
}

/// A `list` of an answer: its items' framing is charged before the list is allocated, their
/// strings as each is copied.
pub struct BoundedList<T>(pub Vec<T>);

// SAFETY: the same representation, ABI and type check as `Vec<T>`, which it delegates to.
unsafe impl<T: ComponentType> ComponentType for BoundedList<T> {
    type Lower = <Vec<T> as ComponentType>::Lower;
    const ABI: CanonicalAbiInfo = <Vec<T> as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <Vec<T> as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: lifts through `Vec<T>` after reading the length of its (pointer, length) pair.
unsafe impl<T: Lift + Framed> Lift for BoundedList<T> {
    fn linear_lift_from_flat(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        src: &Self::Lower,
    ) -> wasmtime::Result<Self> {
        charge(u64::from(src[1].get_u32()).saturating_mul(T::FRAMING_BYTES))?;
        Vec::<T>::linear_lift_from_flat(cx, ty, src).map(BoundedList)
    }

    fn linear_lift_from_memory(
        cx: &mut LiftContext<'_>,
        ty: InterfaceType,
        bytes: &[u8],
    ) -> wasmtime::Result<Self> {
        charge(u64::from(pair_length(bytes)).saturating_mul(T::FRAMING_BYTES))?;
        Vec::<T>::linear_lift_from_memory(cx, ty, bytes).map(BoundedList)
    }
}

/// A `violation` of the field validator's answer.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedViolation {
    marker: BoundedString,
    code: BoundedString,
    message: BoundedString,
}

impl Framed for LiftedViolation {
    const FRAMING_BYTES: u64 = VIOLATION_FRAMING_BYTES;
}

impl From<LiftedViolation> for Violation {
    fn from(v: LiftedViolation) -> Violation {
        Violation {
            marker: v.marker.0,
            code: v.code.0,
            message: v.message.0,
        }
    }
}

/// The signup policy's `decision`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedDecision {
    #[component(name = "max-ttl-seconds")]
    max_ttl_seconds: Option<u32>,
    #[component(name = "forbid-with-sign")]
    forbid_with_sign: bool,
    #[component(name = "max-live-links")]
    max_live_links: Option<u32>,
    claims: BoundedList<(BoundedString, BoundedString)>,
}

impl Framed for (BoundedString, BoundedString) {
    const FRAMING_BYTES: u64 = CLAIM_FRAMING_BYTES;
}

impl From<LiftedDecision> for Decision {
    fn from(d: LiftedDecision) -> Decision {
        Decision {
            max_ttl_seconds: d.max_ttl_seconds,
            forbid_with_sign: d.forbid_with_sign,
            max_live_links: d.max_live_links,
            claims: d.claims.0.into_iter().map(|(k, v)| (k.0, v.0)).collect(),
        }
    }
}

/// The signup policy's `denial`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedDenial {
    code: BoundedString,
    message: BoundedString,
}

impl From<LiftedDenial> for Denial {
    fn from(d: LiftedDenial) -> Denial {
        Denial {
            code: d.code.0,
            message: d.message.0,
        }
    }
}

/// A `before-*` hook's `veto`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedVeto {
    message: BoundedString,
}

/// An `after-*` hook's `field-assignment`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedFieldAssignment {
    marker: BoundedString,
    value: BoundedString,
}

/// An `after-*` hook's `notification`.
#[derive(ComponentType, Lift)]
#[component(record)]
pub struct LiftedNotification {
    channel: BoundedString,
    template: BoundedString,
    data: BoundedString,
}

/// An `after-*` hook's `effect`.
#[derive(ComponentType, Lift)]
#[component(variant)]
pub enum LiftedEffect {
    #[component(name = "add-to-group")]
    AddToGroup(BoundedString),
    #[component(name = "remove-from-group")]
    RemoveFromGroup(BoundedString),
    #[component(name = "set-field")]
    SetField(LiftedFieldAssignment),
    #[component(name = "notify")]
    Notify(LiftedNotification),
}

impl Framed for LiftedEffect {
    const FRAMING_BYTES: u64 = EFFECT_FRAMING_BYTES;
}

impl From<LiftedEffect> for Effect {
    fn from(e: LiftedEffect) -> Effect {
        match e {
            LiftedEffect::AddToGroup(group) => Effect::AddToGroup(group.0),
            LiftedEffect::RemoveFromGroup(group) => Effect::RemoveFromGroup(group.0),
            LiftedEffect::SetField(f) => Effect::SetField(FieldAssignment {
                marker: f.marker.0,
                value: f.value.0,
            }),
            LiftedEffect::Notify(n) => Effect::Notify(Notification {
                channel: n.channel.0,
                template: n.template.0,
                data: n.data.0,
            }),
        }
    }
}

/// Calls the exported function `export` with `params` and lifts its one result within
/// `limit` bytes.
fn call<P, R>(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    params: P,
    limit: u64,
) -> Result<R, Failure>
where
    P: ComponentNamedList + Lower,
    R: Lift + 'static,
{
    let func = instance
        .get_typed_func::<P, (Answered<R>,)>(&mut *store, export)
        .map_err(Failure::Wasm)?;
    bounded(limit, || func.call(&mut *store, params)).map(|(answer,)| answer.0)
}

/// `validate` of the field validator: the violations, lifted within `limit` bytes.
pub fn validate(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    fields: &[super::bindings::types::Field],
    limit: u64,
) -> Result<Vec<Violation>, Failure> {
    let budget = limit.saturating_sub(VIOLATIONS_FRAMING_BYTES);
    let list: BoundedList<LiftedViolation> = call(store, instance, export, (fields,), budget)?;
    Ok(list.0.into_iter().map(Violation::from).collect())
}

/// `decide` of the signup policy: the decision or denial, lifted within `limit` bytes.
pub fn decide(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    request: &super::bindings::signup_policy::SignupRequest,
    limit: u64,
) -> Result<Result<Decision, Denial>, Failure> {
    let answer: Result<LiftedDecision, LiftedDenial> =
        call(store, instance, export, (request,), limit)?;
    Ok(answer.map(Decision::from).map_err(Denial::from))
}

/// `decide-self-signup` of a 0.2.0 signup policy: nothing or a denial, lifted within `limit`
/// bytes.
pub fn decide_self_signup(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    request: &super::bindings::signup_policy::SelfSignupRequest,
    limit: u64,
) -> Result<Result<(), Denial>, Failure> {
    let answer: Result<(), LiftedDenial> = call(store, instance, export, (request,), limit)?;
    Ok(answer.map_err(Denial::from))
}

/// A `before-*` hook: nothing or a veto, lifted within `limit` bytes.
pub fn before_hook(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    event: &super::bindings::lifecycle_hooks::HookEvent,
    limit: u64,
) -> Result<Result<(), Veto>, Failure> {
    let answer: Result<(), LiftedVeto> = call(store, instance, export, (event,), limit)?;
    Ok(answer.map_err(|veto| Veto {
        message: veto.message.0,
    }))
}

/// An `after-*` hook: the effects, lifted within `limit` bytes.
pub fn after_hook(
    store: &mut Store<PluginState>,
    instance: &Instance,
    export: &ComponentExportIndex,
    event: &super::bindings::lifecycle_hooks::HookEvent,
    limit: u64,
) -> Result<Vec<Effect>, Failure> {
    let list: BoundedList<LiftedEffect> = call(store, instance, export, (event,), limit)?;
    Ok(list.0.into_iter().map(Effect::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_stops_at_the_limit_and_ends_with_the_call() {
        let inside = bounded(10, || {
            charge(4)?;
            charge(6)
        });
        assert!(inside.is_ok());
        let past = bounded(10, || {
            charge(4)?;
            charge(7)?;
            charge(0)
        });
        assert!(matches!(past, Err(Failure::TooLarge)));
        // Outside a bounded call nothing is charged.
        assert!(charge(u64::MAX).is_ok());
        // A failure that is not the budget's keeps its error.
        let other = bounded(10, || -> wasmtime::Result<()> {
            Err(wasmtime::Error::msg("trap"))
        });
        assert!(matches!(other, Err(Failure::Wasm(e)) if e.to_string() == "trap"));
    }

    /// Found by the `answer_lift` fuzz target: violations of control characters lifted within
    /// the limit made JSON past it, since each such byte is written as `\u00XX`.
    #[test]
    fn json_text_bytes_counts_what_serde_json_writes() {
        let serde_len = |t: &str| serde_json::to_string(t).unwrap().len() as u64 - 2;
        for b in 0u8..0x80 {
            let text = char::from(b).to_string();
            assert_eq!(json_text_bytes(&text), serde_len(&text), "byte {b:#04x}");
        }
        for text in [
            "",
            "age ok",
            "caf\u{e9} \u{1f600}",
            "\0\0\0",
            "a\"b\\c\nd\u{7f}",
        ] {
            assert_eq!(json_text_bytes(text), serde_len(text), "{text:?}");
        }
    }

    #[test]
    fn the_latin1_utf16_tag_is_not_counted_as_length() {
        assert_eq!(string_units(5), 5);
        assert_eq!(string_units((1 << 31) | 5), 5);
    }

    /// The framing charged per item is never more than the item's JSON with its comma takes,
    /// so an answer within the limit always lifts.
    #[test]
    fn framing_never_exceeds_the_json_of_an_empty_item() {
        use super::super::answers::{decision_of, effect_of};
        use super::super::convert::{decision_json, effects_json, violations_json};
        use super::super::field_values::core_violation;
        let json_len = |v: serde_json::Value| serde_json::to_vec(&v).unwrap().len() as u64;
        let violation = Violation {
            marker: String::new(),
            code: String::new(),
            message: String::new(),
        };
        let list_of_one = json_len(violations_json(&[core_violation(violation)]));
        assert!(
            VIOLATION_FRAMING_BYTES <= list_of_one - 2 + 1,
            "{list_of_one}"
        );
        let decision = |claims: Vec<(String, String)>| Decision {
            max_ttl_seconds: None,
            forbid_with_sign: false,
            max_live_links: None,
            claims,
        };
        let decision_len = |d| json_len(decision_json(&decision_of(d)));
        let one_claim = decision_len(decision(vec![(String::new(), String::new())]))
            - decision_len(decision(Vec::new()));
        assert!(CLAIM_FRAMING_BYTES <= one_claim + 1, "{one_claim}");
        let effects = [
            Effect::AddToGroup(String::new()),
            Effect::RemoveFromGroup(String::new()),
            Effect::SetField(FieldAssignment {
                marker: String::new(),
                value: String::new(),
            }),
            Effect::Notify(Notification {
                channel: String::new(),
                template: String::new(),
                data: String::new(),
            }),
        ];
        for effect in effects {
            let list_of_one = json_len(effects_json(&[effect_of(effect)]));
            assert!(EFFECT_FRAMING_BYTES <= list_of_one - 2 + 1, "{list_of_one}");
        }
    }
}
