"""Quancheng (全程): complete, tamper-evident records of administrative enforcement."""

__version__ = "0.1.0"
