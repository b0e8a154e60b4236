// {{name}}: a field validator. Every string field is checked against its settings: `required`
// (a non-empty value) and `maxLength` (characters, default 64). A field's settings are the
// binding's settings overlaid by the field's own `validators` in the form.

import { charCount, fieldSettings, fieldValidator as validator, fieldViolation } from "@portico/plugin-sdk";

/** The one violation of a field, or undefined. */
function check(field) {
  if (field.value.tag !== "string") return undefined;
  let rules;
  try {
    rules = fieldSettings(field, { required: "boolean", maxLength: "uint" });
  } catch (e) {
    return fieldViolation(field, "invalid_settings", e.message);
  }
  const text = field.value.val;
  if (rules.required && text.trim() === "") return fieldViolation(field, "required", "must not be empty");
  const maxLength = rules.maxLength ?? 64;
  const length = charCount(text);
  if (length > maxLength) {
    return fieldViolation(field, "too_long", `must be at most ${maxLength} characters, not ${length}`);
  }
  return undefined;
}

export const fieldValidator = validator((fields) => fields.map(check).filter((v) => v !== undefined));
