package dev.plumber.console;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.api.ConsoleAccounts.Role;
import dev.plumber.auth.LoginThrottle;
import dev.plumber.auth.TokenSessions;
import dev.plumber.files.FileSource;
import dev.plumber.metrics.Meters;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.status.Status;
import dev.plumber.status.StatusStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The auditor DLP console under {@code /console/} (SPEC §6): log-in with cookie sessions, the requests and a request's
 * page, the journals, the journal of views, the health glance, and console accounts for admins. Every form carries a
 * CSRF token; every view of a message or file is journaled in {@link ViewJournal}.
 */
public final class Console {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Console.class);
    private static final int PAGE_SIZE = 50;
    private static final Map<String, String> STATIC = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final ConsoleAccounts accounts;
    private final RequestSearch search;
    private final StatusStore store;
    private final Journals journals;
    private final ViewJournal views;
    private final SearchJournaling searches;
    private final DlpSettingsSource settings;
    private final FileSource files;
    private final ConsoleLogin login;
    private final MeterRegistry registry;
    private final Clock clock;

    public Console(
            ConsoleAccounts accounts,
            RequestSearch search,
            StatusStore store,
            Journals journals,
            ViewJournal views,
            DlpSettingsSource settings,
            FileSource files,
            boolean secureCookies,
            MeterRegistry registry,
            Clock clock) {
        this.accounts = accounts;
        this.search = search;
        this.store = store;
        this.journals = journals;
        this.views = views;
        this.searches = new SearchJournaling(Duration.ofMinutes(10), clock);
        this.settings = settings;
        this.files = files;
        this.login = new ConsoleLogin(
                accounts,
                journals,
                new LoginThrottle(5, Duration.ofSeconds(30), clock),
                // As API tokens do, a cookie ends 8 hours after the log-in however busy: a stolen one kept in use
                // still dies.
                new TokenSessions<>(Duration.ofMinutes(30), Duration.ofHours(8), clock),
                secureCookies,
                clock);
        this.registry = registry;
        this.clock = clock;
    }

    /** Adds the console's routes to {@code app}. */
    public void register(Javalin app) {
        app.before(ctx -> {
            if (ctx.path().equals("/console") || ctx.path().startsWith("/console/")) {
                login.guard(ctx);
            }
        });
        app.get("/console", ctx -> ctx.redirect("/console/requests"));
        app.get("/console/", ctx -> ctx.redirect("/console/requests"));
        app.get("/console/static/{name}", this::staticFile);
        app.get("/console/login", login::loginPage);
        app.post("/console/login", login::login);
        app.post("/console/logout", login::logout);
        app.get("/console/requests", this::requests);
        app.get("/console/requests/{eventId}", this::request);
        app.get("/console/files/{hash}", this::download);
        app.get("/console/journals", this::journals);
        app.get("/console/views", this::views);
        app.get("/console/health", this::health);
        app.get("/console/accounts", ctx -> accountsPage(ctx, null));
        app.post("/console/accounts", this::createAccount);
        app.post("/console/accounts/{email}/{action}", this::changeAccount);
    }

    private void staticFile(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        String type = STATIC.get(name);
        InputStream in = type == null ? null : Console.class.getResourceAsStream("/console/" + name);
        if (in == null) {
            ctx.status(HttpStatus.NOT_FOUND).result("not found");
            return;
        }
        try (in) {
            ctx.header("Cache-Control", "max-age=300");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private void requests(Context ctx) throws SQLException {
        RequestSearch.Filter filter = new RequestSearch.Filter(
                status(ctx.queryParam("status")),
                param(ctx, "type"),
                param(ctx, "sender"),
                param(ctx, "chat"),
                param(ctx, "hash"),
                param(ctx, "dlp"),
                time(param(ctx, "from")),
                time(param(ctx, "to")),
                param(ctx, "q"));
        RequestSearch.Cursor after =
                RequestSearch.Cursor.parse(param(ctx, "after")).orElse(null);
        RequestSearch.Page page = search.list(filter, after, PAGE_SIZE);
        Map<Status, Long> counts = search.counts(filter);
        String query = Optional.ofNullable(ctx.queryString()).orElse("");
        String account = ConsoleLogin.user(ctx).email();
        // Journaled before any result is sent, the live view's refreshes included (see SearchJournaling for how often).
        if (filter.text() != null && searches.due(account, filter.text())) {
            // The words themselves stay out of the journal: they are message content.
            views.append(account, "message.search", "text search", ctx.ip());
            searches.journaled(account, filter.text());
        }
        if ("live".equals(ctx.queryParam("fragment"))) {
            ctx.html(RequestPages.live(filter, query.replaceAll("(^|&)fragment=[^&]*", ""), page, counts));
            return;
        }
        ctx.html(RequestPages.list(ConsoleLogin.user(ctx), filter, query, page, counts));
    }

    private void request(Context ctx) throws SQLException {
        String id = ctx.pathParam("eventId");
        Optional<RequestSearch.Row> row = search.find(id);
        if (row.isEmpty()) {
            ctx.status(HttpStatus.NOT_FOUND)
                    .html(Layout.page("Not found", ConsoleLogin.user(ctx), "requests", "<h1>No such request</h1>"));
            return;
        }
        RequestSearch.Row r = row.get();
        views.append(
                ConsoleLogin.user(ctx).email(),
                r.request().type().equals("file") ? "file.view" : "message.view",
                id,
                ctx.ip());
        Optional<String> text;
        try {
            text = r.hasContent() ? store.content(id) : Optional.empty();
        } catch (IllegalArgumentException e) {
            // Sealed under another key (console.contentKeyFile changed or lost) or altered in the database.
            log.warn("the text of request {} cannot be opened: {}", id, e.getMessage());
            text = Optional.empty();
        }
        ctx.html(RequestPages.request(ConsoleLogin.user(ctx), r, text, search.linked(r), search.history(r)));
    }

    private void download(Context ctx) throws Exception {
        String hash = ctx.pathParam("hash");
        if (files == null) {
            ctx.status(HttpStatus.NOT_FOUND).result("file downloads are not configured");
            return;
        }
        List<RequestSearch.Row> known = search.list(
                        new RequestSearch.Filter(null, "file", null, null, hash, null, null, null, null), null, 1)
                .rows();
        String name = known.isEmpty() || known.get(0).request().fileName() == null
                ? hash
                : known.get(0).request().fileName();
        views.append(ConsoleLogin.user(ctx).email(), "file.download", hash, ctx.ip());
        FileSource.OpenFile file;
        try {
            file = files.open(hash);
        } catch (FileSource.FileGoneException e) {
            ctx.status(HttpStatus.NOT_FOUND).result("the file service no longer has this file");
            return;
        }
        ctx.header("Content-Disposition", contentDisposition(name));
        if (file.length() >= 0) {
            ctx.header("Content-Length", Long.toString(file.length()));
        }
        ctx.contentType("application/octet-stream").result(file.body());
    }

    /** {@code attachment} with an ASCII fallback and the exact name in RFC 5987 form. */
    static String contentDisposition(String name) {
        String ascii = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + Html.url(name);
    }

    private void journals(Context ctx) throws SQLException {
        Instant beforeTs = time(param(ctx, "beforeTs"));
        String beforeId = param(ctx, "beforeId");
        // An unreadable position shows the newest page, as on the views page.
        Journals.Cursor before = beforeTs == null || beforeId == null ? null : new Journals.Cursor(beforeTs, beforeId);
        Journals.Search q = new Journals.Search(
                param(ctx, "journal"),
                param(ctx, "actor"),
                param(ctx, "action"),
                time(param(ctx, "from")),
                time(param(ctx, "to")),
                before);
        List<Journals.Entry> entries = journals.search(q, PAGE_SIZE);
        String next = null;
        if (entries.size() == PAGE_SIZE) {
            Journals.Entry last = entries.get(entries.size() - 1);
            String query =
                    Optional.ofNullable(ctx.queryString()).orElse("").replaceAll("(^|&)(beforeTs|beforeId)=[^&]*", "");
            next = "/console/journals?" + query + (query.isEmpty() ? "" : "&") + "beforeTs="
                    + Html.url(last.ts().toString()) + "&beforeId=" + Html.url(last.id());
        }
        ctx.html(JournalPages.journals(ConsoleLogin.user(ctx), q, entries, next));
    }

    private void views(Context ctx) throws SQLException {
        String actor = param(ctx, "actor");
        Long before = null;
        try {
            before = param(ctx, "before") == null ? null : Long.parseLong(param(ctx, "before"));
        } catch (NumberFormatException e) {
            // An unreadable position shows the newest page.
        }
        List<ViewJournal.Entry> entries = views.recent(actor, null, null, before, PAGE_SIZE);
        ViewJournal.Check check = ctx.queryParam("check") == null ? null : views.verify();
        Long next =
                entries.size() == PAGE_SIZE ? entries.get(entries.size() - 1).seq() : null;
        String query = Optional.ofNullable(ctx.queryString()).orElse("");
        ctx.html(JournalPages.views(ConsoleLogin.user(ctx), actor, entries, check, next, query));
    }

    private void health(Context ctx) throws SQLException {
        Instant now = clock.instant();
        Optional<DlpSettings> current = settings.current();
        Map<Status, Long> lastHour = search.counts(
                new RequestSearch.Filter(null, null, null, null, null, null, now.minusSeconds(3600), null, null));
        ctx.html(AdminPages.health(
                ConsoleLogin.user(ctx),
                current.map(DlpSettings::describe).orElse(null),
                settings.problem(),
                lastHour,
                search.perMinute(now),
                meterLines()));
    }

    /** What the gateway's meters saw since it started: DLP calls by system and outcome, dead letters by stage. */
    private List<String> meterLines() {
        List<String> lines = new java.util.ArrayList<>();
        for (Timer t : registry.find(Meters.DLP_CALLS).timers()) {
            lines.add(String.format(
                    Locale.ROOT,
                    "DLP calls %s %s: %d, mean %.1f ms, max %.1f ms",
                    t.getId().getTag("system"),
                    t.getId().getTag("outcome"),
                    t.count(),
                    t.mean(TimeUnit.MILLISECONDS),
                    t.max(TimeUnit.MILLISECONDS)));
        }
        for (Counter c : registry.find(Meters.DEAD_LETTERS).counters()) {
            lines.add(String.format(
                    Locale.ROOT, "dead letters at stage %s: %.0f", c.getId().getTag("stage"), c.count()));
        }
        return lines;
    }

    private void accountsPage(Context ctx, String notice) throws SQLException {
        if (!ConsoleLogin.user(ctx).admin()) {
            ctx.status(HttpStatus.FORBIDDEN)
                    .html(Layout.page("Forbidden", ConsoleLogin.user(ctx), "", "<h1>Only admins manage accounts</h1>"));
            return;
        }
        ctx.html(AdminPages.accounts(ConsoleLogin.user(ctx), accounts.list(), notice));
    }

    private void createAccount(Context ctx) throws SQLException {
        if (!ConsoleLogin.user(ctx).admin()) {
            accountsPage(ctx, null);
            return;
        }
        String email = Optional.ofNullable(ctx.formParam("email")).orElse("").strip();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        String roleName = Optional.ofNullable(ctx.formParam("role")).orElse("");
        String notice;
        if (!email.matches("[^@\\s]+@[^@\\s]+")) {
            notice = "An e-mail address is needed.";
        } else if (password.length() < 12) {
            notice = "The password needs 12 characters or more.";
        } else if (!roleName.equals("auditor") && !roleName.equals("admin")) {
            notice = "The role is auditor or admin.";
        } else if (accounts.create(email, password, Role.valueOf(roleName.toUpperCase(Locale.ROOT)))) {
            journal(
                    "account.created",
                    ConsoleLogin.user(ctx).email(),
                    email,
                    ctx.ip(),
                    "{\"role\":\"" + roleName + "\"}");
            notice = "Created " + email + " (" + roleName + ").";
        } else {
            notice = "An account " + email + " exists already.";
        }
        accountsPage(ctx, notice);
    }

    private void changeAccount(Context ctx) throws SQLException {
        if (!ConsoleLogin.user(ctx).admin()) {
            accountsPage(ctx, null);
            return;
        }
        // Compared and changed in the form the account is stored in: " Admin@x" is admin@x.
        String email = ConsoleAccounts.normalise(ctx.pathParam("email"));
        String action = ctx.pathParam("action");
        if (!action.equals("disable") && !action.equals("enable")) {
            ctx.status(HttpStatus.NOT_FOUND).result("not found");
            return;
        }
        String notice;
        if (email.equals(ConsoleAccounts.normalise(ConsoleLogin.user(ctx).email()))) {
            notice = "You cannot disable your own account.";
        } else {
            notice = switch (accounts.setDisabled(email, action.equals("disable"))) {
                case DONE -> {
                    journal("account." + action + "d", ConsoleLogin.user(ctx).email(), email, ctx.ip(), null);
                    yield (action.equals("disable") ? "Disabled " : "Enabled ") + email + ".";
                }
                case NO_SUCH_ACCOUNT -> "No account " + email + ".";
                case LAST_ADMIN -> "You cannot disable " + email + ": it is the last enabled admin.";
            };
        }
        accountsPage(ctx, notice);
    }

    private void journal(String action, String actor, String target, String ip, String details) throws SQLException {
        journals.console(action, actor, target, ip, details, clock.instant());
    }

    private static String param(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Status status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Status.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An instant, or a {@code datetime-local} value read as UTC; null when absent or unreadable. */
    static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
