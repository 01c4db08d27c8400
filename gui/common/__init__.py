"""What the window and both workspaces share: the look (``style``) and the workspace interface (``workspace``)."""
