"""What the relay and the workers share through Redis: the event envelope, the RQ queues and
job names, and the status the workers leave for /health."""
