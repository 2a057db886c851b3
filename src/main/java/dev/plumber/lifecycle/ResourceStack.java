package dev.plumber.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a component started, closed in reverse order; a failure to close one is logged and the rest still close. */
public final class ResourceStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResourceStack.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    public void push(AutoCloseable resource) {
        resources.push(resource);
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
