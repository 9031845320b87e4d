"""Export-format adapters: declarations in :mod:`.base`, discovery in :mod:`.registry`."""
