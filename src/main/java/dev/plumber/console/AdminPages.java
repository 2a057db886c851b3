package dev.plumber.console;

import static dev.plumber.console.Html.escape;
import static dev.plumber.console.Html.url;
import static dev.plumber.console.Layout.time;

import dev.plumber.api.ConsoleAccounts;
import dev.plumber.status.Status;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The log-in page, the accounts page (admins) and the health glance. */
final class AdminPages {
    private AdminPages() {}

    static String login(String csrf, String email, String problem) {
        StringBuilder h = new StringBuilder(2048);
        h.append("<section class=\"login\"><h1>Plumber · DLP console</h1>");
        if (problem != null) {
            h.append("<p class=\"bad\" id=\"problem\">").append(escape(problem)).append("</p>");
        }
        h.append("<form method=\"post\" action=\"/console/login\">")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"")
                .append(escape(csrf))
                .append("\">")
                .append("<label>E-mail <input type=\"email\" name=\"email\" id=\"email\" autocomplete=\"username\"")
                .append(" required value=\"")
                .append(escape(email))
                .append("\"></label>")
                .append("<label>Password <input type=\"password\" name=\"password\" id=\"password\"")
                .append(" autocomplete=\"current-password\" required></label>")
                .append("<button type=\"submit\" id=\"login\">Log in</button></form>")
                .append("<p class=\"muted\">For auditors and administrators of the DLP console.</p></section>");
        return Layout.page("Log in", null, "", h.toString());
    }

    static String accounts(ConsoleUser user, List<ConsoleAccounts.Account> accounts, String notice) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<h1>Console accounts</h1>");
        if (notice != null) {
            h.append("<p class=\"notice\" id=\"notice\">")
                    .append(escape(notice))
                    .append("</p>");
        }
        h.append("<table id=\"accounts\"><thead><tr><th>E-mail</th><th>Role</th><th>State</th><th>Created (UTC)</th>")
                .append("<th></th></tr></thead><tbody>");
        for (ConsoleAccounts.Account a : accounts) {
            boolean self = a.email().equals(user.email());
            h.append("<tr><td>")
                    .append(escape(a.email()))
                    .append("</td><td>")
                    .append(a.role().name().toLowerCase(Locale.ROOT))
                    .append("</td><td>")
                    .append(a.disabled() ? "disabled" : "active")
                    .append("</td><td>")
                    .append(time(a.createdAt()))
                    .append("</td><td>");
            if (!self) {
                String action = a.disabled() ? "enable" : "disable";
                h.append("<form method=\"post\" class=\"inline\" action=\"/console/accounts/")
                        .append(escape(url(a.email())))
                        .append('/')
                        .append(action)
                        .append("\">")
                        .append(Layout.csrf(user))
                        .append("<button type=\"submit\">")
                        .append(action.substring(0, 1).toUpperCase(Locale.ROOT))
                        .append(action.substring(1))
                        .append("</button></form>");
            }
            h.append("</td></tr>");
        }
        h.append("</tbody></table><h2>New account</h2>")
                .append("<form method=\"post\" action=\"/console/accounts\" class=\"filters\" id=\"new-account\">")
                .append(Layout.csrf(user))
                .append(Layout.input("email", "E-mail", "", "email"))
                .append(Layout.input("password", "Password (12 characters or more)", "", "password"))
                .append("<label>Role <select name=\"role\">")
                .append(Layout.option("auditor", "auditor", "auditor"))
                .append(Layout.option("admin", "admin", ""))
                .append("</select></label><button type=\"submit\">Create</button></form>");
        return Layout.page("Accounts", user, "accounts", h.toString());
    }

    static String health(
            ConsoleUser user,
            String settings,
            String problem,
            Map<Status, Long> lastHour,
            long[] perMinute,
            List<String> meters) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<h1>Health</h1><section><h2>DLP settings in force</h2>");
        if (settings == null) {
            h.append("<p class=\"bad\">No valid DLP settings: ")
                    .append(escape(problem))
                    .append("</p>");
        } else {
            h.append("<p><code id=\"settings\">").append(escape(settings)).append("</code></p>");
            if (problem != null) {
                h.append("<p class=\"bad\">Last change rejected: ")
                        .append(escape(problem))
                        .append("</p>");
            }
        }
        h.append("</section><section><h2>Last hour</h2><ul class=\"counts\">");
        for (Map.Entry<Status, Long> e : lastHour.entrySet()) {
            h.append("<li>")
                    .append(Layout.badge(e.getKey()))
                    .append(" <span class=\"count\">")
                    .append(e.getValue())
                    .append("</span></li>");
        }
        h.append("</ul><h3>Requests per minute</h3>").append(chart(perMinute)).append("</section>");
        h.append("<section><h2>Since the gateway started</h2><ul id=\"meters\">");
        if (meters.isEmpty()) {
            h.append("<li class=\"muted\">No DLP calls yet.</li>");
        }
        for (String line : meters) {
            h.append("<li>").append(escape(line)).append("</li>");
        }
        h.append("</ul><p class=\"muted\">All meters: <a href=\"/metrics\">/metrics</a></p></section>");
        return Layout.page("Health", user, "health", h.toString());
    }

    /** A bar chart as inline SVG: attributes, not styles, so the page's CSP needs no inline-style exception. */
    private static String chart(long[] values) {
        long max = 1;
        for (long v : values) {
            max = Math.max(max, v);
        }
        int width = 600;
        int height = 120;
        int bar = width / values.length;
        StringBuilder svg = new StringBuilder("<svg class=\"chart\" viewBox=\"0 0 " + width + " " + (height + 16)
                + "\" width=\"" + width + "\" height=\"" + (height + 16) + "\" role=\"img\">");
        for (int i = 0; i < values.length; i++) {
            int barHeight = (int) Math.round((double) values[i] / max * height);
            svg.append("<rect x=\"")
                    .append(i * bar)
                    .append("\" y=\"")
                    .append(height - barHeight)
                    .append("\" width=\"")
                    .append(bar - 1)
                    .append("\" height=\"")
                    .append(barHeight)
                    .append("\"><title>")
                    .append(values.length - i)
                    .append(" min ago: ")
                    .append(values[i])
                    .append("</title></rect>");
        }
        svg.append("<text x=\"0\" y=\"")
                .append(height + 14)
                .append("\">−60 min</text><text x=\"")
                .append(width - 30)
                .append("\" y=\"")
                .append(height + 14)
                .append("\">now</text><text x=\"")
                .append(width - 80)
                .append("\" y=\"12\">max ")
                .append(max)
                .append("/min</text></svg>");
        return svg.toString();
    }
}
