// Types of @portico/plugin-sdk/host: the host's functions (only inside a built plugin).
import type { LogLevel, SettingsSchema, UserView } from "./index.js";

export function log(level: LogLevel, message: unknown): void;
export function debug(message: unknown): void;
export function info(message: unknown): void;
export function warn(message: unknown): void;
export function error(message: unknown): void;
/** The binding's settings as JSON text (`{}` when none). */
export function settingsText(): string;
/** The binding's settings, parsed and checked against `schema`; throws a SettingsError. */
export function bindingSettings<T = any>(schema?: SettingsSchema): T;
/** One top-level key of the binding's settings (strings without quotes). */
export function setting(key: string): string | undefined;
/** Milliseconds since the Unix epoch (UTC). */
export function nowMs(): number;
export function findUserByEmail(email: string): UserView | undefined;
export function userGroups(userId: string): string[];
