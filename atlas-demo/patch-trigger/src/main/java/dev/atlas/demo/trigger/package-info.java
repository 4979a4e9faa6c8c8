/**
 * A stand-in for {@code atlas patch apply <pid> <patch>} while the CLI does not exist: a
 * tiny agent, loaded after the Atlas agent, that applies a patch file inside the service
 * when the demo asks on a loopback port ({@link dev.atlas.demo.trigger.PatchTriggerAgent}).
 * It does nothing the CLI does not do (the agent's {@code PatchPipeline.apply} on the file,
 * then it waits for the migration); once the CLI lands, the demo calls it instead and this module goes away.
 */
package dev.atlas.demo.trigger;
