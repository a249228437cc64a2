#!/usr/bin/env python3
"""Scores of `rae score --series` against labelled anomaly windows (NAB's labels/combined_windows.json layout).

Usage: nab_eval.py scores.csv windows.json KEY
Prints how many labelled windows have at least one flagged row, the share of rows outside every window that are
flagged, the share inside that are, and the ROC-AUC of the point score for "inside a window".
"""
import csv, json, sys

scores_path, windows_path, key = sys.argv[1:4]
wins = [(a[:19], b[:19]) for a, b in json.load(open(windows_path))[key]]
rows = list(csv.DictReader(open(scores_path)))
inside = [any(a <= r["timestamp"] <= b for a, b in wins) for r in rows]
flag = [r["anomaly"] == "1" for r in rows]
hit = sum(1 for a, b in wins if any(f and a <= r["timestamp"] <= b for r, f in zip(rows, flag)))
n_out = sum(1 for i in inside if not i)
out = sum(1 for i, f in zip(inside, flag) if f and not i)
n_in = len(rows) - n_out
fin = sum(1 for i, f in zip(inside, flag) if f and i)
s = [float(r["score"]) for r in rows]
order = sorted(range(len(s)), key=lambda i: s[i])
ranks = [0.0] * len(s)
i = 0
while i < len(order):
    j = i
    while j + 1 < len(order) and s[order[j + 1]] == s[order[i]]:
        j += 1
    for k in range(i, j + 1):
        ranks[order[k]] = (i + j) / 2 + 1
    i = j + 1
auc = (sum(r for r, x in zip(ranks, inside) if x) - n_in * (n_in + 1) / 2) / (n_in * n_out) if n_in and n_out else float("nan")
print(f"{key.split('/')[-1]}: windows hit {hit}/{len(wins)}; flagged outside {out}/{n_out} = {100 * out / n_out:.2f}%; "
      f"flagged inside {fin}/{n_in} = {100 * fin / max(1, n_in):.1f}%; point ROC-AUC {auc:.3f}")
