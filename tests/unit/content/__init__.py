"""Unit tests of the content layer."""
