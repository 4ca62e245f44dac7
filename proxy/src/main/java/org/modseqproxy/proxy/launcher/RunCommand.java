package org.modseqproxy.proxy.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.modseqproxy.proxy.config.ConfigException;
import org.modseqproxy.proxy.config.ConfigLoader;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Fronts a real backend. Precedence: defaults < --config file < MODSEQ_* environment < flags. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy in front of a real IMAP backend.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML config file (see deploy/config/modseq-proxy.sample.yaml)")
    Path config;

    @Option(names = "--backend", paramLabel = "HOST:PORT", description = "backend IMAP server (backend.address)")
    String backend;

    @Option(names = "--backend-tls", paramLabel = "MODE", description = "none | starttls | implicit (backend.tls)")
    String backendTls;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "plain/STARTTLS listener (listen.plain)")
    String listen;

    @Option(names = "--tls-listen", paramLabel = "HOST:PORT", description = "implicit TLS listener (listen.tls)")
    String tlsListen;

    @Option(
            names = "--state",
            paramLabel = "SPEC",
            description =
                    "memory | off | redis://... | rediss://... | redis-sentinel://... | redis-cluster://h1:p1,h2:p2 (state.store)")
    String state;

    @Option(
            names = "--metrics-listen",
            paramLabel = "HOST:PORT",
            description = "/metrics /health /ready (metrics.listen)")
    String metricsListen;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "any config key, e.g. --set limits.maxSessions=500")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ProxyConfig cfg;
        try {
            cfg = load();
        } catch (ConfigException e) {
            System.err.println("modseq-proxy: configuration error: " + e.getMessage());
            return 2;
        }
        if (cfg.state().store().equals("memory")) {
            LOG.warn(
                    "state.store is 'memory': mod-sequences and expunge logs do not survive a restart and are not shared "
                            + "between instances; clients will do a full resync after every restart. Use redis://... in production.");
        }
        return Launch.runUntilSignal(cfg, this::load, () -> {}, () -> {});
    }

    /** The configuration from its sources: file, then environment, then flags (again on SIGHUP). */
    private ProxyConfig load() {
        ConfigLoader loader = new ConfigLoader().file(config).env(System.getenv());
        flag(loader, "backend.address", backend);
        flag(loader, "backend.tls", backendTls);
        flag(loader, "listen.plain", listen);
        flag(loader, "listen.tls", tlsListen);
        flag(loader, "state.store", state);
        flag(loader, "metrics.listen", metricsListen);
        sets.forEach(loader::set);
        return loader.build();
    }

    private static void flag(ConfigLoader loader, String key, String value) {
        if (value != null) {
            loader.set(key, value);
        }
    }
}
