package dev.plumber.console;

import static dev.plumber.console.Html.escape;

import dev.plumber.status.Status;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The page shell and the small pieces every console page shares; all values pass through {@link Html#escape}. */
final class Layout {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Layout() {}

    /** A whole page; {@code user} null for the log-in page (no navigation). {@code body} is already-safe HTML. */
    static String page(String title, ConsoleUser user, String active, String body) {
        StringBuilder h = new StringBuilder(body.length() + 2048);
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(escape(title))
                .append(" · Plumber DLP console</title>")
                .append("<link rel=\"stylesheet\" href=\"/console/static/console.css\">")
                .append("<script src=\"/console/static/console.js\" defer></script></head><body>");
        if (user != null) {
            h.append("<header><a class=\"brand\" href=\"/console/requests\">Plumber · DLP console</a><nav>");
            nav(h, active, "requests", "/console/requests", "Requests");
            nav(h, active, "journals", "/console/journals", "Journals");
            nav(h, active, "views", "/console/views", "Views");
            nav(h, active, "health", "/console/health", "Health");
            if (user.admin()) {
                nav(h, active, "accounts", "/console/accounts", "Accounts");
            }
            h.append("</nav><span class=\"who\">")
                    .append(escape(user.email()))
                    .append(" · ")
                    .append(escape(user.role().name().toLowerCase(Locale.ROOT)))
                    .append("</span><form method=\"post\" action=\"/console/logout\" class=\"inline\">")
                    .append(csrf(user))
                    .append("<button type=\"submit\" id=\"logout\">Log out</button></form></header>");
        }
        h.append("<main>").append(body).append("</main></body></html>");
        return h.toString();
    }

    private static void nav(StringBuilder h, String active, String key, String href, String label) {
        h.append("<a href=\"")
                .append(href)
                .append('"')
                .append(key.equals(active) ? " class=\"active\"" : "")
                .append('>')
                .append(label)
                .append("</a>");
    }

    static String csrf(ConsoleUser user) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(user.csrf()) + "\">";
    }

    static String time(Instant at) {
        return at == null ? "" : TIME.format(at);
    }

    /** The value for a {@code datetime-local} input (UTC). */
    static String inputTime(Instant at) {
        return at == null
                ? ""
                : DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm", Locale.ROOT)
                        .withZone(ZoneOffset.UTC)
                        .format(at);
    }

    static String badge(Status status) {
        return "<span class=\"badge " + status.name().toLowerCase(Locale.ROOT) + "\">" + status.name() + "</span>";
    }

    static String option(String value, String label, String selected) {
        return "<option value=\"" + escape(value) + "\"" + (value.equals(selected) ? " selected" : "") + ">"
                + escape(label) + "</option>";
    }

    static String input(String name, String label, String value, String type) {
        return "<label>" + escape(label) + " <input type=\"" + type + "\" name=\"" + name + "\" id=\"f-" + name
                + "\" value=\"" + escape(value) + "\"></label>";
    }

    static String size(Long bytes) {
        if (bytes == null) {
            return "";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
    }

    static String shortHash(String hash) {
        return hash == null ? "" : hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
