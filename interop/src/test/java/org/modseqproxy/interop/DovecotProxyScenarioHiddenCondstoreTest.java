package org.modseqproxy.interop;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Dovecot with CONDSTORE/QRESYNC hidden from its capabilities: the proxy must synthesize and never use the
 * backend's hidden mod-sequences.
 */
class DovecotProxyScenarioHiddenCondstoreTest extends DovecotProxyScenarioTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.HIDDEN_CONDSTORE;
    }

    /**
     * Fails today: the client gets "* OK [CLOSED] Previous mailbox closed" from the proxy and then Dovecot's own
     * "* OK [CLOSED] Previous mailbox closed." (Dovecot 2.3 sends it on every re-SELECT, QRESYNC or not; see
     * DovecotContractTest#reselectSendsClosedEvenWithoutQresync). MailboxSync.closedPrevious() writes the proxy's
     * line whenever QRESYNC is not enabled on the backend; the backend's line is then relayed as well.
     */
    @Override
    @Test
    @Disabled("bug: duplicate [CLOSED] on re-SELECT (proxy's own + Dovecot's), MailboxSync.closedPrevious/untagged")
    void reselectingSendsClosedExactlyOnce() throws Exception {
        super.reselectingSendsClosedExactlyOnce();
    }

    /**
     * Fails today: a flag change by another session reaches this QRESYNC client at NOOP as
     * "* 2 FETCH (MODSEQ (n) FLAGS (\\Flagged))" without UID (RFC 7162 3.2.4 requires it). The backend sends
     * no UID in unsolicited FETCHes, and MailboxSync.fetch() only inserts MODSEQ (FetchResponse.withModSeq).
     */
    @Override
    @Test
    @Disabled("bug: unsolicited FETCH without UID after ENABLE QRESYNC (RFC 7162 3.2.4), MailboxSync.fetch")
    void unsolicitedChangesCarryUidAndModSeqAfterEnableQresync() throws Exception {
        super.unsolicitedChangesCarryUidAndModSeqAfterEnableQresync();
    }
}
