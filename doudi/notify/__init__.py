"""Notifications to reporters: an outbox written in the caller's transaction, sent after commit."""
