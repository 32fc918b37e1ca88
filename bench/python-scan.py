#!/usr/bin/env python3
"""A peer of the scan benchmark: Python with orjson, one thread. Reads every .json.gz object under DIR, gunzips and
parses it, and counts the records matching the packaged rule's predicate (rds StartExportTask with neither an error
code nor an error message). Prints the count and the peak RSS (KiB) as JSON on stdout."""
import gzip
import os
import resource
import sys

import orjson


def files(top):
    for directory, subdirectories, names in os.walk(top):
        subdirectories.sort()
        for name in sorted(names):
            if name.endswith('.json.gz'):
                yield os.path.join(directory, name)


matches = 0
for path in files(sys.argv[1]):
    with open(path, 'rb') as handle:
        for record in orjson.loads(gzip.decompress(handle.read()))['Records']:
            if (record.get('eventSource') == 'rds.amazonaws.com' and record.get('eventName') == 'StartExportTask'
                    and record.get('errorCode') is None and record.get('errorMessage') is None):
                matches += 1
sys.stdout.write(orjson.dumps({'matches': matches, 'maxRssKiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}).decode() + '\n')
