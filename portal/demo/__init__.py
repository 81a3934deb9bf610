"""Demo data, the scale filler, the development runner and the stand-in marketplace."""
