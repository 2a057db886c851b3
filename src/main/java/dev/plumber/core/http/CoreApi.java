package dev.plumber.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plumber.auth.LoginThrottle;
import dev.plumber.core.RequestRefused;
import dev.plumber.core.chats.Chats;
import dev.plumber.core.chats.Message;
import dev.plumber.core.chats.Messages;
import dev.plumber.core.events.DlpChecks;
import dev.plumber.core.files.FileStore;
import dev.plumber.core.files.StoredFile;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.User;
import dev.plumber.json.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.BadMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core's HTTP API (SPEC §6): JSON in and out, bearer-token auth, file upload and download, and a WebSocket
 * ({@code /api/v1/ws}) that pushes each sent or edited message to the chat's members.
 */
public final class CoreApi {
    private static final int MAX_USER_AGENT = 200;

    private final Accounts accounts;
    private final Chats chats;
    private final Messages messages;
    private final FileStore files;
    private final byte[] serviceToken;
    private final LoginThrottle throttle;
    private final LiveDelivery live;
    private static final Logger LOG = LoggerFactory.getLogger(CoreApi.class);

    public CoreApi(
            Accounts accounts,
            Chats chats,
            Messages messages,
            FileStore files,
            String serviceToken,
            LoginThrottle throttle) {
        this.throttle = throttle;
        this.accounts = accounts;
        this.live = new LiveDelivery(token -> accounts.authenticate(token).isPresent());
        this.chats = chats;
        this.messages = messages;
        this.files = files;
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
    }

    public void routes(Javalin app) {
        app.post("/api/v1/login", this::login);
        app.post("/api/v1/logout", this::logout);
        app.post("/api/v1/chats", this::createChat);
        app.get("/api/v1/chats", ctx -> ctx.json(Map.of("items", chats.of(Requests.user(accounts, ctx)))));
        app.post("/api/v1/chats/{id}/messages", this::send);
        app.get("/api/v1/chats/{id}/messages", this::history);
        app.put("/api/v1/chats/{id}/messages/{mid}", this::edit);
        app.post("/api/v1/files", this::upload);
        app.get("/get/{hash}", this::download);
        app.wsBeforeUpgrade("/api/v1/ws", ctx -> {
            String token = wsToken(ctx);
            ctx.attribute("user", wsUser(token));
            ctx.attribute(LiveDelivery.TOKEN, token);
        });
        app.ws("/api/v1/ws", ws -> {
            ws.onConnect(socket -> live.connected(socket.<User>attribute("user").id(), socket));
            ws.onClose(socket -> live.closed(socket.<User>attribute("user").id(), socket));
            ws.onError(socket -> live.closed(socket.<User>attribute("user").id(), socket));
        });
    }

    /** Browsers cannot set headers on a WebSocket, so the token may also come as {@code ?token=}. */
    private static String wsToken(Context ctx) {
        String token = Requests.bearer(ctx).orElse(ctx.queryParam("token"));
        if (token == null || token.isBlank()) {
            throw new Unauthorized("a bearer token is required");
        }
        return token;
    }

    private User wsUser(String token) throws SQLException {
        return accounts.authenticate(token).orElseThrow(() -> new Unauthorized("invalid or expired token"));
    }

    private void login(Context ctx) throws SQLException {
        JsonNode body = Requests.body(ctx);
        // Bounded before anything else: the e-mail keys the throttle and the journal entry of a failed log-in.
        String email = Requests.email("email", Requests.text(body, "email", true));
        String password = Requests.password("password", Requests.text(body, "password", true));
        String ip = Requests.clientIp(ctx);
        Optional<java.time.Duration> wait = throttle.lockedFor(email, ip);
        if (wait.isPresent()) {
            accounts.throttled(email, ip);
            throw new TooManyAttempts(wait.get());
        }
        Optional<String> token = accounts.login(email, password, ip);
        if (token.isEmpty()) {
            throttle.failed(email, ip);
            throw new Unauthorized("wrong e-mail or password, or the account is disabled");
        }
        throttle.succeeded(email, ip);
        ctx.json(Map.of("token", token.get()));
    }

    private void logout(Context ctx) throws SQLException {
        User user = Requests.user(accounts, ctx);
        String token = Requests.bearer(ctx).orElseThrow();
        accounts.logout(user, token, Requests.clientIp(ctx));
        live.sessionEnded(user.id(), token);
        ctx.status(204);
    }

    private void createChat(Context ctx) throws SQLException {
        User user = Requests.user(accounts, ctx);
        JsonNode body = Requests.body(ctx);
        List<String> members = new ArrayList<>();
        JsonNode list = body.path("members");
        if (!list.isArray()) {
            throw RequestRefused.invalid("members must be a list of e-mails");
        }
        for (JsonNode member : list) {
            if (!member.isTextual()) {
                throw RequestRefused.invalid("members must be a list of e-mails");
            }
            members.add(Requests.email("members", Requests.storable("members", member.textValue())));
        }
        long id = chats.create(user, Requests.text(body, "type", true), members, Requests.text(body, "title", false));
        ctx.json(Map.of("id", id));
    }

    private void send(Context ctx) throws SQLException {
        User user = Requests.user(accounts, ctx);
        JsonNode body = Requests.body(ctx);
        long chatId = Requests.pathId(ctx, "id");
        Message sent = messages.send(
                user, chatId, Requests.text(body, "text", true), Requests.text(body, "hash", false), origin(ctx));
        live.deliver(chatId, sent, chats.memberIds(chatId));
        ctx.json(Map.of("mid", sent.mid()));
    }

    private void edit(Context ctx) throws SQLException {
        User user = Requests.user(accounts, ctx);
        JsonNode body = Requests.body(ctx);
        long mid = Requests.pathId(ctx, "mid");
        long chatId = Requests.pathId(ctx, "id");
        Message edited = messages.edit(user, chatId, mid, Requests.text(body, "text", true), origin(ctx));
        live.deliver(chatId, edited, chats.memberIds(chatId));
        ctx.json(Map.of("mid", mid));
    }

    private void history(Context ctx) throws SQLException {
        User user = Requests.user(accounts, ctx);
        Long before = Requests.queryLong(ctx, "before");
        Long limit = Requests.queryLong(ctx, "limit");
        List<Message> page =
                messages.history(user, Requests.pathId(ctx, "id"), before, limit == null ? 50 : limit.intValue());
        List<Map<String, Object>> items = new ArrayList<>();
        for (Message m : page) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("mid", m.mid());
            item.put("sender", m.sender());
            item.put("text", m.text());
            item.put("hash", m.hash());
            item.put("ts", m.ts().toString());
            item.put("edited", m.edited());
            item.put("dlpStatus", m.dlpStatus());
            if (m.dlpReason() != null) {
                item.put("dlpReason", m.dlpReason());
            }
            item.put("blocked", m.blocked());
            items.add(item);
        }
        ctx.json(Map.of("items", items));
    }

    private void upload(Context ctx) throws IOException, SQLException {
        User user = Requests.user(accounts, ctx);
        String contentType = ctx.contentType();
        if (contentType == null
                || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw RequestRefused.invalid("upload a file as multipart/form-data with a part named 'file'");
        }
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (IllegalStateException e) {
            // Jetty's parser refuses a malformed body (a control character in a part's header) with a bad message
            // wrapped like its refusal of a part over the configured maximum.
            if (e.getCause() instanceof BadMessageException bad) {
                String reason = bad.getReason() == null ? "" : bad.getReason();
                throw RequestRefused.invalid("the multipart body is malformed: "
                        + (reason.startsWith("Illegal character")
                                ? "a part header holds a control or other illegal character"
                                : reason));
            }
            throw new RequestRefused(RequestRefused.Reason.TOO_LARGE, "the file is too large");
        }
        if (file == null) {
            throw RequestRefused.invalid("the multipart body has no part named 'file'");
        }
        StoredFile stored;
        try (InputStream content = file.content()) {
            stored = files.upload(
                    user,
                    file.filename(),
                    file.contentType(),
                    content,
                    origin(ctx).ip());
        }
        ctx.json(Map.of("hash", stored.hash(), "name", stored.name(), "size", stored.size()));
    }

    private void download(Context ctx) throws IOException, SQLException {
        String hash = ctx.pathParam("hash");
        Optional<String> token = Requests.bearer(ctx);
        if (token.isEmpty()) {
            throw new Unauthorized("a bearer token is required");
        }
        boolean service = serviceToken.length > 0
                && MessageDigest.isEqual(serviceToken, token.get().getBytes(StandardCharsets.UTF_8));
        User user = null;
        if (!service) {
            user = accounts.authenticate(token.get()).orElseThrow(() -> new Unauthorized("invalid token"));
            // Unknown and not-yours look the same: a hash names content, so its existence is itself a secret.
            if (!files.downloadableBy(hash, user)) {
                throw RequestRefused.notFound("no file " + hash);
            }
        }
        StoredFile file = files.find(hash, user).orElseThrow(() -> RequestRefused.notFound("no file " + hash));
        java.nio.file.Path path = files.path(hash);
        if (!Files.exists(path)) {
            throw RequestRefused.notFound("no file " + hash);
        }
        ctx.contentType(file.mime());
        ctx.header("Content-Length", Long.toString(file.size()));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Content-Disposition", ContentDisposition.attachment(file.name()));
        ctx.result(Files.newInputStream(path));
    }

    /** Closes the account's live sockets: its sessions ended (disabled, or a new password). */
    public void accountSessionsEnded(long userId) {
        live.accountSessionsEnded(userId);
    }

    /** Tells the members of the chat, live, that a message was blocked (its text goes only to its sender then). */
    public void messageBlocked(DlpChecks.BlockedMessage blocked) {
        try {
            live.blocked(blocked.chatId(), blocked.mid(), chats.memberIds(blocked.chatId()));
        } catch (SQLException e) {
            LOG.warn("could not announce blocked message {}: {}", blocked.mid(), e.toString());
        }
    }

    /** {@code parts}: system info about the message, as a JSON string (SPEC §3): the client kind and its agent. */
    private Messages.Origin origin(Context ctx) {
        ObjectNode parts = Json.MAPPER.createObjectNode().put("client", "api");
        String agent = ctx.header("User-Agent");
        if (agent != null && !agent.isBlank()) {
            parts.put("userAgent", agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent);
        }
        try {
            return new Messages.Origin(Requests.clientIp(ctx), Json.MAPPER.writeValueAsString(parts));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an object of two strings always serialises", e);
        }
    }
}
