/**
 * The mod-sequence store API: what the proxy asks ({@link org.modseqproxy.state.ModSeqStore}), the pure diff
 * ({@link org.modseqproxy.state.MailboxDiff}) and the value types. Implementations live in {@code impl}; build one
 * with {@link org.modseqproxy.state.ModSeqStores#create} ("memory", "off", "redis://...", "redis-cluster://h:p,h:p").
 */
package org.modseqproxy.state;
