package dev.plumber.core.users;

import java.util.Locale;

/** The seed's roles: administrators, ordinary users and auditors (who read DLP results in the console). */
public enum Role {
    ADMIN,
    USER,
    AUDITOR;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
