"""Air-quality standards as reference data: ISPU (Indonesia), EEA European AQI, WHO 2021.

Each table lives here once; the warehouse gets it as a reference table (``core.ref_*``) built
from these same constants, so the SQL conversions and the Python ones cannot drift apart.
"""
