package io.telemetrylake.otlp;

/**
 * A decoded request without the items (log records, spans) the lake must not store.
 *
 * @param request the request after validation (the same instance when nothing was dropped)
 * @param rejectedItems how many items were dropped
 * @param errorMessage why, for the partial-success response; empty when nothing was dropped
 */
public record Validated<Q>(Q request, int rejectedItems, String errorMessage) {}
