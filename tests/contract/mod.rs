//! Issue 21 (the API contract): the OpenAPI 3.1 document at `/v1/openapi.json` describes every
//! route the server answers, and the reference page at `/v1/docs` is served without outside
//! assets. The answers that `scripts/api-contract` (schemathesis against a running server)
//! found wrong are kept here as regressions.

mod document;
mod regressions;
