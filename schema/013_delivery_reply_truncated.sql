-- Issue 15: the MTA shortened the receiver's reply in its log (sendmail writes long replies
-- as "first part...last part"); the classification was made from what was left. 1 = shortened.
ALTER TABLE delivery ADD COLUMN reply_truncated INTEGER NOT NULL DEFAULT 0;
