package org.bratscv.data.folds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldSplitJsonTest {
  private static InputStream json(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writtenSplitReadsBackEqualAndHasTheDocumentedFields() throws IOException {
    FoldSplit split = KFold.split(List.of("c1", "c2", "c3", "c4", "c5"), 2, 99);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FoldSplitJson.write(split, out);
    JsonNode root = new ObjectMapper().readTree(out.toByteArray());
    assertEquals(99, root.get("seed").longValue());
    assertEquals(2, root.get("k").intValue());
    assertEquals(1, root.get("folds").get(1).get("fold").intValue());
    assertEquals(
        split.fold(1).val().get(0), root.get("folds").get(1).get("val").get(0).textValue());
    assertEquals(split, FoldSplitJson.read(new ByteArrayInputStream(out.toByteArray()), "mem"));
  }

  @Test
  void nnUnetSplitsFinalImportsAsFoldsInListOrder() throws IOException {
    FoldSplit s;
    try (InputStream in = getClass().getResourceAsStream("/folds/splits_final.json")) {
      s = FoldSplitJson.readNnUnet(in, "splits_final.json");
    }
    assertEquals(3, s.k());
    assertNull(s.seed());
    assertEquals(List.of("c2", "c3"), s.fold(1).val());
    assertEquals(List.of("c0", "c1", "c4", "c5"), s.fold(1).train());
    assertEquals(2, s.foldOf("c5"));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FoldSplitJson.writeNnUnet(s, out);
    assertEquals(s, FoldSplitJson.readNnUnet(new ByteArrayInputStream(out.toByteArray()), "x"));
  }

  @Test
  void aCaseInTwoValSetsIsRejectedNamingTheSourceAndCase() {
    String text =
        "[{\"train\": [\"b\"], \"val\": [\"a\"]}, {\"train\": [\"b\"], \"val\": [\"b\", \"a\"]}]";
    IOException e =
        assertThrows(IOException.class, () -> FoldSplitJson.readNnUnet(json(text), "s.json"));
    assertEquals(
        "s.json: invalid split: case a is in the val sets of folds 0 and 1", e.getMessage());
  }

  @Test
  void aFoldTrainingOnItsOwnValCaseIsRejected() {
    String text =
        "[{\"train\": [\"a\", \"b\"], \"val\": [\"a\"]}, {\"train\": [\"a\"], \"val\": [\"b\"]}]";
    IOException e =
        assertThrows(IOException.class, () -> FoldSplitJson.readNnUnet(json(text), "s.json"));
    assertEquals(
        "s.json: invalid split: fold 0 trains on 1 of its own val cases: [a]", e.getMessage());
  }

  @Test
  void aTrainCaseInNoValSetIsRejected() {
    String text =
        "[{\"train\": [\"b\", \"z\"], \"val\": [\"a\"]}, {\"train\": [\"a\"], \"val\": [\"b\"]}]";
    IOException e =
        assertThrows(IOException.class, () -> FoldSplitJson.readNnUnet(json(text), "s.json"));
    assertTrue(e.getMessage().contains("case z is in the train set of fold 0 but in no val set"));
  }

  @Test
  void aFoldMayTrainOnFewerCasesForPatientRemoval() throws IOException {
    String text = "[{\"train\": [], \"val\": [\"a\"]}, {\"train\": [\"a\"], \"val\": [\"b\"]}]";
    assertEquals(List.of(), FoldSplitJson.readNnUnet(json(text), "s.json").fold(0).train());
  }

  @Test
  void malformedInputsSayWhatIsWrong() {
    IOException notJson =
        assertThrows(IOException.class, () -> FoldSplitJson.readNnUnet(json("[{"), "s.json"));
    assertTrue(notJson.getMessage().startsWith("s.json: not valid JSON"), notJson.getMessage());
    IOException notList =
        assertThrows(IOException.class, () -> FoldSplitJson.readNnUnet(json("{}"), "s.json"));
    assertTrue(notList.getMessage().contains("JSON list"), notList.getMessage());
    IOException noVal =
        assertThrows(
            IOException.class, () -> FoldSplitJson.readNnUnet(json("[{\"train\": []}]"), "s.json"));
    assertEquals("s.json: fold 0: 'val' must be a list of case ids", noVal.getMessage());
    IOException number =
        assertThrows(
            IOException.class,
            () -> FoldSplitJson.readNnUnet(json("[{\"train\": [], \"val\": [3]}]"), "s.json"));
    assertTrue(number.getMessage().contains("non-string entry 3"), number.getMessage());
    IOException empty =
        assertThrows(IOException.class, () -> FoldSplitJson.read(json(""), "folds.json"));
    assertEquals("folds.json: empty file", empty.getMessage());
    IOException badK =
        assertThrows(
            IOException.class,
            () -> FoldSplitJson.read(json("{\"seed\": 1, \"k\": \"5\", \"folds\": []}"), "f"));
    assertTrue(badK.getMessage().contains("'k' must be an integer"), badK.getMessage());
  }
}
