package org.modseqproxy.proxy.testing;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/** GreenMail IMAP (no CONDSTORE) on a free loopback port: the fast legacy backend of the test suite. */
public final class GreenMailBackend implements AutoCloseable {
  private final GreenMail greenMail;

  public GreenMailBackend() {
    this(false);
  }

  private GreenMailBackend(boolean noDelay) {
    ServerSetup setup = new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort();
    greenMail = noDelay ? new NoDelayGreenMail(setup) : new GreenMail(setup);
    greenMail.start();
  }

  /**
   * GreenMail with TCP_NODELAY on its IMAP sockets (see {@link NoDelayGreenMail}): multi-line answers without the
   * 40 ms Nagle/delayed-ACK stall. For tests that make thousands of round trips, and for benchmarks.
   */
  public static GreenMailBackend withNoDelay() {
    return new GreenMailBackend(true);
  }

  public GreenMailUser user(String name, String password) {
    return greenMail.setUser(name + "@localhost", name, password);
  }

  /** Delivers a small text message into the user's INBOX, as an MTA would (bypassing the proxy). */
  public void deliver(GreenMailUser user, String subject, String body) {
    try {
      jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()));
      m.setFrom("sender@example.org");
      m.setRecipients(jakarta.mail.Message.RecipientType.TO, user.getEmail());
      m.setSubject(subject);
      m.setText(body);
      m.saveChanges();
      user.deliver(m);
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return greenMail instanceof NoDelayGreenMail nd ? nd.imapPort() : greenMail.getImap().getPort();
  }

  public GreenMail greenMail() {
    return greenMail;
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
