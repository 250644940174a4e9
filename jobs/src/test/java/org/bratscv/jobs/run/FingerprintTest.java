package org.bratscv.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintTest {
  @TempDir Path dir;

  private static Fingerprint model(int width, List<String> cases) {
    return Fingerprint.builder()
        .add("network", "width=" + width)
        .add("fold", 0)
        .addSet("train_cases", cases)
        .build();
  }

  @Test
  void theSameIngredientsGiveTheSameHashWhateverTheOrderOfASet() {
    Fingerprint a = model(8, List.of("c1:aa", "c2:bb"));
    Fingerprint b = model(8, List.of("c2:bb", "c1:aa"));
    assertEquals(a.hash(), b.hash());
    assertEquals(List.of(), a.differences(b));
    assertEquals(64, a.hash().length());
    assertEquals(16, a.shortHash().length());
  }

  @Test
  void theHashIsTheSha256OfTheNamedIngredientsOneALine() {
    Fingerprint f = Fingerprint.builder().add("b", 2).add("a", "x").build();
    // sorted by name: "a=x\nb=2\n"
    assertEquals(Fingerprint.sha256("a=x\nb=2\n"), f.hash());
    // sha256("") is the well-known e3b0c442...
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Fingerprint.sha256(""));
  }

  @Test
  void differencesNameEachChangedIngredient() {
    Fingerprint before = model(8, List.of("c1:aa", "c2:bb"));
    Fingerprint after = model(16, List.of("c1:aa", "c2:bc"));
    List<String> d = after.differences(before);
    assertEquals(2, d.size(), d.toString());
    assertEquals("network: width=8 -> width=16", d.get(0));
    assertEquals(true, d.get(1).startsWith("train_cases: 2 items, sha256 "), d.get(1));
    assertEquals(List.of("no record of what made the existing output"), after.differences(null));
  }

  @Test
  void aFingerprintIsWrittenAndReadBackWhole() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path file =
        new org.apache.hadoop.fs.Path(dir.resolve("f.json").toString());
    assertNull(Fingerprint.read(fs, file));
    Fingerprint f = model(8, List.of("c1:aa"));
    f.write(fs, file);
    Fingerprint back = Fingerprint.read(fs, file);
    assertEquals(f, back);
    assertNotEquals(f.hash(), model(9, List.of("c1:aa")).hash());
  }
}
