package org.modseqproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps deploy/grafana/modseq-proxy-dashboard.json in step with the meters: every modseq_* series a
 * panel queries must exist in a real scrape, so renaming a meter without the dashboard fails here.
 */
class DashboardConsistencyTest {

    /** Surefire runs with the module directory as working directory. */
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "modseq-proxy-dashboard.json");

    private static final Pattern SERIES = Pattern.compile("\\bmodseq_[a-z_]+");

    @Test
    void everySeriesTheDashboardQueriesIsExposed() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        dashboard.getJsonArray("panels").forEach(p -> {
            JsonObject panel = (JsonObject) p;
            if (panel.containsKey("targets")) {
                panel.getJsonArray("targets").forEach(t -> {
                    Matcher m = SERIES.matcher(((JsonObject) t).getString("expr"));
                    while (m.find()) {
                        queried.add(m.group());
                    }
                });
            }
        });
        assertThat(queried).hasSizeGreaterThanOrEqualTo(9);

        try (ProxyMetrics metrics = new ProxyMetrics("p1")) {
            // Touch every meter once so that each has a series.
            metrics.sessionOpened();
            metrics.loginResult("b1", false);
            metrics.commandCompleted("NOOP", "OK", 1);
            metrics.backendConnectFailed("b1", "timeout");
            metrics.bytes(MeterNames.DIRECTION_CLIENT_IN, 1);
            metrics.storeOperation("apply", true, 1);
            metrics.setStoreAvailable(() -> true);
            metrics.resync(MeterNames.RESYNC_FULL, 1);
            metrics.loginRefused("failed");
            metrics.tlsHandshakeFailed(MeterNames.LISTENER_IMPLICIT, MeterNames.TLS_CERTIFICATE);
            Set<String> exposed = new TreeSet<>();
            for (String line : metrics.scrape().split("\n")) {
                if (!line.startsWith("#") && !line.isEmpty()) {
                    exposed.add(line.substring(0, line.indexOf(line.contains("{") ? '{' : ' ')));
                }
            }
            assertThat(exposed).containsAll(queried);
        }
    }
}
