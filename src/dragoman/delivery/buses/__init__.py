"""Event buses: how a commit that wrote events wakes the deliverer and the WebSocket hub."""
