package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The sub-command names and their help are an interface operators script against. */
class LauncherTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsSubcommandsAndOptions() {
        Run top = run("--help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("demo", "run");
        Run runHelp = run("run", "--help");
        assertThat(runHelp.code()).isZero();
        assertThat(runHelp.out()).contains("--backend", "--listen", "--tls-listen", "--config", "--state", "--set");
        Run demoHelp = run("demo", "--help");
        assertThat(demoHelp.out()).contains("127.0.0.1:1143", "127.0.0.1:1993", "demo");
    }

    @Test
    void runWithoutBackendFailsFastWithExitCode2() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf));
        try {
            Run r = run("run", "--listen", "127.0.0.1:0");
            assertThat(r.code()).isEqualTo(2);
        } finally {
            System.setErr(saved);
        }
        assertThat(buf.toString()).contains("configuration error").contains("backend.address is required");
    }
}
