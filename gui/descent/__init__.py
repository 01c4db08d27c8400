"""The gradient-descent half of the app: the 1-D and 2-D workspaces, their controller, panels and plots."""
