// The answers of signup policies and lifecycle hooks, and the objects a plugin exports. A
// component function whose WIT result is `result<T, E>` returns T or throws E: so a denial or a
// veto is thrown, as an Error subclass that also carries the record's fields.

import { jsonOrNull } from "./settings.js";

/** Terms for a signup link; build with `allow()` and its chainable methods. */
export class Decision {
  constructor() {
    this.maxTtlSeconds = undefined;
    this.forbidWithSign = false;
    this.maxLiveLinks = undefined;
    this.claims = [];
  }
  /** Caps the link's lifetime at `seconds`. */
  capTtl(seconds) {
    this.maxTtlSeconds = seconds;
    return this;
  }
  /** Refuses signed links. */
  forbidSigned() {
    this.forbidWithSign = true;
    return this;
  }
  /** Caps the number of live links of the profile. */
  capLiveLinks(count) {
    this.maxLiveLinks = count;
    return this;
  }
  /** Adds a claim stored with the link. */
  claim(name, value) {
    this.claims.push([String(name), String(value)]);
    return this;
  }
}

/** Allows the link as requested (chain `capTtl`, `forbidSigned`, `capLiveLinks`, `claim`). */
export function allow() {
  return new Decision();
}

/** A refusal of a signup link or a self sign-up: `throw new Denial(code, message)`. */
export class Denial extends Error {
  constructor(code, message) {
    super(String(message));
    this.name = "Denial";
    this.code = String(code);
  }
}

/** A refusal of a change by a `before-*` hook: `throw new Veto(message)`. */
export class Veto extends Error {
  constructor(message) {
    super(String(message));
    this.name = "Veto";
  }
}

/** Adds the event's profile to a group (by id or name). */
export const addToGroup = (group) => ({ tag: "add-to-group", val: String(group) });

/** Removes the event's profile from a group (by id or name). */
export const removeFromGroup = (group) => ({ tag: "remove-from-group", val: String(group) });

/** Sets a field of the event's profile to a JSON value (the form API's shape for its type). */
export const setField = (marker, value) => ({
  tag: "set-field",
  val: { marker: String(marker), value: JSON.stringify(value) },
});

/** Sends a notification through `channel` with a tenant `template` and JSON `data`. */
export const notify = (channel, template, data = {}) => ({
  tag: "notify",
  val: { channel: String(channel), template: String(template), data: JSON.stringify(data) },
});

/** A profile's (or user's) data as JSON, null when it does not parse. */
export const profileData = (profile) => jsonOrNull(profile.data);

/** A hook event's details as JSON, null when they do not parse. */
export const eventDetails = (event) => jsonOrNull(event.details);

/** What a user update sets (`details.changes` of the update-user hooks), null for other hooks. */
export const eventChanges = (event) => eventDetails(event)?.changes ?? null;

// Only these may cross the boundary as an `err`: anything else thrown is a bug, and it traps
// (the binding's failure policy then decides) instead of being lowered as a malformed record.
function only(Kind, fn) {
  return (arg) => {
    try {
      return fn(arg);
    } catch (e) {
      if (e instanceof Kind) throw Kind === Denial ? { code: e.code, message: e.message } : { message: e.message };
      throw e;
    }
  };
}

/** The `field-validator` export: `export const fieldValidator = fieldValidator((fields) => [...])`. */
export function fieldValidator(validate) {
  return { validate };
}

/** The `signup-policy` export; `decideSelfSignup` allows when omitted. */
export function signupPolicy({ decide, decideSelfSignup = () => undefined }) {
  if (typeof decide !== "function") throw new TypeError("signupPolicy needs decide(request)");
  return { decide: only(Denial, decide), decideSelfSignup: only(Denial, decideSelfSignup) };
}

// `beforeUpdateUser` and `afterUpdateUser` since portico:plugin@0.2.0 (their details are
// `{"changes": {...}}`, what the update sets: `eventChanges`).
const BEFORE = ["beforeBlock", "beforeUnblock", "beforeGrantAccess", "beforeDenyAccess", "beforeAddUser", "beforeUpdateUser"];
const AFTER = ["afterBlock", "afterUnblock", "afterGrantAccess", "afterDenyAccess", "afterAddUser", "afterUpdateUser"];

/** The `lifecycle-hooks` export: give the hooks you need; the others allow and return no effects. */
export function lifecycleHooks(hooks) {
  const unknown = Object.keys(hooks).filter((k) => !BEFORE.includes(k) && !AFTER.includes(k));
  if (unknown.length) throw new TypeError(`unknown hooks: ${unknown.join(", ")}`);
  const out = {};
  for (const name of BEFORE) out[name] = only(Veto, hooks[name] ?? (() => undefined));
  for (const name of AFTER) out[name] = hooks[name] ?? (() => []);
  return out;
}
