"""Fuzz harnesses (issue 10): see fuzz/README.md."""
