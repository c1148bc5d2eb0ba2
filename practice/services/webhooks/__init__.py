"""Webhooks: the firm's events sent, signed, to addresses an owner or admin chose (`subscriptions`), each event
once per subscription, retried with backoff outside any transaction (`delivery`)."""
