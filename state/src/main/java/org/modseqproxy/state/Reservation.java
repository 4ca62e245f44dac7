package org.modseqproxy.state;

/**
 * Result of {@link ModSeqStore#reserve}: the uids that failed UNCHANGEDSINCE (RFC 7162 3.1.3 MODIFIED), the uids
 * that passed and were given {@code modSeq} (0 when none), and HIGHESTMODSEQ before.
 */
public record Reservation(UidSet modified, UidSet stamped, long modSeq, long highestModSeqBefore) {}
