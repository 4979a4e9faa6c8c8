package dev.atlas.core;

import dev.atlas.testsupport.layout.TestLayoutRules;

/** This module's test tree follows the test layout rule (child processes: *IT; Lincheck: *ModelCheckTest, *StressTest). */
class TestLayoutTest extends TestLayoutRules {
}
