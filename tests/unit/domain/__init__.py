"""Domain rules: the 4-line note, caller numbers and dedup, attachments (hypothesis for text)."""
