package org.modseqproxy.state;

/**
 * Result of {@link ModSeqStore#reserve}: the uids that failed UNCHANGEDSINCE or are held by another conditional STORE
 * in flight (both answered with RFC 7162 3.1.3 MODIFIED), the uids that passed and are now held for this STORE under
 * {@code holder} until {@link ModSeqStore#release}, and HIGHESTMODSEQ before.
 */
public record Reservation(UidSet modified, UidSet held, String holder, long highestModSeqBefore) {}
