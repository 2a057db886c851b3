package dev.plumber.core.chats;

import java.util.List;

/** A personal (two members) or group chat and its members' e-mails. */
public record Chat(long id, String type, String title, List<String> members) {}
