package org.modseqproxy.proxy.launcher;

import com.icegreen.greenmail.imap.ImapHandler;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.imap.ImapResponse;
import com.icegreen.greenmail.imap.ImapSession;
import com.icegreen.greenmail.imap.ImapSessionFolder;
import com.icegreen.greenmail.imap.ImapSessionState;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.MessageFlags;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.UserManager;
import jakarta.mail.Flags;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One GreenMail IMAP session whose selected mailbox records what other sessions did as one ordered log, taken whole
 * under one lock, so the untagged answers a command ends with are computed from one consistent moment (see
 * {@link SteadyGreenMail} for what GreenMail's own session does instead).
 */
final class SteadySession implements ImapSession {
    private final ImapHostManager host;
    private final UserManager users;
    private final ImapHandler handler;
    private final String clientIp;
    private volatile ImapSessionState state = ImapSessionState.NON_AUTHENTICATED;
    private volatile GreenMailUser user;
    private volatile SteadyFolder selected;

    SteadySession(ImapHostManager host, UserManager users, ImapHandler handler, String clientIp) {
        this.host = host;
        this.users = users;
        this.handler = handler;
        this.clientIp = clientIp;
    }

    @Override
    public void unsolicitedResponses(ImapResponse response) {
        unsolicitedResponses(response, false);
    }

    /**
     * RFC 9051 7.4.1 / 7.5.1: EXPUNGE may not be sent during FETCH, STORE and SEARCH ({@code omitExpunged}); the
     * expunges then stay pending, and EXISTS keeps counting them so it never goes down before they are reported.
     */
    @Override
    public void unsolicitedResponses(ImapResponse response, boolean omitExpunged) {
        SteadyFolder folder = selected;
        if (folder == null) {
            return;
        }
        Pending p = folder.take(!omitExpunged);
        if (p.sizeChanged) {
            response.existsResponse(folder.getMessageCount() + p.stillPending);
            response.recentResponse(folder.getRecentCount(true));
        }
        p.flags.forEach((msn, update) -> response.fetchResponse(msn, update));
        p.expunged.forEach(response::expungeResponse);
    }

    @Override
    public void closeConnection() {
        handler.close();
    }

    @Override
    public void closeConnection(String byeMessage) {
        handler.forceConnectionClose(byeMessage);
    }

    @Override
    public ImapHostManager getHost() {
        return host;
    }

    @Override
    public UserManager getUserManager() {
        return users;
    }

    @Override
    public String getClientIP() {
        return clientIp;
    }

    @Override
    public ImapSessionState getState() {
        return state;
    }

    @Override
    public void setAuthenticated(GreenMailUser user) {
        this.user = user;
        state = ImapSessionState.AUTHENTICATED;
    }

    @Override
    public GreenMailUser getUser() {
        return user;
    }

    @Override
    public synchronized void setSelected(MailFolder folder, boolean readOnly) {
        leave();
        selected = new SteadyFolder(folder, this, readOnly);
        state = ImapSessionState.SELECTED;
    }

    /** Also called when the connection ends, however it ends: the mailbox stops notifying this session. */
    @Override
    public synchronized void deselect() {
        leave();
        if (state == ImapSessionState.SELECTED) {
            state = ImapSessionState.AUTHENTICATED;
        }
    }

    private void leave() {
        SteadyFolder old = selected;
        selected = null;
        if (old != null) {
            old.deselect();
        }
    }

    @Override
    public ImapSessionFolder getSelected() {
        return selected;
    }

    /** What one drain reports: FETCH data by message number, EXPUNGE numbers in order, and the EXISTS inputs. */
    record Pending(boolean sizeChanged, TreeMap<Integer, String> flags, List<Integer> expunged, int stillPending) {}

    /**
     * The selected mailbox as this session sees it. GreenMail's writers call the listener methods from their own
     * threads while holding the mailbox's listener list; they only append to the log here, so the log's lock is
     * always the innermost one and never waits on the mailbox.
     */
    static final class SteadyFolder extends ImapSessionFolder {
        private final Object gate = new Object();
        /** Unreported changes in the order the mailbox made them; null only while the super constructor runs. */
        private List<Object> log = new ArrayList<>();

        private record Expunged(int msn) {}

        private record FlagsSet(int msn, Flags flags, Long uid) {}

        private static final Object ADDED = new Object();

        SteadyFolder(MailFolder folder, ImapSession session, boolean readOnly) {
            super(folder, session, readOnly);
        }

        /** Listeners GreenMail's IDLE added (one while this session idles). */
        private int idleListeners;

        private void record(Object event) {
            Object g = gate; // another thread may call in while the super constructor registers this folder
            if (g == null) {
                return;
            }
            synchronized (g) {
                // During IDLE GreenMail's own listener pushes each change at once (RFC 2177); kept in the log as
                // well, GreenMail would say it again when IDLE ends, and a second EXPUNGE of the same number removes
                // another message in the client's view (the proxy re-arms IDLE to learn new UIDs: it lost the next
                // new message every time).
                if (log != null && idleListeners == 0) { // a change during registration is read by the SELECT
                    log.add(event);
                }
            }
        }

        @Override
        public void addListener(com.icegreen.greenmail.store.FolderListener listener) {
            synchronized (gate) {
                idleListeners++;
            }
            super.addListener(listener);
        }

        @Override
        public void removeListener(com.icegreen.greenmail.store.FolderListener listener) {
            super.removeListener(listener);
            synchronized (gate) {
                idleListeners--;
            }
        }

        @Override
        public void expunged(int msn) {
            record(new Expunged(msn));
        }

        @Override
        public void added(int msn) {
            record(ADDED);
        }

        @Override
        public void flagsUpdated(int msn, Flags flags, Long uid) {
            record(new FlagsSet(msn, (Flags) flags.clone(), uid));
        }

        @Override
        public boolean isSizeChanged() {
            synchronized (gate) {
                return log.contains(ADDED);
            }
        }

        /**
         * Takes the log: every addition and flag change, and the expunges too when they may be sent. A flag change's
         * number is the mailbox's at that moment; the client still counts the messages expunged before it that it
         * has not been told of, so the number moves up past each of them (newest first).
         */
        Pending take(boolean withExpunges) {
            synchronized (gate) {
                boolean sizeChanged = false;
                TreeMap<Integer, String> flags = new TreeMap<>();
                List<Integer> expunges = new ArrayList<>();
                List<Object> kept = new ArrayList<>();
                for (Object event : log) {
                    if (event == ADDED) {
                        sizeChanged = true;
                    } else if (event instanceof Expunged e) {
                        expunges.add(e.msn());
                        if (!withExpunges) {
                            kept.add(e);
                        }
                    } else if (event instanceof FlagsSet f) {
                        int msn = f.msn();
                        for (int i = expunges.size() - 1; i >= 0; i--) {
                            if (expunges.get(i) <= msn) {
                                msn++;
                            }
                        }
                        flags.put(msn, fetchData(f));
                    }
                }
                log = kept;
                return new Pending(sizeChanged, flags, withExpunges ? expunges : List.of(), kept.size());
            }
        }

        private static String fetchData(FlagsSet f) {
            String data = "FLAGS " + MessageFlags.format(f.flags());
            return f.uid() == null ? data : data + " UID " + f.uid();
        }

        @Override
        public int[] getExpunged() {
            synchronized (gate) {
                List<Integer> all = new ArrayList<>();
                List<Object> kept = new ArrayList<>();
                for (Object event : log) {
                    if (event instanceof Expunged e) {
                        all.add(e.msn());
                    } else {
                        kept.add(event);
                    }
                }
                log = kept;
                return all.stream().mapToInt(Integer::intValue).toArray();
            }
        }
    }
}
