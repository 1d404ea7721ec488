"""surfaces/native."""
