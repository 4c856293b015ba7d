// Preload (--require) for a child process: appends every module that require() resolves to $RECORD_LOADED_MODULES
// (recordLoadedModules.mjs does the same for ES modules).
const { appendFileSync } = require("node:fs");
const Module = require("node:module");

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  appendFileSync(process.env.RECORD_LOADED_MODULES, `${resolved}\n`);
  return resolved;
};
