"""Area catalog: construction objects and premises (use cases, actions)."""
