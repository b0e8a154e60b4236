// Types of @portico/plugin-sdk: the values of `portico:plugin@0.2.0` (wit/0.2.0/types.wit) as
// a built component passes them to JavaScript: records with camelCase keys, enums as their WIT
// case names, variants as `{tag, val}`, `option<T>` as `T | undefined`, u64/s64 as numbers.

/** The 15 field types (WIT case names). */
export type FieldType =
  | "string" | "integer" | "float" | "date" | "date-time" | "time" | "text" | "text-with-header"
  | "image" | "group-of-images" | "file" | "radio-button" | "list" | "entity" | "time-interval";

/** `{"fullDate", "formattedValue", "formatString"}` of a date, date-time or time field. */
export interface DateValue { fullDate: string; formattedValue: string; formatString: string }
/** A rich text; `params` is JSON text. */
export interface TextValue { htmlValue: string; plainValue: string; mdValue: string; params?: string }
export interface TextWithHeaderValue extends TextValue { header: string }
/** One uploaded file or image; `params` is JSON text. */
export interface FileValue { filename: string; downloadLink: string; size: number; previewLink?: string; params?: string }
/** One chosen option; `extended` is JSON text. */
export interface Choice { title: string; value: string; extended?: string }
export type EntityId = { tag: "numeric"; val: number } | { tag: "text"; val: string };

/** A field's value: one case per field type, the tag being the field type. */
export type FieldValue =
  | { tag: "string"; val: string }
  | { tag: "integer"; val: number }
  | { tag: "float"; val: number }
  | { tag: "date" | "date-time" | "time"; val: DateValue }
  | { tag: "text"; val: TextValue }
  | { tag: "text-with-header"; val: TextWithHeaderValue }
  | { tag: "image" | "group-of-images" | "file"; val: FileValue[] }
  | { tag: "radio-button"; val: Choice }
  | { tag: "list"; val: Choice[] }
  | { tag: "entity"; val: EntityId[] }
  | { tag: "time-interval"; val: [string, string][] };

/** One submitted field; `settings` is this field's validator settings as JSON text. */
export interface Field {
  marker: string;
  fieldType: FieldType;
  value: FieldValue;
  settings: string;
  formIdentifier?: string;
  langCode?: string;
}

export interface Violation { marker: string; code: string; message: string }
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** A portal user; `data` is a JSON object as text. */
export interface UserView { id: string; email: string; status: string; groups: string[]; data: string }
/** An external-user profile; `data` is a JSON object as text. */
export interface ProfileView { id: string; email: string; status: string; userId?: string; groups: string[]; data: string }

export interface SignupRequest {
  profileId: string; profileEmail: string; ttlSeconds: number; withSign: boolean; refresh: boolean; liveLinks: number;
}
export interface SelfSignupRequest {
  email: string; authProvider: string; formIdentifier?: string; fields: Field[]; langCode?: string;
}

export type ActorKind = "operator" | "api-key" | "portal-user" | "system";
export interface HookEvent {
  profile: ProfileView;
  user?: UserView;
  actor: { kind: ActorKind; id: string };
  /** Hook-specific details: a JSON object as text. */
  details: string;
}
export type Effect =
  | { tag: "add-to-group" | "remove-from-group"; val: string }
  | { tag: "set-field"; val: { marker: string; value: string } }
  | { tag: "notify"; val: { channel: string; template: string; data: string } };

// ---- fields.js ----
export const FIELD_TYPES: FieldType[];
/** The form API's name of a field type, e.g. `dateTime` for `date-time`. */
export function jsonName(fieldType: FieldType): string;
export function fromJsonName(name: string): FieldType | undefined;
export function violation(marker: string, code: string, message: string): Violation;
export function fieldViolation(field: Field, code: string, message: string): Violation;
export function entityIdText(id: EntityId): string;
/** Characters (code points), as Rust's `chars().count()`. */
export function charCount(text: string): number;
/** A value from the form API's JSON; throws a TypeError naming the offending part. */
export function valueFromJson(fieldType: FieldType, json: unknown, path?: string): FieldValue;
/** A field from the form API's JSON (`{"marker", "type", "value", "settings"}`), as the host reads it. */
export function fieldFromJson(json: unknown, path?: string): Field;

// ---- settings.js ----
/** `boolean`, `string`, `number`, `integer`, `uint`, `string[]`, `array`, `object`, `any` (suffix `!`: required), or nested. */
export type SettingsSchema = { [key: string]: string | SettingsSchema };
export class SettingsError extends Error {
  context: string;
  reason: string;
  constructor(context: string, reason: string);
}
/** Compiles a schema at module load (into the build's snapshot) and returns it. */
export function settingsSchema<S extends SettingsSchema>(schema: S): S;
export function parseSettings<T = any>(text: string, context?: string, schema?: SettingsSchema): T;
export function fieldSettings<T = any>(field: Field, schema?: SettingsSchema): T;
export function jsonOrNull(text: string): unknown;

// ---- answers.js ----
export class Decision {
  maxTtlSeconds?: number;
  forbidWithSign: boolean;
  maxLiveLinks?: number;
  claims: [string, string][];
  capTtl(seconds: number): this;
  forbidSigned(): this;
  capLiveLinks(count: number): this;
  claim(name: string, value: string): this;
}
export function allow(): Decision;
/** Thrown from `decide` / `decideSelfSignup` to refuse. */
export class Denial extends Error {
  code: string;
  constructor(code: string, message: string);
}
/** Thrown from a `before*` hook to veto the change. */
export class Veto extends Error {
  constructor(message: string);
}
export function addToGroup(group: string): Effect;
export function removeFromGroup(group: string): Effect;
export function setField(marker: string, value: unknown): Effect;
export function notify(channel: string, template: string, data?: unknown): Effect;
export function profileData(profile: ProfileView | UserView): any;
export function eventDetails(event: HookEvent): any;
/** What a user update sets (`details.changes` of `beforeUpdateUser` and `afterUpdateUser`),
 * e.g. `{email: "new@example.com", formData: {en_US: {name: "Ann"}}}`; null for other hooks. */
export function eventChanges(event: HookEvent): UserChanges | null;
/** What a user update sets: only what it changes is present; never a password. */
export interface UserChanges {
  firstName?: string; lastName?: string; email?: string;
  formIdentifier?: string;
  /** The submitted values by language and marker. */
  formData?: { [lang: string]: { [marker: string]: unknown } };
  /** True when a new password rides along (never the password itself). */
  password?: true;
  notificationData?: unknown; state?: unknown;
}

export interface FieldValidatorExport { validate(fields: Field[]): Violation[] }
export function fieldValidator(validate: (fields: Field[]) => Violation[]): FieldValidatorExport;

export interface SignupPolicyImpl {
  decide(request: SignupRequest): Decision;
  decideSelfSignup?(request: SelfSignupRequest): void;
}
export function signupPolicy(policy: SignupPolicyImpl): Required<SignupPolicyImpl>;

type BeforeHook = (event: HookEvent) => void;
type AfterHook = (event: HookEvent) => Effect[];
export interface LifecycleHooksImpl {
  beforeBlock?: BeforeHook; beforeUnblock?: BeforeHook; beforeGrantAccess?: BeforeHook;
  beforeDenyAccess?: BeforeHook; beforeAddUser?: BeforeHook;
  /** Since 0.2.0: before a portal user's data is updated (`eventChanges`). */
  beforeUpdateUser?: BeforeHook;
  afterBlock?: AfterHook; afterUnblock?: AfterHook; afterGrantAccess?: AfterHook;
  afterDenyAccess?: AfterHook; afterAddUser?: AfterHook;
  /** Since 0.2.0: after a portal user's data was updated. */
  afterUpdateUser?: AfterHook;
}
export function lifecycleHooks(hooks: LifecycleHooksImpl): Required<LifecycleHooksImpl>;
