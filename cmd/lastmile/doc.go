// Command lastmile is the lastmile logistics engine: one binary with
// subcommands for solving routes, planning delivery, locating facilities,
// analysing coverage and serving the JSON API.
//
// Usage:
//
//	lastmile COMMAND [flags] [args]
//	lastmile help [COMMAND]
//
// Every subcommand follows one convention (also printed by 'lastmile help'):
//
//   - Flags may come before, between or after the positional arguments
//     ("lastmile solve FILE --time-limit 1s"); "--" ends the flags.
//   - Results go to stdout as human-readable text; --json prints them as
//     JSON instead, on every command.
//   - Progress lines, notes and one "wrote FILE" line per file written go to
//     stderr, so stdout stays the result; --quiet silences progress.
//   - --seed is an unsigned 64-bit integer everywhere.
//   - --out is always a directory, created if missing, in which the command
//     writes named files; other file outputs name their file (--geojson
//     FILE) or folder (--csv DIR).
//   - bench --filter takes exact instance names, comma-separated, with *
//     and ? as globs ("C1*", "R101,RC101"); a name never matches a part of
//     another.
//   - Exit status 0 on success, 1 on failure, 2 on a usage error.
//
// The subcommands live one per file (solve.go, plan.go, ...); main.go holds
// the dispatch and the shared flag helpers (parseArgs, jsonFlag, seedFlag).
package main
