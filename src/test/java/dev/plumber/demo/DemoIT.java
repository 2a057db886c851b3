package dev.plumber.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plumber.settings.DlpSettings;
import dev.plumber.settings.DlpSettingsSource;
import dev.plumber.testkit.Eventually;
import dev.plumber.testkit.FreePorts;
import dev.plumber.testkit.JsonHttp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo as a user meets it: its accounts log in, and the demo rules block what they promise to block. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoIT {

    @Test
    void demoAccountsSendMessagesAndTheAuditorSeesTheVerdicts() throws Exception {
        int[] ports = FreePorts.take(3);
        Demo.Ports demoPorts = new Demo.Ports(ports[0], ports[1], ports[2]);
        DlpSettings settings = DlpSettings.fromMap(
                Map.of("system", "icap", "address", "icap://127.0.0.1:" + demoPorts.icap() + "/request"));
        try (Demo demo = Demo.start(demoPorts, DlpSettingsSource.fixed(settings))) {
            JsonHttp alice = new JsonHttp("http://127.0.0.1:" + demoPorts.core()).login("alice@demo.local", "demo");
            String chat = alice.post("/api/v1/chats", "{\"type\":\"personal\",\"members\":[\"bob@demo.local\"]}")
                    .get("id")
                    .asText();
            long ordinary = send(alice, chat, "Lunch at noon?");
            long card = send(alice, chat, "pay with 4111 1111 1111 1111");
            long secret = send(alice, chat, "this is CONFIDENTIAL");

            JsonHttp auditor =
                    new JsonHttp("http://127.0.0.1:" + demoPorts.gateway()).login("auditor@demo.local", "demo");
            assertThat(await(auditor, ordinary).get("status").asText()).isEqualTo("ALLOWED");
            assertThat(await(auditor, card).get("reason").asText()).contains("card number");
            assertThat(await(auditor, secret).get("status").asText()).isEqualTo("BLOCKED");
            new JsonHttp("http://127.0.0.1:" + demoPorts.gateway()).login("admin@demo.local", "demo");
        }
    }

    private static long send(JsonHttp user, String chat, String text) throws Exception {
        return user.post("/api/v1/chats/" + chat + "/messages", "{\"text\":\"" + text + "\"}")
                .get("mid")
                .asLong();
    }

    private static JsonNode await(JsonHttp auditor, long mid) throws Exception {
        return Eventually.within(Duration.ofSeconds(60), () -> {
            JsonNode page = auditor.get("/api/v1/requests?mid=" + mid);
            assertThat(page.get("total").asLong()).isEqualTo(1);
            JsonNode row = page.get("items").get(0);
            assertThat(row.get("status").asText()).isIn("ALLOWED", "BLOCKED");
            return row;
        });
    }
}
