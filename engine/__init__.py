"""The process engine: BPMN processes run by SpiffWorkflow, their state, inbox, timers, actions.

Importing it changes nothing in SpiffWorkflow: the speed-ups are installed by whoever runs the
engine (`engine.speed.install`: create_app(), the Celery app, the tests and the benchmarks).
"""
