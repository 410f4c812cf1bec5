#!/bin/bash
# LocalStack "ready" hook for docker-compose.yml: the same bucket, queue, dead-letter queue and
# bucket -> queue notification as `npm run stack:up` (scripts/stack/resources.ts), with the same names.
# Runs inside the LocalStack container, where `awslocal` is on PATH. Idempotent (LocalStack reruns
# ready hooks on every start). Testable against any LocalStack: AWS_CLI="aws --endpoint-url URL" ./localstack-init.sh
set -euo pipefail

read -r -a aws <<<"${AWS_CLI:-awslocal}"
bucket="${BUCKET:-cloudtrail-indexer-demo}"
queue="${QUEUE_NAME:-cloudtrail-indexer-notifications}"
dlq="${DLQ_NAME:-cloudtrail-indexer-dlq}"
max_receive_count="${MAX_RECEIVE_COUNT:-5}"
# The worker heartbeats the visibility timeout while a file is in flight, so 300 s is only the lease unit.
visibility_timeout="${VISIBILITY_TIMEOUT_SECONDS:-300}"
retention_seconds=1209600 # 14 days, the SQS maximum: a forgotten pause must not lose notifications
marker="${INIT_MARKER:-/tmp/cloudtrail-indexer-init-done}"

rm -f "$marker"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"${aws[@]}" s3api head-bucket --bucket "$bucket" 2>/dev/null || "${aws[@]}" s3api create-bucket --bucket "$bucket" >/dev/null

queue_arn_of() {
  "${aws[@]}" sqs get-queue-attributes --queue-url "$1" --attribute-names QueueArn --query Attributes.QueueArn --output text
}
dlq_url="$("${aws[@]}" sqs create-queue --queue-name "$dlq" --attributes "MessageRetentionPeriod=$retention_seconds" --query QueueUrl --output text)"
dlq_arn="$(queue_arn_of "$dlq_url")"
queue_url="$("${aws[@]}" sqs create-queue --queue-name "$queue" --query QueueUrl --output text)"
queue_arn="$(queue_arn_of "$queue_url")"

# Attribute values that are JSON documents are themselves JSON strings, hence the escaped quotes.
cat >"$tmp/queue-attributes.json" <<JSON
{
  "MessageRetentionPeriod": "$retention_seconds",
  "VisibilityTimeout": "$visibility_timeout",
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$dlq_arn\",\"maxReceiveCount\":$max_receive_count}",
  "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"$queue_arn\",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::$bucket\"}}}]}"
}
JSON
"${aws[@]}" sqs set-queue-attributes --queue-url "$queue_url" --attributes "file://$tmp/queue-attributes.json"

cat >"$tmp/notification.json" <<JSON
{
  "QueueConfigurations": [
    {
      "Id": "cloudtrail-indexer",
      "QueueArn": "$queue_arn",
      "Events": ["s3:ObjectCreated:*"],
      "Filter": { "Key": { "FilterRules": [{ "Name": "prefix", "Value": "AWSLogs/" }] } }
    }
  ]
}
JSON
"${aws[@]}" s3api put-bucket-notification-configuration --bucket "$bucket" --notification-configuration "file://$tmp/notification.json"

echo "cloudtrail-indexer demo resources ready: bucket=$bucket QUEUE_URL=$queue_url DLQ_URL=$dlq_url"
touch "$marker"
