"""Standard-library building blocks that every layer may use (the bottom of the layers)."""
