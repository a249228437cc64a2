#!/usr/bin/env python3
"""A synthetic multivariate long series with labelled anomaly windows, in NAB's layout.

Writes SERIES.csv (timestamp,a,b,c every 5 minutes: a sine of period 96 with noise, a phase-shifted copy of it with
its own noise, and a slow triangle wave of period 700) and SERIES.windows.json ({"SERIES.csv": [[start, end], ...]},
like NAB's labels/combined_windows.json). Anomalies, all after the first 40% of the rows: a spike, a level shift, a
noise burst, a frequency change, a flat dropout, a swapped pattern (b replaced by a's negative) and a drift.
Usage: synthetic.py OUT_PREFIX [ROWS] [SEED]
"""
import datetime, json, math, random, sys

prefix = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
t0 = datetime.datetime(2020, 1, 1)
a = [math.sin(2 * math.pi * r / 96) + 0.1 * random.gauss(0, 1) for r in range(rows)]
b = [math.sin(2 * math.pi * r / 96 + 1.0) + 0.1 * random.gauss(0, 1) for r in range(rows)]
c = [abs((r % 700) - 350) / 175 - 1 + 0.05 * random.gauss(0, 1) for r in range(rows)]
kinds = ["spike", "level", "noise", "frequency", "flat", "swap", "drift"]
windows = []
span = (rows - int(0.4 * rows)) // len(kinds)
for k, kind in enumerate(kinds):
    start = int(0.4 * rows) + k * span + random.randrange(span // 4, span // 2)
    length = 1 if kind == "spike" else random.randrange(60, 160)
    for r in range(start, start + length):
        if kind == "spike": a[r] += 4
        elif kind == "level": a[r] += 1.5
        elif kind == "noise": a[r] += random.gauss(0, 0.8); b[r] += random.gauss(0, 0.8)
        elif kind == "frequency": a[r] = math.sin(2 * math.pi * r / 30) + 0.1 * random.gauss(0, 1)
        elif kind == "flat": a[r] = b[r] = 0.0
        elif kind == "swap": b[r] = -a[r]
        elif kind == "drift": c[r] += 2.0 * (r - start) / length
    ts = lambda r: (t0 + datetime.timedelta(minutes=5 * r)).strftime("%Y-%m-%d %H:%M:%S")
    windows.append([ts(start), ts(start + length - 1)])
with open(prefix + ".csv", "w") as f:
    f.write("timestamp,a,b,c\n")
    for r in range(rows):
        f.write(f"{(t0 + datetime.timedelta(minutes=5 * r)):%Y-%m-%d %H:%M:%S},{a[r]:.5f},{b[r]:.5f},{c[r]:.5f}\n")
with open(prefix + ".windows.json", "w") as f:
    json.dump({prefix.split("/")[-1] + ".csv": windows}, f, indent=1)
