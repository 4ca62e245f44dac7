package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.event.MailEvent;
import jakarta.mail.event.MessageChangedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.MessageVanishedEvent;
import org.eclipse.angus.mail.imap.ResyncData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.modseqproxy.proxy.testing.BackendTruth;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.Flags;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * A real client, Angus Mail, resyncs through the proxy with QRESYNC ({@code IMAPFolder.open(mode, ResyncData)},
 * RFC 7162 3.2.5) after a disconnect during which messages were flagged, expunged and added both through another
 * proxy session and directly on the backend. The events it gets, applied to its cache, must give exactly what a full
 * fresh fetch of the mailbox gives. Run against the in-memory store and a real redis-server.
 */
class AngusResyncTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    GreenMailBackend backend;
    ModSeqStore store;
    ProxyFixture proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (store != null) {
            store.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void start(String kind) {
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", 8);
        String spec = kind.equals("redis") ? REDIS.server().uri() : "memory";
        if (kind.equals("redis")) {
            REDIS.server().flushAll();
        }
        store = ModSeqStores.create(spec, StoreOptions.defaults());
        Awaitility.await().atMost(30, TimeUnit.SECONDS).until(store::available);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), store, c -> {});
        // a flag before the client's first sync, so a later "-FLAGS" has something to remove
        directly(d -> d.ok("s", "UID STORE 3 +FLAGS (\\Seen)"));
    }

    private IMAPStore connectAngus() throws MessagingException {
        Properties p = new Properties();
        p.put("mail.store.protocol", "imap");
        p.put("mail.imap.host", proxy.host());
        p.put("mail.imap.port", Integer.toString(proxy.port()));
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        IMAPStore s = (IMAPStore) Session.getInstance(p).getStore("imap");
        s.connect("alice", "pw");
        return s;
    }

    /** What the client keeps between two sessions. */
    record Cache(TreeMap<Long, Flags> flags, long uidValidity, long modSeq) {}

    /** First sync: open with CONDSTORE, cache uid -> flags, remember UIDVALIDITY and HIGHESTMODSEQ; disconnect. */
    private Cache firstSync() throws MessagingException {
        IMAPStore angus = connectAngus();
        try {
            assertThat(angus.hasCapability("QRESYNC")).isTrue();
            IMAPFolder inbox = (IMAPFolder) angus.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE, ResyncData.CONDSTORE);
            long modSeq = inbox.getHighestModSeq();
            assertThat(modSeq).isPositive().isLessThan(1L << 53);
            Cache cache = new Cache(fullFetch(inbox), inbox.getUIDValidity(), modSeq);
            inbox.close(false);
            assertThat(cache.flags()).isEqualTo(truth());
            return cache;
        } finally {
            angus.close();
        }
    }

    /** What a reopen with ResyncData(uidvalidity, modseq) reported. */
    record Resync(List<Long> vanished, List<Long> changed) {}

    /**
     * Reopens with ResyncData(uidvalidity, old modseq): Angus ENABLEs QRESYNC and selects with it (no known-uids).
     * The events are applied to the cache, which must then equal the backend's truth, as must a full fetch of the
     * folder Angus now holds.
     */
    private Resync resync(Cache cache) throws MessagingException {
        TreeMap<Long, Flags> truth = truth();
        IMAPStore angus = connectAngus();
        try {
            IMAPFolder inbox = (IMAPFolder) angus.getFolder("INBOX");
            List<MailEvent> events = inbox.open(Folder.READ_WRITE, new ResyncData(cache.uidValidity(), cache.modSeq()));
            assertThat(inbox.getUIDValidity()).isEqualTo(cache.uidValidity());
            assertThat(inbox.getHighestModSeq()).isGreaterThan(cache.modSeq());
            List<Long> vanished = new ArrayList<>();
            List<Long> changed = new ArrayList<>();
            for (MailEvent e :
                    events == null ? List.<MailEvent>of() : events) { // null when the server reported nothing
                if (e instanceof MessageVanishedEvent v) {
                    for (long uid : v.getUIDs()) {
                        cache.flags().remove(uid);
                        vanished.add(uid);
                    }
                } else if (e instanceof MessageChangedEvent c) {
                    Message m = c.getMessage();
                    long uid = inbox.getUID(m);
                    cache.flags().put(uid, flagsOf(m));
                    changed.add(uid);
                }
            }
            assertThat(cache.flags())
                    .as("cache after applying " + vanished + " vanished, " + changed + " changed")
                    .isEqualTo(truth);
            // the folder Angus now holds agrees too (sequence numbers, UIDs and flags after the resync)
            assertThat(fullFetch(inbox)).isEqualTo(truth);
            inbox.close(false);
            return new Resync(vanished, changed);
        } finally {
            angus.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void resyncEventsRebuildTheMailboxExactly(String kind) throws Exception {
        start(kind);
        Cache cache = firstSync();

        // meanwhile, through another proxy session: flag 2, expunge 4, append one
        try (RawImap other = proxy.connect().login("alice", "pw")) {
            other.ok("a", "SELECT INBOX");
            other.ok("b", "UID STORE 2 +FLAGS (\\Flagged)");
            other.ok("c", "UID STORE 4 +FLAGS (\\Deleted)");
            other.ok("d", "EXPUNGE");
            assertThat(ImapLines.tagged(other.append("e", "INBOX", "\\Draft", "Subject: via proxy\r\n\r\nhello\r\n")))
                    .startsWith("e OK");
            other.ok("f", "LOGOUT");
        }
        // ... and directly on the backend: flag 1, unflag 3, expunge 5, deliver one
        directly(d -> {
            d.ok("a", "UID STORE 1 +FLAGS (\\Answered $Work)");
            d.ok("b", "UID STORE 3 -FLAGS (\\Seen)");
            d.ok("c", "UID STORE 5 +FLAGS (\\Deleted)");
            d.ok("d", "EXPUNGE");
        });
        backend.deliver(backend.user("alice", "pw"), "m10", "body 10");
        assertThat(truth().keySet()).containsExactly(1L, 2L, 3L, 6L, 7L, 8L, 9L, 10L);

        Resync r = resync(cache);
        // Exactly the changes: unchanged messages 6, 7, 8 are not re-sent (that is the point of QRESYNC).
        assertThat(r.vanished()).containsExactlyInAnyOrder(4L, 5L);
        assertThat(r.changed()).containsExactlyInAnyOrder(1L, 2L, 3L, 9L, 10L);
    }

    /**
     * The newest message is deleted while the client is away (the most common deletion there is). Angus sends no
     * known-uids, so the proxy must read them as 1:UIDNEXT-1 (RFC 7162 3.2.5.1) and report UID 8 as vanished.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory"})
    void resyncReportsTheExpungedNewestMessage(String kind) throws Exception {
        start(kind);
        Cache cache = firstSync();
        try (RawImap other = proxy.connect().login("alice", "pw")) {
            other.ok("a", "SELECT INBOX");
            other.ok("b", "UID STORE 8 +FLAGS (\\Deleted)");
            other.ok("c", "EXPUNGE");
        }
        Resync r = resync(cache);
        assertThat(r.vanished()).containsExactly(8L);
        assertThat(r.changed()).isEmpty();
    }

    private TreeMap<Long, Flags> fullFetch(IMAPFolder folder) throws MessagingException {
        Message[] msgs = folder.getMessages();
        FetchProfile fp = new FetchProfile();
        fp.add(FetchProfile.Item.FLAGS);
        fp.add(jakarta.mail.UIDFolder.FetchProfileItem.UID);
        folder.fetch(msgs, fp);
        TreeMap<Long, Flags> out = new TreeMap<>();
        for (Message m : msgs) {
            out.put(folder.getUID(m), flagsOf(m));
        }
        return out;
    }

    /** Angus flags -> the normalized set the store uses (\Recent dropped, system flags spelled canonically). */
    static Flags flagsOf(Message m) throws MessagingException {
        jakarta.mail.Flags f = m.getFlags();
        List<String> names = new ArrayList<>(List.of(f.getUserFlags()));
        Map<jakarta.mail.Flags.Flag, String> system = Map.of(
                jakarta.mail.Flags.Flag.ANSWERED,
                "\\Answered",
                jakarta.mail.Flags.Flag.DELETED,
                "\\Deleted",
                jakarta.mail.Flags.Flag.DRAFT,
                "\\Draft",
                jakarta.mail.Flags.Flag.FLAGGED,
                "\\Flagged",
                jakarta.mail.Flags.Flag.SEEN,
                "\\Seen");
        for (jakarta.mail.Flags.Flag sf : f.getSystemFlags()) {
            if (system.containsKey(sf)) {
                names.add(system.get(sf));
            }
        }
        return Flags.of(names);
    }

    private TreeMap<Long, Flags> truth() {
        return BackendTruth.flags("127.0.0.1", backend.port(), "alice", "pw", "INBOX");
    }

    private void directly(java.util.function.Consumer<RawImap> script) {
        try (RawImap d = RawImap.connect("127.0.0.1", backend.port())) {
            d.login("alice", "pw");
            d.ok("x", "SELECT INBOX");
            script.accept(d);
            d.ok("y", "LOGOUT");
        }
    }
}
