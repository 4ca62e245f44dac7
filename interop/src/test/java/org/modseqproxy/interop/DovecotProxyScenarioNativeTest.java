package org.modseqproxy.interop;

/** Stock Dovecot: its mailboxes have mod-sequences, so the proxy passes them through untouched. */
class DovecotProxyScenarioNativeTest extends DovecotProxyScenarioTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.NATIVE;
    }
}
