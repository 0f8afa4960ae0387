"""Speed-ups of SpiffWorkflow and of the tick's batches, behind one switch."""
