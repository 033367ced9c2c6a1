"""The memory post cards live in (microblog/caching.py:MemoryLRU): bounded,
and what goes when it is full is what was read longest ago."""

from microblog.caching import MemoryLRU


def test_a_full_memory_drops_what_was_read_longest_ago():
    memory = MemoryLRU(threshold=2)
    memory.set("a", "card a")
    memory.set("b", "card b")
    assert memory.get("a") == "card a"  # now b is the one read longest ago

    memory.set("c", "card c")

    assert (memory.get("a"), memory.get("b"), memory.get("c")) == ("card a", None, "card c")
    assert len(memory) == 2
    assert list(memory) == ["a", "c"]  # the one read longest ago first


def test_setting_a_key_again_replaces_it_and_add_never_does():
    memory = MemoryLRU(threshold=10)
    memory.set("a", "old")
    memory.set("a", "new")
    assert memory.add("a", "newer") is False
    assert memory.add("b", "card b") is True
    assert (memory.get("a"), memory.get("b"), len(memory)) == ("new", "card b", 2)


def test_delete_clear_and_a_size_of_zero_keep_nothing():
    memory = MemoryLRU(threshold=10)
    memory.set("a", "card a")
    assert memory.delete("a") is True and memory.delete("a") is False
    memory.set("b", "card b")
    memory.clear()
    assert not memory.has("b")

    off = MemoryLRU(threshold=0)
    off.set("a", "card a")
    assert off.get("a") is None and len(off) == 0
