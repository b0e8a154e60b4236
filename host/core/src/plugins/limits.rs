//! The limits every plugin call runs under. Each default is a named constant; a tenant may
//! override any of them, but never beyond the operator's maximum. The operator sets that
//! maximum (`PUT /v1/plugin-limits`) anywhere from 1 up to the built-in ceiling `OPERATOR_MAX_*`;
//! until it does, the maximum is `Limits::DEFAULT_OPERATOR_MAX` (the ceiling, except for the two
//! limits that decide how long a call holds a thread). A default above a lowered maximum is
//! lowered to it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Instruction budget of one call, in wasmtime fuel units (about one per wasm instruction).
/// 10 M is ample for validating a form (the 15-field example uses about 0.1 M) and stops an
/// infinite loop after a few milliseconds.
pub const DEFAULT_FUEL: u64 = 10_000_000;
/// Operator's maximum instruction budget (built-in ceiling; the operator may lower it): 10 G, a few seconds of tight loop at most.
pub const OPERATOR_MAX_FUEL: u64 = 10_000_000_000;

/// The operator's maximum instruction budget until the operator sets one: 1 G, a fraction of
/// a second of tight loop, so a tenant cannot hold a core for seconds per call unless the
/// operator allows it.
pub const DEFAULT_OPERATOR_MAX_FUEL: u64 = 1_000_000_000;

/// Wall-clock deadline of one call (enforced with epoch interruption). Catches what fuel does
/// not: time spent in host calls and guests that run slowly per instruction.
pub const DEFAULT_DEADLINE_MS: u64 = 100;
/// Operator's maximum deadline (built-in ceiling; the operator may lower it): 5 s (a call holds a blocking thread that long).
pub const OPERATOR_MAX_DEADLINE_MS: u64 = 5_000;

/// The operator's maximum deadline until the operator sets one: 1 s, the longest a tenant's
/// call holds one of its plugin slots unless the operator allows more.
pub const DEFAULT_OPERATOR_MAX_DEADLINE_MS: u64 = 1_000;

/// Linear memory one call may use (all memories of the instance together): 32 MiB.
pub const DEFAULT_MEMORY_BYTES: u64 = 32 << 20;
/// Operator's maximum linear memory (built-in ceiling; the operator may lower it): 256 MiB. It is also the size of each memory slot of
/// the pooling allocator, so it bounds the address space reserved per concurrent call.
pub const OPERATOR_MAX_MEMORY_BYTES: u64 = 256 << 20;

/// Largest component accepted at upload: 24 MiB. Rust plugins are 50-400 KB, JavaScript ones
/// built with QuickJS (componentize-qjs) about 1.8 MB, Python ones (componentize-py 0.25, the
/// interpreter and its standard library inside) 18.5 MB: 24 MiB takes a Python plugin with a
/// few dependencies under the default. (SpiderMonkey-based JavaScript components, 12 MB, fit as
/// well, but are not the SDK's route: plugins/sdk-js/MEASUREMENTS.md.)
pub const DEFAULT_COMPONENT_BYTES: u64 = 24 << 20;
/// Operator's maximum component size (built-in ceiling; the operator may lower it): 64 MiB.
pub const OPERATOR_MAX_COMPONENT_BYTES: u64 = 64 << 20;

/// Largest output of one call, measured on the returned data (strings and list items): 1 MiB.
/// The host stops copying an answer as soon as it is past this (`output`), so an answer that
/// aliases one string many times costs no more than the limit.
pub const DEFAULT_OUTPUT_BYTES: u64 = 1 << 20;
/// Operator's maximum output size (built-in ceiling; the operator may lower it): 16 MiB.
pub const OPERATOR_MAX_OUTPUT_BYTES: u64 = 16 << 20;

/// Bytes of captured logs (host `log` lines, stdout and stderr together) kept per call: 4 KiB.
/// Further output is dropped and counted.
pub const DEFAULT_LOG_BYTES: u64 = 4 << 10;
/// Operator's maximum captured log bytes per call (built-in ceiling; the operator may lower
/// it): 64 KiB (they are stored with every
/// invocation record).
pub const OPERATOR_MAX_LOG_BYTES: u64 = 64 << 10;

/// Largest compiled artifact of one upload: 64 MiB. Compiling can multiply the size many times
/// (a 4 KB component declaring a 16 MiB memory image compiles to 16 MiB); the artifact is
/// stored and loaded, so it is bounded like the upload. Rust plugins compile to about 2-4 times
/// their size, JavaScript and Python ones to 30-60 MiB.
pub const DEFAULT_COMPILED_BYTES: u64 = 64 << 20;
/// Operator's maximum compiled artifact size (built-in ceiling; the operator may lower it):
/// 256 MiB.
pub const OPERATOR_MAX_COMPILED_BYTES: u64 = 256 << 20;

/// Bytes of plugins one tenant may store, its components and their compiled artifacts
/// together (each distinct component counted once): 256 MiB.
pub const DEFAULT_STORED_BYTES: u64 = 256 << 20;
/// Operator's maximum stored plugin bytes per tenant (built-in ceiling; the operator may lower
/// it): 4 GiB.
pub const OPERATOR_MAX_STORED_BYTES: u64 = 4 << 30;

/// Plugin versions one tenant may hold, all its plugins together: 100.
pub const DEFAULT_VERSIONS: u64 = 100;
/// Operator's maximum plugin versions per tenant (built-in ceiling; the operator may lower it):
/// 10 000.
pub const OPERATOR_MAX_VERSIONS: u64 = 10_000;

/// The effective limits of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Instruction budget of one call (wasmtime fuel).
    pub fuel: u64,
    /// Wall-clock deadline of one call, in milliseconds.
    pub deadline_ms: u64,
    /// Memory of one call's instance, all memories and tables together.
    pub memory_bytes: u64,
    /// Largest uploaded component.
    pub component_bytes: u64,
    /// Largest answer of one call.
    pub output_bytes: u64,
    /// Most captured log bytes of one call.
    pub log_bytes: u64,
    /// Largest compiled artifact of an upload.
    pub compiled_bytes: u64,
    /// Bytes of plugins the tenant may store (components and artifacts).
    pub stored_bytes: u64,
    /// Plugin versions the tenant may hold.
    pub versions: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: DEFAULT_FUEL,
            deadline_ms: DEFAULT_DEADLINE_MS,
            memory_bytes: DEFAULT_MEMORY_BYTES,
            component_bytes: DEFAULT_COMPONENT_BYTES,
            output_bytes: DEFAULT_OUTPUT_BYTES,
            log_bytes: DEFAULT_LOG_BYTES,
            compiled_bytes: DEFAULT_COMPILED_BYTES,
            stored_bytes: DEFAULT_STORED_BYTES,
            versions: DEFAULT_VERSIONS,
        }
    }
}

impl Limits {
    /// The built-in ceiling of the operator's maximum (and the maximum until the operator
    /// lowers it).
    pub const OPERATOR_MAX: Limits = Limits {
        fuel: OPERATOR_MAX_FUEL,
        deadline_ms: OPERATOR_MAX_DEADLINE_MS,
        memory_bytes: OPERATOR_MAX_MEMORY_BYTES,
        component_bytes: OPERATOR_MAX_COMPONENT_BYTES,
        output_bytes: OPERATOR_MAX_OUTPUT_BYTES,
        log_bytes: OPERATOR_MAX_LOG_BYTES,
        compiled_bytes: OPERATOR_MAX_COMPILED_BYTES,
        stored_bytes: OPERATOR_MAX_STORED_BYTES,
        versions: OPERATOR_MAX_VERSIONS,
    };

    /// The operator's maximum until the operator sets one: the ceiling, with the fuel and the
    /// deadline lower (`DEFAULT_OPERATOR_MAX_FUEL`, `DEFAULT_OPERATOR_MAX_DEADLINE_MS`).
    pub const DEFAULT_OPERATOR_MAX: Limits = Limits {
        fuel: DEFAULT_OPERATOR_MAX_FUEL,
        deadline_ms: DEFAULT_OPERATOR_MAX_DEADLINE_MS,
        ..Limits::OPERATOR_MAX
    };

    /// The deadline as a duration.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }

    /// Applies a tenant's overrides within the operator's maximum `max`: answers the first
    /// override that is zero or above `max`, as `(name, maximum)`. Defaults above `max` are
    /// lowered to it.
    pub fn with_overrides(
        overrides: &LimitOverrides,
        max: &Limits,
    ) -> Result<Limits, (&'static str, u64)> {
        let mut limits = Limits::default().clamped(max);
        let pick = |name: &'static str, value: Option<u64>, max: u64, slot: &mut u64| match value {
            None => Ok(()),
            Some(v) if v == 0 || v > max => Err((name, max)),
            Some(v) => {
                *slot = v;
                Ok(())
            }
        };
        pick("fuel", overrides.fuel, max.fuel, &mut limits.fuel)?;
        pick(
            "deadlineMs",
            overrides.deadline_ms,
            max.deadline_ms,
            &mut limits.deadline_ms,
        )?;
        pick(
            "memoryBytes",
            overrides.memory_bytes,
            max.memory_bytes,
            &mut limits.memory_bytes,
        )?;
        pick(
            "componentBytes",
            overrides.component_bytes,
            max.component_bytes,
            &mut limits.component_bytes,
        )?;
        pick(
            "outputBytes",
            overrides.output_bytes,
            max.output_bytes,
            &mut limits.output_bytes,
        )?;
        pick(
            "logBytes",
            overrides.log_bytes,
            max.log_bytes,
            &mut limits.log_bytes,
        )?;
        pick(
            "compiledBytes",
            overrides.compiled_bytes,
            max.compiled_bytes,
            &mut limits.compiled_bytes,
        )?;
        pick(
            "storedBytes",
            overrides.stored_bytes,
            max.stored_bytes,
            &mut limits.stored_bytes,
        )?;
        pick(
            "versions",
            overrides.versions,
            max.versions,
            &mut limits.versions,
        )?;
        Ok(limits)
    }

    /// What a tenant's stored overrides give under `max` (which the operator may have lowered
    /// since they were set): each value is kept, or lowered to the maximum.
    pub fn effective(overrides: &LimitOverrides, max: &Limits) -> Limits {
        let mut limits = Limits::default();
        let set = |value: Option<u64>, slot: &mut u64| {
            if let Some(v) = value.filter(|v| *v > 0) {
                *slot = v;
            }
        };
        set(overrides.fuel, &mut limits.fuel);
        set(overrides.deadline_ms, &mut limits.deadline_ms);
        set(overrides.memory_bytes, &mut limits.memory_bytes);
        set(overrides.component_bytes, &mut limits.component_bytes);
        set(overrides.output_bytes, &mut limits.output_bytes);
        set(overrides.log_bytes, &mut limits.log_bytes);
        set(overrides.compiled_bytes, &mut limits.compiled_bytes);
        set(overrides.stored_bytes, &mut limits.stored_bytes);
        set(overrides.versions, &mut limits.versions);
        limits.clamped(max)
    }

    /// Each limit lowered to `max` where it is above it.
    pub fn clamped(self, max: &Limits) -> Limits {
        Limits {
            fuel: self.fuel.min(max.fuel),
            deadline_ms: self.deadline_ms.min(max.deadline_ms),
            memory_bytes: self.memory_bytes.min(max.memory_bytes),
            component_bytes: self.component_bytes.min(max.component_bytes),
            output_bytes: self.output_bytes.min(max.output_bytes),
            log_bytes: self.log_bytes.min(max.log_bytes),
            compiled_bytes: self.compiled_bytes.min(max.compiled_bytes),
            stored_bytes: self.stored_bytes.min(max.stored_bytes),
            versions: self.versions.min(max.versions),
        }
    }

    /// The operator's maximum from the operator's settings: each value between 1 and the
    /// built-in ceiling (`Limits::OPERATOR_MAX`); answers the first that is not, as
    /// `(name, ceiling)`. Absent values keep `Limits::DEFAULT_OPERATOR_MAX`.
    pub fn operator_maximum(settings: &LimitOverrides) -> Result<Limits, (&'static str, u64)> {
        let ceiling = Limits::OPERATOR_MAX;
        let mut max = Limits::DEFAULT_OPERATOR_MAX;
        let pick =
            |name: &'static str, value: Option<u64>, ceiling: u64, slot: &mut u64| match value {
                None => Ok(()),
                Some(v) if v == 0 || v > ceiling => Err((name, ceiling)),
                Some(v) => {
                    *slot = v;
                    Ok(())
                }
            };
        pick("fuel", settings.fuel, ceiling.fuel, &mut max.fuel)?;
        pick(
            "deadlineMs",
            settings.deadline_ms,
            ceiling.deadline_ms,
            &mut max.deadline_ms,
        )?;
        pick(
            "memoryBytes",
            settings.memory_bytes,
            ceiling.memory_bytes,
            &mut max.memory_bytes,
        )?;
        pick(
            "componentBytes",
            settings.component_bytes,
            ceiling.component_bytes,
            &mut max.component_bytes,
        )?;
        pick(
            "outputBytes",
            settings.output_bytes,
            ceiling.output_bytes,
            &mut max.output_bytes,
        )?;
        pick(
            "logBytes",
            settings.log_bytes,
            ceiling.log_bytes,
            &mut max.log_bytes,
        )?;
        pick(
            "compiledBytes",
            settings.compiled_bytes,
            ceiling.compiled_bytes,
            &mut max.compiled_bytes,
        )?;
        pick(
            "storedBytes",
            settings.stored_bytes,
            ceiling.stored_bytes,
            &mut max.stored_bytes,
        )?;
        pick(
            "versions",
            settings.versions,
            ceiling.versions,
            &mut max.versions,
        )?;
        Ok(max)
    }
}

/// A tenant's overrides; absent values keep the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)] // Each field overrides the `Limits` field of the same name.
pub struct LimitOverrides {
    #[serde(default)]
    pub fuel: Option<u64>,
    #[serde(default)]
    pub deadline_ms: Option<u64>,
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    #[serde(default)]
    pub component_bytes: Option<u64>,
    #[serde(default)]
    pub output_bytes: Option<u64>,
    #[serde(default)]
    pub log_bytes: Option<u64>,
    #[serde(default)]
    pub compiled_bytes: Option<u64>,
    #[serde(default)]
    pub stored_bytes: Option<u64>,
    #[serde(default)]
    pub versions: Option<u64>,
}

/// Bytes in words: `10 MiB`, `4 KiB`, `1500 bytes`.
pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_stay_within_the_operator_maximum() {
        let max = Limits::OPERATOR_MAX;
        let ok = Limits::with_overrides(
            &LimitOverrides {
                fuel: Some(5),
                ..Default::default()
            },
            &max,
        )
        .unwrap();
        assert_eq!(ok.fuel, 5);
        assert_eq!(ok.deadline_ms, DEFAULT_DEADLINE_MS);
        let too_much = LimitOverrides {
            memory_bytes: Some(OPERATOR_MAX_MEMORY_BYTES + 1),
            ..Default::default()
        };
        assert_eq!(
            Limits::with_overrides(&too_much, &max),
            Err(("memoryBytes", OPERATOR_MAX_MEMORY_BYTES))
        );
        assert!(Limits::with_overrides(
            &LimitOverrides {
                log_bytes: Some(0),
                ..Default::default()
            },
            &max
        )
        .is_err());
    }

    #[test]
    fn a_lowered_operator_maximum_bounds_defaults_and_stored_overrides() {
        let lowered = Limits::operator_maximum(&LimitOverrides {
            fuel: Some(1_000),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(lowered.fuel, 1_000);
        assert_eq!(lowered.memory_bytes, OPERATOR_MAX_MEMORY_BYTES);
        assert_eq!(
            Limits::with_overrides(&LimitOverrides::default(), &lowered)
                .unwrap()
                .fuel,
            1_000
        );
        let stored = LimitOverrides {
            fuel: Some(5_000),
            log_bytes: Some(100),
            ..Default::default()
        };
        assert_eq!(
            Limits::with_overrides(&stored, &lowered),
            Err(("fuel", 1_000))
        );
        let effective = Limits::effective(&stored, &lowered);
        assert_eq!((effective.fuel, effective.log_bytes), (1_000, 100));
        let above = LimitOverrides {
            deadline_ms: Some(OPERATOR_MAX_DEADLINE_MS + 1),
            ..Default::default()
        };
        assert_eq!(
            Limits::operator_maximum(&above),
            Err(("deadlineMs", OPERATOR_MAX_DEADLINE_MS))
        );
    }

    #[test]
    fn until_the_operator_sets_one_the_maximum_bounds_fuel_and_deadline_below_the_ceiling() {
        let unset = Limits::operator_maximum(&LimitOverrides::default()).unwrap();
        assert_eq!(unset, Limits::DEFAULT_OPERATOR_MAX);
        assert_eq!(
            (unset.fuel, unset.deadline_ms),
            (DEFAULT_OPERATOR_MAX_FUEL, DEFAULT_OPERATOR_MAX_DEADLINE_MS)
        );
        assert_eq!(unset.memory_bytes, OPERATOR_MAX_MEMORY_BYTES);
        // Inside: the operator raises it up to the ceiling; past it: refused, naming it.
        let raised = Limits::operator_maximum(&LimitOverrides {
            fuel: Some(OPERATOR_MAX_FUEL),
            deadline_ms: Some(OPERATOR_MAX_DEADLINE_MS),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(raised, Limits::OPERATOR_MAX);
        assert_eq!(
            Limits::with_overrides(
                &LimitOverrides {
                    fuel: Some(DEFAULT_OPERATOR_MAX_FUEL + 1),
                    ..Default::default()
                },
                &unset
            ),
            Err(("fuel", DEFAULT_OPERATOR_MAX_FUEL))
        );
    }

    #[test]
    fn bytes_in_words() {
        assert_eq!(human_bytes(10 << 20), "10 MiB");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(1500), "1500 bytes");
    }
}
