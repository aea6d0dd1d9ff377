"""Air quality across both cities: reference standards, the daily fact and the monthly mart."""
