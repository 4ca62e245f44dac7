package org.modseqproxy.state.impl;

import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.StoreOptions;

/** Redis-backed store (work in progress). */
public final class RedisModSeqStore {

    private RedisModSeqStore() {
    }

    public static ModSeqStore create(String spec, StoreOptions opts) {
        throw new UnsupportedOperationException("Redis store not implemented yet");
    }
}
