"""Analysts' tools: the modeler's drafts, try-runs, moving running instances to a new version."""
