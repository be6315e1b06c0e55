"""Tierbook: Customer Success segmentation, tiering, service pricing and capacity.

The engine (:mod:`tierbook.engine`) is pure pandas; the CLI, the workbook file
adapter and the Excel front ends are thin layers around it.
"""

__version__ = "0.1.0"
