package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 12: one proxy, two real stores at once (Dovecot with CONDSTORE hidden, and Courier), users routed to each by
 * a map file, one Redis for both. Each user sees their own store, and a QRESYNC resync (RFC 7162 3.2.5) after a
 * change through the proxy is exact on both, each store's mod-sequences in its own namespace.
 */
@RequiresBackend({Backend.DOVECOT, Backend.COURIER})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingTwoStoresTest {
    static final String PASSWORD = "secret1";

    DovecotServer dovecot;
    CourierServer courier;
    RedisServerFixture redis;
    ModSeqStore store;
    ProxyFixture proxy;

    @BeforeAll
    void startAll() throws Exception {
        redis = RedisServerFixture.start();
        dovecot = new DovecotServer(DovecotServer.Mode.HIDDEN_CONDSTORE, MailUser.of("dora", PASSWORD)).start();
        courier = new CourierServer(MailUser.of("cory", PASSWORD)).start();
        for (int i = 1; i <= 3; i++) {
            dovecot.deliver("dora", "INBOX", TestMessages.message("dovecot " + i));
        }
        for (int i = 1; i <= 5; i++) {
            courier.deliver("cory", "INBOX", TestMessages.message("courier " + i));
        }
        Path map = Files.createTempFile("routes", ".txt");
        Files.writeString(map, "dora dovecot\ncory courier\n");
        store = ModSeqStores.create(redis.uri(), StoreOptions.defaults().withCommandTimeout(Duration.ofSeconds(2)));
        proxy = ProxyFixture.start(
                dovecot.host(),
                dovecot.port(),
                store,
                c -> c.set("backend.id", "dovecot")
                        .set(
                                "backends",
                                List.of(Map.of("name", "courier", "address", courier.host() + ":" + courier.port())))
                        .set("routing.mode", "file")
                        .set("routing.file", map.toString()));
    }

    @AfterAll
    void stopAll() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {proxy, store}) {
            if (c != null) {
                c.close();
            }
        }
        if (dovecot != null) {
            dovecot.stop();
        }
        if (courier != null) {
            courier.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RawImapClient login(String user) throws Exception {
        RawImapClient c = RawImapClient.connect(proxy.host(), proxy.port());
        assertThat(c.command("LOGIN " + user + " " + PASSWORD).isOk()).isTrue();
        return c;
    }

    /** Remembers the mailbox, flags message 2 through the proxy, and resyncs with QRESYNC from before it. */
    private void resyncIsExact(String user, String store, int messages) throws Exception {
        long uidValidity;
        long before;
        long uid2;
        try (RawImapClient c = login(user)) {
            assertThat(c.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply select = c.command("SELECT INBOX");
            assertThat(select.untagged()).contains("* " + messages + " EXISTS");
            uidValidity = ImapData.requireCode(select, "UIDVALIDITY");
            before = ImapData.requireCode(select, "HIGHESTMODSEQ");
            String fetch = c.command("FETCH 2 (UID)").single("2 FETCH");
            uid2 = Long.parseLong(fetch.replaceAll(".*UID (\\d+).*", "$1"));
            assertThat(proxy.proxy().sessions())
                    .filteredOn(v -> user.equals(v.user()))
                    .singleElement()
                    .satisfies(v -> assertThat(v.backend()).isEqualTo(store));
        }
        try (RawImapClient w = login(user)) {
            w.command("SELECT INBOX");
            assertThat(w.command("UID STORE " + uid2 + " +FLAGS (\\Flagged)").isOk())
                    .isTrue();
        }
        try (RawImapClient r = login(user)) {
            assertThat(r.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply resync = r.command("SELECT INBOX (QRESYNC (" + uidValidity + " " + before + "))");
            List<String> fetches = resync.untagged().stream()
                    .filter(l -> l.matches("\\* \\d+ FETCH .*"))
                    .toList();
            assertThat(fetches)
                    .as(resync.toString())
                    .singleElement()
                    .satisfies(f -> assertThat(f).contains("UID " + uid2).contains("\\Flagged"));
            assertThat(ImapData.requireCode(resync, "HIGHESTMODSEQ")).isGreaterThan(before);
        }
    }

    @Test
    void eachUserSeesTheirOwnStoreAndResyncsExactly() throws Exception {
        resyncIsExact("dora", "dovecot", 3);
        resyncIsExact("cory", "courier", 5);
        try (RawImapClient c = RawImapClient.connect(proxy.host(), proxy.port())) {
            // not in the map, no routing.default: what a wrong password gets
            assertThat(c.command("LOGIN nobody " + PASSWORD).tagged())
                    .endsWith("NO [AUTHENTICATIONFAILED] Authentication failed.");
        }
    }
}
