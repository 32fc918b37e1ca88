// Preloaded (`node -r`) into each process the start-up bench times: prints the process's CPU time (user + system,
// bootstrap included) on stderr at exit. Unlike wall time, CPU time hardly grows when other work shares the machine.
'use strict';
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nCPU_MS=${(user + system) / 1000}\n`);
});
