"""The citizen pages: home, filing, tracking, the public list and statistics, attachments."""
