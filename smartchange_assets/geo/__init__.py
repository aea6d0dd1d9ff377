"""Geometry for both cities, in Python (the warehouse has no PostGIS).

Shapes are kept in Postgres as text (WKT in the published CRS in staging, GeoJSON in EPSG:4326
in the core) with their CRS stated; everything geometric happens here, with shapely, pyproj
and pyogrio, one payload at a time:

* :mod:`.vector`  – a published vector payload (a zipped shapefile, GeoJSON) read into
  features: attribute columns by name, shapely geometries, the CRS;
* :mod:`.measure` – reprojection, areas in one equal-area CRS, text encodings;
* :mod:`.features` – the per-feature rules the boundary parsers share (readable code, valid
  polygon), each failure a quarantine row with its reason;
* :mod:`.placement` – points in polygons (STRtree);
* :mod:`.overlay` – the share of each old area in each new one (crosswalks).
"""
