from .fixtures import bluesky_network

__all__ = ["bluesky_network"]
