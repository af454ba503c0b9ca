"""carbontracker: track and predict the energy use and carbon footprint of training models.

The original carbontracker's Python API (``carbontracker.tracker.CarbonTracker``,
``carbontracker.parser``), measured by the TypeScript engine of the npm package ``carbontracker``.
Standard library only; Python >= 3.8.
"""

__version__ = "0.1.0"
