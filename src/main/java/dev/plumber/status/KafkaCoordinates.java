package dev.plumber.status;

/** Where an event was read from. */
public record KafkaCoordinates(String topic, int partition, long offset) {}
