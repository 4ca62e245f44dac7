package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.modseqproxy.proxy.codec.Frame;

/**
 * Collects, while a SELECT/EXAMINE is on its way through the funnel, what the backend says about the mailbox being
 * opened (RFC 9051 7.3.1 EXISTS, 7.1 response codes; RFC 7162 3.1.2 HIGHESTMODSEQ / NOMODSEQ). The command gets
 * it back as an immutable {@link Answer} when the backend's tagged answer arrives.
 */
public final class Opening {
    /**
     * What SELECT learnt.
     *
     * @param holdsExists the backend's EXISTS was held back: the proxy tells the count of its final listing instead
     * @param held with the EXISTS held, the answer's lines from the EXISTS or UIDVALIDITY on (whichever came first),
     *     to follow the proxy's own EXISTS in their order: clients read the count before UIDVALIDITY, as native
     *     servers send it (imaptest restores its QRESYNC cache at UIDVALIDITY with the count seen so far)
     */
    public record Answer(
            long exists,
            long uidValidity,
            long uidNext,
            long nativeHighestModSeq,
            boolean backendNoModSeq,
            boolean holdsExists,
            List<Buffer> held) {
        /** The backend keeps mod-sequences for this mailbox itself (it answered HIGHESTMODSEQ, not NOMODSEQ). */
        public boolean nativeModSeq() {
            return nativeHighestModSeq > 0 && !backendNoModSeq;
        }
    }

    private final boolean holdExists;
    private long exists;
    private long uidValidity;
    private long uidNext;
    private long nativeHighestModSeq;
    private boolean backendNoModSeq;
    private boolean holding;
    private final List<Buffer> held = new ArrayList<>();

    /** {@code holdExists}: QRESYNC, the backend's EXISTS is not relayed (see {@link Answer#holdsExists}). */
    public Opening(boolean holdExists) {
        this.holdExists = holdExists;
    }

    public Answer answer() {
        return new Answer(
                exists, uidValidity, uidNext, nativeHighestModSeq, backendNoModSeq, holdExists, List.copyOf(held));
    }

    /**
     * Takes in one untagged line of the SELECT answer; returns true when the line must not reach the client now
     * (held back, or the backend's NOMODSEQ for a mailbox whose mod-sequences the proxy keeps).
     */
    boolean take(Frame frame) {
        String kw = frame.keyword();
        if ("EXISTS".equals(kw)) {
            exists = frame.number();
            if (holdExists) {
                holding = true;
                return true; // told after the listing, with its count
            }
        } else if ("OK".equals(kw) && frame.code().isPresent()) {
            String code = frame.code().get().name();
            String value = frame.code().get().rawArgs().trim();
            try {
                switch (code) {
                    case "UIDVALIDITY" -> uidValidity = Long.parseLong(value);
                    case "UIDNEXT" -> uidNext = Long.parseLong(value);
                    case "HIGHESTMODSEQ" -> nativeHighestModSeq = Long.parseLong(value);
                    default -> {}
                }
            } catch (NumberFormatException e) {
                // a backend that garbles these gets no mod-sequences for the mailbox (uidValidity stays 0)
            }
            if (code.equals("NOMODSEQ")) {
                // RFC 7162 3.1.2.2 from the backend: the proxy synthesizes mod-sequences for this mailbox instead, as
                // the OMA CPM client side (RFC 5162 section 5); the client must not see the backend's NOMODSEQ.
                backendNoModSeq = true;
                return true;
            }
        }
        return false;
    }

    /** With the EXISTS held, this line (already rewritten by the funnel) waits for it; true when it was kept. */
    boolean hold(Frame frame, Buffer line) {
        boolean uidValidityLine = "OK".equals(frame.keyword())
                && frame.code().map(c -> c.name().equals("UIDVALIDITY")).orElse(false);
        if (holdExists && (holding || uidValidityLine)) {
            holding = true;
            held.add(line);
            return true;
        }
        return false;
    }
}
