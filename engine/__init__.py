"""Stepwise's engine: objectives, networks, optimizers and stepping sessions (numpy/sympy only, no Qt)."""
