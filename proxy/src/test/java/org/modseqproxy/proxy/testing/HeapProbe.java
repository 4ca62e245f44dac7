package org.modseqproxy.proxy.testing;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Memory readings for tests and benches that run the proxy and GreenMail in this JVM. Heap is read after full
 * collections, so it is the live set, not garbage waiting for the next GC. Netty keeps its buffers off-heap, so a
 * proxy that buffered in direct memory would not show on the heap: {@link #directBytes()} covers that side.
 */
public final class HeapProbe {
    private HeapProbe() {}

    /** Used heap after the JVM had three chances to collect everything unreachable. */
    public static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(60);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Off-heap buffers: Netty's own direct allocations (pooled arenas included) plus JDK direct ByteBuffers. */
    public static long directBytes() {
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        return netty + jdk;
    }

    public static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f MB", bytes / (1024.0 * 1024.0));
    }

    /** A growth figure with its sign: "+0.05 MB", "-0.01 MB". */
    public static String deltaMb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%+.2f MB", bytes / (1024.0 * 1024.0));
    }
}
