"""The domain: every rule of the firm's work and every permission check, as plain functions (no web code)."""
