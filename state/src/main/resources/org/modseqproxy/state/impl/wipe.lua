-- Drops the mailbox's state (delete, rename).
wipe()
return 1
