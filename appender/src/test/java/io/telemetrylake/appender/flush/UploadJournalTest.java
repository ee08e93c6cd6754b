package io.telemetrylake.appender.flush;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UploadJournalTest {
  @TempDir Path dir;

  @Test
  void keepsWhatEachRequestAssertedAcrossARestart() {
    UploadJournal journal = UploadJournal.open(dir);
    UploadJournal.Entry entry = UploadJournal.Entry.beforeRequest("c1", 5, List.of("s3://b/f1"), "uuid-1");
    journal.add(entry);
    journal.add(UploadJournal.Entry.beforeRequest("c2", 6, List.of("s3://b/f2"), "uuid-1"));
    journal.replace(entry.sending("uuid-1", 42L));

    assertThat(UploadJournal.open(dir).entries()).containsExactly(
        new UploadJournal.Entry("c1", 5, List.of("s3://b/f1"), "uuid-1", new UploadJournal.Request(42L)),
        new UploadJournal.Entry("c2", 6, List.of("s3://b/f2"), "uuid-1", null));
  }

  @Test
  void tellsARequestOnAnEmptyTableFromNoRequest() {
    UploadJournal journal = UploadJournal.open(dir);
    journal.add(UploadJournal.Entry.beforeRequest("c1", 5, List.of("f"), "u").sending("u", null));

    assertThat(UploadJournal.open(dir).entries().get(0).request()).isEqualTo(new UploadJournal.Request(null));
  }

  @Test
  void readsEntriesWrittenBeforeTheTableAndBaseWereRecorded() throws Exception {
    Files.writeString(dir.resolve(UploadJournal.FILE_NAME),
        "[{\"commitId\":\"old\",\"createdAtMillis\":7,\"locations\":[\"s3://b/f\"]}]");

    UploadJournal.Entry entry = UploadJournal.open(dir).entries().get(0);

    // no table UUID: PendingAttempt never deletes its files on doubt
    assertThat(entry).isEqualTo(new UploadJournal.Entry("old", 7, List.of("s3://b/f"), null, null));
  }
}
