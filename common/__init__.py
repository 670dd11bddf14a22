"""Small helpers both sides share (analytics reads, pipelines writes); imports neither."""
