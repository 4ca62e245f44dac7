package org.modseqproxy.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ProxyFixture;

/**
 * Issue 2: a stock Jakarta Mail client (Angus Mail) talks to GreenMail through the proxy and sees a normal IMAP
 * server. Each test uses its own GreenMail user so the tests do not see each other's mail.
 */
class AngusMailProxyTest {
    static GreenMailBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = new GreenMailBackend();
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    private static Properties props(String protocol, int port) {
        Properties p = new Properties();
        p.setProperty("mail.store.protocol", protocol);
        p.setProperty("mail." + protocol + ".host", proxy.host());
        p.setProperty("mail." + protocol + ".port", String.valueOf(port));
        p.setProperty("mail." + protocol + ".connectiontimeout", "5000");
        p.setProperty("mail." + protocol + ".timeout", "20000");
        return p;
    }

    /** An Angus IMAP store logged in through the proxy's plain port. */
    private static Store connect(String user, String password) throws MessagingException {
        return connect(Session.getInstance(props("imap", proxy.port())), user, password);
    }

    private static Store connect(Session session, String user, String password) throws MessagingException {
        Store store = session.getStore();
        store.connect(user, password);
        return store;
    }

    private static List<String> subjects(Message[] messages) throws MessagingException {
        String[] out = new String[messages.length];
        for (int i = 0; i < messages.length; i++) {
            out[i] = messages[i].getSubject();
        }
        return Arrays.asList(out);
    }

    @Test
    void listSelectAndFetchEnvelopesAndBodies() throws Exception {
        var user = backend.user("ann", "pw-ann");
        for (int i = 1; i <= 3; i++) {
            backend.deliver(user, "msg " + i, "body " + i);
        }
        Store store = connect("ann", "pw-ann");
        try {
            assertThat(store.getFolder("Archive").create(Folder.HOLDS_MESSAGES)).isTrue();
            List<String> names = Arrays.stream(store.getDefaultFolder().list("*"))
                    .map(Folder::getFullName)
                    .toList();
            assertThat(names).contains("INBOX", "Archive");

            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(3);
            Message[] messages = inbox.getMessages();
            FetchProfile fp = new FetchProfile();
            fp.add(FetchProfile.Item.ENVELOPE);
            fp.add(FetchProfile.Item.FLAGS);
            inbox.fetch(messages, fp);
            assertThat(subjects(messages)).containsExactly("msg 1", "msg 2", "msg 3");
            assertThat(((InternetAddress) messages[0].getFrom()[0]).getAddress())
                    .isEqualTo("sender@example.org");
            assertThat(((InternetAddress) messages[2].getRecipients(Message.RecipientType.TO)[0]).getAddress())
                    .isEqualTo("ann@localhost");
            assertThat(messages[1].isSet(Flags.Flag.SEEN)).isFalse();
            assertThat(((String) messages[1].getContent()).trim()).isEqualTo("body 2");
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void appendTenMegabyteMessageAndReadItBackByteIdentical() throws Exception {
        backend.user("bob", "pw-bob");
        Properties p = props("imap", proxy.port());
        // Fetch BODY[] in one response: Angus's default 16 KB partial fetches make GreenMail re-render the 10 MB
        // message ~640 times (about 30 s, with or without the proxy).
        p.setProperty("mail.imap.partialfetch", "false");
        Session session = Session.getInstance(p);
        byte[] raw = tenMegabyteMessage(session);
        assertThat(raw.length).isGreaterThan(10 * 1024 * 1024);
        MimeMessage toAppend = new MimeMessage(session, new ByteArrayInputStream(raw));
        assertThat(sha256(writeTo(toAppend)))
                .as("the parsed copy writes the same bytes")
                .isEqualTo(sha256(raw));

        Store store = connect(session, "bob", "pw-bob");
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {toAppend});
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            IMAPMessage back = (IMAPMessage) inbox.getMessage(1);
            assertThat(back.getSubject()).isEqualTo("ten megabytes");
            int sizeThroughProxy = back.getSize();
            // IMAPMessage.writeTo fetches BODY.PEEK[] in one piece: the exact bytes the store holds.
            byte[] fetched = writeTo(back);
            assertThat(fetched.length).isEqualTo(raw.length);
            assertThat(sha256(fetched)).isEqualTo(sha256(raw));
            // RFC822.SIZE is relayed as the backend computes it (GreenMail's figure is its own, not raw.length).
            assertThat(sizeThroughProxy)
                    .as("RFC822.SIZE through the proxy")
                    .isEqualTo(sizeSeenDirectly("bob", "pw-bob"));
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    private static int sizeSeenDirectly(String user, String password) throws MessagingException {
        Properties p = props("imap", backend.port());
        Store direct = connect(Session.getInstance(p), user, password);
        try {
            Folder inbox = direct.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            int size = inbox.getMessage(1).getSize();
            inbox.close(false);
            return size;
        } finally {
            direct.close();
        }
    }

    /** A multipart message: a short text part and a 7.5 MB binary attachment (about 10.3 MB once base64 encoded). */
    private static byte[] tenMegabyteMessage(Session session) throws Exception {
        byte[] attachment = new byte[7_700_000];
        new Random(42).nextBytes(attachment);
        MimeMessage m = new MimeMessage(session);
        m.setFrom("bob@localhost");
        m.setRecipients(Message.RecipientType.TO, "bob@localhost");
        m.setSubject("ten megabytes");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("see attachment", "UTF-8");
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(
                new jakarta.activation.DataHandler(new ByteArrayDataSource(attachment, "application/octet-stream")));
        file.setFileName("random.bin");
        MimeMultipart mp = new MimeMultipart();
        mp.addBodyPart(text);
        mp.addBodyPart(file);
        m.setContent(mp);
        m.saveChanges();
        return writeTo(m);
    }

    private static byte[] writeTo(Message m) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return out.toByteArray();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void storeFlagsCopyAndExpunge() throws Exception {
        var user = backend.user("carol", "pw-carol");
        for (int i = 1; i <= 3; i++) {
            backend.deliver(user, "msg " + i, "body " + i);
        }
        Store store = connect("carol", "pw-carol");
        try {
            Folder archive = store.getFolder("Archive");
            assertThat(archive.create(Folder.HOLDS_MESSAGES)).isTrue();
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] m = inbox.getMessages();
            m[0].setFlag(Flags.Flag.FLAGGED, true);
            m[0].setFlag(Flags.Flag.SEEN, true);
            inbox.copyMessages(new Message[] {m[1]}, archive);
            m[2].setFlag(Flags.Flag.DELETED, true);
            Message[] expunged = inbox.expunge();
            assertThat(expunged).hasSize(1);
            assertThat(expunged[0].getMessageNumber()).isEqualTo(3);
            assertThat(inbox.getMessageCount()).isEqualTo(2);
            inbox.close(false);
        } finally {
            store.close();
        }

        // A second, fresh connection (no client cache) sees what the first one did.
        Store check = connect("carol", "pw-carol");
        try {
            Folder inbox = check.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message[] m = inbox.getMessages();
            assertThat(subjects(m)).containsExactly("msg 1", "msg 2");
            assertThat(m[0].getFlags().getSystemFlags()).containsExactlyInAnyOrder(Flags.Flag.FLAGGED, Flags.Flag.SEEN);
            assertThat(m[1].getFlags().getSystemFlags()).isEmpty();
            Folder archive = check.getFolder("Archive");
            archive.open(Folder.READ_ONLY);
            assertThat(subjects(archive.getMessages())).containsExactly("msg 2");
            archive.close(false);
            inbox.close(false);
        } finally {
            check.close();
        }
    }

    @Test
    void idleReportsAMessageDeliveredByAnotherSession() throws Exception {
        var user = backend.user("dave", "pw-dave");
        backend.deliver(user, "old", "already there");
        // Angus has no "IDLE started" callback: watch its protocol trace for the server's continuation to IDLE.
        IdleWatcher watcher = new IdleWatcher();
        Session session = Session.getInstance(props("imap", proxy.port()));
        session.setDebug(true);
        session.setDebugOut(new PrintStream(watcher, true, StandardCharsets.ISO_8859_1));
        Store store = connect(session, "dave", "pw-dave");
        try {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            CountDownLatch added = new CountDownLatch(1);
            AtomicLong addedAt = new AtomicLong();
            AtomicReference<Integer> addedNumber = new AtomicReference<>();
            inbox.addMessageCountListener(new MessageCountAdapter() {
                @Override
                public void messagesAdded(MessageCountEvent e) {
                    addedNumber.set(e.getMessages()[0].getMessageNumber());
                    addedAt.set(System.nanoTime());
                    added.countDown();
                }
            });
            AtomicReference<Throwable> idleError = new AtomicReference<>();
            Thread idler = new Thread(
                    () -> {
                        try {
                            inbox.idle(true); // returns after the first notification
                        } catch (Throwable t) {
                            idleError.set(t);
                        }
                    },
                    "angus-idle");
            idler.start();
            assertThat(watcher.idling.await(10, TimeUnit.SECONDS))
                    .as("IDLE accepted through the proxy")
                    .isTrue();

            // GreenMail answers "+ idling" before it registers its folder listener; a delivery in that window is never
            // pushed (seen under load, with or without the proxy). Give it a moment, as a real MTA's timing would.
            Thread.sleep(300);
            long deliveredAt = System.nanoTime();
            backend.deliver(user, "new one", "delivered while idling");
            assertThat(added.await(5, TimeUnit.SECONDS))
                    .as("MessageCountListener fired")
                    .isTrue();
            long latencyMs = (addedAt.get() - deliveredAt) / 1_000_000;
            assertThat(latencyMs).as("ms from delivery to notification").isLessThan(2000);
            assertThat(addedNumber.get()).isEqualTo(2);

            idler.join(5000);
            assertThat(idler.isAlive()).as("idle(true) returned").isFalse();
            assertThat(idleError.get()).isNull();
            assertThat(inbox.getMessage(2).getSubject()).isEqualTo("new one");
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    /** Counts down once the trace shows an IDLE command followed by a continuation request. */
    private static final class IdleWatcher extends OutputStream {
        final CountDownLatch idling = new CountDownLatch(1);
        private final StringBuilder line = new StringBuilder();
        private boolean idleSent;

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String l = line.toString().trim();
                line.setLength(0);
                if (l.endsWith(" IDLE")) {
                    idleSent = true;
                } else if (idleSent && l.startsWith("+")) {
                    idling.countDown();
                }
            } else if (line.length() < 200) {
                line.append((char) b);
            }
        }
    }

    @Test
    void logoutEndsTheProxySession() throws Exception {
        backend.user("erin", "pw-erin");
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
        Store store = connect("erin", "pw-erin");
        assertThat(store.isConnected()).isTrue();
        assertThat(proxy.sessions()).isEqualTo(1);
        store.close(); // LOGOUT
        assertThat(store.isConnected()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> proxy.sessions() == 0);
    }

    @Test
    void implicitTlsPortWorksWithImaps() throws Exception {
        var user = backend.user("fay", "pw-fay");
        backend.deliver(user, "over tls", "secret body");
        Properties p = props("imaps", proxy.tlsPort());
        p.setProperty("mail.imaps.ssl.trust", "*");
        // The fixture's self-signed certificate names "localhost" only; we connect to 127.0.0.1.
        p.setProperty("mail.imaps.ssl.checkserveridentity", "false");
        Store store = connect(Session.getInstance(p), "fay", "pw-fay");
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(subjects(inbox.getMessages())).containsExactly("over tls");
            assertThat(((String) inbox.getMessage(1).getContent()).trim()).isEqualTo("secret body");
            inbox.close(false);
        } finally {
            store.close();
        }
    }
}
