package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EngineSettingsTest {
  /** A speed-up switch (channels-last, depth slabs) is on unless env says 0 or property false. */
  @Test
  void aSwitchIsOnUnlessTheEnvironmentSaysZeroOrThePropertyFalse() {
    assertTrue(EngineSettings.onUnlessOff(null, null));
    assertTrue(EngineSettings.onUnlessOff("1", "true"));
    assertTrue(EngineSettings.onUnlessOff("", ""));
    assertFalse(EngineSettings.onUnlessOff("0", null));
    assertFalse(EngineSettings.onUnlessOff(null, "false"));
    assertFalse(EngineSettings.onUnlessOff(null, "FALSE"));
    assertFalse(EngineSettings.onUnlessOff("0", "true"));
  }
}
