"""Stepwise's Qt interface: observes engine sessions through one controller per workspace."""
