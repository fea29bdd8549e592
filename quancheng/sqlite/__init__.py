"""Django's SQLite backend with writers of one process queued in order (see ``base``)."""
