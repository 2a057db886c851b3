package dev.plumber.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON mapper of the hot paths (events, status records, DLP payloads, the core's API), its buffers shared. */
public final class Json {
    /**
     * Jackson recycles its parse and write buffers per thread by default, but our work runs on virtual threads, each
     * new, so every read or write allocated them afresh: about 17 KB a request in the core's API, and half of the
     * gateway's allocation per small event (measured with JFR). A shared pool reuses them: a bounded queue, taken and
     * given back in constant time. The concurrent-deque pool had its takers walk past the removed nodes at its head:
     * 3.5 % of the gateway's CPU samples on small messages. A pool that is empty makes a new recycler, one that is full
     * drops the recycler given back; 256 is more than the JSON reads and writes a gateway or core has at once.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newBoundedPool(256))
            .build());

    private Json() {}
}
