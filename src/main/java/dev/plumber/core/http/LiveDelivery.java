package dev.plumber.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.plumber.core.chats.Message;
import dev.plumber.json.Json;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsContext;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes sent and edited messages to the open WebSockets of the chat's members. A socket lives no longer than the
 * session it was opened with: it is closed on that session's log-out, when its account is disabled, and at the first
 * frame after its session ended otherwise (expired, or ended by another core on the same database).
 */
final class LiveDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(LiveDelivery.class);

    /** The socket attribute holding the bearer token the socket was opened with. */
    static final String TOKEN = "token";

    /** Whether a session token still signs its account in. */
    @FunctionalInterface
    interface Sessions {
        boolean valid(String token) throws SQLException;
    }

    private final Sessions sessions;
    private final Map<Long, Set<WsContext>> sockets = new ConcurrentHashMap<>();

    LiveDelivery(Sessions sessions) {
        this.sessions = sessions;
    }

    /** Closes the sockets opened with {@code token} (its session was signed out). */
    void sessionEnded(long userId, String token) {
        for (WsContext socket : sockets.getOrDefault(userId, Set.of())) {
            if (token.equals(socket.attribute(TOKEN))) {
                close(socket, "signed out");
            }
        }
    }

    /** Closes every socket of the account (disabled, or its password changed: its sessions ended). */
    void accountSessionsEnded(long userId) {
        for (WsContext socket : sockets.getOrDefault(userId, Set.of())) {
            close(socket, "the session ended");
        }
    }

    void connected(long userId, WsContext socket) {
        sockets.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(socket);
    }

    void closed(long userId, WsContext socket) {
        sockets.computeIfPresent(userId, (id, open) -> {
            open.remove(socket);
            return open.isEmpty() ? null : open;
        });
    }

    /** Frame {@code {"type":"blocked","chat","mid"}}: clients hide the text (the sender keeps it). */
    void blocked(long chatId, long mid, Collection<Long> members) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", "blocked");
        frame.put("chat", chatId);
        frame.put("mid", mid);
        push(frame, members);
    }

    void deliver(long chatId, Message message, Collection<Long> members) {
        Map<String, Object> frame = new LinkedHashMap<>();
        frame.put("type", message.edited() ? "edit" : "message");
        frame.put("chat", chatId);
        frame.put("mid", message.mid());
        frame.put("sender", message.sender());
        frame.put("text", message.text());
        frame.put("hash", message.hash());
        frame.put("ts", message.ts().toString());
        push(frame, members);
    }

    private void push(Map<String, Object> frame, Collection<Long> members) {
        List<WsContext> targets = new ArrayList<>();
        for (long member : members) {
            targets.addAll(sockets.getOrDefault(member, Set.of()));
        }
        // Most sends reach no open socket: skip writing a frame nobody reads.
        if (targets.isEmpty()) {
            return;
        }
        String text;
        try {
            text = Json.MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serialises", e);
        }
        for (WsContext socket : targets) {
            if (stillSignedIn(socket)) {
                send(socket, text);
            } else {
                close(socket, "the session ended");
            }
        }
    }

    /** Answered from the session cache mostly; a database that cannot answer does not end anyone's session. */
    private boolean stillSignedIn(WsContext socket) {
        try {
            return sessions.valid(socket.attribute(TOKEN));
        } catch (SQLException e) {
            LOG.warn("could not check a live socket's session, delivering anyway: {}", e.toString());
            return true;
        }
    }

    private static void close(WsContext socket, String reason) {
        try {
            synchronized (socket) {
                socket.closeSession(WsCloseStatus.POLICY_VIOLATION, reason);
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a live socket failed: {}", e.toString());
        }
    }

    /** Jetty's blocking send allows one message in flight per session, hence the lock. */
    private static void send(WsContext socket, String text) {
        try {
            synchronized (socket) {
                if (socket.session.isOpen()) {
                    socket.send(text);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("live delivery to a closing socket failed: {}", e.toString());
        }
    }
}
