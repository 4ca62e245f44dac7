package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Courier and Dovecot both do with FETCH item order and STORE echoes, checked once for each server: FETCH
 * items come back in the order asked, UID FETCH puts UID first even when not asked for, and only UID STORE echoes
 * the UID. The proxy depends on neither order (sync/FetchResponse finds UID and FLAGS wherever they stand); this pins
 * down what it sees.
 */
final class FetchAndStoreEchoes {

    private FetchAndStoreEchoes() {}

    /** On a freshly selected mailbox whose only message is {@code message}, unseen and unflagged. */
    static void check(RawImapClient client, byte[] message) throws Exception {
        assertThat(client.command("FETCH 1 (FLAGS UID RFC822.SIZE)").untagged())
                .containsExactly("* 1 FETCH (FLAGS (\\Recent) UID 1 RFC822.SIZE " + message.length + ")");
        assertThat(client.command("FETCH 1 (UID FLAGS)").untagged())
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Recent))");
        assertThat(client.command("UID FETCH 1 (FLAGS)").untagged())
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Recent))");
        assertThat(client.command("STORE 1 +FLAGS (\\Flagged)").untagged())
                .containsExactly("* 1 FETCH (FLAGS (\\Flagged \\Recent))");
        assertThat(client.command("UID STORE 1 +FLAGS (\\Seen)").untagged())
                .containsExactly("* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen \\Recent))");
    }
}
