package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's {@code bench preprocess} row, on small phantoms. */
class BenchPreprocessCommandTest {
  @TempDir Path tmp;

  @Test
  void reportsCasesPerSecondAtOneAndTwoTasksAndTheSpeedUp() throws Exception {
    CliRun r =
        CliRun.of(
            "bench",
            "preprocess",
            "--cases",
            "3",
            "--size",
            "24x24x16",
            "--work",
            tmp.toString(),
            "--json");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    JsonNode o = new ObjectMapper().readTree(last);
    assertEquals(3, o.get("cases").asInt());
    assertEquals("24x24x16", o.get("size").asText());
    assertEquals(2, o.get("runs").size());
    assertEquals(1, o.get("runs").get(0).get("parallel").asInt());
    assertEquals(2, o.get("runs").get(1).get("parallel").asInt());
    for (JsonNode run : o.get("runs")) {
      double seconds = run.get("seconds").asDouble();
      assertTrue(seconds > 0, last);
      assertEquals(3 / seconds, run.get("cases_per_s").asDouble(), 1e-9);
    }
    assertEquals(
        o.get("runs").get(1).get("cases_per_s").asDouble()
            / o.get("runs").get(0).get("cases_per_s").asDouble(),
        o.get("speedup").asDouble(),
        1e-9);
    // the phantoms stay in --work; every timed output folder is removed after its pass
    assertTrue(Files.isDirectory(tmp.resolve("archive")));
    assertTrue(Files.notExists(tmp.resolve("out-1-0")));
    assertTrue(Files.notExists(tmp.resolve("warm-up")));
  }
}
