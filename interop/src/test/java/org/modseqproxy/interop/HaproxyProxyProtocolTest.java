package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.modseqproxy.proxy.session.SessionView;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 12, as deployed: Debian's HAProxy ({@code send-proxy-v2}, round robin) in front of two proxy instances that
 * share one Redis, in front of Dovecot with CONDSTORE hidden. Each instance must see every client's own address
 * (HAProxy's proxy-protocol.txt), sessions spread over both, and a QRESYNC resync (RFC 7162 3.2.5) through one
 * instance is exact after changes made through the other.
 */
@RequiresBackend({Backend.DOVECOT, Backend.HAPROXY})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyProxyProtocolTest {
    static final String PASSWORD = "secret1";

    DovecotServer dovecot;
    RedisServerFixture redis;
    ModSeqStore s1;
    ModSeqStore s2;
    ProxyFixture p1;
    ProxyFixture p2;
    HaproxyBalancer haproxy;

    @BeforeAll
    void startAll() throws Exception {
        redis = RedisServerFixture.start();
        dovecot = new DovecotServer(DovecotServer.Mode.HIDDEN_CONDSTORE, MailUser.of("lb", PASSWORD)).start();
        StoreOptions options = StoreOptions.defaults().withCommandTimeout(Duration.ofSeconds(2));
        s1 = ModSeqStores.create(redis.uri(), options);
        s2 = ModSeqStores.create(redis.uri(), options);
        p1 = ProxyFixture.start(dovecot.host(), dovecot.port(), s1, HaproxyProxyProtocolTest::behindBalancer);
        p2 = ProxyFixture.start(dovecot.host(), dovecot.port(), s2, HaproxyProxyProtocolTest::behindBalancer);
        haproxy = HaproxyBalancer.start(List.of(p1.port(), p2.port()));
    }

    private static void behindBalancer(org.modseqproxy.proxy.config.ConfigLoader c) {
        c.set("listen.proxyProtocol", "any").set("listen.proxyProtocolTrusted", "127.0.0.1/32");
    }

    @AfterAll
    void stopAll() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {haproxy, p1, p2, s1, s2}) {
            if (c != null) {
                c.close();
            }
        }
        if (dovecot != null) {
            dovecot.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RawImapClient login() throws Exception {
        RawImapClient c = RawImapClient.connect(LoopbackPorts.HOST, haproxy.port());
        assertThat(c.greeting()).as(haproxy.log()).startsWith("* OK");
        assertThat(c.command("LOGIN lb " + PASSWORD).isOk()).isTrue();
        return c;
    }

    /** Which instance holds the logged-in session of this client, found by the client's own address. */
    private int instanceOf(RawImapClient c) {
        String me = LoopbackPorts.HOST + ":" + c.localPort();
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            for (int i = 0; i < 2; i++) {
                                Optional<SessionView> v = (i == 0 ? p1 : p2)
                                        .proxy().sessions().stream()
                                                .filter(s -> me.equals(s.client()) && "lb".equals(s.user()))
                                                .findFirst();
                                if (v.isPresent()) {
                                    return i;
                                }
                            }
                            return -1;
                        },
                        i -> i >= 0);
    }

    @Test
    void everyInstanceSeesTheClientsOwnAddressAndSessionsSpreadOverBoth() throws Exception {
        List<RawImapClient> clients = new ArrayList<>();
        try {
            int[] perInstance = new int[2];
            for (int i = 0; i < 4; i++) {
                RawImapClient c = login();
                clients.add(c);
                perInstance[instanceOf(c)]++; // found by its own port: the header carried it, not HAProxy's
            }
            assertThat(perInstance).containsExactly(2, 2);
            // none of them is known by HAProxy's outgoing address
            List<Integer> ours = clients.stream().map(RawImapClient::localPort).toList();
            for (ProxyFixture p : List.of(p1, p2)) {
                assertThat(p.proxy().sessions())
                        .filteredOn(s -> "lb".equals(s.user()))
                        .allSatisfy(s -> assertThat(ours).contains(port(s.client())));
            }
        } finally {
            for (RawImapClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aQresyncThroughOneInstanceIsExactAfterChangesThroughTheOther() throws Exception {
        for (int i = 1; i <= 4; i++) {
            dovecot.deliver("lb", "Balanced", TestMessages.message("m" + i));
        }
        long uidValidity;
        long before;
        try (RawImapClient first = login()) {
            assertThat(first.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply select = first.command("SELECT Balanced");
            uidValidity = ImapData.requireCode(select, "UIDVALIDITY");
            before = ImapData.requireCode(select, "HIGHESTMODSEQ");
        }
        int writer;
        try (RawImapClient w = login()) {
            writer = instanceOf(w);
            assertThat(w.command("SELECT Balanced").isOk()).isTrue();
            assertThat(w.command("UID STORE 2 +FLAGS (\\Flagged)").isOk()).isTrue();
            assertThat(w.command("UID STORE 3 +FLAGS (\\Deleted)").isOk()).isTrue();
            assertThat(w.command("UID EXPUNGE 3").isOk()).isTrue();
        }
        // the next connection goes to the other instance (round robin); make sure of it, then resync there
        RawImapClient r = login();
        try {
            int reader = instanceOf(r);
            for (int tries = 0; reader == writer && tries < 4; tries++) {
                r.close();
                r = login();
                reader = instanceOf(r);
            }
            assertThat(reader)
                    .as("round robin never reached the other instance")
                    .isNotEqualTo(writer);
            assertThat(r.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply resync = r.command("SELECT Balanced (QRESYNC (" + uidValidity + " " + before + "))");
            assertThat(resync.isOk()).as(resync.toString()).isTrue();
            assertThat(resync.untagged()).as(resync.toString()).contains("* VANISHED (EARLIER) 3");
            List<String> fetches = resync.untagged().stream()
                    .filter(l -> l.matches("\\* \\d+ FETCH .*"))
                    .toList();
            assertThat(fetches)
                    .as(resync.toString())
                    .singleElement()
                    .satisfies(f -> assertThat(f)
                            .contains("UID 2")
                            .contains("\\Flagged")
                            .containsPattern("MODSEQ \\(\\d+\\)"));
            assertThat(ImapData.requireCode(resync, "HIGHESTMODSEQ")).isGreaterThan(before);
        } finally {
            r.close();
        }
    }

    private static int port(String client) {
        return Integer.parseInt(client.substring(client.lastIndexOf(':') + 1));
    }
}
