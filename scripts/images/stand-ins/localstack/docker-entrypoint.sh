#!/bin/bash
# The stand-in's entrypoint: LocalStack's runtime in the foreground (the official image runs the same module
# under supervisord). It runs the /etc/localstack/init/*.d hooks itself, and logs "Ready." once it serves.
set -euo pipefail
exec python -m localstack.runtime.main "$@"
