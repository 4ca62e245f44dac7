package org.modseqproxy.load.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection against a real IMAP server (GreenMail on a free loopback port), on a Netty event loop as
 * Gatling would run it: greeting, LOGIN, tagged statuses, literals, IDLE with a push, LOGOUT, timeouts.
 */
class ImapConnectionTest {

    private static final String TEXT = "ends with {3}\r\nabc\r\n";

    private static GreenMail greenMail;
    private static GreenMailUser user;
    private static EventLoopGroup group;
    private static EventLoop loop;

    @BeforeAll
    static void start() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort());
        greenMail.start();
        user = greenMail.setUser("load@localhost", "load", "secret");
        user.deliver(GreenMailUtil.newMimeMessage(
                "From: a@example.org\r\nTo: load@localhost\r\nSubject: literal trap\r\n\r\n" + TEXT));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        greenMail.stop();
    }

    @Test
    void loginSelectFetchLiteralAndLogout() throws Exception {
        ImapConnection c =
                onLoop(() -> ImapConnection.open(endpoint(greenMail.getImap().getPort()), loop));

        ImapReply bad = onLoop(() -> c.execute("LOGIN load wrong"));
        assertThat(bad.status()).isEqualTo(ImapStatus.NO);
        assertThat(onLoop(() -> c.execute("LOGIN load secret")).status()).isEqualTo(ImapStatus.OK);

        ImapReply select = onLoop(() -> c.execute("SELECT INBOX"));
        assertThat(select.status()).isEqualTo(ImapStatus.OK);
        assertThat(select.untagged()).contains("* 1 EXISTS");
        assertThat(select.tagged()).startsWith("G3 OK");

        // The body holds CRLF and a fake literal marker: it must arrive as one response, literal intact.
        ImapReply fetch = onLoop(() -> c.execute("FETCH 1 (BODY.PEEK[TEXT])"));
        // (GreenMail drops the body's final CRLF: 18 bytes are left.)
        assertThat(fetch.untagged()).containsExactly("* 1 FETCH (BODY[TEXT] {18}\r\nends with {3}\r\nabc)");

        assertThat(onLoop(() -> c.execute("FROBNICATE")).status()).isEqualTo(ImapStatus.BAD);

        ImapReply logout = onLoop(() -> c.execute("LOGOUT"));
        assertThat(logout.status()).isEqualTo(ImapStatus.OK);
        assertThat(logout.untagged()).anyMatch(line -> line.startsWith("* BYE"));
    }

    @Test
    void idleCollectsWhatTheServerPushesAndMeasuresTheWait() throws Exception {
        ImapConnection c =
                onLoop(() -> ImapConnection.open(endpoint(greenMail.getImap().getPort()), loop));
        onLoop(() -> c.execute("LOGIN load secret"));
        int before = Integer.parseInt(onLoop(() -> c.execute("SELECT INBOX")).untagged().stream()
                .filter(l -> l.endsWith(" EXISTS"))
                .findFirst()
                .orElseThrow()
                .split(" ")[1]);

        CompletableFuture<ImapReply> idle = new CompletableFuture<>();
        loop.execute(() -> c.idle(Duration.ofMillis(1500)).whenComplete((r, e) -> {
            if (e != null) {
                idle.completeExceptionally(e);
            } else {
                idle.complete(r);
            }
        }));
        Thread.sleep(300); // the IDLE is running; a new message arrives meanwhile
        long delivered = System.nanoTime();
        user.deliver(GreenMailUtil.newMimeMessage("From: b@example.org\r\nSubject: pushed\r\n\r\nhi\r\n"));

        ImapReply reply = idle.get(10, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(ImapStatus.OK);
        assertThat(reply.idledMillis()).isBetween(1400L, 3000L);
        assertThat(reply.untagged()).contains("* " + (before + 1) + " EXISTS");
        int pushed = reply.untagged().indexOf("* " + (before + 1) + " EXISTS");
        assertThat(reply.arrivalNanos().get(pushed)).isGreaterThan(delivered); // when the push arrived
        onLoop(() -> c.execute("LOGOUT"));
    }

    @Test
    void aServerThatNeverGreetsTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> onLoop(() -> ImapConnection.open(endpoint(silent.getLocalPort()), loop)))
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("no greeting within 500 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(450L, 5000L);
        }
    }

    @Test
    void aByeGreetingIsARefusal() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread greeter = new Thread(() -> {
                try (Socket s = server.accept();
                        OutputStream out = s.getOutputStream()) {
                    out.write("* BYE too busy\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().read(); // hold the socket until the client closes it
                } catch (Exception ignored) {
                    // the test asserts on the client side
                }
            });
            greeter.start();
            assertThatThrownBy(() -> onLoop(() -> ImapConnection.open(endpoint(server.getLocalPort()), loop)))
                    .hasMessageContaining("server refused the connection: * BYE too busy");
            greeter.join(5000);
        }
    }

    private static ImapConnection.Endpoint endpoint(int port) {
        return new ImapConnection.Endpoint(
                "127.0.0.1",
                port,
                null,
                false,
                Duration.ofMillis(500),
                Duration.ofSeconds(5),
                1 << 20,
                NioSocketChannel::new);
    }

    private static <T> T onLoop(Supplier<CompletableFuture<T>> action) throws Exception {
        return OnLoop.run(loop, action);
    }
}
