package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Literal markers re-announced for the backend (RFC 7888): pure, so every shape is checked here. */
class LiteralMarkersTest {
    static List<String> split(String wire, boolean nonSync) {
        return LiteralMarkers.split(Buffer.buffer(wire), nonSync).stream()
                .map(Buffer::toString)
                .toList();
    }

    @Test
    void noLiteralIsOneUntouchedSegment() {
        assertThat(split("LOGIN alice secret\r\n", false)).containsExactly("LOGIN alice secret\r\n");
        assertThat(split("LOGIN alice secret\r\n", true)).containsExactly("LOGIN alice secret\r\n");
    }

    @Test
    void backendWithLiteralPlusGetsNonSyncMarkersInOneSegment() {
        assertThat(split("LOGIN {5}\r\nalice {6+}\r\nsecret\r\n", true))
                .containsExactly("LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n");
    }

    @Test
    void backendWithoutLiteralPlusGetsSyncMarkersSplitWhereItMustSayPlus() {
        assertThat(split("LOGIN {5+}\r\nalice {6}\r\nsecret\r\n", false))
                .containsExactly("LOGIN {5}\r\n", "alice {6}\r\n", "secret\r\n");
    }

    @Test
    void markerLookalikeInsideLiteralDataIsData() {
        // the literal's own bytes end with "{1}" + CRLF: only the walk from the start can tell it is data
        String wire = "APPEND INBOX {7+}\r\nab{1}\r\n\r\n";
        assertThat(split(wire, false)).containsExactly("APPEND INBOX {7}\r\n", "ab{1}\r\n\r\n");
        assertThat(split(wire, true)).containsExactly(wire);
    }

    @Test
    void trailingMarkerOfAStreamedLiteralLeavesAnEmptyLastSegment() {
        assertThat(split("APPEND INBOX (\\Seen) {52428800}\r\n", false))
                .containsExactly("APPEND INBOX (\\Seen) {52428800}\r\n", "");
        assertThat(split("APPEND INBOX (\\Seen) {52428800}\r\n", true))
                .containsExactly("APPEND INBOX (\\Seen) {52428800+}\r\n");
    }

    @Test
    void bracesThatAreNotMarkersStayAsTheyAre() {
        assertThat(split("SEARCH SUBJECT \"{x}\"\r\n", false)).containsExactly("SEARCH SUBJECT \"{x}\"\r\n");
        assertThat(split("X {}\r\n", false)).containsExactly("X {}\r\n");
    }
}
