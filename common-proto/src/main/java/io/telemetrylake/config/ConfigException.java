package io.telemetrylake.config;

/** A setting is missing or invalid. The message names the setting and never shows a secret. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ConfigException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  /** The environment variable that is wrong. */
  public String key() {
    return key;
  }
}
