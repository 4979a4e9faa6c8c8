package dev.atlas.bench.patch;

import java.time.Duration;

/**
 * What pauses switching the guards of JDK methods takes: run with
 * {@code -Xlog:safepoint=info,handshake=info}, it applies {@link ForeignGuardFixture}'s patch
 * (the first apply retransforms {@code java.lang.Object}), rolls it back (the guards go inert
 * when the patch's view retires), and applies it again (the guards exist: only switched on),
 * with hot loops of {@code Object.equals} in between so that the JIT has code compiled against
 * each state of the guard to deoptimise. It prints a {@code === MARK} line between the phases,
 * so that each logged safepoint and handshake can be attributed to one.
 *
 * {@snippet lang=sh :
 * $J -Xlog:safepoint=info,handshake=info:stdout:uptime -Djdk.attach.allowAttachSelf=true \
 *    -XX:+EnableDynamicAgentLoading -cp $JAR dev.atlas.bench.patch.GuardSwitchSafepoints \
 *    | grep -E 'MARK|Safepoint "|Handshake "'
 * }
 */
public final class GuardSwitchSafepoints {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static volatile boolean sink;

    private GuardSwitchSafepoints() {}

    public static void main(String[] args) throws Exception {
        ForeignGuardFixture f = ForeignGuardFixture.load();
        Object point = f.newPoint(1);
        Object plain = new Object();
        hot(point, plain);
        mark("apply 1: the first guards of Object.equals and Object.toString retransform java.lang.Object");
        f.apply(TIMEOUT);
        mark("applied, Object.equals's guard asking the views: " + ForeignGuardFixture.equalsGuardDispatching());
        hot(point, plain);
        mark("rollback: the guards go inert when the patch's view retires");
        f.rollback(TIMEOUT);
        mark("rolled back, the view retired, Object.equals's guard asking the views: "
                + ForeignGuardFixture.equalsGuardDispatching());
        hot(point, plain);
        mark("apply 2: the guards exist and are only switched on");
        f.apply(TIMEOUT);
        mark("applied again, Object.equals's guard asking the views: " + ForeignGuardFixture.equalsGuardDispatching());
        hot(point, plain);
        mark("end");
    }

    private static void hot(Object a, Object b) {
        for (int i = 0; i < 2_000_000; i++) {
            sink ^= a.equals(b) ^ b.equals(a);
        }
    }

    private static void mark(String what) {
        System.out.println("=== MARK " + what);
    }
}
