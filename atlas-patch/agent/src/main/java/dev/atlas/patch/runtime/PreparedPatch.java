package dev.atlas.patch.runtime;

import dev.atlas.patch.format.Patch;

import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * A patch whose new code is defined, verified and linked, ready to become a view: the
 * table of the new view, the guards to switch on, and the state-transfer hooks to run.
 * Nothing of it is reachable by application threads yet.
 *
 * @param addedClassNames one line per added class: the name it was defined under, and why when not its own
 *                        ({@link AddedClassNames})
 * @param objectRebuilds  the classes whose objects made before the apply the new view rebuilds ({@link ObjectRebuild})
 * @param deferredClasses one line per changed class whose new code was left out because the class never linked in
 *                        this process and its new code cannot be defined ({@link UnlinkableClass})
 */
record PreparedPatch(Patch patch, CodeTable table, List<MethodSlot> slotsToActivate, Map<String, MethodHandle> transferHooks,
                     int replacedMethods, int addedMethods, int shadowFields, int addedClasses, List<String> addedClassNames,
                     List<ObjectRebuild> objectRebuilds, List<String> deferredClasses) {}
