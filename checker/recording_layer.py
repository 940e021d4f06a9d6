"""A channel layer wrapper that records group calls and can make one group_send slow.

The checker wraps the project's own layer (Redis or in-memory) with it, so it can tell
whether a consumer left its group on disconnect, and what a slow layer call does to the
other connections of a sync or an async consumer.
"""

from __future__ import annotations

import asyncio

SLOW_MARKER = "checker-slow-call"


class RecordingLayer:
    def __init__(self, layer, slow_seconds: float = 0.6):
        self._layer = layer
        self.slow_seconds = slow_seconds
        self.calls: list[tuple[str, str, object]] = []  # (method, group, channel or message)

    def __getattr__(self, name):
        return getattr(self._layer, name)

    @property
    def wrapped(self):
        return self._layer

    async def group_add(self, group, channel):
        self.calls.append(("group_add", group, channel))
        return await self._layer.group_add(group, channel)

    async def group_discard(self, group, channel):
        self.calls.append(("group_discard", group, channel))
        return await self._layer.group_discard(group, channel)

    async def group_send(self, group, message):
        self.calls.append(("group_send", group, message))
        if SLOW_MARKER in repr(message):
            # Stands for a slow call to the layer (a busy Redis, a slow network).
            await asyncio.sleep(self.slow_seconds)
        return await self._layer.group_send(group, message)

    def added(self) -> list[tuple[str, str]]:
        return [(g, c) for m, g, c in self.calls if m == "group_add"]

    def discarded(self) -> list[tuple[str, str]]:
        return [(g, c) for m, g, c in self.calls if m == "group_discard"]
