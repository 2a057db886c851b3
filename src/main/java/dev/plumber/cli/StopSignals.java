package dev.plumber.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns the first SIGTERM or SIGINT (Ctrl-C) into a stop request that the main thread acts on: it closes what it
 * started, in order, and exits 0. The JVM's own handling runs every shutdown hook at once, libraries' hooks included
 * (the embedded PostgreSQL's stops the database under the running gateway), and exits 128 + the signal's number. A
 * second signal gets the JVM's handling, for someone who does not want to wait.
 */
final class StopSignals {
    private static final Map<String, Integer> SIGNALS = Map.of("TERM", 15, "INT", 2);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final AtomicBoolean received = new AtomicBoolean();

    private StopSignals() {}

    /**
     * Takes over SIGTERM and SIGINT. {@code sun.misc.Signal} is the JDK's only way to handle a signal; it is reached
     * by reflection because javac warns about it at compile time, a warning no annotation silences.
     */
    static StopSignals install() throws ReflectiveOperationException {
        StopSignals signals = new StopSignals();
        Class<?> signalClass = Class.forName("sun.misc.Signal");
        Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
        Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
        for (String signal : SIGNALS.keySet()) {
            Object handler = Proxy.newProxyInstance(
                    handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, (proxy, method, args) -> {
                        return switch (method.getName()) {
                            case "handle" -> {
                                signals.received(signal);
                                yield null;
                            }
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "stop on SIG" + signal;
                        };
                    });
            handle.invoke(null, signalClass.getConstructor(String.class).newInstance(signal), handler);
        }
        return signals;
    }

    private void received(String signal) {
        if (received.compareAndSet(false, true)) {
            requested.countDown();
        } else {
            System.exit(128 + SIGNALS.get(signal));
        }
    }

    /** Whether a stop has been asked for. */
    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Waits until a stop is asked for. */
    void await() throws InterruptedException {
        requested.await();
    }
}
