"""Construction objects: project, building, section, floor, premise."""
