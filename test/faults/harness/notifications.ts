/** An S3 `ObjectCreated:Put` notification for one key, as S3 sends it to the queue. */
export function s3Notification(bucket: string, key: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: {
          bucket: { name: bucket },
          object: { key: encodeURIComponent(key).replaceAll('%2F', '/'), size: 1 },
        },
      },
    ],
  });
}
