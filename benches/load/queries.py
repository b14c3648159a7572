"""Prints the texts of a labelled query file, URL-encoded, one per line (input for search.lua)."""
import json
import sys
import urllib.parse

for line in open(sys.argv[1]):
    print(urllib.parse.quote_plus(json.loads(line)["text"]))
