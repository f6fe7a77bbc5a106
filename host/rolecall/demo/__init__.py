"""`make demo`: Rolecall end to end on embedded defaults, in a real Chromium.

Also home to the Chromium launcher that the end-to-end tests and benchmarks share.
"""
