/** Commands of the `vrft` CLI that later issues build, with the issue that brings each. */
export const plannedCommands: Readonly<Record<string, string>> = {
  eval: 'evaluation (roadmap step 9)',
  demo: 'the end-to-end demo (roadmap step 7)',
};
