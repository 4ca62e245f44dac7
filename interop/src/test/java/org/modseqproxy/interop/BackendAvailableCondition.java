package org.modseqproxy.interop;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** The JUnit side of {@link RequiresBackend}: a visible skip, never a silent pass. */
final class BackendAvailableCondition implements ExecutionCondition {

    static final String REQUIRED_PROPERTY = "modseq.interop.required";
    static final String REQUIRED_ENV = "MODSEQ_INTEROP_REQUIRED";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<RequiresBackend> annotation = context.getElement()
                .flatMap(element -> AnnotationSupport.findAnnotation(element, RequiresBackend.class));
        if (annotation.isEmpty()) {
            return ConditionEvaluationResult.enabled("no backend required");
        }
        for (Backend backend : annotation.get().value()) {
            Optional<String> missing = backend.missing();
            if (missing.isPresent()) {
                if (required()) {
                    // Let the test run: the fixture's start() then fails with the same reason.
                    return ConditionEvaluationResult.enabled("required although missing: " + missing.get());
                }
                return ConditionEvaluationResult.disabled(missing.get());
            }
        }
        return ConditionEvaluationResult.enabled("backends installed");
    }

    private static boolean required() {
        return Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, System.getenv(REQUIRED_ENV)));
    }
}
