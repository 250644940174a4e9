package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class BenchInferCommandTest {
  /**
   * README's {@code bench infer} row with all its options, at a toy size: a non-cubic case (H != W)
   * whose two shape groups of 8 transforms each run in batches of 3.
   */
  @Test
  void benchInferReportsCasesPerMinuteForTheEnsembleUnderSixteenAugmentations() throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "infer",
            "--width",
            "2",
            "--size",
            "16x16x8",
            "--members",
            "2",
            "--tta",
            "16",
            "--batch",
            "3",
            "--cases",
            "1",
            "--threads",
            "1",
            "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonNode out = new ObjectMapper().readTree(run.out());
    double ms = out.get("ms_per_case").asDouble();
    assertTrue(ms > 0, run.out());
    assertEquals(60_000 / ms, out.get("cases_per_minute").asDouble(), 60_000 / ms * 0.01);
    assertEquals("16x16x8", out.get("size").asText());
    assertEquals(3, out.get("batch").asInt());
    assertEquals(2, out.get("members").asInt());
    assertEquals(1, out.get("threads").asInt());
    double p = out.get("mean_probability").asDouble();
    assertTrue(p > 0 && p < 1, "mean probability " + p);
  }

  @Test
  void sizeIsOneEdgeOrDepthByHeightByWidth() {
    assertEquals(new Dims(96, 96, 96), BenchInferCommand.parseSize("96"));
    assertEquals(new Dims(96, 128, 64), BenchInferCommand.parseSize("64x128x96"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchInferCommand.parseSize("64x96"));
    assertTrue(e.getMessage().contains("DxHxW"), e.getMessage());
  }
}
