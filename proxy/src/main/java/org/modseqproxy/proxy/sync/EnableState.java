package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the session has enabled (RFC 5161 ENABLE, RFC 7162 3.1 CONDSTORE enabling commands, 3.2.3 QRESYNC), and
 * what of it the backend has enabled too when it keeps mod-sequences itself. Plain values, no I/O.
 */
public final class EnableState {
    private boolean condstore;
    private boolean qresync;
    private boolean backendCondstore;
    private boolean backendQresync;
    /** Per mailbox name, what SELECT showed: true = the backend's own mod-sequences, false = it said NOMODSEQ. */
    private final Map<String, Boolean> backendModSeqSeen = new HashMap<>();

    public boolean condstore() {
        return condstore;
    }

    public boolean qresync() {
        return qresync;
    }

    /** RFC 5161 / RFC 7162 3.2.3: returns the names newly enabled; QRESYNC implies CONDSTORE. */
    List<String> enable(Set<String> names) {
        List<String> newly = new ArrayList<>();
        if (names.contains("CONDSTORE") && !condstore) {
            condstore = true;
            newly.add("CONDSTORE");
        }
        if (names.contains("QRESYNC") && !qresync) {
            qresync = true;
            condstore = true; // implied, and not listed in ENABLED unless asked for (RFC 7162 3.2.3, Example 16)
            newly.add("QRESYNC");
        }
        return newly;
    }

    /** A CONDSTORE enabling command (RFC 7162 3.1); true when it is the session's first. */
    boolean enableCondstore() {
        boolean first = !condstore;
        condstore = true;
        return first;
    }

    /** Whether the backend itself has CONDSTORE and QRESYNC (then they are enabled there too, and used per mailbox). */
    public static boolean backendHasModSeq(BackendPort backend) {
        return backend != null && backend.has("CONDSTORE") && backend.has("QRESYNC") && backend.has("ENABLE");
    }

    /**
     * On a backend that has CONDSTORE and QRESYNC itself, enables there exactly what the client enabled here, so that
     * mailboxes with native mod-sequences pass through untouched and the backend's responses are what the client
     * expects (never VANISHED to a client that did not enable QRESYNC).
     */
    Future<Void> enableOnBackend(BackendPort backend) {
        if (!backendHasModSeq(backend)) {
            return Future.succeededFuture();
        }
        List<String> names = backendToEnable();
        if (names.isEmpty()) {
            return Future.succeededFuture();
        }
        return backend.run("ENABLE " + String.join(" ", names))
                .<Void>mapEmpty()
                .recover(err -> Future.<Void>succeededFuture());
    }

    /** What the backend must still be told to enable so that it matches the client's session; marked as done. */
    private List<String> backendToEnable() {
        List<String> names = new ArrayList<>();
        if (condstore && !backendCondstore) {
            names.add("CONDSTORE");
        }
        if (qresync && !backendQresync) {
            names.add("QRESYNC");
        }
        backendCondstore |= condstore;
        backendQresync |= qresync;
        return names;
    }

    /** True when the backend has CONDSTORE enabled for this session (its SELECT answers HIGHESTMODSEQ or NOMODSEQ). */
    public boolean backendEnabled() {
        return backendCondstore;
    }

    public void backendModSeq(String mailbox, boolean nativeModSeq) {
        backendModSeqSeen.put(mailbox, nativeModSeq);
    }

    /** What SELECT showed for this mailbox in this session: true native, false NOMODSEQ, null not selected yet. */
    public Boolean backendModSeqSeen(String mailbox) {
        return backendModSeqSeen.get(mailbox);
    }
}
