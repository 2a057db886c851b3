package dev.plumber.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.core.users.AccountAdmin;
import dev.plumber.core.users.Accounts;
import dev.plumber.core.users.User;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.LongConsumer;

/** Account management for administrators, and the address book for every signed-in user. */
public final class AdminApi {
    private final Accounts accounts;
    private final AccountAdmin admin;
    private final LongConsumer sessionsEnded;

    /** {@code sessionsEnded} is told the id of an account whose sessions an update ended. */
    public AdminApi(Accounts accounts, AccountAdmin admin, LongConsumer sessionsEnded) {
        this.accounts = accounts;
        this.admin = admin;
        this.sessionsEnded = sessionsEnded;
    }

    public void routes(Javalin app) {
        app.get("/api/v1/users", this::directory);
        app.get("/api/v1/admin/users", this::list);
        app.post("/api/v1/admin/users", this::create);
        app.put("/api/v1/admin/users/{email}", this::update);
    }

    private void directory(Context ctx) throws SQLException {
        Requests.user(accounts, ctx);
        ctx.json(Map.of("items", admin.directory()));
    }

    private void list(Context ctx) throws SQLException {
        Requests.admin(accounts, ctx);
        ctx.json(Map.of("items", admin.list()));
    }

    private void create(Context ctx) throws SQLException {
        User actor = Requests.admin(accounts, ctx);
        JsonNode body = Requests.body(ctx);
        String email = Requests.email("email", Requests.text(body, "email", true));
        admin.create(
                actor,
                email,
                Requests.password("password", Requests.text(body, "password", true)),
                Requests.text(body, "role", false),
                Requests.clientIp(ctx));
        ctx.status(201).json(Map.of("email", Accounts.normalise(email)));
    }

    private void update(Context ctx) throws SQLException {
        User actor = Requests.admin(accounts, ctx);
        JsonNode body = Requests.body(ctx);
        String email = Requests.email("email", ctx.pathParam("email"));
        admin.update(
                        actor,
                        email,
                        new AccountAdmin.Change(
                                Requests.text(body, "role", false),
                                Requests.bool(body, "disabled"),
                                Requests.password("password", Requests.text(body, "password", false))),
                        Requests.clientIp(ctx))
                .ifPresent(sessionsEnded);
        ctx.json(Map.of("email", Accounts.normalise(email)));
    }
}
