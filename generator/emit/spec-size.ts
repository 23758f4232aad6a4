/**
 * Above this size spec.ts holds the document gzip-compressed: it cannot be announced verbatim
 * under NATS's default max_payload (1 MiB) anyway, and an extension holds a tenth of the bytes.
 * A module of its own: the CLI reports it on the no-op path, which must not load the emitters.
 */
export const COMPRESS_SPEC_ABOVE = 1024 * 1024;
