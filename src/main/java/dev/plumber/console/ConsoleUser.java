package dev.plumber.console;

import dev.plumber.api.ConsoleAccounts.Role;

/** Who is logged in to a console session, and the session's CSRF token that every form must carry. */
public record ConsoleUser(String email, Role role, String csrf) {
    public boolean admin() {
        return role == Role.ADMIN;
    }
}
