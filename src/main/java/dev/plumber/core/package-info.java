/**
 * The messenger core: accounts, chats, messages and files, and the DLP events they produce (SPEC §1–§3, §6).
 *
 * <p>Data flow: {@code http} (requests, WebSocket) → {@code users} / {@code chats} / {@code files} (one database
 * transaction per action) → {@code events} ({@code DlpEvents}: the seed's flags decide between no event, a
 * synchronous produce acknowledged before the write is kept, or an outbox row that {@code OutboxRelay} sends later)
 * → Kafka {@code dlp.requests}. Verdicts come back on {@code dlp.status} ({@code StatusConsumer}) and mark messages and files
 * as blocked. {@code store} holds the migrations and the at-rest encryption of message text.
 *
 * <p>HTTP API (JSON; errors are {@code {"error": "..."}} with 400/401/403/404/409/413/429/503):
 *
 * <ul>
 *   <li>{@code POST /api/v1/login {"email","password"}} → {@code {"token"}} (429 with {@code Retry-After} after
 *       {@code users.loginFailures} failures of one account from one address); {@code POST /api/v1/logout} → 204
 *   <li>{@code POST /api/v1/chats {"type","members","title"}} → {@code {"id"}}; {@code GET /api/v1/chats} →
 *       {@code {"items":[{"id","type","title","members"}]}}
 *   <li>{@code POST /api/v1/chats/{id}/messages {"text","hash"}} → {@code {"mid"}}; {@code PUT
 *       /api/v1/chats/{id}/messages/{mid} {"text"}} (an edit, checked again); {@code GET
 *       /api/v1/chats/{id}/messages?before=&limit=} → {@code {"items":[{"mid","sender","text","hash","ts","edited",
 *       "dlpStatus","dlpReason","blocked"}]}}, newest first
 *   <li>{@code POST /api/v1/files} (multipart part {@code file}) → {@code {"hash","name","size"}}; {@code GET
 *       /get/{hash}} with a member's token or {@code files.serviceToken}
 *   <li>{@code GET /api/v1/users} (address book); {@code GET|POST /api/v1/admin/users}, {@code PUT
 *       /api/v1/admin/users/{email} {"role","disabled","password"}} (administrators)
 *   <li>WebSocket {@code /api/v1/ws?token=} (or {@code Authorization: Bearer}): frames {@code {"type":"message"|"edit",
 *       "chat","mid","sender","text","hash","ts"}}, and {@code {"type":"blocked","chat","mid"}} when the DLP blocked a message
 *   <li>{@code GET /health/live} (the outbox relay runs), {@code GET /health/ready} (the database answers;
 *       Kafka down is not a reason), {@code GET /metrics} (Prometheus, {@code CoreMeters}); no token
 * </ul>
 *
 * <p>Journals ({@code admin-events}, {@code system-events}): {@code {"v":1,"id","journal","action","actor","target",
 * "ip","ts","details"}}; actions {@code user.created}, {@code user.updated}, {@code login}, {@code login.failed},
 * {@code logout}, {@code account.bootstrapped}, {@code core.started}.
 */
package dev.plumber.core;
