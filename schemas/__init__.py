"""pandera models for every frame that crosses a boundary."""
