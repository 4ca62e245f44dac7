package org.modseqproxy.load.simulations;

import io.gatling.javaapi.core.Simulation;
import org.modseqproxy.load.imap.ImapTraffic;

/**
 * What every bundled simulation does at the end: print the run's IMAP wire bytes (one line, read by
 * {@code ab-run.sh} for its bytes columns). A subclass that prints figures of its own calls {@code super.after()}.
 */
abstract class ImapSimulation extends Simulation {

    @Override
    public void after() {
        System.out.println(ImapTraffic.summary());
    }
}
