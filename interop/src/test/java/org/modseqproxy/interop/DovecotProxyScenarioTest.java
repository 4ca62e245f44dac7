package org.modseqproxy.interop;

import java.io.IOException;

/** The scenarios through the proxy in front of Dovecot, one subclass per {@link DovecotServer.Mode}. */
@RequiresBackend(Backend.DOVECOT)
abstract class DovecotProxyScenarioTest extends ProxyScenarioTest {

    /**
     * Dovecot's post-login list as the client sees it through the proxy, the same in every mode: SASL-IR,
     * NOTIFY removed (the proxy cannot relay it safely), CONDSTORE QRESYNC at the end.
     */
    static final String CAPABILITIES = "IMAP4rev1 LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY"
            + " THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT"
            + " CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS"
            + " BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ CONDSTORE QRESYNC";

    abstract DovecotServer.Mode mode();

    @Override
    ImapBackend startBackend(MailUser... users) throws IOException {
        return new DovecotServer(mode(), users).start();
    }

    @Override
    String folder(String name) {
        return name;
    }

    @Override
    String expectedCapabilities() {
        return CAPABILITIES;
    }

    @Override
    boolean backendHasMove() {
        return true;
    }
}
