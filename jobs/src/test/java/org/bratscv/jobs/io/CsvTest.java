package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
  @Test
  void whatTableWritesParseReadsBack() {
    List<String[]> rows =
        List.of(
            new String[] {"c1", "error", "case c1: flair.nii.gz: truncated, 200 of 9000 bytes", ""},
            new String[] {"c2", "ok", "say \"hi\"\nnext line", "x"},
            new String[] {"", "", "", ""});
    String text =
        new String(
            Csv.table(new String[] {"case_id", "status", "reason", "file"}, rows),
            StandardCharsets.UTF_8);
    List<String[]> back = Csv.parse(text);
    assertEquals(4, back.size());
    assertArrayEquals(new String[] {"case_id", "status", "reason", "file"}, back.get(0));
    for (int i = 0; i < rows.size(); i++) {
      assertArrayEquals(rows.get(i), back.get(i + 1));
    }
  }

  @Test
  void crlfBlankLinesAndAnUnclosedQuote() {
    List<String[]> rows = Csv.parse("a,b\r\n\r\n1,\"2\"\r\n");
    assertEquals(2, rows.size());
    assertArrayEquals(new String[] {"1", "2"}, rows.get(1));
    assertThrows(IllegalArgumentException.class, () -> Csv.parse("a,\"b\n"));
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
