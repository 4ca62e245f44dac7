package org.modseqproxy.proxy.sync;

import java.util.function.Predicate;
import org.modseqproxy.proxy.codec.Frame;

/**
 * What the running command handed the funnel, as one immutable value the funnel replaces and never edits: how its
 * FETCH lines are echoed, its own interest in some untagged lines (SEARCH results, STATUS; true when it consumed
 * one), the SELECT/EXAMINE being answered, and the HIGHESTMODSEQ this session knew when the command went to the
 * backend (the fence of {@link org.modseqproxy.state.ChangeSet#observed}). {@link #IDLE}: no command is running.
 */
record Running(Echo echo, Predicate<Frame> hook, Opening opening, long sentAtModSeq) {
    static final Running IDLE = new Running(Echo.PLAIN, null, null, 0);

    Running {
        if (echo == null) {
            throw new IllegalArgumentException("echo");
        }
    }

    Running withEcho(Echo e) {
        return new Running(e, hook, opening, sentAtModSeq);
    }

    Running withHook(Predicate<Frame> h) {
        return new Running(echo, h, opening, sentAtModSeq);
    }

    Running withOpening(Opening o) {
        return new Running(echo, hook, o, sentAtModSeq);
    }

    /** Sent now; the fence stays with the command even when it is over (an IDLE's late pushes). */
    Running sentAt(long modSeq) {
        return new Running(echo, hook, opening, modSeq);
    }

    /** The command is answered: nothing of it stays but the fence, which the next command replaces. */
    Running ended() {
        return new Running(Echo.PLAIN, null, null, sentAtModSeq);
    }
}
