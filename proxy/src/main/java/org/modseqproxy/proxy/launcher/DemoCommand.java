package org.modseqproxy.proxy.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.modseqproxy.proxy.config.ConfigException;
import org.modseqproxy.proxy.config.ConfigLoader;
import org.modseqproxy.proxy.config.HostPort;
import org.modseqproxy.proxy.config.ProxyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Everything in one process: a seeded GreenMail backend, in-memory state, the proxy on loopback. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the proxy in front of an embedded, seeded legacy backend (GreenMail) with in-memory state.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--listen",
            defaultValue = "127.0.0.1:1143",
            description = "plain/STARTTLS listener (default ${DEFAULT-VALUE})")
    String listen;

    @Option(
            names = "--tls-listen",
            defaultValue = "127.0.0.1:1993",
            description = "implicit TLS listener (default ${DEFAULT-VALUE})")
    String tlsListen;

    @Option(names = "--user", defaultValue = "demo", description = "demo user (default ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password", defaultValue = "demo", description = "demo password (default ${DEFAULT-VALUE})")
    String password;

    @Option(
            names = "--messages",
            defaultValue = "240",
            description = "messages seeded in INBOX (default ${DEFAULT-VALUE})")
    int messages;

    @Option(
            names = "--state",
            defaultValue = "memory",
            description = "memory | off | redis://... (default ${DEFAULT-VALUE})")
    String state;

    @Option(
            names = "--metrics-listen",
            defaultValue = "127.0.0.1:9143",
            description = "/metrics /health /ready (default ${DEFAULT-VALUE})")
    String metricsListen;

    @Option(
            names = "--data-dir",
            description = "where the self-signed certificate is kept between runs"
                    + " (default $XDG_CACHE_HOME/modseq-proxy or ~/.cache/modseq-proxy)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        DemoBackend backend = DemoBackend.start(0, user, password, messages);
        DemoCertificate cert = DemoCertificate.in(dataDir != null ? dataDir : DemoCertificate.defaultDir());
        ProxyConfig cfg;
        try {
            cfg = new ConfigLoader()
                    .set("listen.plain", listen)
                    .set("listen.tls", tlsListen)
                    .set("tls.cert", cert.cert().toString())
                    .set("tls.key", cert.key().toString())
                    .set("backend.id", "demo")
                    .set("backend.address", "127.0.0.1:" + backend.port())
                    .set("state.store", state)
                    .set("metrics.listen", metricsListen)
                    .set("shutdown.gracePeriod", "5s")
                    .build();
        } catch (ConfigException e) {
            System.err.println("modseq-proxy: configuration error: " + e.getMessage());
            backend.close();
            return 2;
        }
        HostPort plain = cfg.listen().plain();
        HostPort tls = cfg.listen().tls();
        return Launch.runUntilSignal(
                cfg,
                () -> {
                    System.out.println();
                    System.out.println(
                            "modseq-proxy demo is up: GreenMail (no CONDSTORE) behind the proxy, state store: "
                                    + Launch.describe(state) + ".");
                    System.out.println("  user: " + user + "   password: " + password);
                    System.out.println("  plain + STARTTLS : " + plain + "    implicit TLS: " + tls
                            + " (self-signed certificate, kept in "
                            + cert.cert().getParent() + ")");
                    System.out.println("  try:  openssl s_client -quiet -crlf -connect " + tls);
                    System.out.println("        then: a LOGIN " + user + " " + password
                            + " / b ENABLE QRESYNC / c SELECT INBOX (CONDSTORE)");
                    System.out.println("  or:   curl -k --url 'imaps://" + tls + "/INBOX' --user " + user + ":"
                            + password + " -X 'FETCH 1:5 (FLAGS MODSEQ)'");
                    System.out.println(
                            "  metrics: curl http://" + cfg.metrics().listen() + "/metrics    Ctrl-C stops.");
                },
                () -> {
                    backend.close();
                });
    }
}
