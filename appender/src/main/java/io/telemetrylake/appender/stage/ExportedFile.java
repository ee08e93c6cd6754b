package io.telemetrylake.appender.stage;

import java.nio.file.Path;

/** One Parquet file a flush wrote locally, with its partition value (days since 1970-01-01 UTC). */
public record ExportedFile(Path path, int day, long rows, long sizeBytes) {}
