//! The plugin port and its types: the interfaces a plugin may export, the limits a call runs
//! under, what a call takes and answers (typed), and the look-ups it may make.

mod answer;
pub mod limits;
mod lookups;
mod port;
mod report;

pub use answer::{Answer, Decision, Denial, Effect, FieldAssignment, Notification, Veto};
pub use limits::{human_bytes, LimitOverrides, Limits};
pub use lookups::{HostLookups, NoLookups, UserInfo};
pub use port::{
    Call, CallInput, Disabled, InvokeError, LoadSource, PluginRuntime, Prepared, RuntimeStats,
};
pub use report::{
    hook_exists_at, signup_function, Interface, Outcome, Refusal, Report, DECIDE,
    DECIDE_SELF_SIGNUP, HOOKS, HOOKS_SINCE_0_2_0, WIT_PACKAGE, WIT_VERSION, WIT_VERSIONS,
};
