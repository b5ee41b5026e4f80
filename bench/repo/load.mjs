// A small HTTP load generator: keep-alive connections, bounded concurrency, fixed duration. Reports requests per
// second, latency percentiles, bytes and errors. Loopback only (the bench gives it the server's 127.0.0.1 URL).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export async function load({ url, headers = {}, concurrency = 16, durationMs = 5000, expectStatus = 200 }) {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error('load generator: loopback only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let bytes = 0;
  let errors = 0;
  let statusMismatch = 0;
  const deadline = performance.now() + durationMs;
  const once = () =>
    new Promise((resolve) => {
      const start = performance.now();
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, headers, agent },
        (res) => {
          if (res.statusCode !== expectStatus) statusMismatch++;
          res.on('data', (chunk) => (bytes += chunk.length));
          res.on('end', () => {
            latencies.push(performance.now() - start);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (performance.now() < deadline) await once();
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    mbPerSecond: bytes / elapsed / 1024 / 1024,
    errors,
    statusMismatch,
  };
}
