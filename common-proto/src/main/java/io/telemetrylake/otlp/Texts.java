package io.telemetrylake.otlp;

/** Small helpers for error messages that quote client input. */
final class Texts {
  private static final int MAX_QUOTED_CHARS = 40;

  private Texts() {}

  /** The text cut to a length that is safe to echo back in an error message. */
  static String abbreviate(String text) {
    if (text.length() <= MAX_QUOTED_CHARS) {
      return text;
    }
    return text.substring(0, MAX_QUOTED_CHARS) + "...";
  }
}
