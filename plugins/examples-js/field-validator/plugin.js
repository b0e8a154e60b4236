// Field validator: checks every field of a request against the rules in its settings and
// returns every violation (rules and codes: README.md). The component's entry module.

import { fieldValidator as validator } from "@portico/plugin-sdk";
import { nowMs } from "@portico/plugin-sdk/host";
import { validateAll } from "./rules.js";

export const fieldValidator = validator((fields) => validateAll(fields, nowMs));
