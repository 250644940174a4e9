package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchModelCommandTest {
  /** README's {@code bench model --precision fp16}, at a toy size: it runs on the CPU. */
  @Test
  void fp16BenchTimesAFloat16ForwardAndReportsItsDifferenceFromFloat32() throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "model",
            "--width",
            "4",
            "--size",
            "16",
            "--steps",
            "1",
            "--threads",
            "1",
            "--precision",
            "fp16",
            "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode out = new ObjectMapper().readTree(run.out());
    assertTrue(out.get("forward_fp16_ms").asDouble() > 0, run.out());
    double diff = out.get("fp16_max_abs_diff").asDouble();
    assertTrue(diff > 0 && diff < 0.05, "fp16 vs fp32 max |diff| " + diff);
  }

  /** README's Memory table: {@code --batch} and {@code --forward-only}, at a toy size. */
  @Test
  void batchAndForwardOnlyAreReportedWithThePeakResidentMemory() throws Exception {
    String[] common = {"bench", "model", "--width", "4", "--size", "16", "--steps", "1"};
    CliRun train = CliRun.of(concat(common, "--threads", "1", "--batch", "2", "--json"));
    assertEquals(0, train.exitCode(), train.err());
    JsonNode t = new ObjectMapper().readTree(train.out());
    assertEquals(2, t.get("batch").asInt());
    assertTrue(t.get("train_step_ms").asDouble() > 0, train.out());
    assertTrue(t.get("peak_rss_mb").asLong() > 0, train.out());
    CliRun forward = CliRun.of(concat(common, "--threads", "1", "--forward-only", "--json"));
    assertEquals(0, forward.exitCode(), forward.err());
    JsonNode f = new ObjectMapper().readTree(forward.out());
    assertTrue(!f.has("train_step_ms"), "a forward-only bench trains nothing: " + forward.out());
    assertEquals(1, f.get("batch").asInt());
    assertTrue(f.get("forward_ms").asDouble() > 0, forward.out());
  }

  @Test
  void aBatchBelowOneIsRefused() throws Exception {
    CliRun run = CliRun.of("bench", "model", "--width", "4", "--size", "16", "--batch", "0");
    assertTrue(run.exitCode() != 0);
    assertTrue(run.err().contains("batch must be positive, got 0"), run.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
