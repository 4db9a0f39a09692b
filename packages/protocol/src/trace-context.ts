/**
 * A W3C Trace Context `traceparent` (version 00): `00-<trace id, 32 hex>-<parent span id, 16 hex>-<flags, 2 hex>`,
 * neither id all zeros. https://www.w3.org/TR/trace-context/#traceparent-header
 */
export const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
