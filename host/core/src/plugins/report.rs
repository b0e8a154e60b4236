//! What the runtime answers: the interfaces a component exports, why an upload is refused, and
//! the report of one call (outcome, answer, result, logs, fuel, duration).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::answer::Answer;
use super::limits::human_bytes;

/// The WIT package every Portico interface belongs to.
pub const WIT_PACKAGE: &str = "portico:plugin";
/// The newest package version this host serves: what the SDK builds plugins against.
pub const WIT_VERSION: &str = "0.2.0";
/// Every package version this host loads and runs, oldest first. A component exports each
/// interface at one of them (0.2.0 added `decide-self-signup` to `signup-policy`, and
/// `before-update-user` and `after-update-user` to `lifecycle-hooks`).
pub const WIT_VERSIONS: [&str; 2] = ["0.1.0", "0.2.0"];

/// The function of `signup-policy` deciding on a signup link (every version).
pub const DECIDE: &str = "decide";
/// The function of `signup-policy` deciding on a self sign-up (since 0.2.0). A signup-policy
/// call runs it when its JSON input says `"function": "decide-self-signup"`.
pub const DECIDE_SELF_SIGNUP: &str = "decide-self-signup";

/// The `signup-policy` function a JSON input is for: its `"function"` (`decide` when absent).
pub fn signup_function(input: &Value) -> &str {
    input
        .get("function")
        .and_then(Value::as_str)
        .unwrap_or(DECIDE)
}

/// A Portico interface a component may export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Interface {
    /// Decides on signup-link requests.
    SignupPolicy,
    /// Checks submitted form fields.
    FieldValidator,
    /// Before-hooks that may veto, after-hooks that may return effects.
    LifecycleHooks,
}

impl Interface {
    /// Every interface.
    pub const ALL: [Interface; 3] = [
        Interface::SignupPolicy,
        Interface::FieldValidator,
        Interface::LifecycleHooks,
    ];

    /// The interface's WIT name, e.g. `field-validator`.
    pub fn name(self) -> &'static str {
        match self {
            Interface::SignupPolicy => "signup-policy",
            Interface::FieldValidator => "field-validator",
            Interface::LifecycleHooks => "lifecycle-hooks",
        }
    }

    /// The fully qualified export name at the newest version, e.g.
    /// `portico:plugin/field-validator@0.2.0`.
    pub fn export_name(self) -> String {
        self.export_name_at(WIT_VERSION)
    }

    /// The fully qualified export name at `version`, e.g.
    /// `portico:plugin/field-validator@0.1.0`.
    pub fn export_name_at(self, version: &str) -> String {
        format!("{WIT_PACKAGE}/{}@{version}", self.name())
    }

    /// The interface of a WIT name (`field-validator`).
    pub fn parse(name: &str) -> Option<Interface> {
        Interface::ALL.into_iter().find(|i| i.name() == name)
    }
}

/// The lifecycle hooks, by the names of their WIT functions: those of 0.1.0 first, then those
/// added since (`HOOKS_SINCE_0_2_0`).
pub const HOOKS: [&str; 12] = [
    "before-block",
    "before-unblock",
    "before-grant-access",
    "before-deny-access",
    "before-add-user",
    "after-block",
    "after-unblock",
    "after-grant-access",
    "after-deny-access",
    "after-add-user",
    "before-update-user",
    "after-update-user",
];

/// The hooks `lifecycle-hooks` gained in 0.2.0: a component exporting the interface at 0.1.0
/// lacks them and does not take part in those changes (the call answers as the SDK's defaults
/// do, without running).
pub const HOOKS_SINCE_0_2_0: [&str; 2] = ["before-update-user", "after-update-user"];

/// Whether `hook` exists in `lifecycle-hooks` at `version` (one of `WIT_VERSIONS`).
pub fn hook_exists_at(hook: &str, version: &str) -> bool {
    version != WIT_VERSIONS[0] || !HOOKS_SINCE_0_2_0.contains(&hook)
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The plugin answered and accepted (or returned effects).
    Ok,
    /// The plugin answered with a refusal: violations, a denial, a veto.
    Denied,
    /// The guest trapped (panic, stack overflow, unreachable...).
    Trap,
    /// The instruction budget ran out.
    OutOfFuel,
    /// The wall-clock deadline passed.
    Deadline,
    /// The guest tried to grow its memory past the limit.
    Memory,
    /// The answer was too large or malformed.
    BadOutput,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::Denied,
        Outcome::Trap,
        Outcome::OutOfFuel,
        Outcome::Deadline,
        Outcome::Memory,
        Outcome::BadOutput,
    ];

    /// Whether the plugin answered (as opposed to failing).
    pub fn answered(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Denied)
    }

    /// The documented name (`out_of_fuel`).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Trap => "trap",
            Outcome::OutOfFuel => "out_of_fuel",
            Outcome::Deadline => "deadline",
            Outcome::Memory => "memory",
            Outcome::BadOutput => "bad_output",
        }
    }
}

/// The documented name (`out_of_fuel`, `trap`...): what messages show, never the Rust name.
impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The report of one call.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// How the call ended.
    pub outcome: Outcome,
    /// The plugin's answer as JSON, when it answered a JSON call (`CallInput::Json`): what dry
    /// runs, the command-line runner and binding invokes show. Typed calls
    /// (`CallInput::Fields`) leave it empty.
    pub result: Option<Value>,
    /// The plugin's answer, typed: present whenever it answered (`ok` or `denied`), whatever
    /// the input. The rules read this, never `result`.
    #[serde(skip)]
    pub answer: Option<Answer>,
    /// What went wrong, naming the limit when one was hit.
    pub error: Option<String>,
    /// Captured `host.log` lines, stdout and stderr (capped).
    pub logs: String,
    /// Fuel the call used.
    pub fuel_used: u64,
    /// How long the call took, in microseconds.
    pub duration_us: u64,
}

/// Why a component is refused at upload. Each message names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than the component size limit.
    TooLarge {
        /// The upload's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not a WebAssembly component.
    NotAComponent {
        /// It is a core module (not wrapped as a component).
        core_module: bool,
    },
    /// Does not validate or compile (the engine's message).
    Invalid(String),
    /// Imports what Portico does not provide (the names).
    ForbiddenImports(Vec<String>),
    /// Exports no Portico interface.
    NoExports,
    /// More core instances, memories or tables than one component may have (the message says
    /// which).
    TooComplex(String),
    /// A Portico interface exported (or `host` imported) with other function signatures than
    /// its WIT: `name` is the interface, `what` names the mismatch.
    SignatureMismatch {
        /// The interface.
        name: String,
        /// The mismatch.
        what: String,
    },
}

impl Refusal {
    /// A stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "component_too_large",
            Refusal::NotAComponent { .. } => "not_a_component",
            Refusal::Invalid(_) => "invalid_component",
            Refusal::ForbiddenImports(_) => "forbidden_imports",
            Refusal::NoExports => "no_portico_exports",
            Refusal::TooComplex(_) => "component_too_complex",
            Refusal::SignatureMismatch { .. } => "signature_mismatch",
        }
    }

    /// What is wrong, for people.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge { size, limit } => format!(
                "the component is {size} bytes, which exceeds {} (the component size limit)",
                human_bytes(*limit)
            ),
            Refusal::NotAComponent { core_module: true } => {
                "not a WebAssembly component: this is a core WebAssembly module; build for wasm32-wasip2 or wrap it with `wasm-tools component new`".into()
            }
            Refusal::NotAComponent { core_module: false } => "not a WebAssembly component".into(),
            Refusal::Invalid(e) => format!("the component does not load: {e}"),
            Refusal::ForbiddenImports(names) => format!(
                "imports {}, which Portico does not provide (plugins may import only wasi:cli, wasi:io, wasi:random and {})",
                names.join(", "),
                versioned("host")
            ),
            Refusal::NoExports => format!(
                "exports no Portico interface (expected at least one of {})",
                Interface::ALL.map(|i| versioned(i.name())).join(", ")
            ),
            Refusal::TooComplex(what) => format!("the component {what}"),
            Refusal::SignatureMismatch { name, what } => {
                format!("{name} does not match the interface Portico serves: {what}")
            }
        }
    }
}

/// An interface of the package at every version served, e.g.
/// `portico:plugin/host@0.1.0 or @0.2.0`.
fn versioned(name: &str) -> String {
    let versions: Vec<String> = WIT_VERSIONS.iter().map(|v| format!("@{v}")).collect();
    format!("{WIT_PACKAGE}/{name}{}", versions.join(" or "))
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}
