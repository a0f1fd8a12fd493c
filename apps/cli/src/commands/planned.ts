/** Commands of the `vrft` CLI that later issues build, with the issue that brings each. */
export const plannedCommands: Readonly<Record<string, string>> = {
  train: 'issues #3 and #6 (model, learner)',
  eval: 'evaluation (roadmap step 9)',
  serve: 'issue #7 (serving)',
  query: 'issue #7 (serving)',
  demo: 'the end-to-end demo (roadmap step 7)',
};
