package dev.plumber.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/** Keeps a started service running until SIGTERM or Ctrl-C, then closes it. */
final class Services {
    private Services() {}

    static int runUntilStopped(String name, AutoCloseable service) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(Services.class).warn("stopping {} failed: {}", name, e.toString());
            }
            stopped.countDown();
        }));
        LoggerFactory.getLogger(Services.class).info("plumber {} started", name);
        stopped.await();
        return 0;
    }
}
