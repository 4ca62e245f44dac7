package org.modseqproxy.interop;

import java.io.IOException;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * What a QRESYNC client keeps between sessions for one folder (RFC 7162 3.2.5, 6): UIDVALIDITY, the
 * HIGHESTMODSEQ it last saw, and its cache of UID -> flags. {@link #take} fills one from a fresh SELECT,
 * {@link #resync} reconnects from it.
 */
record Checkpoint(String folder, long uidValidity, long modSeq, SortedMap<Long, SortedSet<String>> flags) {

    Checkpoint {
        flags = Collections.unmodifiableSortedMap(new TreeMap<>(flags));
    }

    /**
     * ENABLE QRESYNC, {@code SELECT folder (CONDSTORE)} and a full {@code UID FETCH 1:* (FLAGS)} on a logged-in
     * client: the state a client has right after a full sync. The folder stays selected.
     */
    static Checkpoint take(RawImapClient client, String folder) throws IOException {
        enableQresync(client);
        ImapReply select = client.command("SELECT " + folder + " (CONDSTORE)");
        expectOk(select);
        SortedMap<Long, SortedSet<String>> flags = new TreeMap<>();
        if (!select.untagged().contains("* 0 EXISTS")) {
            ImapReply fetch = client.command("UID FETCH 1:* (FLAGS)");
            expectOk(fetch);
            for (String line : fetch.untagged()) {
                if (ImapData.isFetch(line)) {
                    flags.put(
                            ImapData.uid(line).orElseThrow(),
                            ImapData.flags(line).orElseThrow());
                }
            }
        }
        return new Checkpoint(
                folder,
                ImapData.requireCode(select, "UIDVALIDITY"),
                ImapData.requireCode(select, "HIGHESTMODSEQ"),
                flags);
    }

    /**
     * ENABLE QRESYNC and {@code SELECT folder (QRESYNC (uidvalidity modseq known-uids))} on a logged-in client;
     * known-uids are the cached UIDs (left out when the cache is empty, or when {@code withKnownUids} is false).
     */
    SyncReport resync(RawImapClient client, boolean withKnownUids) throws IOException {
        enableQresync(client);
        String known = withKnownUids && !flags.isEmpty() ? " " + ImapData.toSet(flags.keySet()) : "";
        ImapReply select =
                client.command("SELECT " + folder + " (QRESYNC (" + uidValidity + " " + modSeq + known + "))");
        expectOk(select);
        return SyncReport.of(select);
    }

    /** The checkpoint a client has after applying {@code report} (its cache updated, the new HIGHESTMODSEQ). */
    Checkpoint after(SyncReport report) {
        return new Checkpoint(folder, uidValidity, report.highestModSeq(), report.appliedTo(flags));
    }

    private static void enableQresync(RawImapClient client) throws IOException {
        ImapReply enable = client.command("ENABLE QRESYNC");
        expectOk(enable);
    }

    private static void expectOk(ImapReply reply) {
        if (!reply.isOk()) {
            throw new AssertionError("expected OK:\n" + reply);
        }
    }
}
