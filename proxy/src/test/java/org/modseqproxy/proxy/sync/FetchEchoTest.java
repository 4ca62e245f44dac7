package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modseqproxy.state.UidSet;

/**
 * What one backend FETCH line becomes for the client, row by row. Rows marked with an RFC example reproduce the
 * server side of that example (the backend line is what a legacy backend sends for the same message).
 */
class FetchEchoTest {
    /** Backend line; message uid; its mod-sequence now (0: the store failed); echo; CONDSTORE; QRESYNC; expected. */
    @ParameterizedTest(name = "{0} {3} condstore={4} qresync={5}")
    @CsvSource(delimiter = '|', nullValues = "NOTHING", textBlock = """
      # RFC 7162 3.1.3 Example 6: STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT answers MODSEQ alone
      * 5 FETCH (FLAGS (\\Deleted))          | 5  | 320162350 | SILENT      | true  | false | * 5 FETCH (MODSEQ (320162350))
      # Example 4: STORE * (UNCHANGEDSINCE ...) +FLAGS.SILENT, the same for message 50
      * 50 FETCH (FLAGS (\\Deleted $Processed)) | 77 | 12111230047 | SILENT | true | false | * 50 FETCH (MODSEQ (12111230047))
      # Example 3: UID STORE 6,4,8 (UNCHANGEDSINCE ...) +FLAGS.SILENT names the UIDs (also RFC 9051 6.4.9)
      * 2 FETCH (FLAGS (\\Deleted) UID 6)    | 6  | 12121230852 | SILENT_UID | true | false | * 2 FETCH (UID 6 MODSEQ (12121230852))
      # after ENABLE QRESYNC every FETCH names its UID (RFC 7162 3.2.4), a silent one too
      * 5 FETCH (FLAGS (\\Deleted))          | 12 | 99        | SILENT      | true  | true  | * 5 FETCH (UID 12 MODSEQ (99))
      # a plain client's STORE .SILENT: the proxy asked for the flags for itself; the client gets nothing
      * 5 FETCH (FLAGS (\\Deleted))          | 5  | 99        | SILENT      | false | false | NOTHING
      # the store could not give a mod-sequence: a silent STORE still stays silent
      * 5 FETCH (FLAGS (\\Deleted))          | 5  | 0         | SILENT      | true  | false | NOTHING
      # RFC 7162 3.1.4.1: with CONDSTORE on, FLAGS go with MODSEQ, and the UID with them
      * 1 FETCH (FLAGS (\\Seen))             | 4  | 12111230  | PLAIN       | true  | false | * 1 FETCH (UID 4 MODSEQ (12111230) FLAGS (\\Seen))
      * 1 FETCH (UID 4 FLAGS (\\Seen))       | 4  | 12111230  | PLAIN       | true  | false | * 1 FETCH (MODSEQ (12111230) UID 4 FLAGS (\\Seen))
      # no FLAGS and no MODSEQ asked for: untouched (an ENVELOPE fetch of a CONDSTORE client)
      * 1 FETCH (UID 4 RFC822.SIZE 44)       | 4  | 12111230  | PLAIN       | true  | false | * 1 FETCH (UID 4 RFC822.SIZE 44)
      # Example 13, FETCH 1:3 (MODSEQ): every line carries it (the proxy adds UID, see above)
      * 1 FETCH (UID 4)                      | 4  | 624140003 | WITH_MODSEQ | true  | false | * 1 FETCH (MODSEQ (624140003) UID 4)
      # a plain session: the backend's line as it is
      * 1 FETCH (FLAGS (\\Seen))             | 4  | 12111230  | PLAIN       | false | false | * 1 FETCH (FLAGS (\\Seen))
      # QRESYNC, the store failed: no MODSEQ, but the UID is still added (RFC 7162 3.2.4)
      * 1 FETCH (FLAGS (\\Seen))             | 4  | 0         | PLAIN       | true  | true  | * 1 FETCH (UID 4 FLAGS (\\Seen))
      """)
    void echoes(
            String backend, long uid, long modSeq, String echo, boolean condstore, boolean qresync, String expected) {
        Buffer raw = Buffer.buffer(backend + "\r\n");
        FetchResponse f = FetchResponse.parse(FetchResponseTest.frame(backend + "\r\n"));
        Buffer out = FetchEcho.line(raw, f, uid, modSeq, echo(echo), condstore, qresync);
        assertThat(out == null ? null : out.toString()).isEqualTo(expected == null ? null : expected + "\r\n");
    }

    private static Echo echo(String name) {
        return switch (name) {
            case "SILENT" -> Echo.store(true, false, UidSet.of(7), FlagChange.of("+FLAGS", "(\\Seen)"));
            case "SILENT_UID" -> Echo.store(true, true, UidSet.of(7), FlagChange.of("+FLAGS", "(\\Seen)"));
            case "WITH_MODSEQ" -> Echo.WITH_MODSEQ;
            default -> Echo.PLAIN;
        };
    }
}
