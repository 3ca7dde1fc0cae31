-- Volume entries name the retail customer who bought the line (issue 14:
-- a plan may leave customers' orders out of personal volume). NULL is the
-- member's own purchase, which is what every row written before this
-- migration reads as.
ALTER TABLE entries ADD COLUMN volume_customer text;
