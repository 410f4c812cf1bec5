#!/bin/bash
# Uploads the committed sample CloudTrail files (demo/logs/) where CloudTrail itself would put them:
#   s3://$BUCKET/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<CloudTrail file name>
# Every upload is announced on the notification queue (prefix filter AWSLogs/), so the worker indexes it.
# Needs the AWS CLI; the endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL ...).
set -euo pipefail

bucket="${BUCKET:-cloudtrail-indexer-demo}"
logs_dir="${DEMO_LOGS_DIR:-$(dirname "$0")/logs}"
# <12-digit account>_CloudTrail_<region>_<YYYYMMDD>T<hhmm>Z_<unique>.json[.gz]
name_pattern='^([0-9]{12})_CloudTrail_([a-z0-9-]+)_([0-9]{4})([0-9]{2})([0-9]{2})T[0-9]{4}Z_[A-Za-z0-9]+\.json(\.gz)?$'

uploaded=0
for file in "$logs_dir"/*; do
  name="$(basename "$file")"
  if [[ ! "$name" =~ $name_pattern ]]; then
    [[ "$name" == README.md ]] || echo "load-demo: skipped $name (not a CloudTrail log file name)" >&2
    continue
  fi
  key="AWSLogs/${BASH_REMATCH[1]}/CloudTrail/${BASH_REMATCH[2]}/${BASH_REMATCH[3]}/${BASH_REMATCH[4]}/${BASH_REMATCH[5]}/$name"
  aws s3 cp --only-show-errors "$file" "s3://$bucket/$key"
  echo "load-demo: s3://$bucket/$key"
  uploaded=$((uploaded + 1))
done
echo "load-demo: uploaded $uploaded CloudTrail files to s3://$bucket"
[[ $uploaded -gt 0 ]]
