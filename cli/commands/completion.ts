// `ulm completion bash|zsh`: prints a shell completion script generated from the commands.
import { Argument, type Command } from 'commander';
import { bashCompletion, zshCompletion } from '../completion.js';
import { defineCommand, print } from '../command.js';

export function registerCompletion(program: Command): void {
  defineCommand(program, {
    name: 'completion',
    summary: 'print a shell completion script (bash or zsh)',
    auth: false,
    examples: [
      ['source <(ulm completion bash)', 'bash, this shell'],
      ['ulm completion bash > ~/.local/share/bash-completion/completions/ulm', 'bash, for good'],
      ['source <(ulm completion zsh)', 'zsh, this shell'],
      ['ulm completion zsh > "${fpath[1]}/_ulm"', 'zsh, for good'],
    ],
  }).addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      // The whole tree, from the root: completion covers every command, not just this one.
      let root = program;
      while (root.parent) root = root.parent;
      print(shell === 'bash' ? bashCompletion(root) : zshCompletion(root));
    });
}
