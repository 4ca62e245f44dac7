package org.modseqproxy.proxy.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: the demo keeps its certificate, so a client's "accept always" survives a restart. */
class DemoCertificateTest {
    @TempDir
    Path dir;

    @Test
    void theSecondRunFindsTheFirstRunsCertificate() throws Exception {
        DemoCertificate first = DemoCertificate.in(dir.resolve("data"));
        String cert = Files.readString(first.cert());
        String key = Files.readString(first.key());
        assertThat(cert).contains("BEGIN CERTIFICATE");
        assertThat(key).contains("PRIVATE KEY");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.key())))
                .isEqualTo("rw-------");

        DemoCertificate second = DemoCertificate.in(dir.resolve("data"));
        assertThat(Files.readString(second.cert())).isEqualTo(cert);
        assertThat(Files.readString(second.key())).isEqualTo(key);
        try (var files = Files.list(dir.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("demo-cert.pem", "demo-key.pem");
        }
    }
}
