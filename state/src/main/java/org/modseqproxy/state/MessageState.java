package org.modseqproxy.state;

/** One message as stored: its UID, the mod-sequence of its last change, its current flags. */
public record MessageState(long uid, long modSeq, Flags flags) {}
