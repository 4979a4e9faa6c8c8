package dev.atlas.testsupport.layout;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a unit test class ({@code *Test}) from which {@link TestLayout} finds a process start
 * reachable that the test never takes (e.g. a command whose {@code call()} starts processes,
 * where the test only asks for {@code --help} or checks that bad options start nothing). The
 * reason says why. The rule also fails when a class carries this annotation and no process start
 * is reachable, so an exemption cannot outlive its cause.
 */
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface StartsNoProcess {
    /** Why the reachable process start is not taken by this test. */
    String value();
}
