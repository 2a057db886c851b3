package dev.plumber.intake;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The last {@code capacity} ids added, oldest forgotten first; safe for concurrent use. */
final class RecentIds {
    private final Map<UUID, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(capacity * 4 / 3 + 1) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void add(UUID id) {
        ids.put(id, Boolean.TRUE);
    }

    synchronized boolean contains(UUID id) {
        return ids.containsKey(id);
    }
}
