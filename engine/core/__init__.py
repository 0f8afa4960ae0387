"""The runtime every area shares: start, step, inbox rows, timers, the action registry,
forms, stored state."""
