"""The main window and what only it uses: its actions, scenario files and the shared step-controls bar."""
