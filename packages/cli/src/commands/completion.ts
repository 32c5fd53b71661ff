import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** `nanofaas completion bash|zsh`: a script that completes commands and their options. */
export function registerCompletion(program: Command, io: CliIo): void {
  program
    .command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('print a shell completion script')
    .addHelpText('after', '\nExample:\n  $ source <(nanofaas completion bash)')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh')
        throw new CliError('completion supports bash and zsh', ExitCode.usage);
      const commands = program.commands;
      const cases = commands
        .map((command) => {
          const words = [
            ...command.options.map((option) => option.long ?? option.short ?? ''),
            ...command.commands.map((sub) => sub.name()),
          ].filter((word) => word !== '');
          return `    ${command.name()}) words="${words.join(' ')}" ;;`;
        })
        .join('\n');
      const globals = program.options
        .map((option) => option.long)
        .filter(Boolean)
        .join(' ');
      const script = `# nanofaas ${shell} completion: source <(nanofaas completion ${shell})
${shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : ''}_nanofaas() {
  local current="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${commands.map((command) => command.name()).join(' ')} ${globals}"
  else
    case "\${COMP_WORDS[1]}" in
${cases}
    *) words="" ;;
    esac
    words="$words ${globals}"
  fi
  COMPREPLY=($(compgen -W "$words" -- "$current"))
}
complete -o default -F _nanofaas nanofaas
`;
      io.stdout.write(script);
    });
}
