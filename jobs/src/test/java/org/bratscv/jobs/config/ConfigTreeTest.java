package org.bratscv.jobs.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeTest {
  @TempDir Path dir;

  @Test
  void includedFileGivesDefaultsThatTheIncludingFileOverrides() throws IOException {
    Files.writeString(
        dir.resolve("pipeline-a.yaml"),
        "epochs: 200\nlr: 1.0e-4\nnetwork:\n  width: 48\n  norm: group\n");
    Files.writeString(
        dir.resolve("cv.yaml"),
        "seed: 7\npipelines:\n  A:\n    include: pipeline-a.yaml\n    network:\n      width: 16\n");
    ConfigTree t = ConfigTree.load(dir.resolve("cv.yaml"));
    assertEquals(7, t.get("seed"));
    assertEquals(200, t.get("pipelines.A.epochs"));
    assertEquals(16, t.get("pipelines.A.network.width"));
    assertEquals("group", t.get("pipelines.A.network.norm"));
  }

  @Test
  void overridesParseYamlValuesAndCreateSections() {
    ConfigTree t =
        ConfigTree.empty()
            .withAll(
                List.of(
                    "pipelines.A.epochs=5",
                    "pipelines.A.lr=1e-3",
                    "pipelines.A.patch=[32,32,16]",
                    "ensemble.tta=16",
                    "name=my run"));
    Settings a = Settings.of(t).section("pipelines").section("A");
    assertEquals(5, a.integer("epochs", 0));
    assertEquals(1e-3, a.number("lr", 0), 0);
    assertArrayEquals(new int[] {32, 32, 16}, a.integers("patch", new int[0]));
    assertEquals("my run", t.get("name"));
  }

  @Test
  void overrideOfAValueWithASectionIsAnError() {
    ConfigTree t = ConfigTree.empty().with("seed=1");
    ConfigException e = assertThrows(ConfigException.class, () -> t.with("seed.x=2"));
    assertTrue(e.getMessage().contains("seed is a value"), e.getMessage());
  }

  @Test
  void unknownKeysAreReportedWithTheirFullPath() {
    ConfigTree t = ConfigTree.empty().with("pipelines.A.epoch=10");
    Settings a = Settings.of(t).section("pipelines").section("A");
    a.integer("epochs", 200);
    ConfigException e = assertThrows(ConfigException.class, a::rejectUnknownKeys);
    assertTrue(e.getMessage().contains("pipelines.A.epoch"), e.getMessage());
  }

  @Test
  void typeErrorsNameTheKey() {
    Settings s = Settings.of(ConfigTree.empty().with("folds.k=five")).section("folds");
    ConfigException e = assertThrows(ConfigException.class, () -> s.integer("k", 5));
    assertTrue(e.getMessage().startsWith("folds.k: expected a whole number"), e.getMessage());
    ConfigException c =
        assertThrows(
            ConfigException.class,
            () ->
                Settings.of(ConfigTree.empty().with("norm=batch"))
                    .choice("norm", "group", "group", "instance"));
    assertTrue(c.getMessage().contains("not one of group, instance"), c.getMessage());
  }

  @Test
  void resolvedTreeRoundTripsThroughYaml() {
    ConfigTree t = ConfigTree.empty().with("a.b=1").with("a.c=[1, 2]").with("d=x");
    ConfigTree back = ConfigTree.parse(t.toYaml(), dir);
    assertEquals(t.asMap(), back.asMap());
  }

  @Test
  void missingOrBrokenFilesAreClearErrors() throws IOException {
    ConfigException missing =
        assertThrows(ConfigException.class, () -> ConfigTree.load(dir.resolve("none.yaml")));
    assertTrue(missing.getMessage().contains("none.yaml"));
    Files.writeString(dir.resolve("bad.yaml"), "a: [1, 2\n");
    ConfigException bad =
        assertThrows(ConfigException.class, () -> ConfigTree.load(dir.resolve("bad.yaml")));
    assertTrue(bad.getMessage().contains("not valid YAML"), bad.getMessage());
  }
}
