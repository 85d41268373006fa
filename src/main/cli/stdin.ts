// Reads a secret from standard input (for --password-stdin, --new-key-stdin): never from argv, where `ps` and shell history would see it.
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
