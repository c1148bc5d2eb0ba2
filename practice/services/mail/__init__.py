"""Email: the SMTP settings, the firm's templates, the outbox and the app's own emails."""
