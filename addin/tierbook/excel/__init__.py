"""Excel front ends: xlwings custom functions and scripts (Lite and desktop)."""
