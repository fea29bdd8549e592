"""Originals in an S3-compatible bucket (filled in below the core)."""
