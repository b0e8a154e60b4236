// @portico/plugin-sdk: write Portico plugins in JavaScript. Host calls are in
// `@portico/plugin-sdk/host`; everything here also runs in Node, for tests.

export * from "./fields.js";
export * from "./settings.js";
export * from "./answers.js";
