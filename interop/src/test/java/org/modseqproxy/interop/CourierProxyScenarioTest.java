package org.modseqproxy.interop;

import java.io.IOException;

/**
 * The scenarios through the proxy in front of Courier-IMAP: no CONDSTORE, QRESYNC, MOVE or LITERAL+ of its
 * own, so the proxy synthesizes mod-sequences, converts literals and must not advertise MOVE.
 */
@RequiresBackend(Backend.COURIER)
class CourierProxyScenarioTest extends ProxyScenarioTest {

    @Override
    ImapBackend startBackend(MailUser... users) throws IOException {
        // Debian's IMAP_ENHANCEDIDLE=0 would notice new mail during IDLE only every 60 s (QUIRKS.md); with 1,
        // gam_server pushes it at once, which is what an operator fronting Courier for IDLE clients configures.
        return new CourierServer(users).withSetting("IMAP_ENHANCEDIDLE", "1").start();
    }

    @Override
    String folder(String name) {
        return "INBOX." + name;
    }

    /** Courier's own list (CourierServerTest.CAPABILITIES) plus what the proxy provides itself. */
    @Override
    String expectedCapabilities() {
        return CourierServerTest.CAPABILITIES + " CONDSTORE QRESYNC LITERAL+ ID";
    }

    @Override
    boolean backendHasMove() {
        return false;
    }
}
