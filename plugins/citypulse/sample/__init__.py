"""``citypulse sample``: realistic, messy exports for every supported format.

The generator simulates one small world (registered city accounts, unregistered creators, posts
whose cumulative metrics grow between exports, follower series) and then writes it out through one
writer module per platform, each reproducing the exact shape and the known traps of the real export
(see ../shared/reference/export-formats.md). Everything is deterministic for a seed.

Entry point: :func:`citypulse.sample.generator.generate`.
"""
