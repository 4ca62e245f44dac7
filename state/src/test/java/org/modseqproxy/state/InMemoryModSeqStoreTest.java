package org.modseqproxy.state;

import org.modseqproxy.state.impl.InMemoryModSeqStore;

class InMemoryModSeqStoreTest extends ModSeqStoreContract {

    @Override
    protected ModSeqStore newStore(StoreOptions opts) {
        return new InMemoryModSeqStore(opts);
    }

    @Override
    protected void loseAllData() {
        // a new InMemoryModSeqStore starts empty, like a restarted process
    }

    @Override
    protected boolean instancesShareState() {
        return false;
    }
}
