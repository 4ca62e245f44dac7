package org.modseqproxy.interop;

import java.io.IOException;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * What a folder really holds, asked directly from the backend (no proxy) in a read-only session:
 * UID -> (Message-ID, flags). The yardstick for what a client concluded from a resync.
 */
final class BackendTruth {

    record Message(String messageId, SortedSet<String> flags) {}

    private BackendTruth() {}

    /** EXAMINE + {@code UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])}; empty for an empty folder. */
    static SortedMap<Long, Message> read(ImapBackend backend, String user, String folder) throws IOException {
        return read(backend, user, folder, false);
    }

    /** Like {@link #read} but a folder that does not exist (yet) reads as empty. */
    static SortedMap<Long, Message> readIfExists(ImapBackend backend, String user, String folder) throws IOException {
        return read(backend, user, folder, true);
    }

    private static SortedMap<Long, Message> read(ImapBackend backend, String user, String folder, boolean mayBeMissing)
            throws IOException {
        try (RawImapClient client = backend.login(user)) {
            ImapReply examine = client.command("EXAMINE " + folder);
            SortedMap<Long, Message> out = new TreeMap<>();
            if (!examine.isOk()) {
                if (mayBeMissing) {
                    return out;
                }
                throw new AssertionError(backend.name() + ": EXAMINE " + folder + " failed:\n" + examine);
            }
            if (examine.untagged().contains("* 0 EXISTS")) {
                return out;
            }
            ImapReply fetch = client.command("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
            if (!fetch.isOk()) {
                throw new AssertionError(backend.name() + ": UID FETCH failed:\n" + fetch);
            }
            for (String line : fetch.untagged()) {
                if (ImapData.isFetch(line)) {
                    long uid = ImapData.uid(line).orElseThrow();
                    out.put(
                            uid,
                            new Message(
                                    ImapData.messageId(line).orElse("?"),
                                    ImapData.flags(line).orElseThrow(() -> new AssertionError("no FLAGS: " + line))));
                }
            }
            return out;
        }
    }

    /**
     * Only the flags: UID -> flags, read by the proxy module's {@code testing.BackendTruth} (one reader of a
     * folder's flags for both suites), spelled as {@link ImapData#normalize} spells them.
     */
    static SortedMap<Long, SortedSet<String>> flags(ImapBackend backend, String user, String folder) {
        SortedMap<Long, SortedSet<String>> out = new TreeMap<>();
        org.modseqproxy.proxy.testing.BackendTruth.flags(
                        backend.host(), backend.port(), user, backend.user(user).password(), folder)
                .forEach((uid, flags) -> out.put(uid, ImapData.normalize(flags.list())));
        return out;
    }
}
