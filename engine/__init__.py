"""The process engine: BPMN processes run by SpiffWorkflow, their state, inbox, timers, actions."""

from engine import spiff_speed

spiff_speed.install()
