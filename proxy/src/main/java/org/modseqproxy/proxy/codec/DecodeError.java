package org.modseqproxy.proxy.codec;

/**
 * A malformed line or a limit violation.
 *
 * @param tag     the tag of the offending line, or null if it was not known (the session answers "* BAD")
 * @param message client-readable text, e.g. "Literal too large (max 104857600)"
 * @param fatal   false: the rest of the line was skipped and decoding goes on; true: the decoder ignores
 *                all further input and the connection must be closed (the session sends BYE)
 */
public record DecodeError(String tag, String message, boolean fatal) {}
