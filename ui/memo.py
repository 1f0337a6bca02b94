"""Remembering work for one visitor only.

`st.cache_data` is shared by every visitor of the server. What a child types or draws must never go
into it ("nothing a child draws or types leaves their own session"), so figures made from a child's
own words are remembered here, in that child's session, and forgotten with it.
"""

from __future__ import annotations

from typing import Callable, Hashable, TypeVar

import streamlit as st

T = TypeVar("T")


def per_visitor(name: str, key: Hashable, make: Callable[[], T], keep: int = 8) -> T:
    """`make()` for `key`, remembered in this visitor's session (the last `keep` keys of `name`)."""
    memo: dict = st.session_state.setdefault(f"memo:{name}", {})
    if key not in memo:
        while len(memo) >= keep:
            memo.pop(next(iter(memo)))          # the oldest first
        memo[key] = make()
    return memo[key]
