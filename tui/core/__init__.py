"""Pure building blocks shared by every layer (stdlib only, so widgets may import them too)."""
