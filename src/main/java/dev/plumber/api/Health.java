package dev.plumber.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A readiness answer, the gateway's and the core's: each check by name with {@code ok} or why not. Checks that fail
 * readiness are {@code required}; the gateway reports its DLP's state but never fails on it — it is fail-open, and a
 * DLP outage must not take the console and the API out of the service.
 */
public final class Health {
    private final Map<String, String> checks = new LinkedHashMap<>();
    private String reason;

    /** A check readiness depends on; {@code problem} null means it passed. */
    public Health required(String name, String problem) {
        checks.put(name, problem == null ? "ok" : problem);
        if (problem != null && reason == null) {
            reason = name + ": " + problem;
        }
        return this;
    }

    /** Information only. */
    public Health info(String name, String state) {
        checks.put(name, state);
        return this;
    }

    public boolean ready() {
        return reason == null;
    }

    /** The first failed required check, or null. */
    public String reason() {
        return reason;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready() ? "UP" : "DOWN");
        if (reason != null) {
            body.put("reason", reason);
        }
        body.put("checks", checks);
        return body;
    }
}
