// A child process's NDJSON events (`weft watch --json`), awaited one predicate at a time;
// shared by the watch benchmarks (watch-latency.mjs, weave.mjs).

/** The child's NDJSON events, awaited one predicate at a time. */
export function childEvents(child) {
  const queue = [];
  let buffer = '';
  let wake = () => {};
  child.stdout.on('data', (chunk) => {
    buffer += chunk.toString();
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) queue.push(JSON.parse(line));
    }
    wake();
  });
  return {
    async next(accept, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = queue.findIndex(accept);
        if (index >= 0) return queue.splice(0, index + 1).at(-1);
        if (Date.now() > deadline) throw new Error('weft watch did not report in time');
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}
