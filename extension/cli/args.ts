import { InvalidInputError } from '../core/util/errors';

/** Parsed command line: repeated flags keep every value, in order; `--` ends the options. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export interface FlagSpec {
  /** Flags that take no value (`--json`); every other flag takes exactly one. */
  booleans?: string[];
  /** Every flag the command knows, booleans included; anything else is refused. */
  known: string[];
  /** Flags that may be given more than once (`--var a=1 --var b=2`); any other given twice is refused. */
  repeatable?: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const booleans = new Set(spec.booleans ?? []);
  const known = new Set(spec.known);
  const repeatable = new Set(spec.repeatable ?? []);
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!known.has(name))
      throw new InvalidInputError(
        `unknown option --${name}; known options: ${[...known].map((k) => '--' + k).join(' ')}`,
      );
    if (booleans.has(name)) {
      if (value !== undefined)
        throw new InvalidInputError(
          `option --${name} takes no value (got '${value}'); give --${name} to turn it on, leave it out for off`,
        );
      value = 'true';
    } else if (value === undefined) {
      if (i + 1 >= argv.length) throw new InvalidInputError(`option --${name} needs a value`);
      // "--message --bail" is a forgotten value, not a message named "--bail".
      if (argv[i + 1].startsWith('--'))
        throw new InvalidInputError(
          `option --${name} needs a value, but the next argument is the option ${argv[i + 1]}; write --${name}=VALUE for a value that starts with --`,
        );
      value = argv[++i];
    }
    const earlier = flags.get(name);
    if (earlier && !repeatable.has(name))
      throw new InvalidInputError(`option --${name} is given twice ('${earlier[0]}', then '${value}'); give it once`);
    flags.set(name, [...(earlier ?? []), value]);
  }
  return { positionals, flags };
}

/** The last value of a flag, or undefined. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  return values ? values[values.length - 1] : undefined;
}

/** An integer flag within [min, max], or the default; refuses anything else with a message naming the flag. */
export function intFlag(args: ParsedArgs, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = flag(args, name);
  if (raw === undefined) return def;
  if (!/^-?\d+$/.test(raw)) throw new InvalidInputError(`--${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new InvalidInputError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
