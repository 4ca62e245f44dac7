package org.modseqproxy.state;

/**
 * UIDs expunged since a mod-sequence: either exact, or the expunge log no longer reaches that far back and the
 * caller must fall back to the client's known-uids / sequence-match data (RFC 7162 3.2.5.2, 5.3).
 */
public sealed interface Vanished {

    /** Every UID expunged with a mod-sequence above the asked one (may include UIDs the client never saw). */
    record Exact(UidSet uids) implements Vanished {}

    /**
     * The asked mod-sequence is below the horizon: the log cannot answer. {@code horizon} is
     * {@link Long#MAX_VALUE} when the store holds no state for the mailbox at that UIDVALIDITY.
     */
    record BelowHorizon(long horizon) implements Vanished {}
}
