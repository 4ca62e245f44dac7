package org.modseqproxy.load.simulations;

import static io.gatling.javaapi.core.CoreDsl.*;
import static org.modseqproxy.load.imap.Imap.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import org.modseqproxy.load.imap.ImapStatus;

/**
 * Large messages both ways: each virtual user, in a mailbox of its own, APPENDs a message of {@code load.appendMiB} MiB (default 4) as a
 * non-synchronizing literal (RFC 7888 LITERAL+, which the proxy always offers), FETCHes it back whole with
 * BODY.PEEK[] and checks its size, then deletes it (UID STORE \Deleted + UID EXPUNGE, RFC 4315), for
 * {@code load.seconds}. The proxy streams such literals in both directions; memory stays flat however large they
 * are. Closed model, {@code load.users} default 4.
 */
public class BigAppendSimulation extends ImapSimulation {

    private final LoadSettings settings = LoadSettings.fromSystemProperties(4, 30, "closed");
    private final int mib = LoadSettings.atLeastOne("load.appendMiB", 4);
    private final String message = message(mib);

    /** Compressible enough to be realistic text, exactly {@code mib} MiB with its header. */
    static String message(int mib) {
        StringBuilder b = new StringBuilder("Subject: big append\r\nFrom: load@example.org\r\n\r\n");
        int target = mib * 1024 * 1024;
        for (int i = 0; b.length() < target - 80; i++) {
            b.append("line ").append(i).append(" of a large message sent by the BigAppend simulation\r\n");
        }
        while (b.length() < target - 2) {
            b.append('x');
        }
        return b.append("\r\n").toString();
    }

    private final ScenarioBuilder big = scenario("APPEND and FETCH " + mib + " MiB")
            .feed(settings.credentials())
            // a mailbox per virtual user: stores such as GreenMail race on APPENDUID when sessions append to one
            // mailbox at once (seen directly against the demo's store too: FETCH of the reported UID finds nothing)
            .exec(session -> session.set("message", message)
                    .set("size", message.length())
                    .set("box", "BigAppend-" + session.userId()))
            .exec(imap("LOGIN").login())
            .exec(imap("CREATE").command("CREATE #{box}").check(status(ImapStatus.OK, ImapStatus.NO)))
            .exec(imap("SELECT").command("SELECT #{box}"))
            .exitHereIfFailed()
            .during(Duration.ofSeconds(settings.seconds()))
            .on(doIf(session -> !connected(session))
                    .then(pause(Duration.ofSeconds(1))
                            .exec(imap("LOGIN").login())
                            .exec(imap("SELECT").command("SELECT #{box}")))
                    .exec(imap("APPEND " + mib + " MiB")
                            .command("APPEND #{box} {#{size}+}\r\n#{message}")
                            .check(imapRegex("\\[APPENDUID \\d+ (\\d+)\\]").saveAs("uid")))
                    // the session learns of its new message (EXISTS) before it addresses it by UID
                    .exec(imap("NOOP").command("NOOP"))
                    .exec(imap("FETCH " + mib + " MiB")
                            .command("UID FETCH #{uid} (BODY.PEEK[])")
                            .check(imapRegex("BODY\\[\\] \\{" + message.length() + "\\}")))
                    .exec(imap("UID STORE \\Deleted").command("UID STORE #{uid} +FLAGS.SILENT (\\Deleted)"))
                    .exec(imap("UID EXPUNGE").command("UID EXPUNGE #{uid}")))
            .exec(imap("CLOSE").command("CLOSE"))
            .exec(imap("DELETE").command("DELETE #{box}"))
            .exec(imap("LOGOUT").logout());

    {
        setUp(settings.inject(big))
                .protocols(settings.protocol().maxResponseBytes(Math.max(32, 2 * mib + 1) * 1024 * 1024))
                .maxDuration(settings.maxDuration())
                .assertions(settings.koAssertion());
    }
}
