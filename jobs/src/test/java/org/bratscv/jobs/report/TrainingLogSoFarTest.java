package org.bratscv.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.bratscv.jobs.io.ReplacedFileReader;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.stages.EpochRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which training log the report draws: the stage's, or during a training the tasks' own. */
class TrainingLogSoFarTest {
  private static final String HEADER =
      "variant,pipeline,fold,epoch,phase,train_loss,val_loss,val_dice_et,val_dice_tc,val_dice_wt,"
          + "lr,seconds\n";

  @TempDir Path dir;

  private Path write(String relative, String... rows) throws IOException {
    Path f = dir.resolve("train").resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, HEADER + String.join("\n", rows) + "\n");
    return f;
  }

  private static String row(String pipeline, int fold, int epoch) {
    return "baseline," + pipeline + "," + fold + "," + epoch + ",main,0.5,NaN,NaN,NaN,NaN,1e-3,2";
  }

  private List<String> read() throws IOException {
    return RunReport.trainingLogSoFar(
            FileSystem.getLocal(new Configuration()), new RunFolder(dir.toString()))
        .stream()
        .map((EpochRow p) -> p.getPipeline() + p.getFold() + "-" + p.getEpoch())
        .toList();
  }

  @Test
  void withoutTheStagesLogTheTasksLogsShowTheEpochsSoFar() throws IOException {
    write("baseline/A/fold1/log.csv", row("A", 1, 0));
    write("baseline/A/fold0/log.csv", row("A", 0, 0), row("A", 0, 1));
    assertEquals(List.of("A0-0", "A0-1", "A1-0"), read());
  }

  @Test
  void theStagesLogWinsUnlessATaskWroteItsLogLater() throws IOException {
    Path task = write("baseline/A/fold0/log.csv", row("A", 0, 0));
    Path whole = write("log.csv", row("A", 0, 0), row("A", 0, 1), row("B", 0, 0));
    Files.setLastModifiedTime(task, FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(whole, FileTime.fromMillis(2_000_000));
    assertEquals(List.of("A0-0", "A0-1", "B0-0"), read());
    // a rerun trains again: the task's log is newer than the stage's
    Files.setLastModifiedTime(task, FileTime.fromMillis(3_000_000));
    assertEquals(List.of("A0-0"), read());
  }

  /**
   * A report drawn while a task replaces its log after every epoch (through Hadoop's checksummed
   * local file system, which renames the file and then its checksum) always reads it.
   */
  @Test
  void aTaskLogBeingReplacedIsAlwaysRead() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path log =
        new org.apache.hadoop.fs.Path(dir.resolve("train/baseline/A/fold0/log.csv").toUri());
    ReplacedFileReader.assertNeverMissingWhileReplaced(
        fs,
        log,
        300,
        epochs -> {
          StringBuilder csv = new StringBuilder(HEADER);
          for (int e = 0; e <= epochs; e++) {
            csv.append(row("A", 0, e)).append('\n');
          }
          return csv.toString();
        },
        () -> read().size() - 1);
  }

  @Test
  void noLogAtAllIsNotFound() {
    assertThrows(FileNotFoundException.class, this::read);
  }
}
