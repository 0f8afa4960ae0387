"""Durable state of the process engine: versions, instances, the inbox index, history."""
