"""Rule families of the compliance engine; each module exports ``RULES``."""
