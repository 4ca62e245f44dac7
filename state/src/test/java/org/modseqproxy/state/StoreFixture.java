package org.modseqproxy.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the store contracts share: how a subclass makes a store, a second instance sharing the same data (for
 * concurrency) and how it loses all data; one fresh mailbox per test; helpers.
 */
public abstract class StoreFixture {

    protected static final Flags SEEN = Flags.of("\\Seen");
    protected static final Flags NONE = Flags.EMPTY;
    protected static final Flags FLAGGED = Flags.of("\\Flagged");
    protected static final long UV = 1234;
    private static final AtomicLong MAILBOX_COUNTER = new AtomicLong();

    protected ModSeqStore store;
    protected MailboxId box;
    private final List<ModSeqStore> extraStores = new ArrayList<>();

    /** A new store; instances made by one test share data where the implementation can (Redis). */
    protected abstract ModSeqStore newStore(StoreOptions opts);

    /** Loses every stored mod-sequence (Redis FLUSHALL; memory: nothing, the new store instance is empty). */
    protected abstract void loseAllData();

    /** True when two instances from {@link #newStore} share state (then concurrency runs across instances). */
    protected abstract boolean instancesShareState();

    protected StoreOptions options() {
        return StoreOptions.defaults();
    }

    protected ModSeqStore extraStore(StoreOptions opts) {
        ModSeqStore s = newStore(opts);
        extraStores.add(s);
        return s;
    }

    @BeforeEach
    void openStore() {
        store = newStore(options());
        box = new MailboxId("b1", "alice", "INBOX." + getClass().getSimpleName() + MAILBOX_COUNTER.incrementAndGet());
    }

    @AfterEach
    void closeStores() {
        store.close();
        extraStores.forEach(ModSeqStore::close);
    }

    protected static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    protected static Listing listing(long uv, long uidNext, Object... uidFlagPairs) {
        TreeMap<Long, Flags> m = new TreeMap<>();
        for (int i = 0; i < uidFlagPairs.length; i += 2) {
            m.put(((Number) uidFlagPairs[i]).longValue(), (Flags) uidFlagPairs[i + 1]);
        }
        return new Listing(
                uv,
                uidNext,
                m.keySet().stream().mapToLong(Long::longValue).toArray(),
                m.values().toArray(new Flags[0]));
    }

    protected static Map<Long, Long> modSeqs(MailboxSnapshot s) {
        Map<Long, Long> m = new TreeMap<>();
        s.messages().forEach(x -> m.put(x.uid(), x.modSeq()));
        return m;
    }
}
