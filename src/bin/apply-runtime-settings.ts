import { applyRuntimeSettings } from './runtime-settings.ts';

// Imported first by cli.ts, for its side effect: the process must replace itself before any other
// module runs. A module that so much as reads process.stdout (commander does) turns the inherited
// stdio pipes non-blocking; the replacement would take that for their original state and leave them
// so at exit, and a parent sharing them (a shell pipeline, GNU time) would then fail its own writes.
applyRuntimeSettings();
