"""The process engine: BPMN processes run by SpiffWorkflow, their state, inbox, timers, actions."""

from engine.speed import spiff as spiff_speed

spiff_speed.install()
