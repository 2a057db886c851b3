/**
 * The auditor DLP console (SPEC §6), served by the gateway under {@code /console/}: server-rendered HTML, a little
 * JavaScript (auto-refresh), no build step.
 *
 * <p>The gateway starts {@code ConsoleAssembly}. Data flow: {@code ConsoleLogin} (log-in, sessions, CSRF, headers)
 * guards {@code Console} (routes, journaling of views) → {@code RequestSearch} (keyset-paged reads of {@code
 * gateway.requests} and its history), {@code Journals} (fed by {@code JournalIntake} from the core's {@code
 * admin-events} and {@code system-events}, plus the console's own log-ins and account changes, and {@code
 * SettingsWatch}'s DLP settings applied or rejected), {@code ViewJournal} (append-only, hash-chained) → {@code
 * RequestPages}, {@code JournalPages}, {@code AdminPages} render through {@code Layout}, and every value goes through
 * {@link dev.plumber.console.Html#escape}.
 *
 * <p>Pages: {@code GET /console/login}, {@code POST /console/login}, {@code POST /console/logout}; {@code GET
 * /console/requests?status=&type=&dlp=&sender=&chat=&hash=&from=&to=&q=&after=} (newest first; {@code q}: words of
 * the message; {@code after}: the keyset cursor of the next page); {@code GET /console/requests/{eventId}}; {@code
 * GET /console/files/{hash}} (download, journaled); {@code GET /console/journals?journal=&actor=&action=&from=&to=};
 * {@code GET /console/views?actor=&check=1}; {@code GET /console/health}; {@code GET|POST /console/accounts} and
 * {@code POST /console/accounts/{email}/disable|enable} (admins). Times are UTC; {@code from}/{@code to} take an
 * ISO instant or a {@code datetime-local} value. Every POST carries the session's CSRF token in {@code csrf}.
 */
package dev.plumber.console;
