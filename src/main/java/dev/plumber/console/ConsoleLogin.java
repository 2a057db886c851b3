package dev.plumber.console;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.api.ConsoleAccounts.Role;
import dev.plumber.auth.LoginThrottle;
import dev.plumber.auth.TokenSessions;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may see the console: log-in and log-out with throttling, sessions in {@code HttpOnly; SameSite=Strict} cookies
 * (and {@code Secure} when configured), the CSRF token every POST must carry, and the security headers of every page.
 */
final class ConsoleLogin {
    static final String SESSION_COOKIE = "plumber_console";
    static final String LOGIN_COOKIE = "plumber_login";
    private static final String USER = "console.user";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConsoleAccounts accounts;
    private final Journals journals;
    private final LoginThrottle throttle;
    private final TokenSessions<ConsoleUser> sessions;
    private final boolean secureCookies;
    private final Clock clock;

    ConsoleLogin(
            ConsoleAccounts accounts,
            Journals journals,
            LoginThrottle throttle,
            TokenSessions<ConsoleUser> sessions,
            boolean secureCookies,
            Clock clock) {
        this.accounts = accounts;
        this.journals = journals;
        this.throttle = throttle;
        this.sessions = sessions;
        this.secureCookies = secureCookies;
        this.clock = clock;
    }

    /** Headers for every console answer, then: log-in required, CSRF token on every POST, a live account. */
    void guard(Context ctx) throws SQLException {
        ctx.header(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self';"
                        + " img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self';"
                        + " frame-ancestors 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        String path = ctx.path();
        if (path.equals("/console/login") || path.startsWith("/console/static/")) {
            return;
        }
        Optional<ConsoleUser> user = sessions.principal(ctx.cookie(SESSION_COOKIE));
        if (user.isPresent() && accounts.enabledRole(user.get().email()).isEmpty()) {
            // Disabled (or deleted) since logging in: the session ends now, not when it expires.
            sessions.close(ctx.cookie(SESSION_COOKIE));
            user = Optional.empty();
        }
        if (user.isEmpty()) {
            if (ctx.method().name().equals("GET")) {
                ctx.redirect("/console/login");
            } else {
                ctx.status(HttpStatus.UNAUTHORIZED).result("log in first");
            }
            ctx.skipRemainingHandlers();
            return;
        }
        if (ctx.method().name().equals("POST")
                && !sameToken(ctx.formParam("csrf"), user.get().csrf())) {
            ctx.status(HttpStatus.FORBIDDEN).result("missing or wrong CSRF token: reload the page and try again");
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute(USER, user.get());
    }

    /** The logged-in user of a request that passed {@link #guard}. */
    static ConsoleUser user(Context ctx) {
        return ctx.attribute(USER);
    }

    void loginPage(Context ctx) {
        if (sessions.principal(ctx.cookie(SESSION_COOKIE)).isPresent()) {
            ctx.redirect("/console/requests");
            return;
        }
        String token = randomToken();
        cookie(ctx, LOGIN_COOKIE, token, "/console/login", 3600);
        ctx.html(AdminPages.login(token, "", null));
    }

    void login(Context ctx) throws SQLException {
        String email = Optional.ofNullable(ctx.formParam("email")).orElse("").strip();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        String ip = ctx.ip();
        // Log-in CSRF: the form's token must match the cookie set with the form (double submit).
        String token = ctx.cookie(LOGIN_COOKIE);
        if (token == null || !sameToken(ctx.formParam("csrf"), token)) {
            String fresh = randomToken();
            cookie(ctx, LOGIN_COOKIE, fresh, "/console/login", 3600);
            ctx.status(HttpStatus.FORBIDDEN)
                    .html(AdminPages.login(fresh, email, "The log-in form expired; please try again."));
            return;
        }
        Optional<Duration> locked = throttle.lockedFor(email, ip);
        if (locked.isPresent()) {
            ctx.status(HttpStatus.TOO_MANY_REQUESTS)
                    .html(AdminPages.login(
                            token,
                            email,
                            "Too many failed log-ins; try again in "
                                    + (locked.get().toSeconds() + 1) + " s."));
            return;
        }
        Optional<Role> role = accounts.authenticate(email, password);
        if (role.isEmpty()) {
            throttle.failed(email, ip);
            journal("login.failed", email, ip);
            ctx.status(HttpStatus.UNAUTHORIZED).html(AdminPages.login(token, email, "Wrong e-mail or password."));
            return;
        }
        throttle.succeeded(email, ip);
        // A fresh session id at every log-in (no fixation); the old one, if any, ends.
        sessions.close(ctx.cookie(SESSION_COOKIE));
        String normalised = email.toLowerCase(Locale.ROOT);
        String session = sessions.open(new ConsoleUser(normalised, role.get(), randomToken()));
        cookie(ctx, SESSION_COOKIE, session, "/console", -1);
        cookie(ctx, LOGIN_COOKIE, "", "/console/login", 0);
        journal("login", normalised, ip);
        ctx.redirect("/console/requests");
    }

    void logout(Context ctx) throws SQLException {
        sessions.close(ctx.cookie(SESSION_COOKIE));
        cookie(ctx, SESSION_COOKIE, "", "/console", 0);
        journal("logout", user(ctx).email(), ctx.ip());
        ctx.redirect("/console/login");
    }

    private void journal(String action, String actor, String ip) throws SQLException {
        journals.console(action, actor, null, ip, null, clock.instant());
    }

    private void cookie(Context ctx, String name, String value, String path, int maxAge) {
        StringBuilder c = new StringBuilder(name)
                .append('=')
                .append(value)
                .append("; Path=")
                .append(path);
        if (maxAge >= 0) {
            c.append("; Max-Age=").append(maxAge);
        }
        c.append("; HttpOnly; SameSite=Strict");
        if (secureCookies) {
            c.append("; Secure");
        }
        ctx.res().addHeader("Set-Cookie", c.toString());
    }

    private static boolean sameToken(String given, String expected) {
        return given != null
                && expected != null
                && MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
