package dev.plumber.intake;

import java.util.UUID;

/**
 * The last {@code capacity} ids added, oldest forgotten first; safe for concurrent use.
 *
 * <p>Held in primitive arrays, allocated once: a ring of the ids' bits in the order they came, and an open-addressing
 * index into it (linear probing, at most half full). A map of {@code UUID} objects kept an entry and a key for every
 * id for the ~16 s an id stays at small messages' rate — objects that each young collection copied again until they
 * were old, and most of what a collection copied.
 */
final class RecentIds {
    private final long[] high;
    private final long[] low;
    /** Slots of the index: a ring position plus one, or 0 for an empty slot. */
    private final int[] index;

    private final int mask;
    /** 64 less the index's bits: the product's top bits pick the home slot. */
    private final int hashShift;

    private int size;
    private int next;

    RecentIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        high = new long[capacity];
        low = new long[capacity];
        int slots = Integer.highestOneBit(capacity) << 2; // over twice the capacity: at most half full
        index = new int[slots];
        mask = slots - 1;
        hashShift = Long.numberOfLeadingZeros(slots) + 1;
    }

    synchronized void add(UUID id) {
        long hi = id.getMostSignificantBits();
        long lo = id.getLeastSignificantBits();
        if (find(hi, lo) >= 0) {
            return;
        }
        if (size == high.length) {
            removeSlot(find(high[next], low[next]));
        } else {
            size++;
        }
        high[next] = hi;
        low[next] = lo;
        int slot = home(hi, lo);
        while (index[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        index[slot] = next + 1;
        next = next + 1 == high.length ? 0 : next + 1;
    }

    synchronized boolean contains(UUID id) {
        return find(id.getMostSignificantBits(), id.getLeastSignificantBits()) >= 0;
    }

    /** The index slot that holds the id, or -1. */
    private int find(long hi, long lo) {
        for (int slot = home(hi, lo); index[slot] != 0; slot = (slot + 1) & mask) {
            int at = index[slot] - 1;
            if (high[at] == hi && low[at] == lo) {
                return slot;
            }
        }
        return -1;
    }

    /** Empties a slot and moves back the entries after it that would no longer be found (Knuth's algorithm R). */
    private void removeSlot(int hole) {
        int slot = hole;
        while (true) {
            slot = (slot + 1) & mask;
            if (index[slot] == 0) {
                index[hole] = 0;
                return;
            }
            int at = index[slot] - 1;
            int home = home(high[at], low[at]);
            // The entry stays when its home lies cyclically after the hole and up to its own slot.
            boolean stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
            if (!stays) {
                index[hole] = index[slot];
                hole = slot;
            }
        }
    }

    private int home(long hi, long lo) {
        long mixed = (hi ^ lo) * 0x9E3779B97F4A7C15L; // Fibonacci hashing: the top bits depend on all of them
        return (int) (mixed >>> hashShift);
    }
}
