package org.modseqproxy.interop;

/** Dovecot with in-memory indexes: advertises CONDSTORE/QRESYNC but answers NOMODSEQ, so the proxy synthesizes per mailbox (and hides the backend's NOMODSEQ). */
class DovecotProxyScenarioIndexMemoryTest extends DovecotProxyScenarioTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.INDEX_MEMORY;
    }
}
