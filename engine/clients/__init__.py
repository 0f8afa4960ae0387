"""Area clients: the client card, merging cards, search, self-updating cards."""
