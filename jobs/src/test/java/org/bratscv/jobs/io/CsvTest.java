package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  @Test
  void parseReadsBackWhatTableWrites() {
    String[] header = {"labelmap_set", "case_id", "reason"};
    List<String[]> rows =
        List.of(
            new String[] {"oof-A", "BraTS20_Training_001", ""},
            new String[] {"oof-B", "x", "case x: \"t1\" has 3 dims,\nnot 4"},
            new String[] {"", "", "a,b"});
    String text = new String(Csv.table(header, rows), StandardCharsets.UTF_8);
    List<String[]> back = Csv.parse(text);
    assertEquals(4, back.size());
    assertArrayEquals(header, back.get(0));
    for (int i = 0; i < rows.size(); i++) {
      assertArrayEquals(rows.get(i), back.get(i + 1), "record " + (i + 1));
    }
  }

  @Test
  void parseAcceptsCrLfAndSkipsBlankLines() {
    List<String[]> r = Csv.parse("a,b\r\n\r\n1,\"2\"\r\n\n3,4");
    assertEquals(3, r.size());
    assertArrayEquals(new String[] {"1", "2"}, r.get(1));
    assertArrayEquals(new String[] {"3", "4"}, r.get(2));
  }

  @Test
  void unterminatedQuoteNamesTheRecord() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Csv.parse("a,b\n1,\"oops\n"));
    assertEquals("unterminated quoted field in CSV record 2", e.getMessage());
  }

  @Test
  void fieldsWithCommasOrQuotesAreQuoted() {
    byte[] table =
        Csv.table(
            new String[] {"case_id", "box"},
            List.<String[]>of(new String[] {"a", "4:21,4:23"}, new String[] {"b\"c", null}));
    assertEquals(
        "case_id,box\na,\"4:21,4:23\"\n\"b\"\"c\",\n", new String(table, StandardCharsets.UTF_8));
  }

  @Test
  void aRowWithoutAFieldOfTheHeaderIsRefused() {
    // what the prediction index once wrote: a has_label column in the header, none in the rows
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Csv.table(
                    new String[] {"case_id", "file", "has_label"},
                    List.<String[]>of(
                        new String[] {"a", "a.nii.gz", "true"}, new String[] {"b", "b.nii.gz"})));
    assertEquals(
        "CSV row 2 has 2 fields but the header case_id,file,has_label has 3", e.getMessage());
  }
}
