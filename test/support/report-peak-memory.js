// Preloaded (`node --require`) into a CLI run by tests that bound memory: prints the process's peak resident set
// size on stderr when it exits, as the last line `peak-rss-bytes=N`.
'use strict';
process.on('exit', () => {
  process.stderr.write(`peak-rss-bytes=${process.resourceUsage().maxRSS * 1024}\n`);
});
