// The tests' redis-server helper lives with the scripts (the Redis benchmark uses it too).
export * from '../../scripts/lib/redis-server.mjs';
