"""The staff workspace's pages."""
