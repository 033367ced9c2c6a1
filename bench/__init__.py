"""Measurements at scale, run by hand: never part of the test suite (DESIGN.md, section 7)."""
