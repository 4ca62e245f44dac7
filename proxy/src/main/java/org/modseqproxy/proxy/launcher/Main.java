package org.modseqproxy.proxy.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar modseq-proxy.jar demo|run ...}: operators and scripts depend on these names; keep them stable. */
@Command(
        name = "modseq-proxy",
        mixinStandardHelpOptions = true,
        version = "modseq-proxy 0.1",
        description = "CONDSTORE/QRESYNC (RFC 7162) for legacy IMAP stores.",
        subcommands = {DemoCommand.class, RunCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
