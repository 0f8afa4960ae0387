"""The runtime every area shares: start, step, inbox rows, timers, the action registry,
forms, stored state."""

from engine.core import clock as _clock  # noqa: F401 - SpiffWorkflow's timers read our clock
