package org.bratscv.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
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
