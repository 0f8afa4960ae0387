"""Clients: the card, its contacts and identifiers, consents, changes."""
