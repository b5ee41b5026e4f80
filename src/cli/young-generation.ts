// V8's young generation on Node 20 (V8 11): each time a scavenge finds many survivors, V8 doubles it, up to 16 MiB a
// semi-space. A one-shot command builds long-lived trees (parsed templates, rendered documents, a repository index),
// so it ends up holding tens of MiB of mostly empty young space: its peak memory. Kept at its first size, the same
// run does more, cheaper scavenges that promote survivors sooner, in the same time: 800 templates peak at 79 instead
// of 108 MiB. A server under load does better with room, so `serve` and `sandbox` let it grow once started; commands
// that talk to a cluster (short-lived requests and answers) never keep it small: see main.ts. Later
// V8s raise the flag's floor to 2 and size the young generation differently: the flag is set only where measured.
import v8 from 'node:v8';

const measured = /^11\./.test(process.versions.v8);

/** For the executable, before a command runs: the young generation stays at its first size. */
export function keepYoungGenerationSmall(): void {
  if (measured) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/** For a long-running server once started: V8's default growth again. */
export function letYoungGenerationGrow(): void {
  if (measured) v8.setFlagsFromString('--semi-space-growth-factor=2');
}
