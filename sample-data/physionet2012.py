#!/usr/bin/env python3
"""Convert the PhysioNet/CinC Challenge 2012 in-hospital mortality data into a long CSV
for `ftlab data import` (not shipped with ftlab: download it yourself, it needs no login:
https://physionet.org/content/challenge-2012/ -- set-a.tar.gz and Outcomes-a.txt).

    python3 sample-data/physionet2012.py set-a Outcomes-a.txt > physionet.csv
    ftlab data import physionet.csv --out physionet
    ftlab train --data physionet --nan carry --standardize --loss proposed --out runs/icu

Each stay becomes one sequence of hourly steps over the first 48 hours (the mean of each
channel's measurements in that hour; an hour without one is a missing value, which
--nan carry fills with the last one). y is In-hospital_death; the group is the ICU type
(1 coronary care, 2 cardiac surgery recovery, 3 medical, 4 surgical), a partition the
binary label does not name. Hours with no measurement of any channel are left out.
"""
import csv
import os
import sys

CHANNELS = ["HR", "SysABP", "RespRate", "SaO2", "Temp", "Lactate"]
ICU = {1: "coronary", 2: "cardiac-surgery", 3: "medical", 4: "surgical"}


def stay(path):
    hours, icu = {}, None
    with open(path) as f:
        for row in csv.DictReader(f):
            h, m = row["Time"].split(":")
            hour, name, value = int(h), row["Parameter"], float(row["Value"])
            if name == "ICUType":
                icu = int(value)
            elif name in CHANNELS and value > 0 and hour < 48:
                hours.setdefault(hour, {}).setdefault(name, []).append(value)
    return hours, icu


def main(folder, outcomes):
    death = {}
    with open(outcomes) as f:
        for row in csv.DictReader(f):
            death[row["RecordID"]] = int(row["In-hospital_death"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["sequence_id", "t"] + CHANNELS + ["y", "group"])
    for name in sorted(os.listdir(folder)):
        rid = name[:-4]
        if rid not in death:
            continue
        hours, icu = stay(os.path.join(folder, name))
        for hour in sorted(hours):
            cells = [sum(v) / len(v) if v else "" for v in
                     (hours[hour].get(c, []) for c in CHANNELS)]
            out.writerow([rid, hour] + ["%.4g" % c if c != "" else "" for c in cells]
                         + [death[rid], ICU.get(icu, "unknown")])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
