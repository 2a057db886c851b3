package dev.plumber.core.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP API's JSON mapper, whose parse and write buffers are shared by all requests. */
final class Json {
    /**
     * Jackson recycles buffers per thread by default, but every request here runs on a new virtual thread, so each
     * parse allocated its buffers afresh (about 17 KB a request, measured with JFR); a shared pool reuses them.
     */
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build());

    private Json() {}
}
