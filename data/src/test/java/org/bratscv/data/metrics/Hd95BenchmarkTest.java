package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link Hd95Benchmark} from Maven; skipped unless a case folder is given: {@code mvn -o -pl
 * data test -Dtest=Hd95BenchmarkTest -Dhd95.bench.dir=/tmp/hd95-full [-Dhd95.bench.repeats=10]}.
 */
class Hd95BenchmarkTest {

  @Test
  @EnabledIfSystemProperty(named = "hd95.bench.dir", matches = ".+")
  void benchmarkCasesFromTheGivenFolder() throws Exception {
    double worst =
        Hd95Benchmark.run(
            Path.of(System.getProperty("hd95.bench.dir")),
            Integer.parseInt(System.getProperty("hd95.bench.repeats", "10")));
    assertTrue(worst <= 1e-9, "java and scipy differ by up to " + worst);
  }
}
