package org.modseqproxy.interop;


/**
 * Dovecot with CONDSTORE/QRESYNC hidden from its capabilities: the proxy must synthesize and never use the
 * backend's hidden mod-sequences.
 */
class DovecotProxyScenarioHiddenCondstoreTest extends DovecotProxyScenarioTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.HIDDEN_CONDSTORE;
    }


}
