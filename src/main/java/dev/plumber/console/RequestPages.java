package dev.plumber.console;

import static dev.plumber.console.Html.escape;
import static dev.plumber.console.Html.url;
import static dev.plumber.console.Layout.badge;
import static dev.plumber.console.Layout.time;

import dev.plumber.console.RequestSearch.Change;
import dev.plumber.console.RequestSearch.Filter;
import dev.plumber.console.RequestSearch.Row;
import dev.plumber.status.RequestRecord;
import dev.plumber.status.Status;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The requests list and a request's page. */
final class RequestPages {
    private RequestPages() {}

    static String list(ConsoleUser user, Filter f, String query, RequestSearch.Page page, Map<Status, Long> counts) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<h1>Requests</h1>");
        h.append("<form method=\"get\" action=\"/console/requests\" class=\"filters\" id=\"filters\">");
        h.append("<label>Status <select name=\"status\" id=\"f-status\">").append(Layout.option("", "any", ""));
        for (Status s : Status.values()) {
            h.append(Layout.option(
                    s.name(), s.name(), f.status() == null ? "" : f.status().name()));
        }
        h.append("</select></label>");
        h.append("<label>Type <select name=\"type\" id=\"f-type\">")
                .append(Layout.option("", "any", ""))
                .append(Layout.option("message", "message", f.type() == null ? "" : f.type()))
                .append(Layout.option("file", "file", f.type() == null ? "" : f.type()))
                .append(Layout.option("malformed", "malformed", f.type() == null ? "" : f.type()))
                .append("</select></label>");
        h.append("<label>DLP <select name=\"dlp\" id=\"f-dlp\">")
                .append(Layout.option("", "any", ""))
                .append(Layout.option("icap", "SearchInform (ICAP)", f.dlpSystem() == null ? "" : f.dlpSystem()))
                .append(Layout.option("infowatch", "InfoWatch", f.dlpSystem() == null ? "" : f.dlpSystem()))
                .append("</select></label>");
        h.append(Layout.input("sender", "Sender", f.sender(), "text"))
                .append(Layout.input("chat", "Chat", f.chat(), "text"))
                .append(Layout.input("hash", "File hash", f.hash(), "text"))
                .append(Layout.input("from", "From (UTC)", Layout.inputTime(f.from()), "datetime-local"))
                .append(Layout.input("to", "To (UTC)", Layout.inputTime(f.to()), "datetime-local"))
                .append(Layout.input("q", "Words in the message", f.text(), "search"));
        h.append("<button type=\"submit\" id=\"apply\">Filter</button> <a href=\"/console/requests\">Clear</a>");
        h.append("<label class=\"refresh\"><input type=\"checkbox\" id=\"autorefresh\" checked> auto-refresh</label>");
        h.append("</form>");
        h.append("<div id=\"live\">").append(live(f, query, page, counts)).append("</div>");
        return Layout.page("Requests", user, "requests", h.toString());
    }

    /** The part of the list that auto-refresh replaces: counts, rows and the pager. */
    static String live(Filter f, String query, RequestSearch.Page page, Map<Status, Long> counts) {
        StringBuilder h = new StringBuilder(16_384);
        String withoutStatus = query.replaceAll("(^|&)status=[^&]*", "");
        h.append("<ul class=\"counts\" id=\"counts\">");
        long total = 0;
        for (Map.Entry<Status, Long> e : counts.entrySet()) {
            total += e.getValue();
            String href = "/console/requests?" + withoutStatus + (withoutStatus.isEmpty() ? "" : "&") + "status="
                    + e.getKey().name();
            h.append("<li><a href=\"")
                    .append(escape(href))
                    .append("\">")
                    .append(badge(e.getKey()))
                    .append(" <span class=\"count\" data-status=\"")
                    .append(e.getKey().name())
                    .append("\">")
                    .append(e.getValue())
                    .append("</span></a></li>");
        }
        h.append("<li class=\"total\">total ").append(total).append("</li></ul>");
        h.append("<table class=\"requests\" id=\"requests\"><thead><tr><th>Received (UTC)</th><th>Type</th>")
                .append("<th>Status</th><th>Sender</th><th>Chat</th><th>File</th><th>Reason</th><th>DLP</th>")
                .append("</tr></thead><tbody>");
        if (page.rows().isEmpty()) {
            h.append("<tr><td colspan=\"8\" class=\"empty\">No requests match.</td></tr>");
        }
        for (Row row : page.rows()) {
            RequestRecord r = row.request();
            h.append("<tr data-id=\"").append(escape(r.id())).append("\">");
            h.append("<td><a class=\"open\" href=\"/console/requests/")
                    .append(escape(url(r.id())))
                    .append("\">")
                    .append(time(r.receivedAt()))
                    .append("</a></td>");
            h.append("<td>").append(escape(r.type())).append("</td>");
            h.append("<td>").append(badge(r.status())).append("</td>");
            h.append("<td>").append(escape(r.sender())).append("</td>");
            h.append("<td>").append(escape(r.chat())).append("</td>");
            h.append("<td>")
                    .append(r.fileName() == null ? "" : escape(r.fileName()) + " ")
                    .append("<code>")
                    .append(escape(Layout.shortHash(r.hash())))
                    .append("</code></td>");
            h.append("<td class=\"reason\">").append(escape(r.reason())).append("</td>");
            h.append("<td>").append(escape(r.dlpSystem())).append("</td></tr>");
        }
        h.append("</tbody></table><p class=\"pager\">");
        String base = query.replaceAll("(^|&)(after|fragment)=[^&]*", "");
        h.append("<a href=\"/console/requests?").append(escape(base)).append("\">Newest</a>");
        if (page.next() != null) {
            h.append(" <a id=\"older\" href=\"/console/requests?")
                    .append(escape(base + (base.isEmpty() ? "" : "&") + "after="
                            + url(page.next().token())))
                    .append("\">Older →</a>");
        }
        h.append("</p>");
        return h.toString();
    }

    static String request(ConsoleUser user, Row row, Optional<String> text, List<Row> linked, List<Change> history) {
        RequestRecord r = row.request();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<p><a href=\"/console/requests\">← Requests</a></p>");
        h.append("<h1>")
                .append(r.type().equals("file") ? "File " : "Message ")
                .append(badge(r.status()))
                .append("</h1>");
        h.append("<p class=\"id\">Event <code id=\"event-id\">")
                .append(escape(r.id()))
                .append("</code></p>");

        h.append("<section><h2>Who and where</h2><dl>");
        dd(h, "Sender", r.sender());
        dd(h, "Chat", r.chat());
        dd(h, "Message id", r.mid());
        dd(h, "Sent at (UTC)", time(r.eventTs()));
        h.append("</dl></section>");

        if (r.type().equals("message")) {
            h.append("<section><h2>Message</h2>");
            if (text.isPresent()) {
                // User content, hostile by assumption: escaped and shown as preformatted text, never as markup.
                h.append("<pre class=\"message\" id=\"message-text\">")
                        .append(escape(text.get()))
                        .append("</pre>");
            } else if (row.hasContent()) {
                h.append("<p class=\"bad\">The stored text cannot be opened with this gateway's content key.</p>");
            } else {
                h.append("<p class=\"muted\">The text was not kept for this request.</p>");
            }
            h.append("</section>");
        }
        if (r.hash() != null) {
            h.append("<section id=\"file\"><h2>File</h2><dl>");
            Row file = r.type().equals("file")
                    ? row
                    : linked.stream()
                            .filter(l -> l.request().type().equals("file"))
                            .findFirst()
                            .orElse(null);
            dd(h, "Name", file == null ? null : file.request().fileName());
            dd(h, "Size", file == null ? null : Layout.size(file.fileSize()));
            dd(h, "Type", file == null ? null : file.fileMime());
            h.append("<dt>SHA-256</dt><dd><code id=\"file-hash\">")
                    .append(escape(r.hash()))
                    .append("</code></dd>");
            if (file != null && file != row) {
                RequestRecord check = file.request();
                h.append("<dt>File check</dt><dd><a class=\"file-request\" href=\"/console/requests/")
                        .append(escape(url(check.id())))
                        .append("\">")
                        .append(badge(check.status()))
                        .append(' ')
                        .append(escape(check.reason()))
                        .append("</a></dd>");
            }
            h.append("</dl><p><a id=\"download\" href=\"/console/files/")
                    .append(escape(url(r.hash())))
                    .append("\">Download the file</a> <span class=\"muted\">(journaled)</span></p>");
            List<RequestRecord> messages = linked.stream()
                    .map(Row::request)
                    .filter(l -> l.type().equals("message"))
                    .toList();
            if (!messages.isEmpty()) {
                h.append("<h3>")
                        .append(r.type().equals("file") ? "Messages that carried this file" : "Other messages with it")
                        .append("</h3><ul class=\"linked\">");
                for (RequestRecord m : messages) {
                    h.append("<li><a href=\"/console/requests/")
                            .append(escape(url(m.id())))
                            .append("\">")
                            .append(time(m.receivedAt()))
                            .append("</a> ")
                            .append(badge(m.status()))
                            .append(' ')
                            .append(escape(m.sender()))
                            .append(" in ")
                            .append(escape(m.chat()))
                            .append("</li>");
                }
                h.append("</ul>");
            }
            h.append("</section>");
        }

        h.append("<section id=\"dlp\"><h2>DLP answer</h2><dl>");
        dd(h, "Verdict", r.status().name());
        dd(h, "Reason", r.reason());
        dd(h, "DLP system", r.dlpSystem());
        dd(h, "Address", r.dlpAddress());
        dd(h, "infowatch".equals(r.dlpSystem()) ? "Traffic Monitor id" : "ISTag", r.dlpReference());
        dd(h, "Attempts", r.attempts());
        dd(h, "Last error", r.lastError());
        dd(h, "Next attempt (UTC)", time(r.nextAttemptAt()));
        h.append("</dl></section>");

        h.append("<section><h2>Timeline</h2><table id=\"timeline\"><thead><tr><th>At (UTC)</th><th>Status</th>")
                .append("<th>Attempts</th><th>Error</th><th>Reason</th></tr></thead><tbody>");
        for (Change c : history) {
            h.append("<tr><td>")
                    .append(time(c.at()))
                    .append("</td><td>")
                    .append(badge(c.status()))
                    .append("</td><td>")
                    .append(c.attempts())
                    .append("</td><td>")
                    .append(escape(c.error()))
                    .append("</td><td>")
                    .append(escape(c.reason()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table></section>");

        h.append("<section><h2>Kafka</h2><dl>");
        dd(h, "Topic", r.topic());
        dd(h, "Partition", r.partition());
        dd(h, "Offset", r.offset());
        dd(h, "Received (UTC)", time(r.receivedAt()));
        dd(h, "Decided (UTC)", time(r.completedAt()));
        h.append("</dl></section>");
        String title =
                r.type().substring(0, 1).toUpperCase(Locale.ROOT) + r.type().substring(1) + " " + r.id();
        return Layout.page(title, user, "requests", h.toString());
    }

    private static void dd(StringBuilder h, String label, Object value) {
        h.append("<dt>")
                .append(escape(label))
                .append("</dt><dd>")
                .append(value == null || value.toString().isEmpty() ? "—" : escape(value))
                .append("</dd>");
    }
}
