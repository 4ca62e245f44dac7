package org.modseqproxy.interop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * One side of the differential test: a server (the proxy in front of Courier, or Dovecot itself) that a scripted
 * history is played against, by named clients. Messages are named by label ("m3"), which is also their
 * Message-ID's local part, because UIDs differ between servers; every answer is translated back into labels.
 *
 * <p>A client reaches the server through one of its "doors" (two proxies sharing one Redis on one side, the server
 * itself on the other); the client named {@link #DIRECT} bypasses them and talks to the store directly, like
 * webmail or a second IMAP server on the same maildir would.
 */
final class DiffWorld implements AutoCloseable {

    static final String DIRECT = "direct";

    record Door(String host, int port) {}

    /**
     * What one client concluded from one resync (or NOOP), in labels. {@code vanished}: reported gone among the
     * messages it knew; {@code vanishedUnknown}: reported gone but never known to it; {@code changedKnown} /
     * {@code changedNew}: flags reported by FETCH for known / unknown messages; {@code cacheBefore}: what the
     * client had; {@code concluded}: what it has after applying the report and fetching new mail;
     * {@code truth}: what the store holds; {@code violations}: see {@link SyncReport#violations()}.
     */
    record Outcome(
            String world,
            SortedSet<String> vanished,
            SortedSet<String> vanishedUnknown,
            SortedMap<String, SortedSet<String>> changedKnown,
            SortedMap<String, SortedSet<String>> changedNew,
            SortedMap<String, SortedSet<String>> cacheBefore,
            SortedMap<String, SortedSet<String>> concluded,
            SortedMap<String, SortedSet<String>> truth,
            List<String> violations,
            String transcript) {}

    final String name;
    private final ImapBackend backend;
    private final String user;
    private final String password;
    private final List<Door> doors;
    private final ToIntFunction<String> doorOf;
    private final UnaryOperator<String> folderName;
    private final Map<String, byte[]> messages;
    private final Map<String, RawImapClient> sessions = new HashMap<>();
    private final Map<String, String> selected = new HashMap<>();
    private final Map<String, Checkpoint> checkpoints = new HashMap<>();
    /** Per logical folder: every UID ever seen there -> label. */
    private final Map<String, Map<Long, String>> labels = new HashMap<>();

    private Boolean hasMove;

    DiffWorld(
            String name,
            ImapBackend backend,
            String user,
            String password,
            List<Door> doors,
            ToIntFunction<String> doorOf,
            UnaryOperator<String> folderName,
            Map<String, byte[]> messages) {
        this.name = name;
        this.backend = backend;
        this.user = user;
        this.password = password;
        this.doors = List.copyOf(doors);
        this.doorOf = doorOf;
        this.folderName = folderName;
        this.messages = messages;
    }

    // ---- what clients do --------------------------------------------------------------------------------------------

    /** An MTA delivers into INBOX. */
    void deliver(String label) throws IOException {
        backend.deliver(user, "INBOX", message(label));
    }

    void append(String client, String folder, String label, String flags) throws IOException {
        expectOk(session(client).append(imap(folder), flags, message(label)));
    }

    void create(String client, String folder) throws IOException {
        expectOk(session(client).command("CREATE " + imap(folder)));
    }

    /** {@code UID STORE <uid of label> <action>}, e.g. action "+FLAGS (\Seen)". */
    void store(String client, String folder, String label, String action) throws IOException {
        RawImapClient session = selectedSession(client, folder);
        expectOk(session.command("UID STORE " + uid(folder, label) + " " + action));
    }

    /** \Deleted and UID EXPUNGE of one message (RFC 4315). */
    void expunge(String client, String folder, String label) throws IOException {
        long uid = uid(folder, label);
        RawImapClient session = selectedSession(client, folder);
        expectOk(session.command("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)"));
        expectOk(session.command("UID EXPUNGE " + uid));
    }

    /** Plain EXPUNGE: removes every message flagged \Deleted. */
    void expungeDeleted(String client, String folder) throws IOException {
        expectOk(selectedSession(client, folder).command("EXPUNGE"));
    }

    /** MOVE where the server advertises it, else UID COPY + \Deleted + UID EXPUNGE (what clients do). */
    void move(String client, String folder, String label, String target) throws IOException {
        long uid = uid(folder, label);
        RawImapClient session = selectedSession(client, folder);
        if (hasMove()) {
            expectOk(session.command("UID MOVE " + uid + " " + imap(target)));
        } else {
            expectOk(session.command("UID COPY " + uid + " " + imap(target)));
            expectOk(session.command("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)"));
            expectOk(session.command("UID EXPUNGE " + uid));
        }
    }

    /** A client syncs a folder fully and remembers it under {@code checkpoint} (then disconnects). */
    void checkpoint(String checkpoint, String client, String folder) throws IOException {
        try (RawImapClient session = connect(client)) {
            checkpoints.put(checkpoint, Checkpoint.take(session, imap(folder)));
        }
        observe();
    }

    /** A stored checkpoint (for checks on the proxy's store). */
    Checkpoint checkpointNamed(String checkpoint) {
        return checkpoints.get(checkpoint);
    }

    /** A client that stays connected with the folder selected under QRESYNC; {@link #noop} asks it for news. */
    void openLive(String client, String folder) throws IOException {
        RawImapClient session = session(client);
        checkpoints.put(liveKey(client), Checkpoint.take(session, imap(folder)));
        selected.put(client, folder);
        observe();
    }

    /**
     * A client reconnects and resyncs with {@code SELECT (QRESYNC ...)} from a stored checkpoint, then fetches
     * mail newer than anything it knows (RFC 7162 6); its new state is stored as {@code saveAs}.
     */
    Outcome resync(String checkpoint, String client, boolean withKnownUids, String saveAs) throws IOException {
        Checkpoint from = checkpoints.get(checkpoint);
        try (RawImapClient session = connect(client)) {
            SyncReport report = from.resync(session, withKnownUids);
            boolean empty = report.raw().untagged().contains("* 0 EXISTS");
            return conclude(from, report, session, !empty, saveAs);
        }
    }

    /** The live client sends NOOP and applies what comes (VANISHED, FETCH, EXISTS). */
    Outcome noop(String client) throws IOException {
        Checkpoint from = checkpoints.get(liveKey(client));
        RawImapClient session = sessions.get(client);
        ImapReply reply = session.command("NOOP");
        expectOk(reply);
        // The client knows its messages' sequence numbers: its cache in UID order (it is in sync before the NOOP).
        return conclude(
                from, SyncReport.of(reply, new ArrayList<>(from.flags().keySet())), session, true, liveKey(client));
    }

    private Outcome conclude(Checkpoint from, SyncReport report, RawImapClient session, boolean fetchNew, String saveAs)
            throws IOException {
        SortedMap<Long, SortedSet<String>> concluded = report.appliedTo(from.flags());
        StringBuilder transcript = new StringBuilder(report.raw().toString());
        if (fetchNew) {
            long known = concluded.isEmpty() ? 0 : concluded.lastKey();
            ImapReply fetch = session.command("UID FETCH " + (known + 1) + ":* (FLAGS)");
            transcript.append('\n').append(fetch);
            // Whatever else comes with it (changes made meanwhile) is applied too; the comparison only uses `report`.
            SyncReport more = SyncReport.of(fetch);
            concluded = more.appliedTo(concluded);
        }
        String folder = logical(from.folder());
        observe();
        checkpoints.put(
                saveAs,
                new Checkpoint(
                        from.folder(), from.uidValidity(), Math.max(report.highestModSeq(), from.modSeq()), concluded));
        SortedSet<Long> knownUids = new TreeSet<>(from.flags().keySet());
        SortedSet<String> vanished = new TreeSet<>();
        SortedSet<String> vanishedUnknown = new TreeSet<>();
        for (long uid : report.vanished()) {
            (knownUids.contains(uid) ? vanished : vanishedUnknown).add(label(folder, uid));
        }
        SortedMap<String, SortedSet<String>> changedKnown = new TreeMap<>();
        SortedMap<String, SortedSet<String>> changedNew = new TreeMap<>();
        report.changed()
                .forEach((uid, flags) ->
                        (knownUids.contains(uid) ? changedKnown : changedNew).put(label(folder, uid), flags));
        return new Outcome(
                name,
                vanished,
                vanishedUnknown,
                changedKnown,
                changedNew,
                byLabel(folder, from.flags()),
                byLabel(folder, concluded),
                truth(folder),
                report.violations(),
                transcript.toString());
    }

    // ---- the store's truth ------------------------------------------------------------------------------------------

    /** Label -> flags of a folder, read directly from the store. */
    SortedMap<String, SortedSet<String>> truth(String folder) throws IOException {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        BackendTruth.readIfExists(backend, user, imap(folder))
                .forEach((uid, m) -> out.put(labelOf(m.messageId()), m.flags()));
        return out;
    }

    /** Learns the UID of every message now in INBOX and Archive (UIDs are never reused, RFC 9051 2.3.1.1). */
    void observe() throws IOException {
        for (String folder : List.of("INBOX", "Archive")) {
            Map<Long, String> known = labels.computeIfAbsent(folder, f -> new HashMap<>());
            BackendTruth.readIfExists(backend, user, imap(folder))
                    .forEach((uid, m) -> known.put(uid, labelOf(m.messageId())));
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------------

    private long uid(String folder, String label) throws IOException {
        observe();
        SortedMap<Long, BackendTruth.Message> now = BackendTruth.read(backend, user, imap(folder));
        return now.entrySet().stream()
                .filter(e -> labelOf(e.getValue().messageId()).equals(label))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + ": no message " + label + " in " + folder + ": " + now));
    }

    private String label(String folder, long uid) {
        String label = labels.getOrDefault(folder, Map.of()).get(uid);
        return label != null ? label : "uid" + uid + "?";
    }

    private SortedMap<String, SortedSet<String>> byLabel(String folder, Map<Long, SortedSet<String>> flags) {
        SortedMap<String, SortedSet<String>> out = new TreeMap<>();
        flags.forEach((uid, f) -> out.put(label(folder, uid), f));
        return out;
    }

    private static String labelOf(String messageId) {
        int dot = messageId.indexOf('.');
        return dot > 0 ? messageId.substring(0, dot) : messageId;
    }

    private byte[] message(String label) {
        byte[] bytes = messages.get(label);
        if (bytes == null) {
            throw new IllegalArgumentException("no message " + label);
        }
        return bytes;
    }

    String imap(String folder) {
        return folderName.apply(folder);
    }

    private String logical(String imapFolder) {
        return imapFolder.equals(imap("INBOX")) ? "INBOX" : "Archive";
    }

    private static String liveKey(String client) {
        return "live:" + client;
    }

    private boolean hasMove() throws IOException {
        if (hasMove == null) {
            try (RawImapClient session = connect("capability-probe")) {
                hasMove = session.command("CAPABILITY").untagged().stream()
                        .anyMatch(line -> List.of(line.split(" ")).contains("MOVE"));
            }
        }
        return hasMove;
    }

    private RawImapClient session(String client) throws IOException {
        RawImapClient session = sessions.get(client);
        if (session == null) {
            session = connect(client);
            sessions.put(client, session);
        }
        return session;
    }

    private RawImapClient selectedSession(String client, String folder) throws IOException {
        RawImapClient session = session(client);
        if (!folder.equals(selected.get(client))) {
            expectOk(session.command("SELECT " + imap(folder)));
            selected.put(client, folder);
        }
        return session;
    }

    private RawImapClient connect(String client) throws IOException {
        if (client.equals(DIRECT)) {
            return backend.login(user);
        }
        Door door = doors.get(doorOf.applyAsInt(client) % doors.size());
        RawImapClient session = RawImapClient.connect(door.host(), door.port());
        ImapReply login = session.command("LOGIN " + user + " " + password);
        if (!login.isOk()) {
            session.close();
            throw new AssertionError(name + ": LOGIN failed:\n" + login);
        }
        return session;
    }

    private void expectOk(ImapReply reply) {
        if (!reply.isOk()) {
            throw new AssertionError(name + ": expected OK:\n" + reply);
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(RawImapClient::close);
        sessions.clear();
    }
}
