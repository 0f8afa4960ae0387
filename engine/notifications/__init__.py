"""Events people are told about: the catalog, texts, the outbox and delivery."""
