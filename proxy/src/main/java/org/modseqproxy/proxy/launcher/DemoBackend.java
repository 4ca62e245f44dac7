package org.modseqproxy.proxy.launcher;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.util.Date;
import java.util.Properties;
import java.util.Random;

/**
 * The demo's legacy backend: GreenMail (no CONDSTORE, no QRESYNC) on loopback, seeded with a realistic mailbox so a
 * client has something to resync: a few hundred messages over INBOX and two folders, some seen/flagged/answered, a
 * few with attachments. Seeded from a fixed random seed, so every demo looks the same.
 */
public final class DemoBackend implements AutoCloseable {
    private final GreenMail greenMail;
    private final int port;

    private DemoBackend(GreenMail greenMail, int port) {
        this.greenMail = greenMail;
        this.port = port;
    }

    /** Starts GreenMail IMAP on 127.0.0.1 (port 0 = any free port) with one user. */
    public static DemoBackend start(int port, String user, String password, int inboxMessages) throws Exception {
        ServerSetup setup = new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_IMAP);
        SteadyGreenMail gm = new SteadyGreenMail(port == 0 ? setup.dynamicPort() : setup);
        gm.start();
        GreenMailUser u = gm.setUser(user + "@localhost", user, password);
        DemoBackend backend = new DemoBackend(gm, gm.imapPort());
        backend.seed(u, inboxMessages);
        return backend;
    }

    public int port() {
        return port;
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    private void seed(GreenMailUser user, int inboxMessages) throws Exception {
        ImapHostManager host = greenMail.getManagers().getImapHostManager();
        Random random = new Random(7162);
        fill(host.getInbox(user), inboxMessages, "INBOX", random);
        fill(host.createMailbox(user, "Archive"), inboxMessages / 3, "Archive", random);
        fill(host.createMailbox(user, "Projects"), inboxMessages / 6, "Projects", random);
    }

    private static final String[] PEOPLE = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
    private static final String[] TOPICS = {
        "Quarterly report",
        "Lunch on Friday?",
        "Build is red",
        "Invoice",
        "Re: travel plans",
        "Release notes",
        "Meeting minutes",
        "Holiday photos",
        "Password reset",
        "Conference talk"
    };

    private static void fill(MailFolder folder, int count, String name, Random random) throws Exception {
        Session session = Session.getInstance(new Properties());
        long now = System.currentTimeMillis();
        for (int i = 1; i <= count; i++) {
            MimeMessage m = new MimeMessage(session);
            String from = PEOPLE[random.nextInt(PEOPLE.length)];
            m.setFrom(new InternetAddress(from + "@example.org", capitalize(from)));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress("demo@localhost"));
            m.setSubject(TOPICS[random.nextInt(TOPICS.length)] + " #" + i + " (" + name + ")");
            Date sent = new Date(now - (long) (count - i) * 3_600_000L);
            m.setSentDate(sent);
            String text = "Hello,\r\n\r\nthis is message " + i + " in " + name + ".\r\n\r\n-- \r\n" + from + "\r\n";
            if (i % 25 == 0) {
                MimeMultipart mp = new MimeMultipart();
                MimeBodyPart body = new MimeBodyPart();
                body.setText(text, "UTF-8");
                MimeBodyPart attachment = new MimeBodyPart();
                byte[] data = new byte[20_000 + random.nextInt(40_000)];
                random.nextBytes(data);
                attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/octet-stream")));
                attachment.setFileName("attachment-" + i + ".bin");
                mp.addBodyPart(body);
                mp.addBodyPart(attachment);
                m.setContent(mp);
            } else {
                m.setText(text, "UTF-8");
            }
            m.saveChanges();
            Flags flags = new Flags();
            if (i < count - 10 && random.nextInt(10) < 7) {
                flags.add(Flags.Flag.SEEN);
            }
            if (random.nextInt(12) == 0) {
                flags.add(Flags.Flag.FLAGGED);
            }
            if (random.nextInt(8) == 0) {
                flags.add(Flags.Flag.ANSWERED);
            }
            folder.appendMessage(m, flags, sent);
        }
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
