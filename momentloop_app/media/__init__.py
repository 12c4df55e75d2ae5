"""FFmpeg work on local files: image checks, thumbnails, slideshow exports (always time-limited)."""
