package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            "--repeat",
            "3",
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
      // the median of three passes, never below the fastest
      assertTrue(run.get("fastest_seconds").asDouble() <= seconds, last);
    }
    assertEquals(
        o.get("runs").get(1).get("cases_per_s").asDouble()
            / o.get("runs").get(0).get("cases_per_s").asDouble(),
        o.get("speedup").asDouble(),
        1e-9);
    // one speed-up per round (each round's pair of passes; roundSpeedups is checked below)
    JsonNode rounds = o.get("round_speedups");
    assertEquals(3, rounds.size(), last);
    for (JsonNode v : rounds) {
      assertTrue(v.isDouble() && v.asDouble() > 0 && Double.isFinite(v.asDouble()), last);
    }
    // the phantoms stay in --work; every timed output folder is removed after its pass
    assertTrue(Files.isDirectory(tmp.resolve("archive")));
    assertTrue(Files.notExists(tmp.resolve("out-1-0")));
    assertTrue(Files.notExists(tmp.resolve("warm-up")));
  }

  @Test
  void eachRoundsSpeedUpIsItsFewestTaskPassOverItsMostTaskPass() {
    List<BenchPreprocessCommand.Pass> one =
        List.of(
            new BenchPreprocessCommand.Pass(1, 12, 6.0),
            new BenchPreprocessCommand.Pass(1, 12, 5.0),
            new BenchPreprocessCommand.Pass(1, 12, 8.0));
    List<BenchPreprocessCommand.Pass> two =
        List.of(
            new BenchPreprocessCommand.Pass(2, 12, 3.0),
            new BenchPreprocessCommand.Pass(2, 12, 3.125),
            new BenchPreprocessCommand.Pass(2, 12, 4.0));
    assertEquals(List.of(2.0, 1.6, 2.0), BenchPreprocessCommand.roundSpeedups(one, two));
  }

  @Test
  void theMedianPassIsTheMiddleOneOrTheMeanOfTheTwoMiddleOnes() {
    List<BenchPreprocessCommand.Pass> three =
        List.of(
            new BenchPreprocessCommand.Pass(2, 12, 3.0),
            new BenchPreprocessCommand.Pass(2, 12, 4.0),
            new BenchPreprocessCommand.Pass(2, 12, 9.0));
    assertEquals(4.0, BenchPreprocessCommand.median(three).seconds());
    assertEquals(3.5, BenchPreprocessCommand.median(three.subList(0, 2)).seconds());
    assertEquals(12 / 3.5, BenchPreprocessCommand.median(three.subList(0, 2)).casesPerSecond());
  }
}
