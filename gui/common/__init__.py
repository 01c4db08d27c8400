"""Workspaces: one tab each (1-D descent, 2-D descent, network); see ``base`` for the interface."""
