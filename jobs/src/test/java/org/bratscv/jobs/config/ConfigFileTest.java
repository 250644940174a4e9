package org.bratscv.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.jobs.io.HdfsOnLocalDisk;
import org.bratscv.jobs.sweep.SweepConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration files on any Hadoop file system, and includes that fall back to the jar's. */
class ConfigFileTest {
  private static final Path CONF = Path.of("..", "conf");

  @TempDir Path dir;

  @Test
  void aCopyOfThePaperConfigurationElsewhereTakesItsIncludesFromTheJar() throws IOException {
    Path copy = Files.copy(CONF.resolve("brats2020-cv.yaml"), dir.resolve("my-run.yaml"));
    List<ConfigFile> read = new ArrayList<>();
    ConfigTree t = ConfigTree.load(ConfigFile.of(copy.toString()), new Configuration(), read::add);
    assertEquals(
        List.of(
            ConfigFile.of(copy),
            ConfigFile.bundled("brats2020-pipeline-a.yaml"),
            ConfigFile.bundled("brats2020-pipeline-b.yaml")),
        read);
    RunConfig c = RunConfig.of(t);
    RunConfig original = RunConfig.load(CONF.resolve("brats2020-cv.yaml"), List.of());
    assertEquals(original.pipelines(), c.pipelines());
    assertEquals("conf/brats2020-pipeline-a.yaml (bundled in brats-cv)", read.get(1).toString());
  }

  @Test
  void anIncludeNextToTheFileWinsOverTheBundledOne() throws IOException {
    Files.copy(CONF.resolve("brats2020-cv.yaml"), dir.resolve("my-run.yaml"));
    Files.writeString(
        dir.resolve("brats2020-pipeline-a.yaml"),
        Files.readString(CONF.resolve("brats2020-pipeline-a.yaml"))
            .replaceFirst("(?m)^epochs: \\d+", "epochs: 7"));
    RunConfig c =
        RunConfig.load(
            ConfigFile.of(dir.resolve("my-run.yaml").toString()), new Configuration(), List.of());
    assertEquals(7, c.pipelines().get("A").training().epochs());
    assertEquals(400, c.pipelines().get("B").training().epochs());
  }

  @Test
  void configurationsAndTheirIncludesAreReadFromHdfsAndS3aUris() throws IOException {
    Configuration hadoop = HdfsOnLocalDisk.configuration(dir, "bucket");
    Path onHdfs = Files.createDirectories(dir.resolve("hdfs/confs"));
    Files.writeString(
        onHdfs.resolve("run.yaml"),
        "include: base.yaml\noutput: hdfs:///runs/r1\npipelines:\n  A:\n    include:"
            + " brats2020-pipeline-a.yaml\n    epochs: 3\n");
    Files.writeString(onHdfs.resolve("base.yaml"), "seed: 11\ndata:\n  train: hdfs:///data\n");
    List<ConfigFile> read = new ArrayList<>();
    RunConfig c =
        RunConfig.of(ConfigTree.load(ConfigFile.of("hdfs:///confs/run.yaml"), hadoop, read::add));
    assertEquals(11, c.seed());
    assertEquals(3, c.pipelines().get("A").training().epochs());
    assertEquals("hdfs:/confs/base.yaml", read.get(1).location().replace("hdfs:///", "hdfs:/"));
    assertTrue(read.get(2).bundled(), read.toString());

    Path onS3 = Files.createDirectories(dir.resolve("s3a/bucket/conf"));
    Files.copy(CONF.resolve("demo-sweep.yaml"), onS3.resolve("nightly.yaml"));
    SweepConfig s =
        SweepConfig.load(ConfigFile.of("s3a://bucket/conf/nightly.yaml"), hadoop, List.of(), null);
    // base: demo.yaml is not next to it on s3a, so the bundled conf/demo.yaml is the base
    assertEquals("demo-out/archive/train", s.baselineConfig().trainArchive());
    assertEquals(
        List.of("unet", "patient-removal", "attention"), List.copyOf(s.variants().keySet()));
  }

  @Test
  void aMissingIncludeNamesTheFileAndWhereItWasIncludedFrom() throws IOException {
    Files.writeString(dir.resolve("run.yaml"), "include: nowhere.yaml\n");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigTree.load(ConfigFile.of(dir.resolve("run.yaml")), new Configuration()));
    assertTrue(
        e.getMessage().contains("cannot read configuration file:" + dir.resolve("nowhere.yaml"))
            && e.getMessage().contains("no such file")
            && e.getMessage().contains("(included from file:" + dir.resolve("run.yaml") + ")"),
        e.getMessage());
    ConfigException missing =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigTree.load(
                    ConfigFile.of("hdfs:///none.yaml"), HdfsOnLocalDisk.configuration(dir)));
    assertTrue(
        missing.getMessage().startsWith("cannot read configuration hdfs:///none.yaml"),
        missing.getMessage());
  }
}
