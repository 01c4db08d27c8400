"""The back-propagation half of the app: the network workspace, its controller, view, panels and plots."""
