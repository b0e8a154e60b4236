// The host's functions (`portico:plugin/host`). This module imports the component's host
// interface, so it only loads inside a built plugin; keep logic you unit-test in Node elsewhere.

import * as imported from "portico:plugin/host@0.2.0";
import { parseSettings } from "./settings.js";

// componentize-qjs hands an interface over as the default export, componentize-js as named ones.
const host = imported.default ?? imported;

/** Writes a line to the invocation log (`trace`, `debug`, `info`, `warn`, `error`). */
export function log(level, message) {
  host.log(level, String(message));
}
export const debug = (message) => log("debug", message);
export const info = (message) => log("info", message);
export const warn = (message) => log("warn", message);
export const error = (message) => log("error", message);

/** The binding's settings as JSON text (`{}` when it has none). */
export const settingsText = () => host.settings();

/** The binding's settings, parsed (and checked against `schema`, see `parseSettings`). */
export const bindingSettings = (schema = undefined) =>
  parseSettings(host.settings(), "binding settings", schema);

/** One top-level key of the binding's settings (strings without quotes), or undefined. */
export const setting = (key) => host.setting(key) ?? undefined;

/** The current time in milliseconds since the Unix epoch (UTC). */
export const nowMs = () => Number(host.nowMs());

/** The calling tenant's portal user with this email, or undefined. */
export const findUserByEmail = (email) => host.findUserByEmail(email) ?? undefined;

/** The group names of the calling tenant's user with this id. */
export const userGroups = (userId) => host.userGroups(userId);
