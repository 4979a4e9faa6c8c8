package dev.atlas.testsupport.layout;

/** This module's test tree follows the test layout rule. */
class TestLayoutTest extends TestLayoutRules {
}
