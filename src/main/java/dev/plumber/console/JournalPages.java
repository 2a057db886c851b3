package dev.plumber.console;

import static dev.plumber.console.Html.escape;
import static dev.plumber.console.Html.url;
import static dev.plumber.console.Layout.time;

import java.util.List;

/** The journals page (the core's and the console's own entries) and the journal of auditors' views. */
final class JournalPages {
    private JournalPages() {}

    static String journals(ConsoleUser user, Journals.Search q, List<Journals.Entry> entries, String next) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<h1>Journals</h1><form method=\"get\" action=\"/console/journals\" class=\"filters\">");
        String journal = q.journal() == null ? "" : q.journal();
        h.append("<label>Journal <select name=\"journal\" id=\"f-journal\">")
                .append(Layout.option("", "all", journal))
                .append(Layout.option("admin", "admin-events (core)", journal))
                .append(Layout.option("system", "system-events (core)", journal))
                .append(Layout.option("console", "console", journal))
                .append("</select></label>")
                .append(Layout.input("actor", "Actor", q.actor(), "text"))
                .append(Layout.input("action", "Action", q.action(), "text"))
                .append(Layout.input("from", "From (UTC)", Layout.inputTime(q.from()), "datetime-local"))
                .append(Layout.input("to", "To (UTC)", Layout.inputTime(q.to()), "datetime-local"))
                .append("<button type=\"submit\">Search</button> <a href=\"/console/journals\">Clear</a></form>");
        h.append("<table id=\"journal\"><thead><tr><th>At (UTC)</th><th>Journal</th><th>Action</th><th>Actor</th>")
                .append("<th>Target</th><th>IP</th><th>Details</th></tr></thead><tbody>");
        if (entries.isEmpty()) {
            h.append("<tr><td colspan=\"7\" class=\"empty\">No entries match.</td></tr>");
        }
        for (Journals.Entry e : entries) {
            h.append("<tr><td>")
                    .append(time(e.ts()))
                    .append("</td><td>")
                    .append(escape(e.journal()))
                    .append("</td><td>")
                    .append(escape(e.action()))
                    .append("</td><td>")
                    .append(escape(e.actor()))
                    .append("</td><td>")
                    .append(escape(e.target()))
                    .append("</td><td>")
                    .append(escape(e.ip()))
                    .append("</td><td><code>")
                    .append(escape(e.details()))
                    .append("</code></td></tr>");
        }
        h.append("</tbody></table>");
        if (next != null) {
            h.append("<p class=\"pager\"><a href=\"").append(escape(next)).append("\">Older →</a></p>");
        }
        return Layout.page("Journals", user, "journals", h.toString());
    }

    static String views(
            ConsoleUser user,
            String actor,
            List<ViewJournal.Entry> entries,
            ViewJournal.Check check,
            Long nextBefore,
            String query) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<h1>Views journal</h1><p class=\"muted\">Every view of a message or a file, append-only; each")
                .append(" record carries the hash of the one before.</p>");
        if (check == null) {
            h.append("<p><a id=\"check\" href=\"/console/views?check=1\">Check the chain</a></p>");
        } else if (check.intact()) {
            h.append("<p class=\"ok\" id=\"chain\">Chain intact: ")
                    .append(check.checked())
                    .append(" records checked.</p>");
        } else {
            h.append("<p class=\"bad\" id=\"chain\">Chain broken: ")
                    .append(escape(check.problem()))
                    .append(" (")
                    .append(check.checked())
                    .append(" records before it are intact).</p>");
        }
        h.append("<form method=\"get\" action=\"/console/views\" class=\"filters\">")
                .append(Layout.input("actor", "Who", actor, "text"))
                .append("<button type=\"submit\">Search</button></form>");
        h.append("<table id=\"views\"><thead><tr><th>#</th><th>At (UTC)</th><th>Who</th><th>What</th>")
                .append("<th>Of</th><th>IP</th><th>Hash</th></tr></thead><tbody>");
        for (ViewJournal.Entry e : entries) {
            // A view names a request (linked); a download names a file hash, a search no target.
            String target = !e.action().endsWith(".view")
                    ? escape(e.target())
                    : "<a href=\"/console/requests/" + escape(url(e.target())) + "\">" + escape(e.target()) + "</a>";
            h.append("<tr><td>")
                    .append(e.seq())
                    .append("</td><td>")
                    .append(time(e.at()))
                    .append("</td><td>")
                    .append(escape(e.actor()))
                    .append("</td><td>")
                    .append(escape(e.action()))
                    .append("</td><td>")
                    .append(target)
                    .append("</td><td>")
                    .append(escape(e.ip()))
                    .append("</td><td><code>")
                    .append(escape(Layout.shortHash(e.hash())))
                    .append("</code></td></tr>");
        }
        h.append("</tbody></table>");
        if (nextBefore != null) {
            h.append("<p class=\"pager\"><a href=\"/console/views?")
                    .append(escape(query.replaceAll("(^|&)before=[^&]*", "")))
                    .append("&amp;before=")
                    .append(nextBefore)
                    .append("\">Older →</a></p>");
        }
        return Layout.page("Views journal", user, "views", h.toString());
    }
}
