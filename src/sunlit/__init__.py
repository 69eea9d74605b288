"""Sunlit (阳光助农直播): live-video sales of rural produce with integrity built in."""

__version__ = "0.1.0"
