"""The runtime every area shares: start, step, inbox rows, timers, the action and job
registries, the engine's own events, forms, stored state. It imports no area."""

from engine.core import clock as _clock  # noqa: F401 - SpiffWorkflow's timers read our clock
