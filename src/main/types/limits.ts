// How much of a recording the reader is willing to hold or read. A recording is a file anyone can
// hand us (`syscope summary FILE`, File > Open), and gzip turns a few MB into GBs: every buffer the
// reader fills has a bound, and reaching one is a clear error or a warning naming it, never an
// out-of-memory crash. The bounds are set from what real recordings need (docs/recordings.md,
// "Limits"): the reference is an hour of 50 processes at 10 Hz, ~36,000 ticks, ~460 MiB of text,
// ~13 KiB per sample line, a digest of a few MiB.

const MiB = 1024 * 1024

/** A record line longer than this is skipped as damaged, undecoded (an `s` line of 100,000 processes is ~15 MiB). */
export const MAX_RECORD_LINE_BYTES = 16 * MiB
/** Lines longer than this have their JSON nesting checked before JSON.parse (shorter ones cannot nest deep enough to matter). */
export const NESTING_CHECK_BYTES = 64 * 1024
/** syscope's records nest 4 deep, its digest 6: deeper is damage (V8's JSON.parse takes ~50 bytes of heap per level). */
export const MAX_JSON_DEPTH = 32
/**
 * Text inflated from the tick stream: ~9 h of the reference hour, and what bounds the time a load
 * takes (~10 s a GiB). A longer recording opens from its digest; only loading its ticks (a CSV
 * export, or a recording whose digest is missing) stops with an error.
 */
export const MAX_TICK_TEXT_BYTES = 4 * 1024 * MiB
/** Empty or damaged lines in a row (an over-long line counts as MAX_RECORD_LINE_BYTES): syscope writes none, so this much is not a recording. */
export const MAX_JUNK_RUN_BYTES = 4 * MAX_RECORD_LINE_BYTES
/** Damaged records in all: beyond this the file is too damaged to be worth reading on. */
export const MAX_DAMAGED_RECORDS = 100_000

/** `c` records waiting for their tick's sample: one per process that made syscalls in the tick. */
export const MAX_COUNTS_PER_TICK = 65_536
/** Their text (a `c` record of every syscall of x86_64 is ~12 KiB). */
export const MAX_COUNT_BYTES_PER_TICK = 16 * MiB
/** Process rows in one sample. */
export const MAX_ROWS_PER_TICK = 65_536

/** Ticks of one session: 55 h at 10 Hz (the store keeps ~60 bytes a tick besides its rows). */
export const MAX_TICKS = 2_000_000
/** Process rows of one session, all ticks: 11 h of 50 processes at 10 Hz (the reference hour has 1.8 M). */
export const MAX_PROCESS_ROWS = 20_000_000
/** Processes (`p` records and pids of `c` records): a build that runs 250,000 commands. */
export const MAX_PROCESSES = 250_000
/** Events (fork, exec, exit, notices: about three per process). */
export const MAX_EVENTS = 1_000_000
/** The tick tables' bytes (packed-table.ts): the reference hour's are ~30 MB, so ~8 h of it (the 4 GiB of text is ~9 h). */
export const MAX_TABLE_BYTES = 256 * MiB
/**
 * Everything else a loaded store keeps, as an estimate of its bytes: processes (their command
 * lines), events, per-process syscall counts (~100 bytes an entry). The reference hour's is ~1 MB.
 */
export const MAX_OBJECT_BYTES = 256 * MiB
/** Syscall numbers: x86_64 and aarch64 have under 500; anything at or above this is damage. */
export const MAX_SYSCALL_NR = 4096

/** The digest's compressed size and its text (the reference hour's is ~4 MiB of text). */
export const MAX_DIGEST_BYTES = 64 * MiB
export const MAX_DIGEST_TEXT_BYTES = 64 * MiB
