#!/usr/bin/env python3
"""Writes the first week of nasa_http_1995_per_minute.csv as two monitoring exports.

- nasa_week_get_metric_data.json: what `aws cloudwatch get-metric-data` (AWS CLI v2) prints for
  a SageMaker variant's Invocations, Sum per minute, over the week:

      aws cloudwatch get-metric-data \
          --metric-data-queries '[{"Id": "invocations", "MetricStat": {"Metric": {
              "Namespace": "AWS/SageMaker", "MetricName": "Invocations", "Dimensions": [
              {"Name": "EndpointName", "Value": "nasa-web"},
              {"Name": "VariantName", "Value": "AllTraffic"}]},
              "Period": 60, "Stat": "Sum"}, "Label": "Invocations"}]' \
          --start-time 1995-07-01T04:00:00Z --end-time 1995-07-08T04:00:00Z

  One page (10,080 datapoints, under GetMetricData's 100,800), newest first (CloudWatch's
  default ScanBy, TimestampDescending), timestamps in ISO 8601 with the offset as the CLI prints
  them in UTC, values as doubles, and no datapoint for a minute without a request: CloudWatch
  has no Sum for a period without data (15 of the week's minutes).

- nasa_week_prometheus.json: what Prometheus' /api/v1/query_range answers, compact as the
  server writes it, for

      sum(increase(nginx_ingress_controller_requests{ingress="nasa-web"}[1m]))

  with step=60 from 1995-07-01T04:01:00Z to 1995-07-08T04:00:00Z: one series without labels,
  a sample at the end of each minute counting that minute's requests (increase looks back), 0
  for a minute without one.

Minute 0 of the NASA trace is 1995-07-01 00:00:01 -0400 (README.md): the exports put it at
04:00:00Z, midnight in New York. Run from this folder: python3 make_week_exports.py
"""

import csv
import datetime
import json

MINUTES = 7 * 24 * 60
START = datetime.datetime(1995, 7, 1, 4, 0, tzinfo=datetime.timezone.utc)


def main():
    with open("nasa_http_1995_per_minute.csv", newline="") as trace:
        rows = list(csv.DictReader(trace))
    counts = {}
    for row in rows:
        minute = int(row["minute"])
        if minute < MINUTES:
            counts[minute] = int(row["requests"])
    assert sorted(counts) == list(range(MINUTES)), "the week has a row for every minute"

    newest_first = [m for m in reversed(range(MINUTES)) if counts[m] > 0]
    at = lambda minute: START + datetime.timedelta(minutes=minute)
    cloudwatch = {
        "MetricDataResults": [
            {
                "Id": "invocations",
                "Label": "Invocations",
                "Timestamps": [at(m).isoformat() for m in newest_first],
                "Values": [float(counts[m]) for m in newest_first],
                "StatusCode": "Complete",
            }
        ],
        "Messages": [],
    }
    with open("nasa_week_get_metric_data.json", "w") as out:
        out.write(json.dumps(cloudwatch, indent=4) + "\n")

    prometheus = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {},
                    "values": [
                        [int(at(m + 1).timestamp()), str(counts[m])] for m in range(MINUTES)
                    ],
                }
            ],
        },
    }
    with open("nasa_week_prometheus.json", "w") as out:
        out.write(json.dumps(prometheus, separators=(",", ":")) + "\n")
    print(f"{MINUTES} minutes, {sum(counts.values())} requests, "
          f"{MINUTES - len(newest_first)} minutes without one")


if __name__ == "__main__":
    main()
