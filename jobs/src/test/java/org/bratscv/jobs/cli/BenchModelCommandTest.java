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
}
