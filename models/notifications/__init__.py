"""In-app notifications and the outbox of emails and SMS."""
