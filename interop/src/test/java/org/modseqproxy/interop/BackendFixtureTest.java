package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixtures themselves: clean stop, side-by-side instances, and the skip reasons. */
class BackendFixtureTest {

    @Test
    @RequiresBackend(Backend.COURIER)
    void courierStopKillsEveryProcessEvenWithAClientLoggedIn() throws Exception {
        assertStopLeavesNothing(new CourierServer(MailUser.of("alice", "secret1")).start());
    }

    @Test
    @RequiresBackend(Backend.DOVECOT)
    void dovecotStopKillsEveryProcessEvenWithAClientLoggedIn() throws Exception {
        assertStopLeavesNothing(new DovecotServer(DovecotServer.Mode.NATIVE, MailUser.of("alice", "secret1")).start());
    }

    private static void assertStopLeavesNothing(MaildirServer server) throws Exception {
        Path dir = server.dir();
        int port = server.port();
        try (RawImapClient client = server.login("alice")) {
            assertThat(client.command("SELECT INBOX").isOk()).isTrue();
            List<ProcessHandle> processes = server.processTree();
            // unshare, PID 1, the server and at least one process serving this client
            assertThat(processes).hasSizeGreaterThanOrEqualTo(4);

            server.stop();

            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(server.isRunning()).isFalse();
            assertThat(dir).doesNotExist();
            assertThatThrownBy(() -> RawImapClient.connect(LoopbackPorts.HOST, port))
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> client.command("NOOP")).isInstanceOf(IOException.class);
        }
        server.stop(); // a second stop is harmless
    }

    @Test
    @RequiresBackend(Backend.DOVECOT)
    void twoServersRunSideBySideWithSeparateMailboxes() throws Exception {
        try (DovecotServer one = new DovecotServer(DovecotServer.Mode.NATIVE, MailUser.of("alice", "secret1")).start();
                DovecotServer two =
                        new DovecotServer(DovecotServer.Mode.INDEX_MEMORY, MailUser.of("alice", "other1")).start()) {
            assertThat(one.port()).isNotEqualTo(two.port());
            one.deliver("alice", "INBOX", TestMessages.message("only on one"));
            try (RawImapClient a = one.login("alice");
                    RawImapClient b = two.login("alice")) {
                assertThat(a.command("STATUS INBOX (MESSAGES)").untagged())
                        .containsExactly("* STATUS INBOX (MESSAGES 1)");
                assertThat(b.command("STATUS INBOX (MESSAGES)").untagged())
                        .containsExactly("* STATUS INBOX (MESSAGES 0)");
            }
            assertThatThrownBy(one::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already started");
        }
    }

    @Test
    void aMissingCourierIsExplainedWithTheInstallCommand() {
        assumeTrue(BackendInstall.runningAsRoot(), "the reason is about root otherwise");
        String previous = System.getProperty(BackendInstall.DIR_PROPERTY);
        System.setProperty(BackendInstall.DIR_PROPERTY, "/nonexistent/modseq-backends");
        try {
            assertThat(Backend.COURIER.missing())
                    .hasValueSatisfying(reason -> assertThat(reason)
                            .startsWith(
                                    "Courier not installed (no /nonexistent/modseq-backends/courier/root/usr/bin/imapd)")
                            .endsWith("run interop/scripts/install-backends.sh as root"));
            assertThatThrownBy(() -> new CourierServer(MailUser.of("alice", "secret1")).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Courier not installed");
        } finally {
            if (previous == null) {
                System.clearProperty(BackendInstall.DIR_PROPERTY);
            } else {
                System.setProperty(BackendInstall.DIR_PROPERTY, previous);
            }
        }
        assertThat(Files.isDirectory(Path.of("/nonexistent"))).isFalse();
    }
}
