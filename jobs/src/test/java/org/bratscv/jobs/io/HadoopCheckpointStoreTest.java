package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopCheckpointStoreTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void deletingTheLastEntryOfAFolderRemovesTheFolderButNeverTheStoreRoot() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    HadoopCheckpointStore store = new HadoopCheckpointStore(fs, new Path(dir.toUri()));
    for (String name :
        List.of("epoch-000001/weights.bin", "epoch-000001/manifest.json", "log.csv")) {
      store.put(name, out -> out.write(1));
    }
    store.delete("epoch-000001/weights.bin");
    assertTrue(Files.isDirectory(dir.resolve("epoch-000001")), "the manifest is still there");
    store.delete("epoch-000001/manifest.json");
    assertFalse(Files.exists(dir.resolve("epoch-000001")), "a pruned checkpoint leaves no folder");
    store.delete("log.csv");
    assertTrue(Files.isDirectory(dir));
    assertEquals(List.of(), store.list(""));
  }

  @Test
  void entriesUnderARelativeRootAreListed() throws IOException {
    // "target/..." is relative to the working folder (the module's): a run whose output is a
    // relative path resumes from the checkpoints listed here
    java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
    Path relative = new Path(cwd.relativize(dir.resolve("train/baseline/A/fold0")).toString());
    assertFalse(relative.isAbsolute(), relative.toString());
    HadoopCheckpointStore store =
        new HadoopCheckpointStore(FileSystem.getLocal(new Configuration()), relative);
    store.put("epoch-000001/weights.bin", out -> out.write(1));
    store.put("epoch-000002/weights.bin", out -> out.write(2));
    store.put("log.csv", out -> out.write(3));
    assertEquals(
        List.of("epoch-000001/weights.bin", "epoch-000002/weights.bin"), store.list("epoch-"));
    assertEquals(
        List.of("epoch-000001/weights.bin", "epoch-000002/weights.bin", "log.csv"), store.list(""));
  }
}
