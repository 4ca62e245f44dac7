package org.modseqproxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checks the scrape text a Prometheus server would read, line by line, after calls to the API. */
class ProxyMetricsTest {

    private final ProxyMetrics metrics = new ProxyMetrics("p1");

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void sessionsGaugeAndCounter() {
        metrics.sessionOpened();
        metrics.sessionOpened();
        metrics.sessionOpened();
        metrics.sessionClosed();

        assertThat(lines())
                .contains(
                        "modseq_sessions_active{instance_id=\"p1\"} 2.0",
                        "modseq_sessions_total{instance_id=\"p1\"} 3.0");
    }

    @Test
    void loginsByBackendAndResult() {
        metrics.loginResult("b1", true);
        metrics.loginResult("b1", true);
        metrics.loginResult("b1", false);
        metrics.loginResult("b2", false);

        assertThat(lines())
                .contains(
                        "modseq_logins_total{backend=\"b1\",instance_id=\"p1\",result=\"success\"} 2.0",
                        "modseq_logins_total{backend=\"b1\",instance_id=\"p1\",result=\"failure\"} 1.0",
                        "modseq_logins_total{backend=\"b2\",instance_id=\"p1\",result=\"failure\"} 1.0");
        assertThat(lines()).noneMatch(l -> l.startsWith("modseq_logins_total{backend=\"b2\"") && l.contains("success"));
    }

    @Test
    void commandTimerNormalisesNameAndStatus() {
        metrics.commandCompleted("uid  fetch", "ok", 2_000_000); // 2 ms
        metrics.commandCompleted("UID FETCH", "OK", 3_000_000); // 3 ms
        metrics.commandCompleted("select", "NO", 20_000_000); // 20 ms
        metrics.commandCompleted("XYZZY", "BAD", 1_000_000); // unknown command
        metrics.commandCompleted("noop", "BYE", 1_000_000); // no tagged status -> ERROR
        metrics.commandCompleted("noop", null, 1_000_000);

        String fetchOk = "command=\"UID FETCH\",instance_id=\"p1\",status=\"OK\"";
        assertThat(lines())
                .contains(
                        "modseq_command_duration_seconds_count{" + fetchOk + "} 2",
                        "modseq_command_duration_seconds_sum{" + fetchOk + "} 0.005",
                        "modseq_command_duration_seconds_bucket{" + fetchOk + ",le=\"0.001\"} 0",
                        "modseq_command_duration_seconds_bucket{" + fetchOk + ",le=\"0.005\"} 2",
                        "modseq_command_duration_seconds_bucket{" + fetchOk + ",le=\"+Inf\"} 2",
                        "modseq_command_duration_seconds_count{command=\"SELECT\",instance_id=\"p1\",status=\"NO\"} 1",
                        "modseq_command_duration_seconds_count{command=\"OTHER\",instance_id=\"p1\",status=\"BAD\"} 1",
                        "modseq_command_duration_seconds_count{command=\"NOOP\",instance_id=\"p1\",status=\"ERROR\"} 2");
        // Statuses that never happened are not exposed.
        assertThat(lines()).noneMatch(l -> l.contains("command=\"UID FETCH\"") && l.contains("status=\"BAD\""));
        assertThat(lines()).noneMatch(l -> l.contains("XYZZY"));
    }

    @Test
    void commandLabelsStayBoundedWhateverClientsSend() {
        for (int i = 0; i < 500; i++) {
            metrics.commandCompleted("X-CMD-" + i, "OK", 1_000);
        }
        long series = lines().stream()
                .filter(l -> l.startsWith("modseq_command_duration_seconds_count{"))
                .count();
        assertThat(series).isEqualTo(1);
        assertThat(lines())
                .contains(
                        "modseq_command_duration_seconds_count{command=\"OTHER\",instance_id=\"p1\",status=\"OK\"} 500");
    }

    @Test
    void commandLabelTable() {
        assertThat(ProxyMetrics.commandLabel(" Uid\tMove ")).isEqualTo("UID MOVE");
        assertThat(ProxyMetrics.commandLabel("idle")).isEqualTo("IDLE");
        assertThat(ProxyMetrics.commandLabel("UID")).isEqualTo("OTHER");
        assertThat(ProxyMetrics.commandLabel("")).isEqualTo("OTHER");
        assertThat(ProxyMetrics.commandLabel(null)).isEqualTo("OTHER");
    }

    @Test
    void backendConnectFailuresWithBoundedReasons() {
        metrics.backendConnectFailed("b1", "TIMEOUT");
        metrics.backendConnectFailed("b1", "timeout");
        metrics.backendConnectFailed("b1", "java.net.NoRouteToHostException: host 10.0.0.1");
        metrics.backendConnectFailed(null, "tls");

        assertThat(lines())
                .contains(
                        "modseq_backend_connect_failures_total{backend=\"b1\",instance_id=\"p1\",reason=\"timeout\"} 2.0",
                        "modseq_backend_connect_failures_total{backend=\"b1\",instance_id=\"p1\",reason=\"other\"} 1.0",
                        "modseq_backend_connect_failures_total{backend=\"unknown\",instance_id=\"p1\",reason=\"tls\"} 1.0");
    }

    @Test
    void bytesByDirection() {
        metrics.bytes(MeterNames.DIRECTION_CLIENT_IN, 100);
        metrics.bytes(MeterNames.DIRECTION_CLIENT_IN, 23);
        metrics.bytes(MeterNames.DIRECTION_BACKEND_OUT, 7);
        metrics.bytes(MeterNames.DIRECTION_CLIENT_OUT, -5); // ignored: counters never go down

        assertThat(lines())
                .contains(
                        "modseq_bytes_total{direction=\"client_in\",instance_id=\"p1\"} 123.0",
                        "modseq_bytes_total{direction=\"backend_out\",instance_id=\"p1\"} 7.0",
                        "modseq_bytes_total{direction=\"client_out\",instance_id=\"p1\"} 0.0",
                        "modseq_bytes_total{direction=\"backend_in\",instance_id=\"p1\"} 0.0");
        assertThatThrownBy(() -> metrics.bytes("sideways", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.bytes(null, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void storeOperationTimer() {
        metrics.storeOperation("apply_diff", true, 1_500_000); // 1.5 ms
        metrics.storeOperation("apply_diff", false, 2_000_000_000L);
        metrics.storeOperation("Get Mailbox!", true, 1_000);

        String ok = "instance_id=\"p1\",op=\"apply_diff\",result=\"success\"";
        assertThat(lines())
                .contains(
                        "modseq_store_duration_seconds_count{" + ok + "} 1",
                        "modseq_store_duration_seconds_sum{" + ok + "} 0.0015",
                        "modseq_store_duration_seconds_bucket{" + ok + ",le=\"0.001\"} 0",
                        "modseq_store_duration_seconds_bucket{" + ok + ",le=\"0.0025\"} 1",
                        "modseq_store_duration_seconds_count{instance_id=\"p1\",op=\"apply_diff\",result=\"failure\"} 1",
                        "modseq_store_duration_seconds_count{instance_id=\"p1\",op=\"other\",result=\"success\"} 1");
    }

    @Test
    void storeAvailableGaugeFollowsItsSource() {
        assertThat(lines()).noneMatch(l -> l.startsWith("modseq_store_available"));
        assertThat(metrics.storeAvailable()).isEmpty();

        AtomicBoolean up = new AtomicBoolean(true);
        metrics.setStoreAvailable(up::get);
        assertThat(lines()).contains("modseq_store_available{instance_id=\"p1\"} 1.0");

        up.set(false);
        assertThat(lines()).contains("modseq_store_available{instance_id=\"p1\"} 0.0");
        assertThat(metrics.storeAvailable()).contains(false);

        metrics.setStoreAvailable(() -> {
            throw new IllegalStateException("breaker gone");
        });
        assertThat(lines()).contains("modseq_store_available{instance_id=\"p1\"} 0.0");
    }

    @Test
    void resyncCounterAndChangesHistogram() {
        metrics.resync(MeterNames.RESYNC_FULL, 5);
        metrics.resync(MeterNames.RESYNC_FULL, 500);
        metrics.resync(MeterNames.RESYNC_NOMODSEQ, 0);

        assertThat(lines())
                .contains(
                        "modseq_resyncs_total{instance_id=\"p1\",kind=\"full\"} 2.0",
                        "modseq_resyncs_total{instance_id=\"p1\",kind=\"nomodseq\"} 1.0",
                        "modseq_resyncs_total{instance_id=\"p1\",kind=\"incremental\"} 0.0",
                        "modseq_resync_changes_sum{instance_id=\"p1\",kind=\"full\"} 505.0",
                        "modseq_resync_changes_bucket{instance_id=\"p1\",kind=\"full\",le=\"10.0\"} 1",
                        "modseq_resync_changes_bucket{instance_id=\"p1\",kind=\"full\",le=\"1000.0\"} 2",
                        "modseq_resync_changes_bucket{instance_id=\"p1\",kind=\"nomodseq\",le=\"1.0\"} 1");
        assertThatThrownBy(() -> metrics.resync("partial", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clientResyncsCountSentFullAndSavedBytes() {
        assertThat(lines()).contains("modseq_resync_saved_bytes_total{instance_id=\"p1\",kind=\"qresync_select\"} 0.0");
        metrics.clientResync(MeterNames.CLIENT_RESYNC_QRESYNC_SELECT, 300, 10_000);
        metrics.clientResync(MeterNames.CLIENT_RESYNC_QRESYNC_SELECT, 700, 5_000);
        // a resync that cost more than a listing would (a tiny mailbox) saves nothing, and never less than nothing
        metrics.clientResync(MeterNames.CLIENT_RESYNC_VANISHED, 900, 400);

        assertThat(lines())
                .contains(
                        "modseq_resync_sent_bytes_total{instance_id=\"p1\",kind=\"qresync_select\"} 1000.0",
                        "modseq_resync_full_bytes_total{instance_id=\"p1\",kind=\"qresync_select\"} 15000.0",
                        "modseq_resync_saved_bytes_total{instance_id=\"p1\",kind=\"qresync_select\"} 14000.0",
                        "modseq_resync_saved_bytes_total{instance_id=\"p1\",kind=\"vanished_fetch\"} 0.0",
                        "modseq_resync_sent_bytes_total{instance_id=\"p1\",kind=\"vanished_fetch\"} 900.0",
                        "modseq_resync_saved_bytes_total{instance_id=\"p1\",kind=\"changedsince_fetch\"} 0.0");
        assertThatThrownBy(() -> metrics.clientResync("select", 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noModSeqAnswersAndEnabledSessionsAreCountedByLabel() {
        assertThat(lines()).contains("modseq_nomodseq_answers_total{instance_id=\"p1\",reason=\"store_down\"} 0.0");
        metrics.noModSeq(MeterNames.NOMODSEQ_STORE_DOWN);
        metrics.noModSeq(MeterNames.NOMODSEQ_STORE_DOWN);
        metrics.enabled(MeterNames.EXTENSION_QRESYNC);
        assertThat(lines())
                .contains(
                        "modseq_nomodseq_answers_total{instance_id=\"p1\",reason=\"store_down\"} 2.0",
                        "modseq_nomodseq_answers_total{instance_id=\"p1\",reason=\"state_off\"} 0.0",
                        "modseq_enabled_sessions_total{extension=\"qresync\",instance_id=\"p1\"} 1.0",
                        "modseq_enabled_sessions_total{extension=\"condstore\",instance_id=\"p1\"} 0.0");
        assertThatThrownBy(() -> metrics.noModSeq("tired")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.enabled("utf8")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jvmMetricsAreIncluded() {
        assertThat(lines()).anyMatch(l -> l.startsWith("jvm_memory_used_bytes{"));
    }

    @Test
    void blankInstanceIdIsRejected() {
        assertThatThrownBy(() -> new ProxyMetrics(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    private java.util.List<String> lines() {
        return Arrays.stream(metrics.scrape().split("\n")).collect(Collectors.toList());
    }
}
