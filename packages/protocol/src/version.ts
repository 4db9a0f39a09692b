/**
 * The protocol version both sides must speak. Bump it on any change that an older peer would misread;
 * additive optional fields do not need a bump (both sides ignore what they do not know).
 */
export const PROTOCOL_VERSION = 2;
