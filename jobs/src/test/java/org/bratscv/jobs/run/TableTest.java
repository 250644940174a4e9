package org.bratscv.jobs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  record Item(String name, double value, int count) {}

  private static final Table<Item> ITEMS =
      Table.<Item>builder("item table")
          .column("name", Item::name)
          .column("value", i -> Double.toString(i.value()))
          .column("count", i -> Integer.toString(i.count()))
          .optReader(r -> new Item(r.text("name"), r.number("value"), r.integer("count")))
          .build();

  @Test
  void rowsSurviveAWriteAndAReadIncludingQuotedFields() throws IOException {
    List<Item> rows = List.of(new Item("a, \"b\"", 1.5, 2), new Item("c\nd", Double.NaN, 0));
    String csv = new String(ITEMS.csv(rows), StandardCharsets.UTF_8);
    assertTrue(csv.startsWith("name,value,count\n"), csv);
    List<Item> back = ITEMS.parse(csv, "items.csv");
    assertEquals(rows.get(0), back.get(0));
    assertEquals("c\nd", back.get(1).name());
    assertTrue(Double.isNaN(back.get(1).value()));
  }

  @Test
  void columnsAreFoundByNameWhateverTheirOrder() throws IOException {
    List<Item> back = ITEMS.parse("count,name,value\n3,x,0.25\n", "items.csv");
    assertEquals(List.of(new Item("x", 0.25, 3)), back);
  }

  @Test
  void aMissingColumnOrABadNumberNamesTheFileAndTheRecord() {
    IOException missing =
        assertThrows(IOException.class, () -> ITEMS.parse("name,value\nx,1\n", "a/items.csv"));
    assertEquals(
        "a/items.csv: no column 'count' in the header: not a item table", missing.getMessage());
    IOException bad =
        assertThrows(
            IOException.class, () -> ITEMS.parse("name,value,count\nx,one,1\n", "a/items.csv"));
    assertEquals("a/items.csv: record 2: value 'one' is not a number", bad.getMessage());
    IOException empty = assertThrows(IOException.class, () -> ITEMS.parse("", "a/items.csv"));
    assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
  }
}
