package org.modseqproxy.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips the annotated test class or method, with the reason in the report, when one of the backends
 * is not installed here ("Courier not installed ...: run interop/scripts/install-backends.sh").
 * With {@code -Dmodseq.interop.required=true} (or env MODSEQ_INTEROP_REQUIRED=true, for CI) a missing
 * backend fails the tests instead of skipping them.
 */
@Inherited
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(BackendAvailableCondition.class)
public @interface RequiresBackend {
    Backend[] value();
}
