"""Tab specs: one object per tab (tui.tabs.spec), the built-ins, and their registry."""
