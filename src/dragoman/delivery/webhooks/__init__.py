"""Webhooks: Standard Webhooks signatures, an SSRF guard, a retrying deliverer."""
