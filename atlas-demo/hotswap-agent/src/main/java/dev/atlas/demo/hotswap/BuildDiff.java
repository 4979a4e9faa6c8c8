package dev.atlas.demo.hotswap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The classes that differ between two builds: changed (in both, other bytes), added (only in
 * the new build) and removed (only in the old one).
 *
 * @param changed new class files of the changed classes, by binary name
 * @param added   binary names of classes only in the new build
 * @param removed binary names of classes only in the old build
 */
public record BuildDiff(Map<String, byte[]> changed, List<String> added, List<String> removed) {
    public BuildDiff {
        changed = Map.copyOf(changed);
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }

    /** Compares the class files of two builds (see {@link ClassFiles#read}). */
    public static BuildDiff between(Map<String, byte[]> oldBuild, Map<String, byte[]> newBuild) {
        Map<String, byte[]> changed = new TreeMap<>();
        List<String> added = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : newBuild.entrySet()) {
            byte[] old = oldBuild.get(e.getKey());
            if (old == null) {
                added.add(e.getKey());
            } else if (!Arrays.equals(old, e.getValue())) {
                changed.put(e.getKey(), e.getValue());
            }
        }
        List<String> removed = oldBuild.keySet().stream().filter(name -> !newBuild.containsKey(name)).sorted().toList();
        return new BuildDiff(changed, added, removed);
    }
}
