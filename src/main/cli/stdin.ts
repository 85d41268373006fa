// Reads a secret from standard input (for --password-stdin, --new-key-stdin): never from argv, where `ps` and shell history would see it.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '../../shared/errors';

export async function readStdinSecret(what: string, stream: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stream.isTTY) {
    throw new AppError('VALIDATION_FAILED', `${what} is read from standard input; pipe it in, e.g. \`openssl rand -base64 32 | devmesh ...\``);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (value.length === 0) throw new AppError('VALIDATION_FAILED', `${what} was expected on standard input, but it was empty`);
  return value;
}

export function promptHidden(question: string): Promise<string> {
  // Echo off: characters typed are not written back to the terminal.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  process.stderr.write(question);
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** A new password: typed twice at a terminal, or one line piped in (scripts). */
export async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdinSecret('the password');
  const first = await promptHidden('New password: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new AppError('VALIDATION_FAILED', 'the two passwords differ; nothing was changed');
  if (first === '') throw new AppError('VALIDATION_FAILED', 'the password is empty; nothing was changed');
  return first;
}
