package dev.plumber.core.users;

/** A messenger account as the API sees it; the password hash never leaves {@link Accounts}. */
public record User(long id, String email, Role role) {}
